import { MarketError } from './errors';
import type { Order, OrderSide } from './types';
import { type BookColumns, loadBook } from './validate';

/**
 * Book order of asks: price low → high, then submission `seq` early → late, then `orderId`
 * (JS string order; ids are ASCII so this is also byte order).
 */
export function compareAsks(a: Order, b: Order): number {
  if (a.price !== b.price) return a.price < b.price ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;
}

/** Book order of bids: price high → low, then `seq` early → late, then `orderId`. */
export function compareBids(a: Order, b: Order): number {
  if (a.price !== b.price) return a.price > b.price ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;
}

/**
 * The paper's matching condition: a trade happens only when the best bid `P_max` is strictly
 * greater than the best ask `P_min` ("When OBR is greater than OSR, the transaction can be
 * conducted"). At equal prices nothing trades.
 */
export function crosses(askPrice: number, bidPrice: number): boolean {
  return bidPrice > askPrice;
}

/**
 * The transaction price `P_fin = (P_min + P_max) / 2`, rounded **down** to a whole payment unit per Wh
 * (the buyer keeps the half unit when the sum is odd). Computed as `P_min + floor((P_max − P_min) / 2)`
 * so it never leaves the safe-integer range. For a crossing pair (`P_max > P_min`) the result is in
 * `[P_min, P_max − 1]`.
 */
export function transactionPrice(askPrice: number, bidPrice: number): number {
  return askPrice + Math.floor((bidPrice - askPrice) / 2);
}

const DIGITS = 65536;

/**
 * Stable LSD radix sort of `idx` (in place) by `key[idx[i]] − min`, non-negative safe integers,
 * 16 bits per pass, only as many passes as the key range needs. `descending` reverses the key order
 * while keeping stability.
 */
function radixPasses(idx: Uint32Array, tmp: Uint32Array, key: Float64Array, descending: boolean): Uint32Array {
  const n = idx.length;
  if (n < 2) return idx;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const k = key[idx[i]];
    if (k < min) min = k;
    if (k > max) max = k;
  }
  const range = max - min;
  if (range === 0) return idx;
  const count = new Uint32Array(DIGITS + 1);
  let src = idx;
  let dst = tmp;
  for (let div = 1; range / div >= 1; div *= DIGITS) {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      let d = Math.floor((key[src[i]] - min) / div) & 0xffff;
      if (descending) d = 0xffff - d;
      count[d + 1]++;
    }
    for (let d = 0; d < DIGITS; d++) count[d + 1] += count[d];
    for (let i = 0; i < n; i++) {
      const x = src[i];
      let d = Math.floor((key[x] - min) / div) & 0xffff;
      if (descending) d = 0xffff - d;
      dst[count[d]++] = x;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  return src;
}

/**
 * The input indices `sel` of one side, sorted into book order: a stable radix sort by `seq`, then by
 * price (descending for bids), only as many 16-bit passes as the key ranges need, then a comparison
 * sort by `orderId` of the rare runs with equal price and seq. O(n) for practical books. @internal
 */
export function sortSide(orders: readonly Order[], cols: BookColumns, sel: Uint32Array, side: OrderSide): Uint32Array {
  const n = sel.length;
  // Keys by local index k (0..n-1); sel[k] is the position in `orders`.
  const price = new Float64Array(n);
  const seq = new Float64Array(n);
  const bufA = new Uint32Array(n);
  const bufB = new Uint32Array(n);
  for (let k = 0; k < n; k++) {
    price[k] = cols.price[sel[k]];
    seq[k] = cols.seq[sel[k]];
    bufA[k] = k;
  }
  // Least significant key first: seq ascending, then price (stable), so equal prices keep seq order.
  let idx = radixPasses(bufA, bufB, seq, false);
  idx = radixPasses(idx, idx === bufA ? bufB : bufA, price, side === 'bid');
  // Equal (price, seq): order by orderId.
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && price[idx[i]] === price[idx[start]] && seq[idx[i]] === seq[idx[start]]) continue;
    if (i - start > 1) {
      const run = Array.from(idx.subarray(start, i));
      run.sort((a, b) => {
        const x = orders[sel[a]].orderId;
        const y = orders[sel[b]].orderId;
        return x < y ? -1 : x > y ? 1 : 0;
      });
      idx.set(run, start);
    }
    start = i;
  }
  for (let i = 0; i < n; i++) idx[i] = sel[idx[i]];
  return idx;
}

/**
 * Validates the orders of one cycle and returns both sides in book order: asks low → high, bids
 * high → low, ties by submission (`seq`, then `orderId`). This is the order the chaincode stores
 * them in (see {@link bookSortAttributes}) and the order {@link clearPage} expects.
 */
export function sortBook(orders: readonly Order[]): { asks: Order[]; bids: Order[] } {
  const cols = loadBook(orders);
  const a = sortSide(orders, cols, cols.asks, 'ask');
  const b = sortSide(orders, cols, cols.bids, 'bid');
  return { asks: Array.from(a, (i) => orders[i]), bids: Array.from(b, (i) => orders[i]) };
}

const MAX = Number.MAX_SAFE_INTEGER;
const pad16 = (v: number): string => v.toString().padStart(16, '0');

/**
 * Attributes for a Fabric composite key (after e.g. `['order', cycleId, side]`) whose byte order is the
 * book order of the order's side: `[priceKey, seqKey, orderId]`, fixed-width decimal; a bid's price key
 * is `MAX_SAFE_INTEGER − price` so that a range scan returns bids from the highest price down.
 */
export function bookSortAttributes(order: Order): [string, string, string] {
  if (order.side !== 'ask' && order.side !== 'bid') throw new MarketError('INVALID_SIDE', `bad side ${String(order.side)}`, order.orderId);
  const priceKey = order.side === 'ask' ? pad16(order.price) : pad16(MAX - order.price);
  return [priceKey, pad16(order.seq), order.orderId];
}
