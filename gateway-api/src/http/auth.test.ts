/** Walks every documented operation with every role, no credentials, and a wrong key. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROLES } from '../config/roles';
import { documentedOperations } from '../openapi/document';
import { SAMPLE_PARAMS, startTestGateway, TEST_KEYS, TestGateway } from '../testing/harness';
import { hashApiKey, matchMtlsRule } from './auth';

const ops = documentedOperations();

/** A request that passes validation for each operation, so only auth decides the outcome. */
function requestFor(opId: string): { method: string; path: string; body?: unknown; headers?: Record<string, string> } {
  switch (opId) {
    case 'setLendingParams':
      return { method: 'PUT', path: '/v1/params/lending', body: SAMPLE_PARAMS, headers: { 'idempotency-key': `k-${Math.random()}` } };
    case 'getTransaction':
      return { method: 'GET', path: `/v1/transactions/${'a'.repeat(64)}` };
    case 'streamEvents':
      return { method: 'GET', path: '/v1/events' };
    default: {
      const op = ops.find((o) => o.operationId === opId)!;
      return { method: op.method.toUpperCase(), path: op.path };
    }
  }
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => {
  await gw.close();
});

/** Sends the request; for the SSE stream, only reads the status line. */
async function send(opId: string, key?: string): Promise<{ status: number; type?: string }> {
  const r = requestFor(opId);
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  if (key) headers['x-api-key'] = key;
  if (r.body) headers['content-type'] = 'application/json';
  const ctrl = new AbortController();
  const res = await fetch(gw.url + r.path, { method: r.method, headers, body: r.body ? JSON.stringify(r.body) : undefined, signal: ctrl.signal });
  if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
    ctrl.abort();
    return { status: res.status };
  }
  const text = await res.text();
  const type = /problem\+json/.test(res.headers.get('content-type') ?? '') ? (JSON.parse(text) as { type: string }).type : undefined;
  return { status: res.status, type };
}

describe.each(ops.map((o) => [o.operationId, o] as const))('%s', (opId, op) => {
  const isPublic = op.roles.includes('public');
  test.each(ROLES.map((r) => [r]))('role %s', async (role) => {
    const r = await send(opId, TEST_KEYS[role]);
    if (isPublic || op.roles.includes(role)) {
      expect([401, 403]).not.toContain(r.status);
    } else {
      expect(r).toEqual({ status: 403, type: 'urn:gridledger:problem:forbidden' });
    }
  });
  test('no credentials', async () => {
    const r = await send(opId);
    if (isPublic) expect(r.status).not.toBe(401);
    else expect(r).toEqual({ status: 401, type: 'urn:gridledger:problem:unauthenticated' });
  });
  test('a wrong key', async () => {
    const r = await send(opId, 'not-a-configured-key');
    if (isPublic) expect(r.status).not.toBe(401);
    else expect(r).toEqual({ status: 401, type: 'urn:gridledger:problem:unauthenticated' });
  });
});

test('a bearer token works like X-API-Key', async () => {
  const r = await gw.request('GET', '/v1/params/lending/history', { headers: { authorization: `Bearer ${TEST_KEYS['user-relay']}` } });
  expect(r.status).toBe(200);
});

test('admin roles sign with the org admin identity, user relays with the client identity', async () => {
  const seen: string[] = [];
  gw.ledger.handlers.set('params:GetLendingParamsHistory', (call) => {
    seen.push(call.identity);
    return '[]';
  });
  await gw.request('GET', '/v1/params/lending/history', { role: 'utility-admin' });
  await gw.request('GET', '/v1/params/lending/history', { role: 'user-relay' });
  expect(seen).toEqual(['admin', 'client']);
});

test('mTLS rules map certificate subjects to roles', () => {
  const rules = [
    { cn: 'ops-console', role: 'utility-admin' as const },
    { ou: 'relays', role: 'user-relay' as const, id: 'relay-fleet' },
  ];
  expect(matchMtlsRule({ CN: 'ops-console', OU: 'x' }, rules)).toEqual({ id: 'mtls:ops-console', role: 'utility-admin', via: 'mtls' });
  expect(matchMtlsRule({ CN: 'app-7', OU: ['relays', 'y'] }, rules)).toEqual({ id: 'relay-fleet', role: 'user-relay', via: 'mtls' });
  expect(matchMtlsRule({ CN: 'stranger' }, rules)).toBeUndefined();
});

describe('mutual TLS end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-mtls-'));
  const f = (n: string): string => join(dir, n);
  const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
  let tls: TestGateway;
  beforeAll(async () => {
    ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', '/CN=test-ca', '-days', '1');
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    const issue = (name: string, subj: string, ext?: string): void => {
      ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', subj);
      ssl('x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.crt`), '-days', '1', ...(ext ? ['-extfile', ext] : []));
    };
    issue('server', '/CN=localhost', f('san.ext'));
    issue('admin', '/CN=ops-console/OU=utility');
    issue('nobody', '/CN=stranger');
    tls = await startTestGateway({
      config: {
        server: {
          host: '127.0.0.1',
          port: 0,
          bodyLimitBytes: 65536,
          trustProxy: false,
          shutdownGraceMs: 500,
          tls: { certPath: f('server.crt'), keyPath: f('server.key'), caPath: f('ca.crt'), requestClientCert: true },
        },
        auth: { apiKeys: [{ id: 'k', role: 'user-relay', sha256: hashApiKey('k') }], mtls: [{ cn: 'ops-console', role: 'utility-admin' }] },
      },
    });
  });
  afterAll(async () => {
    await tls.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, client?: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const port = new URL(tls.url).port;
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path,
          method: 'PUT',
          ca: readFileSync(f('ca.crt')),
          ...(client ? { cert: readFileSync(f(`${client}.crt`)), key: readFileSync(f(`${client}.key`)) } : {}),
          headers: { 'content-type': 'application/json', 'idempotency-key': `m-${client}-${Math.random()}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(SAMPLE_PARAMS));
    });

  test('a mapped client certificate gets its role; unmapped or absent ones are 401', async () => {
    expect(await get('/v1/params/lending', 'admin')).toBe(202);
    expect(await get('/v1/params/lending', 'nobody')).toBe(401);
    expect(await get('/v1/params/lending')).toBe(401);
  });
});
