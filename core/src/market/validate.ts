import { MarketError } from './errors';
import type { Order, Side } from './types';

/** Charset of order and cycle ids: ASCII only, so JS string order equals Fabric's byte order of keys. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
/** Owner public key: lowercase hex, even length, 2–1024 characters. */
export const OWNER_PATTERN = /^(?:[0-9a-f]{2}){1,512}$/;

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
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new MarketError('INVALID_ORDER_ID', `orderId must match ${ID_PATTERN.source}, got ${describe(id)}`);
  }
  if (o.side !== 'ask' && o.side !== 'bid') {
    throw new MarketError('INVALID_SIDE', `order ${id}: side must be 'ask' or 'bid', got ${describe(o.side)}`, id);
  }
  if (typeof o.owner !== 'string' || !OWNER_PATTERN.test(o.owner)) {
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
  if (typeof o.cycleId !== 'string' || !ID_PATTERN.test(o.cycleId)) {
    throw new MarketError('INVALID_CYCLE_ID', `order ${id}: cycleId must match ${ID_PATTERN.source}, got ${describe(o.cycleId)}`, id);
  }
}

/**
 * Checks every order, that order ids are unique and that all orders belong to one cycle. Returns the
 * cycle id (null for an empty book).
 */
export function validateOrders(orders: readonly unknown[]): string | null {
  if (!Array.isArray(orders)) throw new MarketError('INVALID_ARGUMENT', 'orders must be an array');
  const n = orders.length;
  if (n === 0) return null;
  const seen = new Set<string>();
  let cycleId: string | null = null;
  for (let i = 0; i < n; i++) {
    const o = orders[i];
    validateOrder(o);
    if (cycleId === null) cycleId = o.cycleId;
    else if (o.cycleId !== cycleId) {
      throw new MarketError('CYCLE_MISMATCH', `order ${o.orderId} is in cycle ${o.cycleId}, the book is cycle ${cycleId}`, o.orderId);
    }
    const before = seen.size;
    seen.add(o.orderId);
    if (seen.size === before) throw new MarketError('DUPLICATE_ORDER_ID', `orderId ${o.orderId} appears more than once`, o.orderId);
  }
  return cycleId;
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
export function isSide(v: unknown): v is Side {
  return v === 'ask' || v === 'bid';
}
