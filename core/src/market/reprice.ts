import { MarketError } from './errors';
import type { Order } from './types';
import { MARKET_ID_PATTERN, validateOrder } from './validate';

/**
 * How an unmatched order is re-priced for the next cycle (the paper: "Each time the matching is
 * completed, the buyer and the seller can re-adjust the price according to their own conditions
 * for the next matching"). Asks move down, bids move up, towards the other side, by
 * `step + ceil(price × stepBps / 10000)` payment units per Wh, but never past the owner's limit
 * (`askFloor` for a seller, `bidCeiling` for a buyer), never below 1, and never away from the market
 * (an order already beyond its limit keeps its price).
 */
export interface RepricePolicy {
  /** Absolute step, payment units per Wh (non-negative integer). Default 0. */
  readonly step?: number;
  /** Relative step in basis points of the current price (non-negative integer), rounded up. Default 0. */
  readonly stepBps?: number;
  /** Lowest price a seller accepts. Default 1. */
  readonly askFloor?: number;
  /** Highest price a buyer pays. Default: unbounded (but price × quantity stays a safe integer). */
  readonly bidCeiling?: number;
}

function checkPolicy(p: RepricePolicy): void {
  const nat = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);
  const pos = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isSafeInteger(v) && v > 0);
  if (p === null || typeof p !== 'object' || !nat(p.step) || !nat(p.stepBps) || !pos(p.askFloor) || !pos(p.bidCeiling)) {
    throw new MarketError('INVALID_ARGUMENT', 'repricing policy: step and stepBps must be non-negative integers, askFloor and bidCeiling positive integers');
  }
}

/** The price `order` would carry into the next cycle under `policy`. */
export function repricedPrice(order: Order, policy: RepricePolicy): number {
  validateOrder(order);
  checkPolicy(policy);
  const bps = BigInt(policy.stepBps ?? 0);
  const rel = Number((BigInt(order.price) * bps + 9999n) / 10000n);
  const delta = (policy.step ?? 0) + rel;
  if (order.side === 'ask') {
    const floor = policy.askFloor ?? 1;
    if (order.price <= floor) return order.price;
    return Math.max(floor, order.price - delta);
  }
  // Bid: keep price × quantity a safe integer.
  const cap = Math.min(policy.bidCeiling ?? Number.MAX_SAFE_INTEGER, Math.floor(Number.MAX_SAFE_INTEGER / order.quantity));
  if (order.price >= cap) return order.price;
  return order.price + delta >= cap ? cap : order.price + delta;
}

/** Options of {@link carryOver}. */
export interface CarryOverOptions {
  readonly cycleId: string;
  /** Policy for every order, or per order (null withdraws the order). Default: keep the price. */
  readonly policy?: RepricePolicy | ((order: Order) => RepricePolicy | null);
  /** Id of the carried order. Default: the same id (ids are unique per cycle). */
  readonly orderId?: (order: Order) => string;
  /**
   * Submission sequence of the carried order. Default: the original `seq`, so an order carried over
   * keeps its time priority over orders first submitted in the new cycle at the same price.
   */
  readonly seq?: (order: Order) => number;
}

/**
 * Turns the orders left in the book after a cycle (`remainingAsks` and `remainingBids` of
 * {@link matchCycle}, residual quantities) into orders of the next cycle, re-priced by the policy.
 */
export function carryOver(remaining: readonly Order[], options: CarryOverOptions): Order[] {
  if (typeof options?.cycleId !== 'string' || !MARKET_ID_PATTERN.test(options.cycleId)) {
    throw new MarketError('INVALID_CYCLE_ID', `cycleId must match ${MARKET_ID_PATTERN.source}`);
  }
  const out: Order[] = [];
  for (const o of remaining) {
    const policy = typeof options.policy === 'function' ? options.policy(o) : (options.policy ?? {});
    if (policy === null) continue;
    const next: Order = {
      orderId: options.orderId ? options.orderId(o) : o.orderId,
      side: o.side,
      owner: o.owner,
      price: repricedPrice(o, policy),
      quantity: o.quantity,
      seq: options.seq ? options.seq(o) : o.seq,
      cycleId: options.cycleId,
    };
    validateOrder(next);
    out.push(next);
  }
  return out;
}
