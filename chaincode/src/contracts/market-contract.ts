import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  assertClearingCursor,
  bookSortAttributes,
  canonicalJson,
  channels,
  CancelBody,
  checkOrderBody,
  checkOrderRef,
  ClearingCursor,
  clearPage,
  createClearing,
  CycleRecord,
  DEFAULT_MARKET_PARAMS,
  DefaultRecord,
  MARKET_ACTIONS,
  MARKET_ID_PATTERN,
  MarketParams,
  ObligationRecord,
  Order,
  OrderRecord,
  OrderRef,
  orderRefOf,
  OrderSide,
  Orgs,
  seqFromTxTimestamp,
  tradeIndexAttr,
  validateMarketParams,
  validateOrder,
} from '@gridledger/core';
import { requireMsp } from '../ledger/access';
import { authorizeSigned, requireKey } from '../ledger/accounts';
import { batchItem, parseInput, refuse } from '../ledger/errors';
import { requireTrader } from '../ledger/market';
import { emit, parseBatchArg, parseJsonArg, txTimeSeconds } from '../ledger/state';
import { key, view } from '../ledger/view';

const PARAMS_KEY = 'mkparams';
/** Orders one relayer transaction may carry. */
export const MAX_ORDER_BATCH = 64;

const orderEvent = (o: OrderRecord) => ({ cycleId: o.cycleId, orderId: o.orderId, side: o.side, price: o.price, quantity: o.quantity, trader: o.trader });
/** Fabric's highest code point, closing a prefix range (as the shim does for partial composite keys). */
const MAX_RUNE = '\u{10FFFF}';

const cycleKey = (ctx: Context, cycleId: string) => key(ctx, 'mkcycle', cycleId);
const cursorKey = (ctx: Context, cycleId: string) => key(ctx, 'mkclear', cycleId);
/**
 * Orders and trades have simple (not composite) keys, `mk~order~<cycle>~<side>~<price>~<seq>~<id>` and
 * `mk~trade~<cycle>~<index>`: Fabric only range-scans simple keys from an arbitrary start, and clearing
 * resumes each side's scan right after the last filled order. Ids never contain `~`, and every field
 * but the last is fixed width, so byte order is book order (see bookSortAttributes).
 */
const sidePrefix = (cycleId: string, side: OrderSide) => `mk~order~${cycleId}~${side}~`;
const orderKey = (_ctx: Context, o: Pick<Order, 'cycleId' | 'side' | 'price' | 'seq' | 'orderId'>) => sidePrefix(o.cycleId, o.side) + bookSortAttributes(o as Order).join('~');
const tradePrefix = (cycleId: string) => `mk~trade~${cycleId}~`;
const tradeKey = (_ctx: Context, cycleId: string, index: number) => tradePrefix(cycleId) + tradeIndexAttr(index);
const defaultKey = (ctx: Context, account: string, cycleId: string, index: number) => key(ctx, 'mkdefault', account, cycleId, tradeIndexAttr(index));

/** Visits `[start, prefix + max)` in key order until `visit` returns false. */
async function scan(ctx: Context, start: string, prefix: string, visit: (key: string, value: string) => boolean): Promise<void> {
  const it = await ctx.stub.getStateByRange(start, prefix + MAX_RUNE);
  try {
    for (let r = await it.next(); !r.done; r = await it.next()) {
      if (!visit(r.value.key, Buffer.from(r.value.value).toString('utf8'))) break;
    }
  } finally {
    await it.close();
  }
}

function obj(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) refuse('INVALID_ARGUMENT', `${what} must be an object`);
  return x as Record<string, unknown>;
}

function cycleIdArg(x: unknown): string {
  if (typeof x !== 'string' || !MARKET_ID_PATTERN.test(x)) refuse('INVALID_ARGUMENT', 'cycleId must be 1-128 characters of [A-Za-z0-9._:-]');
  return x;
}

function indexArg(x: unknown): number {
  const n = typeof x === 'string' && /^\d{1,10}$/.test(x) ? Number(x) : x;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) refuse('INVALID_ARGUMENT', 'index must be a non-negative integer');
  return n;
}

function limitArg(x: string, max: number): number {
  if (x === '' || x === undefined) return max;
  if (!/^\d{1,6}$/.test(x) || Number(x) < 1) refuse('INVALID_ARGUMENT', `limit must be an integer in [1, ${max}]`);
  return Math.min(Number(x), max);
}

/** The order as the matching library sees it, with the residual left after clearing. */
function asOrder(r: OrderRecord): Order {
  return { orderId: r.orderId, side: r.side, owner: r.owner, price: r.price, quantity: r.quantity, seq: r.seq, cycleId: r.cycleId };
}
const residual = (r: OrderRecord) => r.quantity - (r.filled ?? 0) - (r.carried ?? 0);

/**
 * The trading-cycle double auction of the trading paper (section 3.1 and the price matching
 * mechanism of section 3.4), with settlement obligations paid over payment channels.
 *
 * Orders are conflict-free: each writes only its own keys (`mkorder` keyed by cycle, side and book
 * position, `mkorderid`) and the signer's nonce, and reads only the cycle record and the trader's
 * registration. Clearing runs after close, in pages (ClearCycle), and gives the result of one pass
 * of `matchCycle`. See docs/market.md, "On chain".
 */
@Info({ title: 'MarketContract', description: 'Trading cycles, signed orders, paged double-auction clearing, settlement obligations and default reports' })
export class MarketContract extends Contract {
  constructor() {
    super('market');
  }

  /** Sets the cycle length, settlement window and clearing page sizes (Utility). */
  @Transaction()
  @Returns('string')
  async SetMarketParams(ctx: Context, paramsJson: string): Promise<string> {
    const msp = requireMsp(ctx, 'changing the market parameters', Orgs.Utility);
    const params = parseInput(() => validateMarketParams(parseJsonArg(paramsJson, 'params')));
    const v = view(ctx);
    const previous = await v.get<{ version: number }>(PARAMS_KEY);
    const published = { params, version: (previous?.version ?? 0) + 1, updatedAt: txTimeSeconds(ctx), updatedBy: msp, txId: ctx.stub.getTxID() };
    await v.put(PARAMS_KEY, published);
    emit(ctx, 'MarketParamsChanged', published);
    return canonicalJson(published);
  }

  @Transaction(false)
  @Returns('string')
  async GetMarketParams(ctx: Context): Promise<string> {
    return canonicalJson(await this.params(ctx));
  }

  /** Opens a trading cycle (Utility). `optionsJson`: `{}` or `{ "lengthS": n }` to override the configured length. */
  @Transaction()
  @Returns('string')
  async OpenCycle(ctx: Context, cycleId: string, optionsJson: string): Promise<string> {
    requireMsp(ctx, 'opening a trading cycle', Orgs.Utility);
    cycleIdArg(cycleId);
    const opts = obj(parseJsonArg(optionsJson || '{}', 'options'), 'options');
    for (const k of Object.keys(opts)) if (k !== 'lengthS') refuse('INVALID_ARGUMENT', `unknown option ${k}`);
    const p = await this.params(ctx);
    const lengthS = opts.lengthS ?? p.cycleLengthS;
    if (typeof lengthS !== 'number' || !Number.isSafeInteger(lengthS) || lengthS < 1 || lengthS > 31 * 86400) refuse('INVALID_ARGUMENT', 'lengthS must be an integer in [1, 2678400]');
    const v = view(ctx);
    if (await v.get(cycleKey(ctx, cycleId))) refuse('CONFLICT', `cycle ${cycleId} already exists`);
    const now = txTimeSeconds(ctx);
    const rec: CycleRecord = { cycleId, status: 'open', openedAt: now, closesAt: now + lengthS, settlementWindowS: p.settlementWindowS, clearingTxs: 0 };
    await v.put(cycleKey(ctx, cycleId), rec);
    emit(ctx, 'MarketCycleOpened', rec);
    return canonicalJson(rec);
  }

  /** Closes a cycle to orders (Utility; may be before `closesAt`) and starts its clearing. */
  @Transaction()
  @Returns('string')
  async CloseCycle(ctx: Context, cycleId: string): Promise<string> {
    requireMsp(ctx, 'closing a trading cycle', Orgs.Utility);
    const c = await this.cycle(ctx, cycleId);
    if (c.status !== 'open') refuse('FORBIDDEN_STATE', `cycle ${cycleId} is already ${c.status}`);
    const now = txTimeSeconds(ctx);
    const next: CycleRecord = { ...c, status: 'closed', closedAt: now };
    const v = view(ctx);
    await v.put(cycleKey(ctx, cycleId), next);
    await v.put(cursorKey(ctx, cycleId), createClearing(cycleId));
    emit(ctx, 'MarketCycleClosed', { cycleId, closedAt: now });
    return canonicalJson(next);
  }

  /**
   * One clearing transaction of a closed cycle (Utility): reads a page of each side of the book from
   * where the last one stopped, matches (at most `maxTradesPerTx` trades), writes the trades (each a
   * settlement obligation) and the fills, and stores the cursor. Call until `status` is `done`.
   */
  @Transaction()
  @Returns('string')
  async ClearCycle(ctx: Context, cycleId: string): Promise<string> {
    requireMsp(ctx, 'clearing a trading cycle', Orgs.Utility);
    const c = await this.cycle(ctx, cycleId);
    if (c.status === 'open') refuse('FORBIDDEN_STATE', `cycle ${cycleId} is still open: close it first`);
    if (c.status === 'cleared') refuse('FORBIDDEN_STATE', `cycle ${cycleId} is already cleared`);
    const v = view(ctx);
    const cursor = (await v.get<ClearingCursor>(cursorKey(ctx, cycleId)))!;
    parseInput(() => assertClearingCursor(cursor));
    const p = await this.params(ctx);
    const asks = await this.page(ctx, cycleId, 'ask', cursor, p.pageSize);
    const bids = await this.page(ctx, cycleId, 'bid', cursor, p.pageSize);
    const r = parseInput(() => clearPage(cursor, { orders: asks.orders.map(asOrder), last: asks.last }, { orders: bids.orders.map(asOrder), last: bids.last }, p.maxTradesPerTx));
    const now = txTimeSeconds(ctx);
    const byId = new Map<string, OrderRecord>([...asks.orders, ...bids.orders].map((o) => [o.orderId, o]));
    for (const f of r.fills) {
      const o = byId.get(f.orderId)!;
      await v.put(orderKey(ctx, o), { ...o, filled: o.quantity - f.remaining });
    }
    for (const t of r.trades) {
      const ob: ObligationRecord = {
        ...t,
        sellerId: byId.get(t.askId)!.trader,
        buyerId: byId.get(t.bidId)!.trader,
        status: 'unpaid',
        clearedAt: now,
        invoiceBy: now + Math.floor(c.settlementWindowS / 2),
        deadline: now + c.settlementWindowS,
      };
      await v.put(tradeKey(ctx, cycleId, t.index), ob);
    }
    await v.put(cursorKey(ctx, cycleId), r.cursor);
    const next: CycleRecord = { ...c, clearingTxs: c.clearingTxs + 1 };
    if (r.status === 'done') {
      next.status = 'cleared';
      next.clearedAt = now;
      next.stats = r.cursor.stats;
    }
    await v.put(cycleKey(ctx, cycleId), next);
    const summary = { cycleId, status: r.status, trades: r.trades.length, firstIndex: r.trades[0]?.index ?? null, stats: r.cursor.stats, clearingTxs: next.clearingTxs };
    emit(ctx, r.status === 'done' ? 'MarketCycleCleared' : 'MarketTradesPublished', summary);
    return canonicalJson(summary);
  }

  /**
   * Submits an order (any org relays it; a pile's only the operator org). The order is signed by the
   * trader's registered account (action `market-order`, next nonce); its id is the transaction id and
   * its submission time the transaction timestamp (microseconds), which break price ties.
   */
  @Transaction()
  @Returns('string')
  async SubmitOrder(ctx: Context, bodyJson: string, signature: string): Promise<string> {
    const rec = await this.submitOrder(ctx, parseJsonArg(bodyJson, 'order'), signature, ctx.stub.getTxID());
    emit(ctx, 'MarketOrderSubmitted', orderEvent(rec));
    return canonicalJson(rec);
  }

  /**
   * Up to MAX_ORDER_BATCH signed orders `[{body, signature}]` in one transaction, as a relayer
   * collects them. Each is checked exactly as SubmitOrder, in list order; order `i` gets the id
   * `<txId>.<i, 2 digits>`, so orders of one batch that tie on price and time keep the list's order.
   * A refusal names its item (`order i: ...`) and the batch writes nothing.
   */
  @Transaction()
  @Returns('string')
  async SubmitOrders(ctx: Context, requestsJson: string): Promise<string> {
    const list = parseBatchArg(requestsJson, 'orders', MAX_ORDER_BATCH);
    const out: OrderRecord[] = [];
    for (const [i, item] of list.entries()) {
      out.push(
        await batchItem('order', i, () => {
          const { body, signature } = (item ?? {}) as { body?: unknown; signature?: unknown };
          if (typeof signature !== 'string') refuse('INVALID_ARGUMENT', 'each item must be {body, signature}');
          return this.submitOrder(ctx, body, signature, `${ctx.stub.getTxID()}.${String(i).padStart(2, '0')}`);
        }),
      );
    }
    // Fabric keeps one event per transaction: the batch's orders travel together.
    emit(ctx, 'MarketOrdersSubmitted', { orders: out.map(orderEvent) });
    return canonicalJson(out);
  }

  private async submitOrder(ctx: Context, raw: unknown, signature: string, orderId: string): Promise<OrderRecord> {
    const body = parseInput(() => checkOrderBody(raw));
    requireKey(body.account, 'account');
    const now = txTimeSeconds(ctx);
    await this.openCycle(ctx, body.cycleId, now);
    const ts = ctx.stub.getTxTimestamp();
    let seq = parseInput(() => seqFromTxTimestamp(now, ts.nanos));
    const order: Order = { orderId, side: body.side, owner: body.account, price: body.price, quantity: body.quantity, seq, cycleId: body.cycleId };
    parseInput(() => validateOrder(order));
    // A refused order writes nothing (the whole transaction fails), so it consumes no nonce either.
    await requireTrader(ctx, body.trader, body.account, now);
    const v = view(ctx);
    let carriedFrom: OrderRecord['carriedFrom'];
    if (body.carryFrom) {
      const from = await this.orderAt(ctx, body.carryFrom);
      const fromCycle = await this.cycle(ctx, from.cycleId);
      if (fromCycle.status !== 'cleared') refuse('FORBIDDEN_STATE', `cycle ${from.cycleId} is not cleared yet`);
      if (from.owner !== body.account || from.side !== body.side) refuse('ACCESS_DENIED', 'only the owner may carry an order over, on the same side');
      if (body.quantity > residual(from)) refuse('INVALID_ARGUMENT', `order ${from.orderId} has ${residual(from)} Wh left to carry over`);
      // Keeps its submission time: time priority survives re-pricing.
      seq = from.seq;
      await v.put(orderKey(ctx, from), { ...from, carried: (from.carried ?? 0) + body.quantity });
      carriedFrom = orderRefOf(from);
    }
    await authorizeSigned(ctx, MARKET_ACTIONS.order, body, body.account, signature);
    const rec: OrderRecord = { ...order, seq, trader: body.trader, submittedAt: now };
    if (carriedFrom) rec.carriedFrom = carriedFrom;
    await v.put(orderKey(ctx, rec), rec);
    return rec;
  }

  /** Cancels an order while its cycle is open; signed by the order's owner (action `market-cancel`). */
  @Transaction()
  @Returns('string')
  async CancelOrder(ctx: Context, bodyJson: string, signature: string): Promise<string> {
    const body = obj(parseJsonArg(bodyJson, 'cancel request'), 'cancel request') as unknown as CancelBody;
    const { account, nonce, ...ref } = body;
    if (nonce === undefined) refuse('INVALID_ARGUMENT', 'cancel request: nonce missing');
    parseInput(() => checkOrderRef(ref, 'cancel request'));
    requireKey(account, 'account');
    await this.openCycle(ctx, body.cycleId, txTimeSeconds(ctx));
    const o = await this.orderAt(ctx, ref);
    if (o.owner !== body.account) refuse('ACCESS_DENIED', 'only the order\'s owner may cancel it');
    await authorizeSigned(ctx, MARKET_ACTIONS.cancel, body, body.account, signature);
    const v = view(ctx);
    await v.del(orderKey(ctx, o));
    if (o.carriedFrom) {
      // Give the carried quantity back to the order it came from.
      const from = await this.orderAt(ctx, o.carriedFrom);
      await v.put(orderKey(ctx, from), { ...from, carried: (from.carried ?? 0) - o.quantity });
    }
    emit(ctx, 'MarketOrderCancelled', { cycleId: o.cycleId, orderId: o.orderId });
    return canonicalJson({ cancelled: o });
  }

  /**
   * The seller's invoice for an obligation: the hash lock `H(R)` the buyer pays to over channels
   * (directly or through intermediaries); whoever shows `R` proves the payment (ProvePayment).
   */
  @Transaction()
  @Returns('string')
  async InvoiceObligation(ctx: Context, bodyJson: string, signature: string): Promise<string> {
    const body = obj(parseJsonArg(bodyJson, 'invoice'), 'invoice') as { cycleId: string; index: number; hashLock: string; account: string; nonce: number };
    for (const k of Object.keys(body)) if (!['cycleId', 'index', 'hashLock', 'account', 'nonce'].includes(k)) refuse('INVALID_ARGUMENT', `invoice has unknown field ${k}`);
    if (typeof body.hashLock !== 'string' || !/^[0-9a-f]{64}$/.test(body.hashLock)) refuse('INVALID_ARGUMENT', 'hashLock must be 32 bytes of lower-case hex');
    const ob = await this.obligation(ctx, body.cycleId, body.index);
    if (ob.seller !== body.account) refuse('ACCESS_DENIED', 'only the seller may invoice an obligation');
    if (ob.status !== 'unpaid') refuse('FORBIDDEN_STATE', `obligation ${ob.cycleId}/${ob.index} is ${ob.status}`);
    if (ob.hashLock) refuse('CONFLICT', 'the obligation is already invoiced');
    const now = txTimeSeconds(ctx);
    if (now > ob.invoiceBy) refuse('EXPIRED', `invoices for this obligation were due by ${ob.invoiceBy}`);
    await authorizeSigned(ctx, MARKET_ACTIONS.invoice, body, body.account, signature);
    const next: ObligationRecord = { ...ob, hashLock: body.hashLock, invoicedAt: now };
    await view(ctx).put(tradeKey(ctx, ob.cycleId, ob.index), next);
    emit(ctx, 'MarketObligationInvoiced', { cycleId: ob.cycleId, index: ob.index, hashLock: body.hashLock, amount: ob.payment, deadline: ob.deadline });
    return canonicalJson(next);
  }

  /** The seller acknowledges the payment (action `market-ack`): the obligation is settled. */
  @Transaction()
  @Returns('string')
  async AcknowledgePayment(ctx: Context, bodyJson: string, signature: string): Promise<string> {
    const body = obj(parseJsonArg(bodyJson, 'acknowledgement'), 'acknowledgement') as { cycleId: string; index: number; account: string; nonce: number };
    for (const k of Object.keys(body)) if (!['cycleId', 'index', 'account', 'nonce'].includes(k)) refuse('INVALID_ARGUMENT', `acknowledgement has unknown field ${k}`);
    const ob = await this.obligation(ctx, body.cycleId, body.index);
    if (ob.seller !== body.account) refuse('ACCESS_DENIED', 'only the seller (payee) may acknowledge the payment');
    if (ob.status === 'settled') refuse('CONFLICT', 'the obligation is already settled');
    await authorizeSigned(ctx, MARKET_ACTIONS.ack, body, body.account, signature);
    // A payee may acknowledge even after a report: the report stays on the board, the obligation is paid.
    return this.settle(ctx, ob, { kind: 'payee-ack' });
  }

  /**
   * Proves an invoiced obligation paid by its preimage `R` (`sha256(R)` = the invoice's hash lock):
   * the seller reveals `R` only to claim the payment, so holding it proves the payment arrived.
   * Anyone may post it (the buyer, an intermediary, a watchtower), until the obligation is reported.
   */
  @Transaction()
  @Returns('string')
  async ProvePayment(ctx: Context, cycleId: string, index: string, preimage: string): Promise<string> {
    const ob = await this.obligation(ctx, cycleId, index);
    if (ob.status !== 'unpaid') refuse('FORBIDDEN_STATE', `obligation ${ob.cycleId}/${ob.index} is ${ob.status}`);
    if (!ob.hashLock) refuse('FORBIDDEN_STATE', 'the obligation has no invoice: only the seller\'s acknowledgement can settle it');
    let lock: string;
    try {
      lock = channels.hashLockOf(preimage);
    } catch {
      refuse('INVALID_ARGUMENT', 'preimage must be 32 bytes of lower-case hex');
    }
    if (lock !== ob.hashLock) refuse('INVALID_PROOF', 'the preimage does not open the invoice\'s hash lock');
    return this.settle(ctx, ob, { kind: 'preimage', preimage });
  }

  /**
   * After the deadline, anyone may report an unpaid obligation. The defaulting party goes on the
   * public board (`mkdefault`, event `MarketDefaultReported`): the buyer if the seller invoiced in
   * time, else the seller (no invoice: the buyer had no way to prove a payment). A preimage of the
   * invoice revealed on chain (channel.RevealPreimage) by the deadline settles instead.
   */
  @Transaction()
  @Returns('string')
  async ReportUnpaid(ctx: Context, cycleId: string, index: string): Promise<string> {
    const ob = await this.obligation(ctx, cycleId, index);
    if (ob.status !== 'unpaid') refuse('FORBIDDEN_STATE', `obligation ${ob.cycleId}/${ob.index} is ${ob.status}`);
    const now = txTimeSeconds(ctx);
    if (now <= ob.deadline) refuse('FORBIDDEN_STATE', `the payment deadline ${ob.deadline} has not passed (now ${now})`);
    const v = view(ctx);
    if (ob.hashLock) {
      const revealed = await v.get<{ preimage: string; revealedAt: number }>(key(ctx, 'preimage', ob.hashLock));
      if (revealed && revealed.revealedAt <= ob.deadline) return this.settle(ctx, ob, { kind: 'preimage', preimage: revealed.preimage });
    }
    const role: 'buyer' | 'seller' = ob.hashLock ? 'buyer' : 'seller';
    const rec: DefaultRecord = {
      account: role === 'buyer' ? ob.buyer : ob.seller,
      trader: role === 'buyer' ? ob.buyerId : ob.sellerId,
      role,
      reason: role === 'buyer' ? 'unpaid' : 'no-invoice',
      cycleId: ob.cycleId,
      index: ob.index,
      amount: ob.payment,
      deadline: ob.deadline,
      reportedAt: now,
    };
    const next: ObligationRecord = { ...ob, status: 'defaulted', reportedAt: now, defaulter: role };
    await v.put(tradeKey(ctx, ob.cycleId, ob.index), next);
    await v.put(defaultKey(ctx, rec.account, ob.cycleId, ob.index), rec);
    emit(ctx, 'MarketDefaultReported', rec);
    return canonicalJson(next);
  }

  @Transaction(false)
  @Returns('string')
  async GetCycle(ctx: Context, cycleId: string): Promise<string> {
    const c = await this.cycle(ctx, cycleId);
    const cursor = await view(ctx).get<ClearingCursor>(cursorKey(ctx, cycleId));
    return canonicalJson({ ...c, clearing: cursor ?? null });
  }

  @Transaction(false)
  @Returns('string')
  async ListCycles(ctx: Context): Promise<string> {
    return canonicalJson((await view(ctx).range<CycleRecord>('mkcycle', [])).map((r) => r.value));
  }

  /**
   * One side of a cycle's book in book order (asks low to high, bids high to low, ties by time), with
   * each order's `remaining` Wh; orders completely filled or carried over are left out unless `all`.
   */
  @Transaction(false)
  @Returns('string')
  async GetBook(ctx: Context, cycleId: string, side: string, limit: string): Promise<string> {
    cycleIdArg(cycleId);
    if (side !== 'ask' && side !== 'bid') refuse('INVALID_ARGUMENT', 'side must be ask or bid');
    const max = limitArg(limit, 1000);
    const out: Array<OrderRecord & { remaining: number }> = [];
    const prefix = sidePrefix(cycleId, side);
    await scan(ctx, prefix, prefix, (_k, value) => {
      const o = JSON.parse(value) as OrderRecord;
      if (residual(o) > 0) out.push({ ...o, remaining: residual(o) });
      return out.length < max;
    });
    return canonicalJson(out);
  }

  /**
   * One order by id, with `remaining` (filled and carried-over orders included). Orders are keyed by
   * book position, not id, so this scans the cycle's book: a read for people and tools, not for
   * transactions (those name the order by its full reference).
   */
  @Transaction(false)
  @Returns('string')
  async GetOrder(ctx: Context, cycleId: string, orderId: string): Promise<string> {
    cycleIdArg(cycleId);
    let found: OrderRecord | undefined;
    for (const side of ['ask', 'bid'] as const) {
      const prefix = sidePrefix(cycleId, side);
      await scan(ctx, prefix, prefix, (k, value) => {
        if (!k.endsWith(`~${orderId}`)) return true;
        found = JSON.parse(value) as OrderRecord;
        return false;
      });
      if (found) break;
    }
    if (!found) refuse('NOT_FOUND', `order ${orderId} is not in cycle ${cycleId}`);
    return canonicalJson({ ...found, remaining: residual(found) });
  }

  /** The published result: trades (= obligations) from index `from`, at most `limit`, and the cycle's statistics. */
  @Transaction(false)
  @Returns('string')
  async GetTrades(ctx: Context, cycleId: string, from: string, limit: string): Promise<string> {
    const c = await this.cycle(ctx, cycleId);
    const start = from === '' || from === undefined ? 0 : indexArg(from);
    const max = limitArg(limit, 1000);
    const trades: ObligationRecord[] = [];
    await scan(ctx, tradeKey(ctx, cycleId, start), tradePrefix(cycleId), (_k, value) => trades.push(JSON.parse(value)) < max);
    return canonicalJson({ cycleId, status: c.status, stats: c.stats ?? null, trades });
  }

  @Transaction(false)
  @Returns('string')
  async GetObligation(ctx: Context, cycleId: string, index: string): Promise<string> {
    return canonicalJson(await this.obligation(ctx, cycleId, index));
  }

  /** The public board of parties reported for unmet obligations (all, or one account's). */
  @Transaction(false)
  @Returns('string')
  async ListDefaults(ctx: Context, account: string): Promise<string> {
    const attrs = account ? [requireKey(account, 'account')] : [];
    return canonicalJson((await view(ctx).range<DefaultRecord>('mkdefault', attrs)).map((r) => r.value));
  }

  private async params(ctx: Context): Promise<MarketParams> {
    return (await view(ctx).get<{ params: MarketParams }>(PARAMS_KEY))?.params ?? DEFAULT_MARKET_PARAMS;
  }

  private async cycle(ctx: Context, cycleId: unknown): Promise<CycleRecord> {
    const c = await view(ctx).get<CycleRecord>(cycleKey(ctx, cycleIdArg(cycleId)));
    if (!c) refuse('NOT_FOUND', `cycle ${String(cycleId)} does not exist`);
    return c;
  }

  /** The cycle, if it accepts orders now (open and before `closesAt`). */
  private async openCycle(ctx: Context, cycleId: string, now: number): Promise<CycleRecord> {
    const c = await this.cycle(ctx, cycleId);
    if (c.status !== 'open') refuse('FORBIDDEN_STATE', `cycle ${cycleId} is ${c.status}: orders are no longer accepted`);
    if (now >= c.closesAt) refuse('FORBIDDEN_STATE', `cycle ${cycleId} closed to orders at ${c.closesAt}`);
    return c;
  }

  /** The order at a reference `{cycleId, orderId, side, price, seq}` (its key). */
  private async orderAt(ctx: Context, ref: OrderRef): Promise<OrderRecord> {
    parseInput(() => checkOrderRef(ref));
    const o = await view(ctx).get<OrderRecord>(orderKey(ctx, ref));
    if (!o || o.orderId !== ref.orderId) refuse('NOT_FOUND', `no order ${ref.orderId} (${ref.side} at ${ref.price}, seq ${ref.seq}) in cycle ${ref.cycleId}`);
    return o;
  }

  private async obligation(ctx: Context, cycleId: unknown, index: unknown): Promise<ObligationRecord> {
    const i = indexArg(index);
    const ob = await view(ctx).get<ObligationRecord>(tradeKey(ctx, cycleIdArg(cycleId), i));
    if (!ob) refuse('NOT_FOUND', `no trade ${i} in cycle ${String(cycleId)}`);
    return ob;
  }

  private async settle(ctx: Context, ob: ObligationRecord, evidence: NonNullable<ObligationRecord['evidence']>): Promise<string> {
    const now = txTimeSeconds(ctx);
    const next: ObligationRecord = { ...ob, status: 'settled', settledAt: now, evidence };
    await view(ctx).put(tradeKey(ctx, ob.cycleId, ob.index), next);
    emit(ctx, 'MarketObligationSettled', { cycleId: ob.cycleId, index: ob.index, amount: ob.payment, evidence: evidence.kind, late: now > ob.deadline });
    return canonicalJson(next);
  }

  /**
   * A page of one side in book order, starting at the first order still in the book: after the
   * cursor's last completely filled order (a range scan from its key, skipping it).
   */
  private async page(ctx: Context, cycleId: string, side: OrderSide, cursor: ClearingCursor, size: number): Promise<{ orders: OrderRecord[]; last: boolean }> {
    const sc = side === 'ask' ? cursor.ask : cursor.bid;
    const prefix = sidePrefix(cycleId, side);
    const after = sc.last ? orderKey(ctx, { cycleId, side, ...sc.last }) : null;
    const orders: OrderRecord[] = [];
    let last = true;
    await scan(ctx, after ?? prefix, prefix, (k, value) => {
      if (k === after) return true;
      if (orders.length === size) {
        last = false;
        return false;
      }
      orders.push(JSON.parse(value) as OrderRecord);
      return true;
    });
    return { orders, last };
  }
}
