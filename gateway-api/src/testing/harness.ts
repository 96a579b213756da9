/**
 * Test support: a gateway on an ephemeral port with a fake ledger and a temporary SQLite store,
 * and one API key per role.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GatewayConfig } from '../config/config';
import { ROLES, Role } from '../config/roles';
import { buildDeps } from '../http/app';
import { hashApiKey } from '../http/auth';
import { createLogger } from '../http/logger';
import { GatewayMetrics } from '../http/metrics';
import type { AppDeps } from '../http/operation';
import { Gateway } from '../server';
import { SqliteStore } from '../store/sqlite-store';
import type { Store } from '../store/store';
import { FakeLedger } from './fake-ledger';

/** The API key of each role in test gateways. */
export const TEST_KEYS: Record<Role, string> = {
  'utility-admin': 'test-key-utility-admin-0123456789',
  'guarantor-admin': 'test-key-guarantor-admin-0123456789',
  'operator-admin': 'test-key-operator-admin-0123456789',
  'user-relay': 'test-key-user-relay-0123456789',
};

export function testConfig(overrides: Partial<GatewayConfig> = {}, sqlitePath = ':memory:'): GatewayConfig {
  return {
    profilePath: '/nonexistent/utility.json',
    org: 'utility',
    server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 64 * 1024, trustProxy: false, shutdownGraceMs: 1_000 },
    auth: { apiKeys: ROLES.map((role) => ({ id: `${role}-caller`, role, sha256: hashApiKey(TEST_KEYS[role]) })), mtls: [] },
    rateLimit: { requestsPerMinute: 100_000, burst: 10_000 },
    store: { kind: 'sqlite', sqlitePath },
    fabric: { evaluateTimeoutMs: 5_000, endorseTimeoutMs: 15_000, submitTimeoutMs: 5_000, commitStatusTimeoutMs: 5_000, eventStartBlock: 0 },
    idempotency: { leaseMs: 60_000 },
    log: { level: 'info' },
    ...overrides,
  };
}

export interface TestResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body when the response is JSON. */
  body: unknown;
}

export interface RequestOptions {
  role?: Role;
  /** A raw API key (overrides role). */
  key?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as is (no JSON encoding). */
  rawBody?: string;
}

export interface TestGateway {
  gateway: Gateway;
  deps: AppDeps;
  ledger: FakeLedger;
  store: Store;
  url: string;
  logLines: string[];
  request(method: string, path: string, opts?: RequestOptions): Promise<TestResponse>;
  /** Stops the server; with `keepStore`, leaves the store open (default: closes it). */
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  ledger?: FakeLedger;
  /** SQLite file to use (default: a fresh temporary one). */
  sqlitePath?: string;
  store?: Store;
  config?: Partial<GatewayConfig>;
  /** Start the event ingester (default true). */
  ingest?: boolean;
}

export async function startTestGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  let tmp: string | undefined;
  let sqlitePath = opts.sqlitePath;
  if (!sqlitePath && !opts.store) {
    tmp = mkdtempSync(join(tmpdir(), 'gl-gw-'));
    sqlitePath = join(tmp, 'gateway.db');
  }
  const store = opts.store ?? new SqliteStore(sqlitePath!);
  await store.init();
  const ledger = opts.ledger ?? new FakeLedger();
  const logLines: string[] = [];
  const config = testConfig(opts.config, sqlitePath);
  const deps = buildDeps({
    config,
    ledger,
    store,
    log: createLogger('debug', (l) => logLines.push(l)),
    metrics: new GatewayMetrics({ defaultMetrics: false }),
  });
  const gateway = new Gateway(deps);
  const port = await gateway.start();
  if (opts.ingest === false) await deps.events.stop();
  const url = `http://127.0.0.1:${port}`;
  return {
    gateway,
    deps,
    ledger,
    store,
    url,
    logLines,
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      const key = o.key ?? (o.role ? TEST_KEYS[o.role] : undefined);
      if (key) headers['x-api-key'] = key;
      let body: string | undefined = o.rawBody;
      if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, body });
      const text = await res.text();
      let parsed: unknown;
      if (/json/.test(res.headers.get('content-type') ?? '')) parsed = text ? JSON.parse(text) : undefined;
      return { status: res.status, headers: res.headers, text, body: parsed };
    },
    async close() {
      await gateway.stop();
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Valid lending parameters (the chaincode's defaults). */
export const SAMPLE_PARAMS = {
  W_b: 60,
  W_g: 40,
  minScoreTable: [
    { maxAmountWh: 10_000, maxDurationS: 604_800, minScore: 500 },
    { maxAmountWh: 50_000, maxDurationS: 2_592_000, minScore: 650 },
  ],
  expiry: { graceS: 86_400 },
  interestBps: 500,
  latePenaltyBps: 1_000,
  defaultFineBps: 10_000,
  traceWindowS: 259_200,
  missedTraceFineBps: 2_000,
  poolDenominationsWh: [1_000, 10_000],
};
