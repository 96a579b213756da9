import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hashApiKey } from '../../gateway-api/src/http/auth';

const ROOT = path.join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * An org's gateway as a child process (`node gateway-api/dist/main.js`, so `npm run build` first) on
 * a free port with its own SQLite file and API keys, which can be killed with SIGKILL and started
 * again on the same store: what the fault and soak suites and the broker tests need.
 */
export class GatewayProcess {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'gl-gwp-'));
  readonly keys = { relay: `glk_${randomBytes(18).toString('base64url')}`, admin: `glk_${randomBytes(18).toString('base64url')}` };
  readonly sqlitePath = path.join(this.dir, 'gateway.db');
  child?: ChildProcess;
  url = '';
  output = '';
  /** How the last child ended, if it did: an unexpected end shows here and in `output`. */
  exited?: { code: number | null; signal: NodeJS.Signals | null };
  private readonly configPath = path.join(this.dir, 'gateway.json');

  constructor(
    readonly org: 'utility' | 'guarantora' | 'guarantorb' | 'operator',
    options: { eventStartBlock?: number; extra?: Record<string, unknown> } = {},
  ) {
    writeFileSync(
      this.configPath,
      JSON.stringify({
        profile: path.join(ROOT, 'network', '.run', 'profiles', `${org}.json`),
        org,
        store: { kind: 'sqlite', sqlitePath: this.sqlitePath },
        rateLimit: { requestsPerMinute: 1_000_000, burst: 100_000 },
        fabric: { eventStartBlock: options.eventStartBlock ?? 0 },
        ...options.extra,
      }),
    );
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  get pid(): number | undefined {
    return this.running ? this.child!.pid : undefined;
  }

  async start(): Promise<void> {
    const port = await freePort();
    this.url = `http://127.0.0.1:${port}`;
    const adminRole = this.org === 'utility' ? 'utility-admin' : this.org === 'operator' ? 'operator-admin' : 'guarantor-admin';
    this.child = spawn(process.execPath, [path.join(ROOT, 'gateway-api', 'dist', 'main.js'), '--config', this.configPath], {
      env: {
        ...process.env,
        GRIDLEDGER_PORT: String(port),
        GRIDLEDGER_HOST: '127.0.0.1',
        GRIDLEDGER_API_KEYS: `relay:user-relay:${hashApiKey(this.keys.relay)},admin:${adminRole}:${hashApiKey(this.keys.admin)}`,
        GRIDLEDGER_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (d) => (this.output = (this.output + d).slice(-20_000)));
    this.child.stderr!.on('data', (d) => (this.output = (this.output + d).slice(-20_000)));
    this.exited = undefined;
    this.child.once('exit', (code, signal) => (this.exited = { code, signal }));
    const until = Date.now() + 30_000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`gateway exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`${this.url}/readyz`)).status === 200) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`gateway not ready in 30 s:\n${this.output}`);
      await sleep(200);
    }
  }

  /** kill -9: no shutdown, no flush. */
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** One JSON request with an API key; network errors come back as status 0. */
  async call(method: string, route: string, opts: { key?: string; body?: unknown; idempotencyKey?: string; timeoutMs?: number } = {}): Promise<{ status: number; body: any }> {
    const headers: Record<string, string> = { 'x-api-key': opts.key ?? this.keys.relay };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    try {
      const res = await fetch(this.url + route, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), signal: AbortSignal.timeout(opts.timeoutMs ?? 90_000) });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      return { status: res.status, body };
    } catch (err) {
      return { status: 0, body: { error: (err as Error).message } };
    }
  }
}
