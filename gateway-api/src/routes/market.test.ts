import { DEFAULT_MARKET_PARAMS, generateKeyPair, MARKET_ACTIONS, signRequest } from '@gridledger/core';
import { requestHash } from '../http/idempotency';
import { FakeMarket, installMarketFakes, MARKET_KEY, signed } from '../testing/market-fixtures';
import { startTestGateway, TestGateway } from '../testing/harness';

let gw: TestGateway;
let fake: FakeMarket;
beforeEach(async () => {
  // One lane, so concurrent orders of different accounts share a batch.
  gw = await startTestGateway({ config: { market: { orderBatch: { maxItems: 8, maxWaitMs: 40, lanes: 1 } } } });
  fake = installMarketFakes(gw.ledger);
});
afterEach(async () => {
  await gw.close();
});

const post = (path: string, body: unknown, role: 'user-relay' | 'operator-admin' | 'utility-admin' = 'user-relay', key = `k-${Math.random()}`) =>
  gw.request('POST', path, { role, body, headers: { 'idempotency-key': key } });

test('a signed order is relayed in market:SubmitOrders with its body and signature; the reply carries its own order record', async () => {
  const s = signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'ask', price: 10, quantity: 5, trader: 'user:sam' });
  const r = await post('/v1/market/orders?wait=true', s);
  expect(r.status).toBe(200);
  const id = (r.body as { id: string }).id;
  expect(r.body).toMatchObject({ status: 'committed', function: 'market:SubmitOrders', batchSize: 1, index: 0, result: { orderId: `${id}.00`, side: 'ask', price: 10, owner: MARKET_KEY.publicKey } });
  expect(fake.orderBatches).toEqual([[s]]);
});

test('with batching off (maxItems 1) an order is its own market:SubmitOrder with the canonical body and signature', async () => {
  const gw2 = await startTestGateway({ config: { market: { orderBatch: { maxItems: 1, maxWaitMs: 40, lanes: 8 } } } });
  try {
    installMarketFakes(gw2.ledger);
    const s = signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'ask', price: 10, quantity: 5, trader: 'user:sam' });
    const r = await gw2.request('POST', '/v1/market/orders?wait=true', { role: 'operator-admin', body: s, headers: { 'idempotency-key': 'off' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'committed', function: 'market:SubmitOrder', batchSize: 1, index: 0 });
    const { args } = (r.body as { result: { args: string[] } }).result;
    expect(JSON.parse(args[0])).toEqual(s.body);
    expect(args[1]).toBe(s.signature);
  } finally {
    await gw2.close();
  }
});

test('concurrent orders share one SubmitOrders: each reply has its own order record and index; one the chaincode refuses is answered alone', async () => {
  const keys = [generateKeyPair(), generateKeyPair(), generateKeyPair(), generateKeyPair()];
  fake.refused.add(keys[2].publicKey);
  const bodies = keys.map((k, i) => signRequest(MARKET_ACTIONS.order, { cycleId: 'c1', side: i % 2 ? 'bid' : 'ask', price: 10 + i, quantity: 5, trader: `user:t${i}`, account: k.publicKey, nonce: 1 }, k.privateKey));
  const replies = await Promise.all(bodies.map((b) => post('/v1/market/orders?wait=true', b)));
  expect(replies.map((r) => r.status)).toEqual([200, 200, 404, 200]);
  expect(replies[2].body).toMatchObject({ code: 'NOT_FOUND', detail: expect.stringMatching(/^NOT_FOUND: order: trader user:t2 is not registered/) });
  expect(fake.orderBatches.map((b) => b.length)).toEqual([4, 3]);
  const ok = [0, 1, 3].map((i) => replies[i].body as { id: string; batchSize: number; index: number; result: { orderId: string; trader: string; owner: string } });
  expect(new Set(ok.map((b) => b.id)).size).toBe(1);
  for (const [j, i] of [0, 1, 3].entries()) {
    const b = ok[j];
    expect(b).toMatchObject({ function: 'market:SubmitOrders', batchSize: 3, result: { trader: `user:t${i}`, owner: keys[i].publicKey } });
    expect(b.result.orderId).toBe(`${b.id}.${String(b.index).padStart(2, '0')}`);
  }
  expect(new Set(ok.map((b) => b.index))).toEqual(new Set([0, 1, 2]));
});

test('after a crash mid-batch, an order\'s retry resubmits the batch prepared under its key and answers its own record', async () => {
  const items = [1, 2].map((p) => signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'bid', price: 20 + p, quantity: 5, trader: 'user:bob' }));
  const scope = 'user-relay-caller';
  await gw.store.claimIdempotencyKey(scope, 'crash-order', requestHash('POST', '/v1/market/orders', items[1]), Date.now() - 120_000, 1_000);
  const prepared = gw.ledger.prepare('market:SubmitOrders', [JSON.stringify(items)]);
  await gw.store.attachIdempotencyTransaction(scope, 'crash-order', prepared.txId, prepared.proposal);
  const r = await post('/v1/market/orders?wait=true', items[1], 'user-relay', 'crash-order');
  expect(r.body).toMatchObject({ id: prepared.txId, status: 'committed', batchSize: 2, index: 1, result: { orderId: `${prepared.txId}.01`, price: 22 } });
  expect(gw.ledger.submitted).toEqual([prepared.txId]);
});

test('a forged or tampered order is refused at the edge and never reaches the ledger', async () => {
  const s = signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'ask', price: 10, quantity: 5, trader: 'user:sam' });
  const tampered = await post('/v1/market/orders', { ...s, body: { ...s.body, price: 11 } });
  expect(tampered.status).toBe(422);
  expect(tampered.body).toMatchObject({ code: 'INVALID_SIGNATURE' });
  const other = generateKeyPair();
  const forged = signRequest(MARKET_ACTIONS.order, { ...s.body }, other.privateKey);
  expect((await post('/v1/market/orders', forged)).status).toBe(422);
  // A signature for another action does not pass as an order.
  const cancelSig = signRequest(MARKET_ACTIONS.cancel, s.body, MARKET_KEY.privateKey);
  expect((await post('/v1/market/orders', cancelSig)).status).toBe(422);
  expect(gw.ledger.submitted).toHaveLength(0);
});

test('schema violations are 400: unknown fields, zero price, bad side', async () => {
  const s = signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'ask', price: 0, quantity: 5, trader: 'user:sam' });
  expect((await post('/v1/market/orders', s)).status).toBe(400);
  const t = signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'sell', price: 1, quantity: 5, trader: 'user:sam', extra: 1 });
  expect((await post('/v1/market/orders', t)).status).toBe(400);
  expect(gw.ledger.submitted).toHaveLength(0);
});

test('an invoice must name the obligation of its path', async () => {
  const s = signed(MARKET_ACTIONS.invoice, { cycleId: 'c1', index: 1, hashLock: 'c'.repeat(64) });
  const r = await post('/v1/market/obligations/c1/0/invoice', s);
  expect(r.status).toBe(422);
  expect((await post('/v1/market/obligations/c1/1/invoice', s)).status).toBe(202);
});

test('cycles: only the Utility opens, closes and clears; options pass through', async () => {
  expect((await post('/v1/market/cycles', { cycleId: 'c9' }, 'operator-admin')).status).toBe(403);
  const r = await post('/v1/market/cycles?wait=true', { cycleId: 'c9', lengthS: 60 }, 'utility-admin');
  expect((r.body as { result: { args: string[] } }).result.args).toEqual(['c9', '{"lengthS":60}']);
  const c = await post('/v1/market/cycles/c9/clear?wait=true', undefined, 'utility-admin');
  expect(c.status).toBe(200);
  expect((c.body as { function: string }).function).toBe('market:ClearCycle');
  expect((await gw.request('PUT', '/v1/market/params', { role: 'utility-admin', body: { ...DEFAULT_MARKET_PARAMS, pageSize: 0 }, headers: { 'idempotency-key': 'p' } })).status).toBe(400);
});

test('reads: book by side, results, board', async () => {
  const book = await gw.request('GET', '/v1/market/cycles/c1/book?side=bid', { role: 'guarantor-admin' });
  expect(book.status).toBe(200);
  expect((book.body as unknown[])[0]).toMatchObject({ side: 'bid', remaining: 4 });
  expect((await gw.request('GET', '/v1/market/cycles/c1/book', { role: 'user-relay' })).status).toBe(400); // side required
  const trades = await gw.request('GET', '/v1/market/cycles/c1/trades', { role: 'user-relay' });
  expect(trades.body).toMatchObject({ stats: { trades: 1 }, trades: [{ price: 25, quantity: 4, sellPrice: 10, buyPrice: 41 }] });
  expect((await gw.request('GET', '/v1/market/defaults', { role: 'user-relay' })).status).toBe(200);
});
