import { Contract } from '@hyperledger/fabric-gateway';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  AckBody,
  CancelBody,
  channels,
  DEFAULT_MARKET_PARAMS,
  generateKeyPair,
  InvoiceBody,
  kgcExtract,
  kgcSetup,
  KeyPair,
  MARKET_ACTIONS,
  matchCycle,
  ObligationRecord,
  Order,
  OrderBody,
  OrderRecord,
  orderRefOf,
  provePossession,
} from '@gridledger/core';
import { evaluate, refusal, signedArgs, sleep, submit } from './support/ledger';
import { Connections, describeOnNetwork, ROOT } from './support/network';

jest.setTimeout(90_000);

const RUN = `${process.pid}-${Date.now().toString(36)}`;
const nowS = () => Math.floor(Date.now() / 1000);
const POLICY = { maxHtlcs: 32, minLockDelta: 2, maxLockAhead: 3600 };

interface Trader {
  id: string;
  acct: KeyPair;
  nonce: number;
}

describeOnNetwork('double-auction market on the network', () => {
  const conns = new Connections();
  let market: Contract; // Utility admin: cycles and clearing
  let relay: Contract; // a user relay (operator client identity) for orders
  let kgc: Contract;
  let issuer: Contract;
  let channel: Contract;
  let master: string;
  const traders: Record<string, Trader> = {};

  afterAll(async () => {
    // Leave the deployment's defaults for whoever comes next.
    await submit(market, 'SetMarketParams', JSON.stringify(DEFAULT_MARKET_PARAMS)).catch(() => undefined);
    conns.closeAll();
  });

  async function register(name: string): Promise<Trader> {
    const id = `user:mk-${name}-${RUN}`;
    const acct = generateKeyPair();
    const ex = kgcExtract(master, { id, role: 'user', expiry: nowS() + 86400 });
    await submit(kgc, 'RegisterUser', JSON.stringify({ id, certificate: ex.certificate, proofOfPossession: provePossession(ex.key), account: acct.publicKey }));
    const t = { id, acct, nonce: 0 };
    traders[name] = t;
    return t;
  }

  const orderArgs = (t: Trader, cycleId: string, side: 'ask' | 'bid', price: number, quantity: number, extra: Partial<OrderBody> = {}) => {
    const body: OrderBody = { cycleId, side, price, quantity, trader: t.id, account: t.acct.publicKey, nonce: ++t.nonce, ...extra };
    return signedArgs(MARKET_ACTIONS.order, body, t.acct);
  };
  const order = async (t: Trader, cycleId: string, side: 'ask' | 'bid', price: number, quantity: number, extra: Partial<OrderBody> = {}): Promise<OrderRecord> =>
    submit(relay, 'SubmitOrder', ...orderArgs(t, cycleId, side, price, quantity, extra));

  async function openCycle(tag: string, params: Record<string, number> = {}): Promise<string> {
    await submit(market, 'SetMarketParams', JSON.stringify({ cycleLengthS: 600, settlementWindowS: 600, pageSize: 2, maxTradesPerTx: 2, ...params }));
    const cycleId = `c-${tag}-${RUN}`;
    const c = await submit(market, 'OpenCycle', cycleId, '{}');
    expect(c).toMatchObject({ cycleId, status: 'open' });
    return cycleId;
  }

  /** Close, then clear page by page until done; returns the clearing transactions' summaries. */
  async function closeAndClear(cycleId: string): Promise<Array<{ status: string; stats: unknown }>> {
    await submit(market, 'CloseCycle', cycleId);
    const pages = [];
    for (let i = 0; i < 50; i++) {
      const r = await submit(market, 'ClearCycle', cycleId);
      pages.push(r);
      if (r.status === 'done') return pages;
    }
    throw new Error('clearing did not finish');
  }

  const book = async (cycleId: string, side: 'ask' | 'bid'): Promise<Array<OrderRecord & { remaining: number }>> => evaluate(market, 'GetBook', cycleId, side, '');
  const results = async (cycleId: string) => evaluate(market, 'GetTrades', cycleId, '0', '');

  beforeAll(async () => {
    market = conns.contract('utility', 'admin', 'market');
    relay = conns.contract('operator', 'client', 'market');
    kgc = conns.contract('utility', 'admin', 'kgc');
    issuer = conns.contract('utility', 'admin', 'accounts');
    channel = conns.contract('operator', 'client', 'channel');
    const setup = kgcSetup();
    master = setup.master;
    await submit(kgc, 'Setup', JSON.stringify(setup.params));
    await Promise.all(['s1', 's2', 's3', 'b1', 'b2', 'b3', 'hub'].map(register));
  });

  let cycle1: string;
  let trades1: ObligationRecord[];

  it('clears a cycle in pages: crossing and non-crossing orders, equal prices by time, partial fills, equal to one pass', async () => {
    cycle1 = await openCycle('main');
    const { s1, s2, s3, b1, b2, b3 } = traders;
    // Concurrent submissions from different traders all commit: orders share no key.
    const first = await Promise.all([order(s1, cycle1, 'ask', 10, 5), order(b1, cycle1, 'bid', 41, 4), order(b3, cycle1, 'bid', 20, 4), order(s3, cycle1, 'ask', 30, 5)]);
    expect(first.map((o) => o.cycleId)).toEqual([cycle1, cycle1, cycle1, cycle1]);
    // Two asks at 20: s2's first, s3's one second later; the earlier one must trade first.
    const early = await order(s2, cycle1, 'ask', 20, 3);
    await sleep(20);
    const late = await order(s3, cycle1, 'ask', 20, 3);
    expect(late.seq).toBeGreaterThan(early.seq);
    await order(b2, cycle1, 'bid', 25, 6);
    // A cancelled order leaves the book.
    const gone = await order(b1, cycle1, 'bid', 99, 1);
    const cancel: CancelBody = { ...orderRefOf(gone), account: b1.acct.publicKey, nonce: ++b1.nonce };
    await submit(relay, 'CancelOrder', ...signedArgs(MARKET_ACTIONS.cancel, cancel, b1.acct));
    // A reference with the wrong book position finds nothing.
    const wrongRef: CancelBody = { ...orderRefOf(first[0]), price: 11, account: s1.acct.publicKey, nonce: s1.nonce + 1 };
    expect((await refusal(relay.submitTransaction('CancelOrder', ...signedArgs(MARKET_ACTIONS.cancel, wrongRef, s1.acct)))).code).toBe('NOT_FOUND');
    // Someone else cannot cancel an order.
    const s1cancel: CancelBody = { ...orderRefOf(first[0]), account: b2.acct.publicKey, nonce: b2.nonce + 1 };
    expect((await refusal(relay.submitTransaction('CancelOrder', ...signedArgs(MARKET_ACTIONS.cancel, s1cancel, b2.acct)))).code).toBe('ACCESS_DENIED');

    const asks = await book(cycle1, 'ask');
    const bids = await book(cycle1, 'bid');
    expect(asks.map((o) => [o.price, o.quantity])).toEqual([[10, 5], [20, 3], [20, 3], [30, 5]]);
    expect(asks[1].orderId).toBe(early.orderId);
    expect(bids.map((o) => [o.price, o.quantity])).toEqual([[41, 4], [25, 6], [20, 4]]);

    const pages = await closeAndClear(cycle1);
    expect(pages.length).toBeGreaterThan(1); // pageSize 2, maxTradesPerTx 2
    const r = await results(cycle1);
    trades1 = r.trades;
    // Hand-computed (floor midpoint; equal prices 20/20 do not trade):
    expect(trades1.map((t) => [t.sellPrice, t.buyPrice, t.price, t.quantity, t.payment])).toEqual([
      [10, 41, 25, 4, 100], // s1-b1, s1 has 1 left
      [10, 25, 17, 1, 17], // s1-b2 (17.5 rounded down), b2 has 5 left
      [20, 25, 22, 3, 66], // s2 (earlier) - b2, b2 has 2 left
      [20, 25, 22, 2, 44], // s3 (later) - b2: s3 partially filled, 1 left
    ]);
    expect(trades1[2].askId).toBe(early.orderId);
    expect(trades1[3].askId).toBe(late.orderId);
    expect(trades1.every((t) => t.status === 'unpaid' && t.deadline > t.clearedAt)).toBe(true);
    expect(trades1[0]).toMatchObject({ seller: s1.acct.publicKey, buyer: b1.acct.publicKey, sellerId: s1.id, buyerId: b1.id });
    // The same result as one pass of the pure function over the submitted book.
    const all: Order[] = [...asks, ...bids].map((o) => ({ orderId: o.orderId, side: o.side, owner: o.owner, price: o.price, quantity: o.quantity, seq: o.seq, cycleId: o.cycleId }));
    const ref = matchCycle(all);
    expect(trades1.map(({ cycleId, index, askId, bidId, seller, buyer, sellPrice, buyPrice, price, quantity, payment }) => ({ cycleId, index, askId, bidId, seller, buyer, sellPrice, buyPrice, price, quantity, payment }))).toEqual(ref.trades);
    expect(r.stats).toEqual(ref.stats);
    expect(r.stats).toMatchObject({ trades: 4, volume: 10, value: 227, minPrice: 17, maxPrice: 25, bestUnmatchedAsk: 20, bestUnmatchedBid: 20 });
    // Residuals: s3's 20-ask has 1 Wh left, the 30-ask untouched, the 20-bid untouched.
    expect((await book(cycle1, 'ask')).map((o) => [o.price, o.remaining])).toEqual([[20, 1], [30, 5]]);
    expect((await book(cycle1, 'bid')).map((o) => [o.price, o.remaining])).toEqual([[20, 4]]);
    expect(await evaluate(market, 'GetCycle', cycle1)).toMatchObject({ status: 'cleared', stats: ref.stats, clearingTxs: pages.length });
    expect((await refusal(market.submitTransaction('ClearCycle', cycle1))).code).toBe('FORBIDDEN_STATE');
  });

  it('refuses orders and cancellations after close, and cycle operations to other orgs', async () => {
    const { s1, b1 } = traders;
    const cycleId = await openCycle('closed');
    const o = await order(b1, cycleId, 'bid', 30, 1);
    expect((await refusal(conns.contract('operator', 'admin', 'market').submitTransaction('CloseCycle', cycleId))).code).toBe('ACCESS_DENIED');
    await submit(market, 'CloseCycle', cycleId);
    expect((await refusal(relay.submitTransaction('SubmitOrder', ...orderArgs(s1, cycleId, 'ask', 10, 1))))).toMatchObject({ code: 'FORBIDDEN_STATE' });
    s1.nonce--; // refused: the nonce was not consumed
    const cancel: CancelBody = { ...orderRefOf(o), account: b1.acct.publicKey, nonce: b1.nonce + 1 };
    expect((await refusal(relay.submitTransaction('CancelOrder', ...signedArgs(MARKET_ACTIONS.cancel, cancel, b1.acct)))).code).toBe('FORBIDDEN_STATE');
    expect((await refusal(conns.contract('guarantora', 'admin', 'market').submitTransaction('OpenCycle', `x-${RUN}`, '{}'))).code).toBe('ACCESS_DENIED');
    // A cycle whose configured length has passed refuses orders even before anyone closes it.
    const short = `c-short-${RUN}`;
    await submit(market, 'OpenCycle', short, JSON.stringify({ lengthS: 1 }));
    await sleep(2200);
    expect((await refusal(relay.submitTransaction('SubmitOrder', ...orderArgs(s1, short, 'ask', 10, 1)))).code).toBe('FORBIDDEN_STATE');
    s1.nonce--;
  });

  it('refuses forged, tampered, unregistered and replayed orders', async () => {
    const { s1, b1 } = traders;
    const cycleId = await openCycle('forged');
    // Signed by another key than the account named.
    const mallory = generateKeyPair();
    const body: OrderBody = { cycleId, side: 'ask', price: 10, quantity: 1, trader: s1.id, account: s1.acct.publicKey, nonce: s1.nonce + 1 };
    expect((await refusal(relay.submitTransaction('SubmitOrder', ...signedArgs(MARKET_ACTIONS.order, body, mallory)))).code).toBe('INVALID_SIGNATURE');
    // Tampered after signing.
    const [json, sig] = signedArgs(MARKET_ACTIONS.order, body, s1.acct);
    expect((await refusal(relay.submitTransaction('SubmitOrder', json.replace('"price":10', '"price":11'), sig))).code).toBe('INVALID_SIGNATURE');
    // A valid signature by a key that is not the trader's registered account.
    const wrong: OrderBody = { ...body, account: mallory.publicKey, nonce: 1 };
    expect((await refusal(relay.submitTransaction('SubmitOrder', ...signedArgs(MARKET_ACTIONS.order, wrong, mallory)))).code).toBe('INVALID_SIGNATURE');
    // An identity the KGC never registered.
    const ghost: OrderBody = { ...body, trader: `user:ghost-${RUN}`, account: mallory.publicKey, nonce: 1 };
    expect((await refusal(relay.submitTransaction('SubmitOrder', ...signedArgs(MARKET_ACTIONS.order, ghost, mallory)))).code).toBe('NOT_FOUND');
    // Bad values are refused before anything is written.
    const zero: OrderBody = { ...body, price: 0 };
    expect((await refusal(relay.submitTransaction('SubmitOrder', ...signedArgs(MARKET_ACTIONS.order, zero, s1.acct)))).code).toBe('INVALID_ARGUMENT');
    // The genuine order, then its replay.
    await submit(relay, 'SubmitOrder', json, sig);
    s1.nonce++;
    expect((await refusal(relay.submitTransaction('SubmitOrder', json, sig))).code).toBe('REPLAY');
    // Still exactly one order in the book.
    expect(await book(cycleId, 'ask')).toHaveLength(1);
    await order(b1, cycleId, 'bid', 5, 1);
    await closeAndClear(cycleId);
  });

  it('takes a relayer\'s batch of orders in list order, and refuses a whole batch for one forged order', async () => {
    const cycleId = await openCycle('batch');
    const { s1, b1, b2 } = traders;
    const item = (t: Trader, side: 'ask' | 'bid', price: number, quantity: number, nonce: number) => {
      const [body, signature] = signedArgs(MARKET_ACTIONS.order, { cycleId, side, price, quantity, trader: t.id, account: t.acct.publicKey, nonce }, t.acct);
      return { body: JSON.parse(body), signature };
    };
    const book = async () => evaluate(relay, 'GetBook', cycleId, 'ask', '100');
    // One forged item: the whole batch is refused, naming the item, and the book stays empty.
    const forged = { ...item(b1, 'bid', 12, 3, b1.nonce + 1), signature: item(s1, 'bid', 12, 3, s1.nonce + 1).signature };
    const r = await refusal(submit(relay, 'SubmitOrders', JSON.stringify([item(s1, 'ask', 10, 5, s1.nonce + 1), forged])));
    expect(r.code).toBe('INVALID_SIGNATURE');
    expect(r.message).toMatch(/order 1: /);
    expect(await book()).toEqual([]);
    // Two asks of one trader at one price and one bid: one transaction, ids in list order, ties kept in list order.
    const out: OrderRecord[] = await submit(relay, 'SubmitOrders', JSON.stringify([item(s1, 'ask', 10, 5, s1.nonce + 1), item(b2, 'bid', 12, 3, b2.nonce + 1), item(s1, 'ask', 10, 2, s1.nonce + 2)]));
    s1.nonce += 2;
    b2.nonce += 1;
    const txId = out[0].orderId.split('.')[0];
    expect(out.map((o) => o.orderId)).toEqual([`${txId}.00`, `${txId}.01`, `${txId}.02`]);
    expect((await book()).map((o: OrderRecord) => o.orderId)).toEqual([`${txId}.00`, `${txId}.02`]);
    // Replaying the batch is refused: its nonces are spent.
    expect((await refusal(submit(relay, 'SubmitOrders', JSON.stringify([item(b2, 'bid', 12, 3, b2.nonce)])))).code).toBe('REPLAY');
    // Cleared like single orders: the bid at 12 meets the first ask at 10 for 3 Wh at 11.
    await submit(market, 'CloseCycle', cycleId);
    let summary;
    do summary = await submit(market, 'ClearCycle', cycleId);
    while (summary.status !== 'done');
    const { trades } = (await evaluate(relay, 'GetTrades', cycleId, '0', '10')) as { trades: ObligationRecord[] };
    expect(trades.map((t) => [t.askId, t.bidId, t.price, t.quantity])).toEqual([[`${txId}.00`, `${txId}.01`, 11, 3]]);
  });

  it('publishes a cycle with no trade, and re-prices an unmatched order into the next cycle', async () => {
    const { s3, b3 } = traders;
    const cycleId = await openCycle('none');
    await order(s3, cycleId, 'ask', 50, 10);
    await order(b3, cycleId, 'bid', 40, 10);
    await order(b3, cycleId, 'bid', 50, 2); // equal to the ask: no trade
    const pages = await closeAndClear(cycleId);
    expect(pages[pages.length - 1]).toMatchObject({ status: 'done', stats: { trades: 0, volume: 0, value: 0, minPrice: null, maxPrice: null, vwap: null, bestUnmatchedAsk: 50, bestUnmatchedBid: 50 } });
    expect((await results(cycleId)).trades).toEqual([]);

    // s3's unmatched 20-ask of cycle 1 (1 Wh left) is carried over re-priced to 19; it keeps its time.
    const left = (await book(cycle1, 'ask')).find((o) => o.owner === s3.acct.publicKey && o.price === 20)!;
    const next = await openCycle('next');
    const carried = await order(s3, next, 'ask', 19, 1, { carryFrom: orderRefOf(left) });
    expect(carried).toMatchObject({ price: 19, quantity: 1, seq: left.seq, carriedFrom: { cycleId: cycle1, orderId: left.orderId } });
    expect((await evaluate(market, 'GetOrder', cycle1, left.orderId)).remaining).toBe(0);
    // Nothing left to carry a second time.
    expect((await refusal(relay.submitTransaction('SubmitOrder', ...orderArgs(s3, next, 'ask', 18, 1, { carryFrom: orderRefOf(left) })))).code).toBe('INVALID_ARGUMENT');
    s3.nonce--;
  });

  it('CLI: the Utility opens and closes a cycle, wallets submit and cancel orders, everyone reads book and results', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gridledger-market-'));
    const cli = (...args: string[]) => {
      const r = spawnSync('node', [path.join(ROOT, 'cli', 'dist', 'main.js'), '--json', ...args], { encoding: 'utf8' });
      let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
      try {
        json = JSON.parse(r.stdout);
      } catch {
        json = undefined;
      }
      return { code: r.status, json, stderr: r.stderr };
    };
    // Two wallets whose accounts are registered with the KGC.
    const ids: Record<string, string> = {};
    for (const name of ['sue', 'ben']) {
      expect(cli('wallet', '--wallet', path.join(dir, `${name}.json`), 'keygen').code).toBe(0);
      const acct = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')).account.publicKey;
      ids[name] = `user:mk-cli-${name}-${RUN}`;
      const ex = kgcExtract(master, { id: ids[name], role: 'user', expiry: nowS() + 86400 });
      await submit(kgc, 'RegisterUser', JSON.stringify({ id: ids[name], certificate: ex.certificate, proofOfPossession: provePossession(ex.key), account: acct }));
    }
    const cycleId = `c-cli-${RUN}`;
    const relayArgs = ['--org', 'operator', '--identity', 'client', 'market'];
    expect(cli('--org', 'operator', 'market', 'cycle', 'open', cycleId).json.error.code).toBe('ACCESS_DENIED');
    expect(cli('--org', 'utility', 'market', 'cycle', 'open', cycleId).json).toMatchObject({ cycleId, status: 'open' });
    const ask = cli(...relayArgs, '--wallet', path.join(dir, 'sue.json'), 'order', 'submit', '--cycle', cycleId, '--side', 'sell', '--price', '100', '--quantity', '10', '--trader', ids.sue);
    expect(ask.json).toMatchObject({ side: 'ask', price: 100, quantity: 10 });
    const bid = cli(...relayArgs, '--wallet', path.join(dir, 'ben.json'), 'order', 'submit', '--cycle', cycleId, '--side', 'buy', '--price', '121', '--quantity', '4', '--trader', ids.ben);
    expect(bid.code).toBe(0);
    const extra = cli(...relayArgs, '--wallet', path.join(dir, 'ben.json'), 'order', 'submit', '--cycle', cycleId, '--side', 'bid', '--price', '150', '--quantity', '1', '--trader', ids.ben);
    expect(cli(...relayArgs, '--wallet', path.join(dir, 'ben.json'), 'order', 'cancel', '--cycle', cycleId, '--order', extra.json.orderId).code).toBe(0);
    // Sue's wallet cannot sign as Ben.
    expect(cli(...relayArgs, '--wallet', path.join(dir, 'sue.json'), 'order', 'submit', '--cycle', cycleId, '--side', 'bid', '--price', '1', '--quantity', '1', '--trader', ids.ben).json.error.code).toBe('INVALID_SIGNATURE');
    expect(cli('--org', 'guarantora', 'market', 'book', cycleId).json).toMatchObject({ ask: [{ price: 100, remaining: 10 }], bid: [{ price: 121, remaining: 4 }] });
    const closed = cli('--org', 'utility', 'market', 'cycle', 'close', cycleId);
    expect(closed.json).toMatchObject({ status: 'done', stats: { trades: 1, volume: 4, value: 440 } });
    expect(cli(...relayArgs, '--wallet', path.join(dir, 'ben.json'), 'order', 'submit', '--cycle', cycleId, '--side', 'bid', '--price', '150', '--quantity', '1', '--trader', ids.ben).code).toBe(3);
    const res = cli('--org', 'operator', 'market', 'results', cycleId);
    expect(res.json.trades).toEqual([expect.objectContaining({ sellPrice: 100, buyPrice: 121, price: 110, quantity: 4, payment: 440, sellerId: ids.sue, buyerId: ids.ben, status: 'unpaid' })]);
    const ack = cli(...relayArgs, '--wallet', path.join(dir, 'sue.json'), 'settle', 'ack', '--cycle', cycleId, '--index', '0');
    expect(ack.json).toMatchObject({ status: 'settled', evidence: { kind: 'payee-ack' } });
    expect(cli('--org', 'utility', 'market', 'cycle', 'show', cycleId).json).toMatchObject({ status: 'cleared', stats: { trades: 1 } });
  });

  describe('settlement over payment channels', () => {
    const funded = async (t: Trader, amount: number) => submit(issuer, 'IssuePay', t.acct.publicKey, String(amount));

    /** Opens a channel between two traders' accounts and returns both off-chain ends. */
    async function openChannel(a: Trader, b: Trader, depositA: number) {
      const keys = { a: channels.generateChannelKey(), b: channels.generateChannelKey() };
      const terms: channels.OpenTerms = {
        network: channels.ONCHAIN_NETWORK,
        salt: `mk-${RUN}-${Math.random().toString(36).slice(2, 10)}`,
        a: { account: a.acct.publicKey, channelKey: keys.a.publicKey, deposit: String(depositA) },
        b: { account: b.acct.publicKey, channelKey: keys.b.publicKey, deposit: '0' },
        disputeWindow: 60,
      };
      const auth = { a: channels.signOpen(terms, 'a', a.acct.privateKey, ++a.nonce), b: channels.signOpen(terms, 'b', b.acct.privateKey, ++b.nonce) };
      const rec = await submit(channel, 'Open', JSON.stringify({ terms, auth }));
      const record = channels.recordOf(terms, rec.disputeWindow);
      return {
        a: new channels.Channel({ record, side: 'a', privateKey: keys.a.privateKey, policy: POLICY }),
        b: new channels.Channel({ record, side: 'b', privateKey: keys.b.privateKey, policy: POLICY }),
      };
    }
    type Ends = Awaited<ReturnType<typeof openChannel>>;
    const update = (ends: Ends, proposer: 'a' | 'b', op: channels.UpdateOp) => {
      const peer = proposer === 'a' ? 'b' : 'a';
      const p = ends[proposer].propose(op, nowS());
      ends[peer].onRevoke(ends[proposer].onAccept(ends[peer].receive(p, nowS())));
    };

    beforeAll(async () => {
      await submit(kgc, 'SetTradingParams', JSON.stringify({ collateralPerKw: 100, disputeWindowS: 3600, minDisputeWindowS: 1, maxDisputeWindowS: 86400 }));
      await Promise.all([funded(traders.b1, 1000), funded(traders.b2, 1000)]);
    });

    it('pays a trade through an intermediary with a hash lock and marks it settled by the preimage', async () => {
      const { s1, b1, hub } = traders;
      const t = trades1[0]; // s1 sells 4 Wh to b1 for 100
      // The seller invoices: H(R) for this obligation.
      const { preimage, hashLock } = channels.newPreimage();
      const inv: InvoiceBody = { cycleId: cycle1, index: t.index, hashLock, account: s1.acct.publicKey, nonce: ++s1.nonce };
      expect(await submit(relay, 'InvoiceObligation', ...signedArgs(MARKET_ACTIONS.invoice, inv, s1.acct))).toMatchObject({ hashLock, status: 'unpaid' });
      // No direct channel: b1 -> hub -> s1, the hub keeps a fee of 1.
      await funded(hub, 1000);
      const left = await openChannel(b1, hub, 500);
      const right = await openChannel(hub, s1, 500);
      const lock = nowS() + 600;
      update(left, 'a', { kind: 'add', htlc: { id: 'h1', from: 'a', to: 'b', amount: String(t.payment + 1), hashLock, timeLock: lock } });
      update(right, 'a', { kind: 'add', htlc: { id: 'h1', from: 'a', to: 'b', amount: String(t.payment), hashLock, timeLock: lock - 60 } });
      // A wrong preimage proves nothing.
      expect((await refusal(relay.submitTransaction('ProvePayment', cycle1, String(t.index), channels.newPreimage().preimage))).code).toBe('INVALID_PROOF');
      // The seller claims with R from the hub, the hub from the buyer: the buyer now holds R.
      update(right, 'b', { kind: 'settle', id: 'h1', preimage });
      update(left, 'b', { kind: 'settle', id: 'h1', preimage });
      expect(right.b.latest.state.balances.b).toBe(String(t.payment));
      const settled = await submit(relay, 'ProvePayment', cycle1, String(t.index), preimage);
      expect(settled).toMatchObject({ status: 'settled', evidence: { kind: 'preimage', preimage } });
      expect((await refusal(relay.submitTransaction('ProvePayment', cycle1, String(t.index), preimage))).code).toBe('FORBIDDEN_STATE');
    });

    it('pays a trade directly over a channel and marks it settled by the seller\'s acknowledgement', async () => {
      const { s1, b2 } = traders;
      const t = trades1[1]; // s1 sells 1 Wh to b2 for 17
      expect(t.buyer).toBe(b2.acct.publicKey);
      const ends = await openChannel(b2, s1, 300);
      update(ends, 'a', { kind: 'pay', from: 'a', amount: String(t.payment) });
      expect(ends.b.latest.state.balances.b).toBe(String(t.payment));
      // Only the payee can acknowledge.
      const forged: AckBody = { cycleId: cycle1, index: t.index, account: b2.acct.publicKey, nonce: b2.nonce + 1 };
      expect((await refusal(relay.submitTransaction('AcknowledgePayment', ...signedArgs(MARKET_ACTIONS.ack, forged, b2.acct)))).code).toBe('ACCESS_DENIED');
      const ack: AckBody = { cycleId: cycle1, index: t.index, account: s1.acct.publicKey, nonce: ++s1.nonce };
      expect(await submit(relay, 'AcknowledgePayment', ...signedArgs(MARKET_ACTIONS.ack, ack, s1.acct))).toMatchObject({ status: 'settled', evidence: { kind: 'payee-ack' } });
      expect(await evaluate(market, 'GetObligation', cycle1, String(t.index))).toMatchObject({ status: 'settled' });
    });

    it('reports the party that did not pay (or did not invoice) after the deadline on the public board', async () => {
      const { s2, s3, b2, b3 } = traders;
      const cycleId = await openCycle('late', { settlementWindowS: 6 });
      await Promise.all([order(s2, cycleId, 'ask', 10, 1), order(b2, cycleId, 'bid', 30, 1), order(s3, cycleId, 'ask', 11, 1), order(b3, cycleId, 'bid', 29, 1)]);
      await closeAndClear(cycleId);
      const { trades } = await results(cycleId);
      expect(trades).toHaveLength(2);
      const [t0, t1] = trades as ObligationRecord[];
      const seller0 = t0.seller === s2.acct.publicKey ? s2 : s3;
      const inv: InvoiceBody = { cycleId, index: t0.index, hashLock: channels.newPreimage().hashLock, account: seller0.acct.publicKey, nonce: ++seller0.nonce };
      await submit(relay, 'InvoiceObligation', ...signedArgs(MARKET_ACTIONS.invoice, inv, seller0.acct));
      expect((await refusal(relay.submitTransaction('ReportUnpaid', cycleId, String(t0.index)))).code).toBe('FORBIDDEN_STATE');
      while (nowS() <= t1.deadline) await sleep(250);
      await sleep(1100);
      expect(await submit(relay, 'ReportUnpaid', cycleId, String(t0.index))).toMatchObject({ status: 'defaulted', defaulter: 'buyer' });
      expect(await submit(relay, 'ReportUnpaid', cycleId, String(t1.index))).toMatchObject({ status: 'defaulted', defaulter: 'seller' });
      expect((await refusal(relay.submitTransaction('ReportUnpaid', cycleId, String(t1.index)))).code).toBe('FORBIDDEN_STATE');
      const board = await evaluate(market, 'ListDefaults', t0.buyer);
      expect(board).toEqual([expect.objectContaining({ role: 'buyer', reason: 'unpaid', cycleId, index: t0.index, amount: t0.payment, trader: t0.buyerId })]);
      expect(await evaluate(market, 'ListDefaults', t1.seller)).toEqual(expect.arrayContaining([expect.objectContaining({ role: 'seller', reason: 'no-invoice', index: t1.index })]));
    });
  });
});
