import { MarketError } from './errors';
import { floorDiv, safeAdd } from './match';
import { compareAsks, compareBids, transactionPrice } from './order-book';
import type { ClearingStats, Order, OrderSide, Trade } from './types';
import { MARKET_ID_PATTERN, validateOrder } from './validate';

/**
 * Paged clearing for the chaincode. A Fabric transaction has a size limit, so a large cycle is cleared
 * in several transactions, each reading a page of each side of the book (in book order, e.g. by a
 * range scan over {@link bookSortAttributes} keys), producing at most `maxTrades` trades and storing
 * the returned cursor for the next one. Whatever the page sizes and `maxTrades`, the concatenated
 * trades are exactly those of {@link matchCycle} on the whole book.
 *
 * @packageDocumentation
 */

/** Where one side of the book stands. Plain JSON (integers and strings), safe to keep in state. */
export interface SideCursor {
  /** Number of orders of this side completely filled so far (they are gone from the book). */
  readonly consumed: number;
  /** The head order if it is partially filled: its id and residual quantity (Wh). */
  readonly head: { readonly orderId: string; readonly remaining: number } | null;
  /** Book position of the last completely filled order; the next page must start after it. */
  readonly last: { readonly price: number; readonly seq: number; readonly orderId: string } | null;
}

/** State of a paged clearing between transactions. */
export interface ClearingCursor {
  readonly version: 1;
  readonly cycleId: string;
  /** True once the book no longer crosses (or a side is empty); further pages change nothing. */
  readonly done: boolean;
  readonly ask: SideCursor;
  readonly bid: SideCursor;
  /** Running statistics; `bestUnmatchedAsk`/`bestUnmatchedBid` are set only when `done`. */
  readonly stats: ClearingStats;
}

/** A page of one side of the book, in book order, starting at the side's first order still in the book. */
export interface BookPage {
  /** Orders as submitted (original quantities: the cursor carries the head's residual). */
  readonly orders: readonly Order[];
  /** True if the page reaches the end of this side of the book. */
  readonly last: boolean;
}

/** What a page did to one order. */
export interface Fill {
  readonly orderId: string;
  readonly side: OrderSide;
  /** Wh filled in this page. */
  readonly filled: number;
  /** Wh left in the book afterwards (0 = completely filled). */
  readonly remaining: number;
}

export interface PageResult {
  readonly cursor: ClearingCursor;
  /** Trades of this page; `index` continues across pages. */
  readonly trades: Trade[];
  /** Orders touched by this page, with their new residuals, in the order they were last touched. */
  readonly fills: Fill[];
  /** `'done'`: clearing finished. `'more'`: call again (with the next pages and the new cursor). */
  readonly status: 'done' | 'more';
  /** Which side ran out of page before the clearing could go on, if any (its `last` was false). */
  readonly needs: 'asks' | 'bids' | null;
}

const EMPTY_SIDE: SideCursor = { consumed: 0, head: null, last: null };

/** Starts the paged clearing of one cycle. */
export function createClearing(cycleId: string): ClearingCursor {
  if (typeof cycleId !== 'string' || !MARKET_ID_PATTERN.test(cycleId)) {
    throw new MarketError('INVALID_CYCLE_ID', `cycleId must match ${MARKET_ID_PATTERN.source}`);
  }
  return {
    version: 1,
    cycleId,
    done: false,
    ask: EMPTY_SIDE,
    bid: EMPTY_SIDE,
    stats: { trades: 0, volume: 0, value: 0, minPrice: null, maxPrice: null, vwap: null, bestUnmatchedAsk: null, bestUnmatchedBid: null },
  };
}

const isNat = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isPos = (v: unknown): v is number => isNat(v) && v > 0;
const isNatOrNull = (v: unknown): boolean => v === null || isNat(v);

function badCursor(what: string): never {
  throw new MarketError('INVALID_CURSOR', `clearing cursor: ${what}`);
}

function checkSideCursor(s: unknown, name: string): void {
  if (s === null || typeof s !== 'object') badCursor(`${name} missing`);
  const c = s as Record<string, unknown>;
  if (!isNat(c.consumed)) badCursor(`${name}.consumed`);
  if (c.head !== null) {
    const h = c.head as Record<string, unknown> | undefined;
    if (!h || typeof h.orderId !== 'string' || !isPos(h.remaining)) badCursor(`${name}.head`);
  }
  if (c.last !== null) {
    const l = c.last as Record<string, unknown> | undefined;
    if (!l || typeof l.orderId !== 'string' || !isPos(l.price) || !isNat(l.seq)) badCursor(`${name}.last`);
  }
}

/** Throws INVALID_CURSOR unless `c` is a well-formed cursor (e.g. after reading it back from state). */
export function assertClearingCursor(c: unknown): asserts c is ClearingCursor {
  if (c === null || typeof c !== 'object') badCursor('not an object');
  const k = c as Record<string, unknown>;
  if (k.version !== 1) badCursor('version');
  if (typeof k.cycleId !== 'string' || !MARKET_ID_PATTERN.test(k.cycleId)) badCursor('cycleId');
  if (typeof k.done !== 'boolean') badCursor('done');
  checkSideCursor(k.ask, 'ask');
  checkSideCursor(k.bid, 'bid');
  const s = k.stats as Record<string, unknown> | undefined;
  if (!s || typeof s !== 'object') badCursor('stats');
  if (!isNat(s.trades) || !isNat(s.volume) || !isNat(s.value)) badCursor('stats totals');
  for (const f of ['minPrice', 'maxPrice', 'vwap', 'bestUnmatchedAsk', 'bestUnmatchedBid']) {
    if (!isNatOrNull(s[f])) badCursor(`stats.${f}`);
  }
}

function checkPage(page: BookPage, side: OrderSide, cursor: ClearingCursor): void {
  if (page === null || typeof page !== 'object' || !Array.isArray(page.orders) || typeof page.last !== 'boolean') {
    throw new MarketError('INVALID_ARGUMENT', `${side} page must be { orders: Order[], last: boolean }`);
  }
  const sc = side === 'ask' ? cursor.ask : cursor.bid;
  const cmp = side === 'ask' ? compareAsks : compareBids;
  const orders = page.orders;
  for (let i = 0; i < orders.length; i++) {
    const o = orders[i];
    validateOrder(o);
    if (o.side !== side) throw new MarketError('INVALID_SIDE', `order ${o.orderId} is a ${o.side} in the ${side} page`, o.orderId);
    if (o.cycleId !== cursor.cycleId) {
      throw new MarketError('CYCLE_MISMATCH', `order ${o.orderId} is in cycle ${o.cycleId}, clearing cycle ${cursor.cycleId}`, o.orderId);
    }
    if (i > 0 && cmp(orders[i - 1], o) >= 0) {
      throw new MarketError('PAGE_OUT_OF_ORDER', `${side} page not in book order at ${o.orderId}`, o.orderId);
    }
  }
  if (orders.length > 0) {
    const first = orders[0];
    if (sc.last !== null && cmp(first, sc.last as Order) <= 0) {
      throw new MarketError('PAGE_OUT_OF_ORDER', `${side} page starts at ${first.orderId}, not after ${sc.last.orderId}`, first.orderId);
    }
    if (sc.head !== null) {
      if (first.orderId !== sc.head.orderId) {
        throw new MarketError('PAGE_OUT_OF_ORDER', `${side} page starts at ${first.orderId}, expected partially filled ${sc.head.orderId}`, first.orderId);
      }
      if (sc.head.remaining >= first.quantity) badCursor(`${side}.head.remaining ${sc.head.remaining} is not below ${first.orderId}'s quantity`);
    }
  } else if (page.last && sc.head !== null) {
    throw new MarketError('PAGE_OUT_OF_ORDER', `${side} page is empty and last, but ${sc.head.orderId} is still in the book`);
  }
}

/**
 * Clears as much of the book as one transaction may: matches the heads of `asks` and `bids` (each
 * starting at its side's first order still in the book, as submitted) until the book stops
 * crossing, a page runs out, or `maxTrades` trades are made. Pure: returns a new cursor.
 *
 * @throws {@link MarketError} on a malformed cursor, a bad order, a page out of book order or not
 *   continuing where the cursor stopped, or a non-positive `maxTrades`.
 */
export function clearPage(cursor: ClearingCursor, asks: BookPage, bids: BookPage, maxTrades: number): PageResult {
  assertClearingCursor(cursor);
  if (!isPos(maxTrades)) throw new MarketError('INVALID_ARGUMENT', `maxTrades must be a positive safe integer, got ${String(maxTrades)}`);
  if (cursor.done) return { cursor, trades: [], fills: [], status: 'done', needs: null };
  checkPage(asks, 'ask', cursor);
  checkPage(bids, 'bid', cursor);

  const A = asks.orders;
  const B = bids.orders;
  let ia = 0;
  let ib = 0;
  let aRem = A.length > 0 ? (cursor.ask.head?.remaining ?? A[0].quantity) : 0;
  let bRem = B.length > 0 ? (cursor.bid.head?.remaining ?? B[0].quantity) : 0;
  let aFilled = 0;
  let bFilled = 0;
  const trades: Trade[] = [];
  const fills: Fill[] = [];
  let { trades: nT, volume, value, minPrice, maxPrice } = cursor.stats;
  let done = false;
  let needs: 'asks' | 'bids' | null = null;
  let bestUnmatchedAsk: number | null = null;
  let bestUnmatchedBid: number | null = null;

  for (;;) {
    const aHas = ia < A.length;
    const bHas = ib < B.length;
    if (!aHas && !asks.last) {
      needs = 'asks';
      break;
    }
    if (!bHas && !bids.last) {
      needs = 'bids';
      break;
    }
    if (!aHas || !bHas || !(B[ib].price > A[ia].price)) {
      done = true;
      bestUnmatchedAsk = aHas ? A[ia].price : null;
      bestUnmatchedBid = bHas ? B[ib].price : null;
      break;
    }
    if (trades.length >= maxTrades) break;
    const a = A[ia];
    const b = B[ib];
    const p = transactionPrice(a.price, b.price);
    const q = aRem < bRem ? aRem : bRem;
    trades.push({
      cycleId: cursor.cycleId,
      index: nT,
      askId: a.orderId,
      bidId: b.orderId,
      seller: a.owner,
      buyer: b.owner,
      sellPrice: a.price,
      buyPrice: b.price,
      price: p,
      quantity: q,
      payment: p * q,
    });
    nT++;
    volume = safeAdd(volume, q, 'volume');
    value = safeAdd(value, p * q, 'value');
    minPrice = minPrice === null || p < minPrice ? p : minPrice;
    maxPrice = maxPrice === null || p > maxPrice ? p : maxPrice;
    aRem -= q;
    bRem -= q;
    aFilled += q;
    bFilled += q;
    if (aRem === 0) {
      fills.push({ orderId: a.orderId, side: 'ask', filled: aFilled, remaining: 0 });
      aFilled = 0;
      ia++;
      if (ia < A.length) aRem = A[ia].quantity;
    }
    if (bRem === 0) {
      fills.push({ orderId: b.orderId, side: 'bid', filled: bFilled, remaining: 0 });
      bFilled = 0;
      ib++;
      if (ib < B.length) bRem = B[ib].quantity;
    }
  }
  if (aFilled > 0) fills.push({ orderId: A[ia].orderId, side: 'ask', filled: aFilled, remaining: aRem });
  if (bFilled > 0) fills.push({ orderId: B[ib].orderId, side: 'bid', filled: bFilled, remaining: bRem });

  const next: ClearingCursor = {
    version: 1,
    cycleId: cursor.cycleId,
    done,
    ask: advance(cursor.ask, A, ia, aRem),
    bid: advance(cursor.bid, B, ib, bRem),
    stats: {
      trades: nT,
      volume,
      value,
      minPrice,
      maxPrice,
      vwap: volume > 0 ? floorDiv(value, volume) : null,
      bestUnmatchedAsk,
      bestUnmatchedBid,
    },
  };
  return { cursor: next, trades, fills, status: done ? 'done' : 'more', needs };
}

function advance(prev: SideCursor, page: readonly Order[], consumed: number, rem: number): SideCursor {
  const lastOrder = consumed > 0 ? page[consumed - 1] : null;
  const headOrder = consumed < page.length ? page[consumed] : null;
  return {
    consumed: prev.consumed + consumed,
    head: headOrder !== null && rem < headOrder.quantity ? { orderId: headOrder.orderId, remaining: rem } : consumed > 0 ? null : prev.head,
    last: lastOrder !== null ? { price: lastOrder.price, seq: lastOrder.seq, orderId: lastOrder.orderId } : prev.last,
  };
}

/**
 * Drives {@link clearPage} over books already in memory (sorted with {@link sortBook}), the way a
 * chaincode drives it over range scans: each step hands it `pageSize` orders of each side from the
 * first order still in the book. Returns the trades (equal to {@link matchCycle}'s) and the final cursor.
 */
export function clearInPages(
  cycleId: string,
  sortedAsks: readonly Order[],
  sortedBids: readonly Order[],
  pageSize: number,
  maxTrades: number,
): { trades: Trade[]; cursor: ClearingCursor; transactions: number } {
  if (!isPos(pageSize)) throw new MarketError('INVALID_ARGUMENT', `pageSize must be a positive safe integer, got ${String(pageSize)}`);
  let cursor = createClearing(cycleId);
  const trades: Trade[] = [];
  let transactions = 0;
  while (!cursor.done) {
    const a0 = cursor.ask.consumed;
    const b0 = cursor.bid.consumed;
    const r = clearPage(
      cursor,
      { orders: sortedAsks.slice(a0, a0 + pageSize), last: a0 + pageSize >= sortedAsks.length },
      { orders: sortedBids.slice(b0, b0 + pageSize), last: b0 + pageSize >= sortedBids.length },
      maxTrades,
    );
    transactions++;
    for (const t of r.trades) trades.push(t);
    cursor = r.cursor;
  }
  return { trades, cursor, transactions };
}
