/**
 * Test support for the market routes: fake chaincode answers shaped like the real contract's, signed
 * sample requests, and a walk through every market operation with each documented 2xx (used by the
 * contract test and routes/market.test.ts).
 */
import { canonicalJson, DEFAULT_MARKET_PARAMS, generateKeyPair, MARKET_ACTIONS, signRequest } from '@gridledger/core';
import { LedgerError } from '../fabric/ledger';
import type { FakeLedger } from './fake-ledger';
import type { RequestOptions, TestResponse } from './harness';

export const MARKET_KEY = generateKeyPair();
const account = MARKET_KEY.publicKey;
const stats = { trades: 1, volume: 4, value: 100, minPrice: 25, maxPrice: 25, vwap: 25, bestUnmatchedAsk: null, bestUnmatchedBid: 15 };
const cycle = { cycleId: 'c1', status: 'cleared', openedAt: 1, closesAt: 901, closedAt: 900, clearedAt: 901, settlementWindowS: 3600, clearingTxs: 1, stats, clearing: null };
const order = { orderId: 'a'.repeat(64), cycleId: 'c1', side: 'bid', owner: account, trader: 'user:bob', price: 41, quantity: 4, seq: 1_700_000_000_000_000, submittedAt: 1, remaining: 4 };
const obligation = {
  cycleId: 'c1', index: 0, askId: 'b'.repeat(64), bidId: 'a'.repeat(64), seller: account, buyer: account, sellerId: 'user:sam', buyerId: 'user:bob',
  sellPrice: 10, buyPrice: 41, price: 25, quantity: 4, payment: 100, status: 'unpaid', clearedAt: 901, invoiceBy: 2701, deadline: 4501,
};
const board = { account, trader: 'user:bob', role: 'buyer', reason: 'unpaid', cycleId: 'c1', index: 0, amount: 100, deadline: 4501, reportedAt: 4600 };

/** What the fake market chaincode saw. */
export interface FakeMarket {
  /** Every SubmitOrders batch (its `{body, signature}` items), refused ones included. */
  orderBatches: Array<Array<{ body: Record<string, unknown>; signature: string }>>;
  /** Accounts whose orders the fake chaincode refuses (as an unregistered trader's). */
  refused: Set<string>;
}

/** Fake `market:*` functions answering like the chaincode. */
export function installMarketFakes(ledger: FakeLedger): FakeMarket {
  const fake: FakeMarket = { orderBatches: [], refused: new Set() };
  const h = ledger.handlers;
  h.set('market:GetMarketParams', () => canonicalJson(DEFAULT_MARKET_PARAMS));
  h.set('market:ListCycles', () => canonicalJson([cycle]));
  h.set('market:GetCycle', () => canonicalJson(cycle));
  h.set('market:GetBook', () => canonicalJson([order]));
  h.set('market:GetTrades', () => canonicalJson({ cycleId: 'c1', status: 'cleared', stats, trades: [obligation] }));
  h.set('market:GetObligation', () => canonicalJson(obligation));
  h.set('market:ListDefaults', () => canonicalJson([board]));
  for (const fn of ['SetMarketParams', 'OpenCycle', 'CloseCycle', 'ClearCycle', 'SubmitOrder', 'CancelOrder', 'InvoiceObligation', 'AcknowledgePayment', 'ProvePayment', 'ReportUnpaid']) {
    h.set(`market:${fn}`, (call) => canonicalJson({ fn: call.fn, args: call.args }));
  }
  // As the chaincode: each order checked in order, order i gets the id `<txId>.<i>`, a refusal names
  // its item and the batch writes nothing; the result lists the order records.
  h.set('market:SubmitOrders', (call) => {
    const items = JSON.parse(call.args[0]) as FakeMarket['orderBatches'][number];
    fake.orderBatches.push(items);
    const records = items.map(({ body }, i) => {
      const b = body as { cycleId: string; side: string; price: number; quantity: number; trader: string; account: string };
      if (fake.refused.has(b.account)) throw new LedgerError('not-found', `NOT_FOUND: order ${i}: trader ${b.trader} is not registered with the KGC`);
      return {
        orderId: `${call.txId}.${String(i).padStart(2, '0')}`, cycleId: b.cycleId, side: b.side, owner: b.account, trader: b.trader,
        price: b.price, quantity: b.quantity, seq: 1_700_000_000_000_000 + i, submittedAt: 1_700_000_000,
      };
    });
    call.emit('MarketOrdersSubmitted', { orders: records });
    return canonicalJson(records);
  });
  return fake;
}

let nonce = 0;
/** `{ body, signature }` for a market action, signed by MARKET_KEY. */
export function signed(action: string, body: Record<string, unknown>): { body: Record<string, unknown>; signature: string } {
  const b = { ...body, account, nonce: ++nonce };
  return signRequest(action, b, MARKET_KEY.privateKey);
}

type Call = (id: string, method: string, path: string, opts?: RequestOptions) => Promise<TestResponse>;

/** Calls every market operation once with `wait=true` (200) and once without (202), reads once. */
export async function walkMarket(call: Call): Promise<void> {
  const r = (role: RequestOptions['role']) => ({ role });
  await call('getMarketParams', 'GET', '/v1/market/params', r('user-relay'));
  await call('listMarketCycles', 'GET', '/v1/market/cycles', r('guarantor-admin'));
  await call('getMarketCycle', 'GET', '/v1/market/cycles/c1', r('operator-admin'));
  await call('getMarketBook', 'GET', '/v1/market/cycles/c1/book?side=bid&limit=10', r('user-relay'));
  await call('getMarketTrades', 'GET', '/v1/market/cycles/c1/trades?from=0', r('user-relay'));
  await call('getMarketObligation', 'GET', '/v1/market/obligations/c1/0', r('user-relay'));
  await call('listMarketDefaults', 'GET', `/v1/market/defaults?account=${account}`, r('user-relay'));
  const submits: Array<[string, string, RequestOptions['role'], () => unknown]> = [
    ['setMarketParams', 'PUT /v1/market/params', 'utility-admin', () => DEFAULT_MARKET_PARAMS],
    ['openMarketCycle', 'POST /v1/market/cycles', 'utility-admin', () => ({ cycleId: `c-${nonce++}`, lengthS: 900 })],
    ['closeMarketCycle', 'POST /v1/market/cycles/c1/close', 'utility-admin', () => undefined],
    ['clearMarketCycle', 'POST /v1/market/cycles/c1/clear', 'utility-admin', () => undefined],
    ['submitMarketOrder', 'POST /v1/market/orders', 'user-relay', () => signed(MARKET_ACTIONS.order, { cycleId: 'c1', side: 'bid', price: 41, quantity: 4, trader: 'user:bob' })],
    ['cancelMarketOrder', 'POST /v1/market/orders/cancel', 'operator-admin', () => signed(MARKET_ACTIONS.cancel, { cycleId: 'c1', orderId: 'a'.repeat(64), side: 'bid', price: 41, seq: 1_700_000_000_000_000 })],
    ['invoiceMarketObligation', 'POST /v1/market/obligations/c1/0/invoice', 'user-relay', () => signed(MARKET_ACTIONS.invoice, { cycleId: 'c1', index: 0, hashLock: 'c'.repeat(64) })],
    ['acknowledgeMarketPayment', 'POST /v1/market/obligations/c1/0/ack', 'user-relay', () => signed(MARKET_ACTIONS.ack, { cycleId: 'c1', index: 0 })],
    ['proveMarketPayment', 'POST /v1/market/obligations/c1/0/proof', 'guarantor-admin', () => ({ preimage: 'd'.repeat(64) })],
    ['reportMarketDefault', 'POST /v1/market/obligations/c1/0/report', 'user-relay', () => undefined],
  ];
  for (const [id, route, role, body] of submits) {
    const [method, path] = route.split(' ');
    for (const wait of ['?wait=true', '']) {
      const b = body();
      await call(id, method, path + wait, { role, ...(b === undefined ? {} : { body: b }), headers: { 'idempotency-key': `m-${id}-${wait}-${nonce++}` } });
    }
  }
}
