import { rejectUnknownKeys, requireObject, requireUint, ValidationError } from '../errors';

/** Weights are integer percentages: the paper's W_b, W_g in [0, 1] scaled by 100. */
export const WEIGHT_SCALE = 100;
/** Scores live in [0, 2^32): the borrow circuit range-checks them to 32 bits. */
export const MAX_SCORE = 2 ** 32 - 1;

/** One row of the published minimum-score table C(M, D). */
export interface MinScoreTier {
  /** The row covers loans of at most this many Wh... */
  maxAmountWh: number;
  /** ...lasting at most this many seconds. */
  maxDurationS: number;
  /** The minimum credit score C(M, D) such a loan needs. */
  minScore: number;
}

/**
 * The platform parameters of the lending paper's setup phase, published by the Utility.
 * Integers only: amounts in Wh, times in seconds, rates in basis points, weights in percent.
 */
export interface LendingParams {
  /** Borrower credit weight W_b, percent. */
  W_b: number;
  /** Guarantor credit weight W_g, percent; W_b + W_g = 100. */
  W_g: number;
  /** The minimum-score function C(M, D) as a table; C is the least minScore of the rows covering (M, D). */
  minScoreTable: MinScoreTier[];
  /** The expiry function E(D) = borrow time + D + graceS. */
  expiry: { graceS: number };
  /** Interest a borrower repays on top of the amount, basis points. */
  interestBps: number;
  /** Late penalty added to a defaulted debt, basis points of the amount. */
  latePenaltyBps: number;
  /** Fine the guarantor pays on a traced default, basis points of the amount (>= 10000 makes the pool whole). */
  defaultFineBps: number;
  /** Seconds the guarantor has to publish its decryption share after a default is declared. */
  traceWindowS: number;
  /** Extra fine for a guarantor that misses its tracing window, basis points of the amount. */
  missedTraceFineBps: number;
  /** The fixed deposit sizes pools accept, Wh. */
  poolDenominationsWh: number[];
}

const KEYS = ['W_b', 'W_g', 'minScoreTable', 'expiry', 'interestBps', 'latePenaltyBps', 'defaultFineBps', 'traceWindowS', 'missedTraceFineBps', 'poolDenominationsWh'] as const;

/** Checks untrusted input and returns it as LendingParams; throws ValidationError naming the field. */
export function validateLendingParams(input: unknown): LendingParams {
  const o = requireObject(input, 'params');
  rejectUnknownKeys(o, KEYS, 'params');
  for (const k of KEYS) if (o[k] === undefined) throw new ValidationError('is required', k);
  const W_b = requireUint(o.W_b, 'W_b', WEIGHT_SCALE);
  const W_g = requireUint(o.W_g, 'W_g', WEIGHT_SCALE);
  if (W_b + W_g !== WEIGHT_SCALE) throw new ValidationError(`W_b + W_g must be ${WEIGHT_SCALE}, got ${W_b + W_g}`, 'W_b');
  if (!Array.isArray(o.minScoreTable) || o.minScoreTable.length === 0 || o.minScoreTable.length > 64) {
    throw new ValidationError('must be a list of 1 to 64 tiers', 'minScoreTable');
  }
  const minScoreTable = o.minScoreTable.map((row: unknown, i: number) => {
    const p = `minScoreTable[${i}]`;
    const r = requireObject(row, p);
    rejectUnknownKeys(r, ['maxAmountWh', 'maxDurationS', 'minScore'], p);
    return {
      maxAmountWh: requireUint(r.maxAmountWh, `${p}.maxAmountWh`),
      maxDurationS: requireUint(r.maxDurationS, `${p}.maxDurationS`),
      minScore: requireUint(r.minScore, `${p}.minScore`, MAX_SCORE),
    };
  });
  const expiry = requireObject(o.expiry, 'expiry');
  rejectUnknownKeys(expiry, ['graceS'], 'expiry');
  if (!Array.isArray(o.poolDenominationsWh) || o.poolDenominationsWh.length === 0 || o.poolDenominationsWh.length > 16) {
    throw new ValidationError('must be a list of 1 to 16 amounts', 'poolDenominationsWh');
  }
  const poolDenominationsWh = o.poolDenominationsWh.map((d: unknown, i: number) => requireUint(d, `poolDenominationsWh[${i}]`));
  if (poolDenominationsWh.some((d) => d === 0)) throw new ValidationError('must be positive', 'poolDenominationsWh');
  if (new Set(poolDenominationsWh).size !== poolDenominationsWh.length) throw new ValidationError('must not repeat', 'poolDenominationsWh');
  return {
    W_b,
    W_g,
    minScoreTable,
    expiry: { graceS: requireUint(expiry.graceS, 'expiry.graceS') },
    interestBps: requireUint(o.interestBps, 'interestBps', 100_000),
    latePenaltyBps: requireUint(o.latePenaltyBps, 'latePenaltyBps', 100_000),
    defaultFineBps: requireUint(o.defaultFineBps, 'defaultFineBps', 100_000),
    traceWindowS: requireUint(o.traceWindowS, 'traceWindowS'),
    missedTraceFineBps: requireUint(o.missedTraceFineBps, 'missedTraceFineBps', 100_000),
    poolDenominationsWh,
  };
}

/** C(M, D): the least minimum score among the tiers that cover the loan, or undefined if none does. */
export function minScore(params: Pick<LendingParams, 'minScoreTable'>, amountWh: number, durationS: number): number | undefined {
  let best: number | undefined;
  for (const t of params.minScoreTable) {
    if (amountWh <= t.maxAmountWh && durationS <= t.maxDurationS && (best === undefined || t.minScore < best)) best = t.minScore;
  }
  return best;
}

/** E(D): the due time, seconds since the epoch, of a loan taken at `borrowedAt` for `durationS`. */
export function expiryTime(params: Pick<LendingParams, 'expiry'>, borrowedAt: number, durationS: number): number {
  return borrowedAt + durationS + params.expiry.graceS;
}

/**
 * The paper's formula (1): C(M_b, D_b) <= C_b*W_b + C_g*W_g, with weights in percent, so both sides
 * are scaled by WEIGHT_SCALE. Uses bigint so no product can lose precision.
 */
export function creditSatisfied(minScoreValue: number, C_b: number, W_b: number, C_g: number, W_g: number): boolean {
  return BigInt(minScoreValue) * BigInt(WEIGHT_SCALE) <= BigInt(C_b) * BigInt(W_b) + BigInt(C_g) * BigInt(W_g);
}

/** Parameters a fresh network starts from; the Utility changes them by a governed transaction. */
export const DEFAULT_LENDING_PARAMS: LendingParams = {
  W_b: 60,
  W_g: 40,
  minScoreTable: [
    { maxAmountWh: 10_000, maxDurationS: 7 * 86_400, minScore: 500 },
    { maxAmountWh: 50_000, maxDurationS: 30 * 86_400, minScore: 650 },
    { maxAmountWh: 200_000, maxDurationS: 90 * 86_400, minScore: 750 },
  ],
  expiry: { graceS: 86_400 },
  interestBps: 500,
  latePenaltyBps: 1_000,
  defaultFineBps: 11_000,
  traceWindowS: 3 * 86_400,
  missedTraceFineBps: 5_000,
  poolDenominationsWh: [1_000, 10_000, 100_000],
};
