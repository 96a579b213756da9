/** Basis points: 10_000 = 100 %. */
export const BPS = 10_000;

/** `amount * bps / 10_000`, rounded up: fees, interest and fines never round in the debtor's favour. */
export function bpsOf(amount: number, bps: number): number {
  return Number((BigInt(amount) * BigInt(bps) + BigInt(BPS - 1)) / BigInt(BPS));
}

/** What a borrower owes to close a loan of `amount` Wh: the amount plus interest. */
export function repayDue(amount: number, interestBps: number): number {
  return amount + bpsOf(amount, interestBps);
}

/** Per-note payout when a pool closes: its balance shared equally, rounded down (the dust stays). */
export function payoutPerNote(poolBalance: number, notes: number): number {
  return notes === 0 ? 0 : Math.floor(poolBalance / notes);
}

/** How C_g moves: up on each repaid loan, down on a traced default, further down on a missed trace. */
export const GUARANTOR_SCORE_STEPS = { repaid: 5, defaulted: -50, missedTrace: -100 } as const;
