import { DEFAULT_MARKET_PARAMS, generateKeyPair, MARKET_ACTIONS, signRequest } from '@gridledger/core';
import { installMarketFakes, MARKET_KEY, signed } from '../testing/market-fixtures';
import { startTestGateway, TestGateway } from '../testing/harness';

let gw: TestGateway;
beforeEach(async () => {
  gw = await startTestGateway();
  installMarketFakes(gw.ledger);
});
afterEach(async () => {
  await gw.close();
});

const post = (path: string, body: unknown, role: 'user-relay' | 'operator-admin' | 'utility-admin' = 'user-relay', key = `k-${Math.random()}`) =>
  gw.request('POST', path, { role, body, headers: { 'idempotency-key': key } });

test('a signed order is relayed as market:SubmitOrder with the canonical body and signature', async () => {
  const s = signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'ask', price: 10, quantity: 5, trader: 'user:sam' });
  const r = await post('/v1/market/orders?wait=true', s);
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ status: 'committed', function: 'market:SubmitOrder' });
  const { args } = (r.body as { result: { args: string[] } }).result;
  expect(JSON.parse(args[0])).toEqual(s.body);
  expect(args[1]).toBe(s.signature);
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
