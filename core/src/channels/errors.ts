/** Stable failure codes of the channel library; the gateway maps them to problem+json types. */
export type ChannelErrorCode =
  // shape and amounts
  | 'BAD_STATE'
  | 'BAD_AMOUNT'
  | 'AMOUNT_OVERFLOW'
  | 'BAD_CHANNEL_ID'
  | 'CHANNEL_MISMATCH'
  | 'CONSERVATION_VIOLATED'
  | 'INSUFFICIENT_BALANCE'
  | 'VERSION_NOT_INCREASING'
  | 'CHANNEL_FINAL'
  | 'TOO_MANY_HTLCS'
  // signatures
  | 'BAD_KEY'
  | 'BAD_SIGNATURE'
  | 'NOT_COSIGNED'
  // HTLCs
  | 'BAD_HTLC'
  | 'DUPLICATE_HTLC'
  | 'UNKNOWN_HTLC'
  | 'BAD_PREIMAGE'
  | 'LOCK_TOO_SOON'
  | 'LOCK_TOO_FAR'
  | 'HTLC_NOT_EXPIRED'
  | 'HTLCS_PENDING'
  // protocol
  | 'NOT_ALLOWED'
  | 'UPDATE_IN_FLIGHT'
  | 'CONFLICT'
  | 'UNEXPECTED_MESSAGE'
  // settlement
  | 'NOT_DISPUTABLE'
  | 'CHALLENGE_TOO_LATE'
  | 'STALE_CHALLENGE'
  // routing and forwarding
  | 'NO_ROUTE'
  | 'INSUFFICIENT_CAPACITY'
  | 'ROUTE_TOO_LONG'
  | 'FEE_LIMIT_EXCEEDED'
  | 'LOCK_LIMIT_EXCEEDED'
  | 'FEE_INSUFFICIENT'
  | 'LOCK_DELTA_TOO_SMALL'
  | 'HASH_MISMATCH';

/** Every failure of the channel library; `code` is stable across versions. */
export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ChannelError';
  }
}

/** Throw a ChannelError unless `cond` holds. */
export function check(cond: unknown, code: ChannelErrorCode, message: string): asserts cond {
  if (!cond) throw new ChannelError(code, message);
}
