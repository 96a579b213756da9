import { ChannelError, check } from './errors';

/**
 * Largest amount anywhere in a channel (balances, HTLCs, totals, fees): 2^63 - 1, so every value
 * also fits a signed 64-bit column in the gateway's store and a Go int64 in other clients.
 */
export const MAX_AMOUNT = (1n << 63n) - 1n;

const DECIMAL = /^(?:0|[1-9][0-9]{0,18})$/;

/**
 * Parse a wire amount: a decimal string with no sign, no leading zeros, no fraction, no exponent,
 * at most {@link MAX_AMOUNT}. Numbers are refused outright so a float can never slip in.
 */
export function parseAmount(value: unknown, what = 'amount'): bigint {
  check(typeof value === 'string', 'BAD_AMOUNT', `${what} must be a decimal string, got ${typeof value}`);
  check(DECIMAL.test(value), 'BAD_AMOUNT', `${what} must be a non-negative integer in canonical decimal, got ${JSON.stringify(value).slice(0, 40)}`);
  const x = BigInt(value);
  check(x <= MAX_AMOUNT, 'AMOUNT_OVERFLOW', `${what} exceeds 2^63-1`);
  return x;
}

/** Parse an amount that must be strictly positive. */
export function parsePositive(value: unknown, what = 'amount'): bigint {
  const x = parseAmount(value, what);
  check(x > 0n, 'BAD_AMOUNT', `${what} must be positive`);
  return x;
}

/** Format a bigint amount for the wire, refusing negatives and overflow. */
export function formatAmount(x: bigint, what = 'amount'): string {
  if (x < 0n) throw new ChannelError('BAD_AMOUNT', `${what} would be negative`);
  if (x > MAX_AMOUNT) throw new ChannelError('AMOUNT_OVERFLOW', `${what} exceeds 2^63-1`);
  return x.toString();
}

/** Checked sum of amounts. */
export function sumAmounts(xs: Iterable<bigint>, what = 'sum'): bigint {
  let s = 0n;
  for (const x of xs) s += x;
  check(s <= MAX_AMOUNT, 'AMOUNT_OVERFLOW', `${what} exceeds 2^63-1`);
  return s;
}

/** Unix time in seconds: a non-negative safe integer. */
export function checkTime(t: unknown, what: string): number {
  check(typeof t === 'number' && Number.isSafeInteger(t) && t >= 0, 'BAD_STATE', `${what} must be integer unix seconds`);
  return t;
}
