/** The gateway's REST API, with the signed-in user's API key (kept in sessionStorage only). */
export interface Session {
  callerId: string;
  role: 'utility-admin' | 'guarantor-admin' | 'operator-admin' | 'user-relay';
  org: string;
  msp: string;
}

const KEY = 'gridledger.apiKey';
const SESSION = 'gridledger.session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(`${status} ${title}: ${detail}`);
  }
}

export const auth = {
  key: (): string | null => sessionStorage.getItem(KEY),
  session: (): Session | null => {
    const s = sessionStorage.getItem(SESSION);
    return s ? (JSON.parse(s) as Session) : null;
  },
  async signIn(key: string): Promise<Session> {
    const session = await get<Session>('/v1/session', key);
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(SESSION, JSON.stringify(session));
    return session;
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(SESSION);
  },
};

/** GET a JSON resource; the API key goes in a header, never in the URL. */
export async function get<T>(path: string, key: string | null = auth.key()): Promise<T> {
  const res = await fetch(path, { headers: { accept: 'application/json', ...(key ? { 'x-api-key': key } : {}) } });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const p = (body ?? {}) as { title?: string; detail?: string };
    throw new ApiError(res.status, p.title ?? res.statusText, p.detail ?? String(text).slice(0, 200));
  }
  return body as T;
}

/** Like `get`, but a 404 (nothing published yet) answers `fallback`. */
export async function getOr<T>(path: string, fallback: T): Promise<T> {
  try {
    return await get<T>(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return fallback;
    throw err;
  }
}
