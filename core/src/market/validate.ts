import { MarketError } from './errors';
import type { Order, OrderSide } from './types';

/** Charset of order and cycle ids: ASCII only, so JS string order equals Fabric's byte order of keys. */
export const MARKET_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Owner public key: lowercase hex, 2–1024 characters (the length must also be even). */
export const MARKET_OWNER_PATTERN = /^[0-9a-f]{2,1024}$/;

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return typeof v;
}

function isPositiveSafeInteger(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}

/**
 * Checks one order and throws a {@link MarketError} naming the first bad field. Does not check
 * uniqueness (see {@link validateOrders}).
 */
export function validateOrder(order: unknown): asserts order is Order {
  if (order === null || typeof order !== 'object' || Array.isArray(order)) {
    throw new MarketError('INVALID_ORDER', `order must be an object, got ${describe(order)}`);
  }
  const o = order as Record<string, unknown>;
  const id = o.orderId;
  if (typeof id !== 'string' || !MARKET_ID_PATTERN.test(id)) {
    throw new MarketError('INVALID_ORDER_ID', `orderId must match ${MARKET_ID_PATTERN.source}, got ${describe(id)}`);
  }
  if (o.side !== 'ask' && o.side !== 'bid') {
    throw new MarketError('INVALID_SIDE', `order ${id}: side must be 'ask' or 'bid', got ${describe(o.side)}`, id);
  }
  if (typeof o.owner !== 'string' || (o.owner.length & 1) !== 0 || !MARKET_OWNER_PATTERN.test(o.owner)) {
    throw new MarketError('INVALID_OWNER', `order ${id}: owner must be a lowercase hex public key, got ${describe(o.owner)}`, id);
  }
  if (!isPositiveSafeInteger(o.price)) {
    throw new MarketError('INVALID_PRICE', `order ${id}: price must be a positive safe integer (payment units per Wh), got ${describe(o.price)}`, id);
  }
  if (!isPositiveSafeInteger(o.quantity)) {
    throw new MarketError('INVALID_QUANTITY', `order ${id}: quantity must be a positive safe integer (Wh), got ${describe(o.quantity)}`, id);
  }
  if (!Number.isSafeInteger(o.price * o.quantity)) {
    throw new MarketError('NOTIONAL_TOO_LARGE', `order ${id}: price × quantity = ${o.price} × ${o.quantity} exceeds the safe-integer range`, id);
  }
  if (typeof o.seq !== 'number' || !Number.isSafeInteger(o.seq) || o.seq < 0) {
    throw new MarketError('INVALID_SEQ', `order ${id}: seq must be a non-negative safe integer, got ${describe(o.seq)}`, id);
  }
  if (typeof o.cycleId !== 'string' || !MARKET_ID_PATTERN.test(o.cycleId)) {
    throw new MarketError('INVALID_CYCLE_ID', `order ${id}: cycleId must match ${MARKET_ID_PATTERN.source}, got ${describe(o.cycleId)}`, id);
  }
}

/**
 * Set of the orders' ids, for duplicate detection on a million-order book. Open addressing over a
 * pre-sized table (no rehashing) holding each entry's order index and 32-bit hash side by side, so a
 * probe rarely touches another order's string (a growing `Set` costs several times more). The hash
 * reads at most 32 characters (the first and last 16) and the length; ids built to collide on those
 * make long probe sequences, and then the set falls back to a native `Set` for the whole book.
 * @internal
 */
class IdSet {
  private readonly table: Int32Array; // [orderIndex + 1, hash] pairs; 0 = empty
  private readonly mask: number;
  private fallback: Set<string> | null = null;

  constructor(private readonly orders: readonly Order[]) {
    let cap = 16;
    while (cap < orders.length * 2) cap *= 2;
    this.mask = cap - 1;
    this.table = new Int32Array(cap * 2);
  }

  /** Adds the id of order `i`; false if it was already there. */
  add(i: number, id: string): boolean {
    if (this.fallback !== null) return this.addFallback(id);
    const len = id.length;
    let h = 0x811c9dc5 ^ len;
    const head = len < 16 ? len : 16;
    for (let k = 0; k < head; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
    for (let k = len - 16 > head ? len - 16 : head; k < len; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
    // fmix32 (MurmurHash3's finaliser) so that the low bits used as the slot are well mixed.
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const t = this.table;
    let p = h & this.mask;
    for (let probes = 0; ; probes++) {
      const j = t[2 * p];
      if (j === 0) {
        t[2 * p] = i + 1;
        t[2 * p + 1] = h;
        return true;
      }
      if (t[2 * p + 1] === h && this.orders[j - 1].orderId === id) return false;
      if (probes > 64) {
        this.toFallback();
        return this.addFallback(id);
      }
      p = (p + 1) & this.mask;
    }
  }

  private toFallback(): void {
    const f = new Set<string>();
    const t = this.table;
    for (let p = 0; p < t.length; p += 2) if (t[p] !== 0) f.add(this.orders[t[p] - 1].orderId);
    this.fallback = f;
  }

  private addFallback(id: string): boolean {
    const f = this.fallback!;
    const before = f.size;
    f.add(id);
    return f.size !== before;
  }
}

/** The numeric columns of a validated book, indexed like the input array. @internal */
export interface BookColumns {
  readonly cycleId: string | null;
  readonly price: Float64Array;
  readonly quantity: Float64Array;
  readonly seq: Float64Array;
  /** Input indices of the asks and of the bids, in input order. */
  readonly asks: Uint32Array;
  readonly bids: Uint32Array;
}

/**
 * Validates a book and extracts its numeric columns in one pass over the order objects: per-order
 * checks (a fast inline path; {@link validateOrder} names the error on any doubt), one cycle, and
 * unique ids by an open-addressing hash table over FNV-1a of the whole id, pre-sized so it never
 * rehashes. @internal
 */
export function loadBook(orders: readonly unknown[]): BookColumns {
  if (!Array.isArray(orders)) throw new MarketError('INVALID_ARGUMENT', 'orders must be an array');
  const n = orders.length;
  const price = new Float64Array(n);
  const quantity = new Float64Array(n);
  const seq = new Float64Array(n);
  const isAsk = new Uint8Array(n);
  if (n === 0) return { cycleId: null, price, quantity, seq, asks: new Uint32Array(0), bids: new Uint32Array(0) };
  validateOrder(orders[0]);
  const cycleId = (orders[0] as Order).cycleId;
  const book = orders as readonly Order[];
  const dedup = new IdSet(book);
  // Owners repeat across a cycle's orders: check each distinct key once.
  const owners = new Set<string>();
  let nAsk = 0;
  for (let i = 0; i < n; i++) {
    const o = book[i];
    if (
      o === null ||
      typeof o !== 'object' ||
      Array.isArray(o) ||
      typeof o.orderId !== 'string' ||
      (o.side !== 'ask' && o.side !== 'bid') ||
      typeof o.owner !== 'string' ||
      typeof o.price !== 'number' ||
      !(o.price > 0) ||
      !Number.isSafeInteger(o.price) ||
      typeof o.quantity !== 'number' ||
      !(o.quantity > 0) ||
      !Number.isSafeInteger(o.quantity) ||
      !Number.isSafeInteger(o.price * o.quantity) ||
      typeof o.seq !== 'number' ||
      !(o.seq >= 0) ||
      !Number.isSafeInteger(o.seq)
    ) {
      validateOrder(o);
    }
    if (!owners.has(o.owner)) {
      if ((o.owner.length & 1) !== 0 || !MARKET_OWNER_PATTERN.test(o.owner)) validateOrder(o);
      owners.add(o.owner);
    }
    if (o.cycleId !== cycleId) {
      validateOrder(o);
      throw new MarketError('CYCLE_MISMATCH', `order ${o.orderId} is in cycle ${o.cycleId}, the book is cycle ${cycleId}`, o.orderId);
    }
    if (!MARKET_ID_PATTERN.test(o.orderId)) validateOrder(o);
    if (!dedup.add(i, o.orderId)) throw new MarketError('DUPLICATE_ORDER_ID', `orderId ${o.orderId} appears more than once`, o.orderId);
    price[i] = o.price;
    quantity[i] = o.quantity;
    seq[i] = o.seq;
    if (o.side === 'ask') {
      isAsk[i] = 1;
      nAsk++;
    }
  }
  const asks = new Uint32Array(nAsk);
  const bids = new Uint32Array(n - nAsk);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    if (isAsk[i] === 1) asks[a++] = i;
    else bids[b++] = i;
  }
  return { cycleId, price, quantity, seq, asks, bids };
}

/**
 * Checks every order, that order ids are unique and that all orders belong to one cycle. Returns the
 * cycle id (null for an empty book).
 */
export function validateOrders(orders: readonly unknown[]): string | null {
  return loadBook(orders).cycleId;
}

/**
 * Submission sequence number from a Fabric transaction timestamp: microseconds since the epoch
 * (exact for dates before the year 2255). Use the txId as `orderId` so that `(seq, orderId)` orders
 * orders by `(txTimestamp, txId)`.
 */
export function seqFromTxTimestamp(seconds: number | bigint | { toNumber(): number }, nanos: number): number {
  const s = typeof seconds === 'number' ? seconds : typeof seconds === 'bigint' ? Number(seconds) : seconds.toNumber();
  if (!Number.isSafeInteger(s) || s < 0 || !Number.isInteger(nanos) || nanos < 0 || nanos >= 1e9) {
    throw new MarketError('INVALID_SEQ', `bad transaction timestamp ${String(s)}s ${String(nanos)}ns`);
  }
  const seq = s * 1_000_000 + Math.floor(nanos / 1000);
  if (!Number.isSafeInteger(seq)) throw new MarketError('INVALID_SEQ', `timestamp ${s}s is too far in the future`);
  return seq;
}

/** Helper for callers holding a side string of unknown provenance. */
export function isOrderSide(v: unknown): v is OrderSide {
  return v === 'ask' || v === 'bid';
}
