import { MarketError } from './errors';
import { sortSide, transactionPrice } from './order-book';
import type { ClearingStats, MatchResult, Order, ResidualOrder, Trade } from './types';
import { loadBook } from './validate';

/** Adds two non-negative safe integers; throws AMOUNT_OVERFLOW if the sum is not safe. @internal */
export function safeAdd(a: number, b: number, what: string): number {
  const s = a + b;
  if (s > Number.MAX_SAFE_INTEGER) throw new MarketError('AMOUNT_OVERFLOW', `cycle ${what} exceeds the safe-integer range`);
  return s;
}

/** Exact `floor(a / b)` for non-negative safe integers (a float division can round up). @internal */
export function floorDiv(a: number, b: number): number {
  return Number(BigInt(a) / BigInt(b));
}

/**
 * Clears one trading cycle: the paper's price matching mechanism (section 3.4).
 *
 * Asks (`S_EP`, `ES`) are sorted low → high and bids (`P_EP`, `EP`) high → low, ties by submission
 * time (`seq`, then `orderId`). While the best bid `P_max` is strictly above the best ask `P_min`, the
 * pair trades `min(residual ask, residual bid)` Wh at `P_fin = floor((P_min + P_max) / 2)` payment
 * units per Wh; the order with quantity left stays at the head of its side (partial fill). At equal
 * prices nothing trades.
 *
 * Pure and deterministic: the result depends only on the set of orders, not on their input order.
 * O(n) validation, O(n) radix sort (a comparison sort only for equal price and seq), O(n) matching.
 *
 * @throws {@link MarketError} on any invalid order, a duplicate `orderId`, or orders of several cycles.
 */
export function matchCycle(orders: readonly Order[]): MatchResult {
  const cols = loadBook(orders);
  const cycleId = cols.cycleId;
  const askIdx = sortSide(orders, cols, cols.asks, 'ask');
  const bidIdx = sortSide(orders, cols, cols.bids, 'bid');
  const nA = askIdx.length;
  const nB = bidIdx.length;

  const aPrice = new Float64Array(nA);
  const aRem = new Float64Array(nA);
  for (let i = 0; i < nA; i++) {
    aPrice[i] = cols.price[askIdx[i]];
    aRem[i] = cols.quantity[askIdx[i]];
  }
  const bPrice = new Float64Array(nB);
  const bRem = new Float64Array(nB);
  for (let j = 0; j < nB; j++) {
    bPrice[j] = cols.price[bidIdx[j]];
    bRem[j] = cols.quantity[bidIdx[j]];
  }

  // Every trade fills at least one of its two orders, so there are at most nA + nB − 1 trades.
  const cap = Math.max(0, nA + nB - 1);
  const tAsk = new Uint32Array(cap);
  const tBid = new Uint32Array(cap);
  const tPrice = new Float64Array(cap);
  const tQty = new Float64Array(cap);
  let nT = 0;
  let i = 0;
  let j = 0;
  let volume = 0;
  let value = 0;
  let minPrice = Infinity;
  let maxPrice = -Infinity;
  while (i < nA && j < nB && bPrice[j] > aPrice[i]) {
    const p = transactionPrice(aPrice[i], bPrice[j]);
    const ra = aRem[i];
    const rb = bRem[j];
    const q = ra < rb ? ra : rb;
    tAsk[nT] = i;
    tBid[nT] = j;
    tPrice[nT] = p;
    tQty[nT] = q;
    nT++;
    volume += q;
    value += p * q; // p ≤ bid price and q ≤ bid quantity, so p × q ≤ the bid's safe notional
    if (value > Number.MAX_SAFE_INTEGER || volume > Number.MAX_SAFE_INTEGER) {
      throw new MarketError('AMOUNT_OVERFLOW', 'cycle volume or value exceeds the safe-integer range');
    }
    if (p < minPrice) minPrice = p;
    if (p > maxPrice) maxPrice = p;
    aRem[i] = ra - q;
    bRem[j] = rb - q;
    if (ra === q) i++;
    if (rb === q) j++;
  }

  const cid = cycleId ?? '';
  const trades: Trade[] = new Array<Trade>(nT);
  for (let t = 0; t < nT; t++) {
    const a = orders[askIdx[tAsk[t]]];
    const b = orders[bidIdx[tBid[t]]];
    trades[t] = {
      cycleId: cid,
      index: t,
      askId: a.orderId,
      bidId: b.orderId,
      seller: a.owner,
      buyer: b.owner,
      sellPrice: a.price,
      buyPrice: b.price,
      price: tPrice[t],
      quantity: tQty[t],
      payment: tPrice[t] * tQty[t],
    };
  }
  const remainingAsks = residuals(orders, askIdx, aRem, i);
  const remainingBids = residuals(orders, bidIdx, bRem, j);
  const stats: ClearingStats = {
    trades: nT,
    volume,
    value,
    minPrice: nT > 0 ? minPrice : null,
    maxPrice: nT > 0 ? maxPrice : null,
    vwap: nT > 0 ? floorDiv(value, volume) : null,
    bestUnmatchedAsk: i < nA ? aPrice[i] : null,
    bestUnmatchedBid: j < nB ? bPrice[j] : null,
  };
  return { cycleId, trades, remainingAsks, remainingBids, stats };
}

function residuals(orders: readonly Order[], idx: Uint32Array, rem: Float64Array, from: number): ResidualOrder[] {
  const out = new Array<ResidualOrder>(idx.length - from);
  for (let k = from; k < idx.length; k++) out[k - from] = orders[idx[k]];
  if (from < idx.length) {
    const head = orders[idx[from]];
    if (rem[from] !== head.quantity) out[0] = { ...head, quantity: rem[from], originalQuantity: head.quantity };
  }
  return out;
}
