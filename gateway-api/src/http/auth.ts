import { createHash, timingSafeEqual } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import type { ApiKeyConfig, MtlsRule } from '../config/config';
import type { Role } from '../config/roles';

/** Who is calling, once authenticated. */
export interface Caller {
  /** Stable caller id (from the key's or the certificate rule's configuration). */
  id: string;
  role: Role;
  via: 'api-key' | 'mtls';
}

/** The SHA-256 hex of an API key, as the configuration stores it. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The subject fields of a client certificate that rules match on. */
export interface CertSubject {
  CN?: string | string[];
  OU?: string | string[];
}

const values = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The first mTLS rule a certificate subject satisfies (every field a rule names must match). */
export function matchMtlsRule(subject: CertSubject, rules: MtlsRule[]): Caller | undefined {
  const cns = values(subject.CN);
  const ous = values(subject.OU);
  for (const rule of rules) {
    if (rule.cn !== undefined && !cns.includes(rule.cn)) continue;
    if (rule.ou !== undefined && !ous.includes(rule.ou)) continue;
    return { id: rule.id ?? `mtls:${cns[0] ?? rule.ou ?? 'client'}`, role: rule.role, via: 'mtls' };
  }
  return undefined;
}

/** Result of authenticating a request: a caller, nobody (no credentials), or bad credentials. */
export type AuthResult = { caller: Caller } | { caller: undefined; reason: 'none' | 'invalid-key' | 'unmapped-certificate' };

/**
 * Authenticates by API key (`X-API-Key` or `Authorization: Bearer`) against the configured hashes,
 * comparing every entry in constant time, or by a verified client certificate mapped to a role.
 */
export class Authenticator {
  readonly #keys: { entry: ApiKeyConfig; hash: Buffer }[];

  constructor(
    apiKeys: ApiKeyConfig[],
    private readonly mtlsRules: MtlsRule[],
  ) {
    this.#keys = apiKeys.map((entry) => ({ entry, hash: Buffer.from(entry.sha256, 'hex') }));
  }

  /** The API key presented, if any (never log it). */
  static presentedKey(req: Request): string | undefined {
    const header = req.headers['x-api-key'];
    if (typeof header === 'string' && header.length > 0) return header;
    const auth = req.headers.authorization;
    if (typeof auth === 'string') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      if (m) return m[1];
    }
    return undefined;
  }

  authenticate(req: Request): AuthResult {
    const key = Authenticator.presentedKey(req);
    if (key !== undefined) {
      const presented = Buffer.from(hashApiKey(key), 'hex');
      let found: ApiKeyConfig | undefined;
      for (const k of this.#keys) if (timingSafeEqual(presented, k.hash) && !found) found = k.entry;
      return found ? { caller: { id: found.id, role: found.role, via: 'api-key' } } : { caller: undefined, reason: 'invalid-key' };
    }
    const socket = req.socket as TLSSocket;
    if (socket.encrypted && socket.authorized && typeof socket.getPeerCertificate === 'function') {
      const cert = socket.getPeerCertificate();
      if (cert && cert.subject) {
        const caller = matchMtlsRule(cert.subject as CertSubject, this.mtlsRules);
        return caller ? { caller } : { caller: undefined, reason: 'unmapped-certificate' };
      }
    }
    return { caller: undefined, reason: 'none' };
  }
}
