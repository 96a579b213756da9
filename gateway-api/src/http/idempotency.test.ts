import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeLedger } from '../testing/fake-ledger';
import { SAMPLE_PARAMS, startTestGateway, TestGateway } from '../testing/harness';
import { SqliteStore } from '../store/sqlite-store';
import { requestHash } from './idempotency';

const put = (gw: TestGateway, key: string | undefined, body: unknown = SAMPLE_PARAMS, caller: 'utility-admin' = 'utility-admin') =>
  gw.request('PUT', '/v1/params/lending', { role: caller, body, headers: key ? { 'idempotency-key': key } : {} });

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gl-idem-'));
  db = join(dir, 'gateway.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('same key and body: the first result again, with one ledger transaction', async () => {
  const gw = await startTestGateway({ sqlitePath: db });
  try {
    const first = await put(gw, 'key-1');
    const second = await put(gw, 'key-1');
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(gw.ledger.submitted).toHaveLength(1);
    // Body key order does not matter: the hash is over canonical JSON.
    const reordered = Object.fromEntries(Object.entries(SAMPLE_PARAMS).reverse());
    expect((await put(gw, 'key-1', reordered)).status).toBe(202);
    expect(gw.ledger.submitted).toHaveLength(1);
  } finally {
    await gw.close();
  }
});

test('same key, different body: 422, and nothing submitted', async () => {
  const gw = await startTestGateway({ sqlitePath: db });
  try {
    await put(gw, 'key-2');
    const r = await put(gw, 'key-2', { ...SAMPLE_PARAMS, interestBps: 7 });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ type: 'urn:gridledger:problem:idempotency-key-reused' });
    expect(gw.ledger.submitted).toHaveLength(1);
  } finally {
    await gw.close();
  }
});

test('same key while the first is in flight: 409 with Retry-After', async () => {
  const gw = await startTestGateway({ sqlitePath: db });
  try {
    gw.ledger.submitDelayMs = 400;
    const first = put(gw, 'key-3');
    await new Promise((r) => setTimeout(r, 100));
    const second = await put(gw, 'key-3');
    expect(second.status).toBe(409);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(second.body).toMatchObject({ type: 'urn:gridledger:problem:idempotency-key-in-flight' });
    expect((await first).status).toBe(202);
    expect(gw.ledger.submitted).toHaveLength(1);
  } finally {
    await gw.close();
  }
});

test('a missing key is a 400', async () => {
  const gw = await startTestGateway({ sqlitePath: db });
  try {
    const r = await put(gw, undefined);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: 'urn:gridledger:problem:idempotency-key-missing' });
    expect(gw.ledger.submitted).toHaveLength(0);
  } finally {
    await gw.close();
  }
});

test('keys are per caller: another caller may use the same key', async () => {
  const gw = await startTestGateway({
    sqlitePath: db,
    config: {
      auth: {
        apiKeys: [
          { id: 'ops-a', role: 'utility-admin', sha256: require('./auth').hashApiKey('key-a') },
          { id: 'ops-b', role: 'utility-admin', sha256: require('./auth').hashApiKey('key-b') },
        ],
        mtls: [],
      },
    },
  });
  try {
    const a = await gw.request('PUT', '/v1/params/lending', { key: 'key-a', body: SAMPLE_PARAMS, headers: { 'idempotency-key': 'shared' } });
    const b = await gw.request('PUT', '/v1/params/lending', { key: 'key-b', body: { ...SAMPLE_PARAMS, interestBps: 9 }, headers: { 'idempotency-key': 'shared' } });
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(gw.ledger.submitted).toHaveLength(2);
  } finally {
    await gw.close();
  }
});

test('a refused request (4xx) or a server error (5xx) leaves nothing behind: the key is free for a retry', async () => {
  const gw = await startTestGateway({ sqlitePath: db });
  try {
    const bad = await put(gw, 'key-5', { ...SAMPLE_PARAMS, W_b: 1 });
    expect(bad.status).toBe(422);
    const again = await put(gw, 'key-5', { ...SAMPLE_PARAMS, W_b: 1 });
    expect(again.status).toBe(422);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    // Corrected, under the same key: nothing was recorded for the refused attempt, so this is a first request.
    expect((await put(gw, 'key-5')).status).toBe(202);
    expect(gw.ledger.submitted).toHaveLength(1);

    gw.ledger.reachable = false;
    expect((await put(gw, 'key-6')).status).toBe(503);
    gw.ledger.reachable = true;
    expect((await put(gw, 'key-6')).status).toBe(202);
    expect(gw.ledger.submitted).toHaveLength(2);
  } finally {
    await gw.close();
  }
});

test('keys survive a gateway restart (same SQLite file)', async () => {
  const ledger = new FakeLedger();
  const gw1 = await startTestGateway({ sqlitePath: db, ledger });
  const first = await put(gw1, 'key-restart');
  await gw1.close();
  const gw2 = await startTestGateway({ sqlitePath: db, ledger });
  try {
    const again = await put(gw2, 'key-restart');
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(ledger.submitted).toHaveLength(1);
    expect((await put(gw2, 'key-restart', { ...SAMPLE_PARAMS, interestBps: 3 })).status).toBe(422);
  } finally {
    await gw2.close();
  }
});

test('after a crash mid-request, the retry resubmits the same transaction id and never commits twice', async () => {
  const ledger = new FakeLedger();
  // The crashed gateway: claimed the key, prepared and submitted the transaction, then died.
  const store = new SqliteStore(db);
  await store.init();
  const hash = requestHash('PUT', '/v1/params/lending', SAMPLE_PARAMS);
  await store.claimIdempotencyKey('utility-admin-caller', 'key-crash', hash, Date.now() - 120_000, 1_000);
  const prepared = ledger.prepare('params:SetLendingParams', [JSON.stringify(SAMPLE_PARAMS)], { identity: 'admin' });
  await store.attachIdempotencyTransaction('utility-admin-caller', 'key-crash', prepared.txId, prepared.proposal);
  await (await ledger.submitAsync(prepared)).commit;
  await store.close();

  const gw = await startTestGateway({ sqlitePath: db, ledger });
  try {
    const r = await put(gw, 'key-crash');
    expect(r.status).toBe(200); // settled from the ledger's commit status
    expect(r.body).toMatchObject({ id: prepared.txId, status: 'committed' });
    expect(ledger.submitted).toEqual([prepared.txId]);
  } finally {
    await gw.close();
  }
});
