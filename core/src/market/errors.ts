import { ValidationError } from '../errors';

/**
 * Stable error codes of the market module. Callers (chaincode, gateway) map them to transaction
 * failures and HTTP problems; the codes never change meaning.
 */
export const MARKET_ERROR_CODES = [
  /** The order is not an object. */
  'INVALID_ORDER',
  'INVALID_ORDER_ID',
  'INVALID_SIDE',
  'INVALID_OWNER',
  /** Price is not a positive safe integer. */
  'INVALID_PRICE',
  /** Quantity is not a positive safe integer. */
  'INVALID_QUANTITY',
  'INVALID_SEQ',
  'INVALID_CYCLE_ID',
  /** price × quantity is not a safe integer. */
  'NOTIONAL_TOO_LARGE',
  'DUPLICATE_ORDER_ID',
  /** Orders of different cycles in one book, or a page of another cycle than its cursor. */
  'CYCLE_MISMATCH',
  /** A page is not in book order, or does not continue where the cursor stopped. */
  'PAGE_OUT_OF_ORDER',
  /** The cursor is malformed. */
  'INVALID_CURSOR',
  /** A non-order argument (page size, repricing policy, …) is invalid. */
  'INVALID_ARGUMENT',
  /** A cycle total (volume or value) would exceed the safe-integer range. */
  'AMOUNT_OVERFLOW',
] as const;

export type MarketErrorCode = (typeof MARKET_ERROR_CODES)[number];

/**
 * Error thrown by every market function on bad input; `code` is stable, `message` is for humans.
 * A {@link ValidationError}, so the gateway and chaincode map it like any other refused request.
 */
export class MarketError extends ValidationError {
  readonly code: MarketErrorCode;
  /** The order concerned, when there is one. */
  readonly orderId: string | undefined;

  constructor(code: MarketErrorCode, message: string, orderId?: string) {
    super(`${code}: ${message}`);
    this.name = 'MarketError';
    this.code = code;
    this.orderId = orderId;
  }
}

/** True if `e` is a {@link MarketError} (optionally with the given code). */
export function isMarketError(e: unknown, code?: MarketErrorCode): e is MarketError {
  return e instanceof MarketError && (code === undefined || e.code === code);
}
