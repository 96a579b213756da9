/**
 * The REST gateway on the real network: an in-process gateway per org (temporary SQLite store) on
 * the org's connection profile, exercised over HTTP, plus the Fabric LedgerClient's resubmission and
 * commit-status paths that idempotency relies on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LENDING_PARAMS } from '@gridledger/core';
import { describeOnNetwork, profile, OrgName } from './support/network';
import { FabricLedgerClient } from '../../gateway-api/src/fabric/fabric-ledger';
import { LedgerError } from '../../gateway-api/src/fabric/ledger';
import { buildDeps } from '../../gateway-api/src/http/app';
import { hashApiKey } from '../../gateway-api/src/http/auth';
import { createLogger } from '../../gateway-api/src/http/logger';
import { GatewayMetrics } from '../../gateway-api/src/http/metrics';
import { Gateway } from '../../gateway-api/src/server';
import { SqliteStore } from '../../gateway-api/src/store/sqlite-store';
import { testConfig } from '../../gateway-api/src/testing/harness';

jest.setTimeout(90_000);

const TIMEOUTS = { evaluateTimeoutMs: 5_000, endorseTimeoutMs: 15_000, submitTimeoutMs: 5_000, commitStatusTimeoutMs: 60_000 };
const ADMIN_KEY = 'integration-admin-key';
const RELAY_KEY = 'integration-relay-key';

interface Running {
  url: string;
  gateway: Gateway;
  dir: string;
}

async function startGateway(org: OrgName, adminRole: 'utility-admin' | 'operator-admin'): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), `gl-int-gw-${org}-`));
  const sqlitePath = path.join(dir, 'gateway.db');
  const store = new SqliteStore(sqlitePath);
  await store.init();
  const p = profile(org);
  const config = testConfig(
    {
      org,
      auth: {
        apiKeys: [
          { id: 'int-admin', role: adminRole, sha256: hashApiKey(ADMIN_KEY) },
          { id: 'int-relay', role: 'user-relay', sha256: hashApiKey(RELAY_KEY) },
        ],
        mtls: [],
      },
      fabric: { ...TIMEOUTS, eventStartBlock: 0 },
    },
    sqlitePath,
  );
  const deps = buildDeps({ config, ledger: new FabricLedgerClient(p, TIMEOUTS), store, log: createLogger('error'), metrics: new GatewayMetrics({ defaultMetrics: false }) });
  const gateway = new Gateway(deps);
  const port = await gateway.start();
  return { url: `http://127.0.0.1:${port}`, gateway, dir };
}

async function call(gw: Running, method: string, p: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(gw.url + p, {
    method,
    headers: { 'x-api-key': key, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Reads SSE messages until `until` matches one, or the time runs out. */
async function readEvents(gw: Running, after: number, until: (data: { transactionId: string }) => boolean, ms = 20_000) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  const res = await fetch(`${gw.url}/v1/events?after=${after}`, { headers: { 'x-api-key': RELAY_KEY }, signal: ctrl.signal });
  const reader = res.body!.getReader();
  const seen: { id: string; data: { transactionId: string; eventName: string } }[] = [];
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString('utf8');
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) seen.push({ id, data: JSON.parse(data) });
      }
      if (seen.some((e) => until(e.data))) break;
    }
  } catch {
    // aborted
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
  return seen;
}

describeOnNetwork('REST gateway on the network', () => {
  let utility: Running;
  let operator: Running;
  beforeAll(async () => {
    utility = await startGateway('utility', 'utility-admin');
    operator = await startGateway('operator', 'operator-admin');
  });
  afterAll(async () => {
    for (const gw of [utility, operator]) {
      if (!gw) continue;
      await gw.gateway.stop();
      rmSync(gw.dir, { recursive: true, force: true });
    }
  });

  it('is ready: peer reachable, store writable', async () => {
    const r = await fetch(`${utility.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ready', checks: { peer: 'ok', store: 'ok' } });
  });

  it('publishes parameters asynchronously, replays the same key, and streams the event', async () => {
    const params = { ...DEFAULT_LENDING_PARAMS, interestBps: 100 + Math.floor(Math.random() * 800) };
    const key = `int-${Date.now()}`;
    const before = (await call(utility, 'GET', '/v1/params/lending/history', RELAY_KEY)).body as unknown[];
    const first = await call(utility, 'PUT', '/v1/params/lending', ADMIN_KEY, params, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'endorsed', function: 'params:SetLendingParams' });
    const txId = first.body.id as string;
    const settled = await call(utility, 'GET', `/v1/transactions/${txId}?wait=true&timeout=30`, RELAY_KEY);
    expect(settled.body).toMatchObject({ id: txId, status: 'committed', validationCode: 'VALID', blockNumber: expect.any(Number) });

    const replay = await call(utility, 'PUT', '/v1/params/lending', ADMIN_KEY, params, { 'idempotency-key': key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.id).toBe(txId);
    const reused = await call(utility, 'PUT', '/v1/params/lending', ADMIN_KEY, { ...params, interestBps: 1 }, { 'idempotency-key': key });
    expect(reused.status).toBe(422);
    const after = (await call(utility, 'GET', '/v1/params/lending/history', RELAY_KEY)).body as unknown[];
    expect(after.length).toBe(before.length + 1);

    const current = await call(operator, 'GET', '/v1/params/lending', RELAY_KEY);
    expect(current.body).toMatchObject({ txId, params: { interestBps: params.interestBps }, updatedBy: 'UtilityMSP' });

    const events = await readEvents(utility, 0, (d) => d.transactionId === txId);
    const mine = events.filter((e) => e.data.transactionId === txId);
    expect(mine).toHaveLength(1);
    expect(mine[0].data.eventName).toBe('LendingParamsChanged');
    // Resuming after that event does not send it again.
    const resumed = await readEvents(utility, Number(mine[0].id), () => false, 1_500);
    expect(resumed.some((e) => e.data.transactionId === txId)).toBe(false);
  });

  it('refuses the PUT to roles other than utility-admin, before any ledger call', async () => {
    const r = await call(operator, 'PUT', '/v1/params/lending', ADMIN_KEY, DEFAULT_LENDING_PARAMS, { 'idempotency-key': `op-${Date.now()}` });
    expect(r.status).toBe(403);
    expect(r.body.type).toBe('urn:gridledger:problem:forbidden');
  });

  it('maps the chaincode refusal of another org to forbidden, and a resubmission to duplicate', async () => {
    const opLedger = new FabricLedgerClient(profile('operator'), TIMEOUTS);
    const utilLedger = new FabricLedgerClient(profile('utility'), TIMEOUTS);
    try {
      const refused = opLedger.prepare('params:SetLendingParams', [JSON.stringify(DEFAULT_LENDING_PARAMS)], { identity: 'admin' });
      await expect(opLedger.submitAsync(refused)).rejects.toMatchObject({ kind: 'forbidden', message: expect.stringContaining('ACCESS_DENIED') });

      const tx = utilLedger.prepare('params:SetLendingParams', [JSON.stringify(DEFAULT_LENDING_PARAMS)], { identity: 'admin' });
      const sub = await utilLedger.submitAsync(tx);
      const outcome = await sub.commit;
      expect(outcome).toMatchObject({ successful: true, codeName: 'VALID' });
      // Commit status by transaction id alone (what reconciliation and takeovers use).
      expect(await utilLedger.commitStatus(tx.txId)).toMatchObject({ txId: tx.txId, blockNumber: outcome.blockNumber, codeName: 'VALID' });
      // The same proposal again: Fabric refuses the transaction id, so it can never commit twice.
      const again = await utilLedger.submitAsync(tx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(again).toBeInstanceOf(LedgerError);
      expect((again as LedgerError).kind).toBe('duplicate');
    } finally {
      opLedger.close();
      utilLedger.close();
    }
  });
});
