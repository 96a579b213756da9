import { MarketError } from './errors';
import type { OrderSide, Trade } from './types';
import { MARKET_ID_PATTERN } from './validate';

/**
 * What the market chaincode (contract `market`) and its clients (gateway, CLI, tests) share: the
 * bodies end users sign, the action names of those signatures, the market parameters and the
 * on-chain records. See docs/market.md, "On chain".
 *
 * @packageDocumentation
 */

/** Action names of the signed requests (domain tags of `signRequest`/`verifyRequest`). */
export const MARKET_ACTIONS = {
  order: 'market-order',
  cancel: 'market-cancel',
  invoice: 'market-invoice',
  ack: 'market-ack',
} as const;

/** An order, signed by `account` (the trader's registered Ed25519 account) with its next nonce. */
export interface OrderBody {
  cycleId: string;
  side: OrderSide;
  /** `S_EP` (ask) or `P_EP` (bid), payment units per Wh. */
  price: number;
  /** `ES` (ask) or `EP` (bid), Wh. */
  quantity: number;
  /** The registered identity (KGC ID) of the user or charging pile. */
  trader: string;
  account: string;
  nonce: number;
  /**
   * Re-pricing an unmatched order for the next cycle: the order of a cleared cycle whose residual
   * this order carries (same owner and side; `quantity` at most the residual). The new order keeps
   * the old one's submission time, so it keeps its time priority at equal prices.
   */
  carryFrom?: OrderRef;
}

/**
 * Where an order is: its cycle, id and book position. The chaincode keys an order by these (no
 * id index, so that submitting an order writes one key besides the nonce); `SubmitOrder`'s answer
 * and every book listing carry them.
 */
export interface OrderRef {
  cycleId: string;
  orderId: string;
  side: OrderSide;
  price: number;
  seq: number;
}

/** Cancels an order of an open cycle; signed by the order's owner. */
export interface CancelBody extends OrderRef {
  account: string;
  nonce: number;
}

/** The seller's invoice for an obligation: the hash lock `H(R)` the buyer pays to (directly or multi-hop). */
export interface InvoiceBody {
  cycleId: string;
  index: number;
  hashLock: string;
  account: string;
  nonce: number;
}

/** The seller acknowledges receipt of an obligation's payment (e.g. a plain channel update). */
export interface AckBody {
  cycleId: string;
  index: number;
  account: string;
  nonce: number;
}

/** Utility-set market parameters. */
export interface MarketParams {
  /** Length of a trading cycle, seconds: orders are refused from `openedAt + cycleLengthS` on. */
  cycleLengthS: number;
  /** Time from clearing to the payment deadline of each obligation, seconds. */
  settlementWindowS: number;
  /** Orders read per side in one clearing transaction. */
  pageSize: number;
  /** Trades written in one clearing transaction at most. */
  maxTradesPerTx: number;
}

export const DEFAULT_MARKET_PARAMS: MarketParams = { cycleLengthS: 900, settlementWindowS: 3600, pageSize: 200, maxTradesPerTx: 200 };

const LIMITS: Record<keyof MarketParams, [number, number]> = {
  cycleLengthS: [1, 31 * 86400],
  settlementWindowS: [2, 365 * 86400],
  pageSize: [1, 2000],
  maxTradesPerTx: [1, 2000],
};

/** Checks a full parameter set (integers within bounds, no unknown field). */
export function validateMarketParams(x: unknown): MarketParams {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new MarketError('INVALID_ARGUMENT', 'market params must be an object');
  const o = x as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!(k in LIMITS)) throw new MarketError('INVALID_ARGUMENT', `unknown market parameter ${k}`);
  const out: Record<string, number> = {};
  for (const [k, [lo, hi]] of Object.entries(LIMITS)) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > hi) throw new MarketError('INVALID_ARGUMENT', `${k} must be an integer in [${lo}, ${hi}]`);
    out[k] = v;
  }
  return out as unknown as MarketParams;
}

/** A trading cycle on chain. */
export interface CycleRecord {
  cycleId: string;
  status: 'open' | 'closed' | 'cleared';
  openedAt: number;
  /** Orders are accepted while `now < closesAt` and the cycle is open. */
  closesAt: number;
  closedAt?: number;
  clearedAt?: number;
  /** Copied from the parameters at opening. */
  settlementWindowS: number;
  /** Clearing transactions so far. */
  clearingTxs: number;
  /** Final clearing statistics (when cleared). */
  stats?: import('./types').ClearingStats;
}

/** An order on chain (key `mkorder`), as submitted plus what clearing filled. */
export interface OrderRecord {
  orderId: string;
  cycleId: string;
  side: OrderSide;
  owner: string;
  trader: string;
  price: number;
  quantity: number;
  seq: number;
  submittedAt: number;
  /** Wh filled at clearing (absent: 0). */
  filled?: number;
  /** Wh carried into another cycle's order (absent: 0). */
  carried?: number;
  carriedFrom?: OrderRef;
}

/** A trade and the settlement obligation it creates (key `mktrade`). */
export interface ObligationRecord extends Trade {
  sellerId: string;
  buyerId: string;
  status: 'unpaid' | 'settled' | 'defaulted';
  clearedAt: number;
  /** The seller may invoice (set a hash lock) until this time. */
  invoiceBy: number;
  /** The buyer must have paid (evidence on chain) by this time; after it anyone may report. */
  deadline: number;
  hashLock?: string;
  invoicedAt?: number;
  settledAt?: number;
  evidence?: { kind: 'payee-ack' } | { kind: 'preimage'; preimage: string };
  reportedAt?: number;
  defaulter?: 'buyer' | 'seller';
}

/** Public record of a party that did not meet an obligation (key `mkdefault`). */
export interface DefaultRecord {
  account: string;
  trader: string;
  role: 'buyer' | 'seller';
  reason: 'unpaid' | 'no-invoice';
  cycleId: string;
  index: number;
  amount: number;
  deadline: number;
  reportedAt: number;
}

/** Checks the shape of a signed order body (before any signature check). */
export function checkOrderBody(x: unknown): OrderBody {
  if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new MarketError('INVALID_ORDER', 'order must be an object');
  const o = x as Record<string, unknown>;
  const allowed = ['cycleId', 'side', 'price', 'quantity', 'trader', 'account', 'nonce', 'carryFrom'];
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new MarketError('INVALID_ORDER', `order has unknown field ${k}`);
  if (typeof o.cycleId !== 'string' || !MARKET_ID_PATTERN.test(o.cycleId)) throw new MarketError('INVALID_CYCLE_ID', 'cycleId must match the id charset');
  if (typeof o.trader !== 'string' || o.trader.length === 0 || o.trader.length > 128) throw new MarketError('INVALID_ORDER', 'trader must be a registered identity id');
  if (o.carryFrom !== undefined) checkOrderRef(o.carryFrom, 'carryFrom');
  return o as unknown as OrderBody;
}

/** Checks an order reference `{cycleId, orderId, side, price, seq}` (nothing else). */
export function checkOrderRef(x: unknown, what = 'order reference'): OrderRef {
  const c = x as Record<string, unknown>;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw new MarketError('INVALID_ARGUMENT', `${what} must be {cycleId, orderId, side, price, seq}`);
  for (const k of Object.keys(c)) if (!['cycleId', 'orderId', 'side', 'price', 'seq'].includes(k)) throw new MarketError('INVALID_ARGUMENT', `${what} has unknown field ${k}`);
  if (typeof c.cycleId !== 'string' || !MARKET_ID_PATTERN.test(c.cycleId)) throw new MarketError('INVALID_CYCLE_ID', `${what}.cycleId must match the id charset`);
  if (typeof c.orderId !== 'string' || !MARKET_ID_PATTERN.test(c.orderId)) throw new MarketError('INVALID_ORDER_ID', `${what}.orderId must match the id charset`);
  if (c.side !== 'ask' && c.side !== 'bid') throw new MarketError('INVALID_SIDE', `${what}.side must be ask or bid`);
  if (typeof c.price !== 'number' || !Number.isSafeInteger(c.price) || c.price < 1) throw new MarketError('INVALID_PRICE', `${what}.price must be a positive integer`);
  if (typeof c.seq !== 'number' || !Number.isSafeInteger(c.seq) || c.seq < 0) throw new MarketError('INVALID_SEQ', `${what}.seq must be a non-negative integer`);
  return c as unknown as OrderRef;
}

/** The reference of an order record. */
export const orderRefOf = (o: OrderRef): OrderRef => ({ cycleId: o.cycleId, orderId: o.orderId, side: o.side, price: o.price, seq: o.seq });

const pad = (n: number) => String(n).padStart(10, '0');
/** Composite-key attribute of a trade index (fixed width, so a range scan returns trades in order). */
export const tradeIndexAttr = pad;
