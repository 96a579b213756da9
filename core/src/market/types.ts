/**
 * Types of the trading-cycle double auction (paper 2, "Mobile energy trading over payment channels",
 * section 3.1 system model and the price matching mechanism of section 3.4).
 *
 * Units (integers only; no floats anywhere on chain):
 * - energy: **Wh**;
 * - price: **payment units per Wh**, so the payment for a trade, `price × quantity`, is an exact
 *   integer number of payment units and needs no second rounding.
 *
 * @packageDocumentation
 */

/** `'ask'`: a seller (distributed generation, charging pile, discharging EV); `'bid'`: a buyer. */
export type OrderSide = 'ask' | 'bid';

/**
 * One quotation submitted in a trading cycle.
 *
 * A seller submits the paper's electricity sales quotation `S_EP` (as {@link Order.price}) and the
 * electricity sales `ES` (as {@link Order.quantity}); a buyer submits the purchase quotation `P_EP`
 * and the electricity purchase `EP`.
 */
export interface Order {
  /** Unique within the cycle; `[A-Za-z0-9._:-]{1,128}`. The chaincode may use the Fabric txId. */
  readonly orderId: string;
  readonly side: OrderSide;
  /** The owner's public key, lowercase hex (even length). */
  readonly owner: string;
  /** `S_EP` (ask) or `P_EP` (bid): positive safe integer, payment units per Wh. */
  readonly price: number;
  /** `ES` (ask) or `EP` (bid): positive safe integer, Wh. `price × quantity` must be a safe integer. */
  readonly quantity: number;
  /**
   * Submission order: non-negative safe integer, smaller = earlier. Equal `(price, seq)` are ordered
   * by `orderId`, so `(seq, orderId)` is the `(txTimestamp, txId)` tuple when `seq` comes from
   * {@link seqFromTxTimestamp} and `orderId` is the txId.
   */
  readonly seq: number;
  /** The trading cycle this order belongs to; same charset as `orderId`. */
  readonly cycleId: string;
}

/** One match between an ask and a bid. */
export interface Trade {
  readonly cycleId: string;
  /** 0-based position of this trade in the cycle's clearing (stable across paging). */
  readonly index: number;
  readonly askId: string;
  readonly bidId: string;
  /** Owner of the ask. */
  readonly seller: string;
  /** Owner of the bid. */
  readonly buyer: string;
  /** The seller's quotation `S_EP` (= `P_min` of this match). */
  readonly sellPrice: number;
  /** The buyer's quotation `P_EP` (= `P_max` of this match). */
  readonly buyPrice: number;
  /** The transaction price `P_fin = floor((P_min + P_max) / 2)`, payment units per Wh. */
  readonly price: number;
  /** Energy traded, Wh: the paper's `C_ES` (sold) = `C_EP` (purchased). */
  readonly quantity: number;
  /** Payment owed by buyer to seller, `price × quantity` payment units (the paper's purchase fee). */
  readonly payment: number;
}

/**
 * An order left in the book after clearing, `quantity` being what is left. An untouched order is the
 * submitted object itself; a partially filled one (at most one per side: the head) is a copy with the
 * residual `quantity` and the submitted quantity in `originalQuantity`.
 */
export interface ResidualOrder extends Order {
  readonly originalQuantity?: number;
}

/** Clearing statistics; every field is an integer or null, so they can be written on chain. */
export interface ClearingStats {
  /** Number of trades. */
  readonly trades: number;
  /** Total energy traded, Wh. */
  readonly volume: number;
  /** Total payments, payment units (Σ price × quantity). */
  readonly value: number;
  /** Lowest / highest transaction price, or null with no trade. */
  readonly minPrice: number | null;
  readonly maxPrice: number | null;
  /** Volume-weighted average price, `floor(value / volume)`, or null with no trade. */
  readonly vwap: number | null;
  /** Price of the best order left in the book on each side (partially filled or untouched), or null. */
  readonly bestUnmatchedAsk: number | null;
  readonly bestUnmatchedBid: number | null;
}

/** Result of {@link matchCycle}. */
export interface MatchResult {
  readonly cycleId: string | null;
  readonly trades: Trade[];
  /** Asks left in the book, in book order (low → high), residual quantities. */
  readonly remainingAsks: ResidualOrder[];
  /** Bids left in the book, in book order (high → low), residual quantities. */
  readonly remainingBids: ResidualOrder[];
  readonly stats: ClearingStats;
}
