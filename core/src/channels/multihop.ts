import { check } from './errors';
import { checkTime, parseAmount, parsePositive } from './amount';
import { opens } from './htlc';
import { forwardFee, type FeePolicy, type Route } from './routing';
import { checkHash, other, type Htlc } from './state';

/** The HTLC to add on one hop's channel. */
export interface HopPlan {
  channelId: string;
  from: string;
  to: string;
  htlc: Htlc;
}

/** A multi-hop payment, pure data: what each channel must lock for it. */
export interface PaymentPlan {
  hashLock: string;
  amount: string;
  totalAmount: string;
  totalFees: string;
  hops: HopPlan[];
}

/**
 * Turn a route into the HTLC for each hop: the same hash lock everywhere, the hop's amount and its
 * shrinking time lock. `paymentId` becomes the HTLC id on every channel (unique per channel because
 * a route never uses a channel twice); by default the first 32 hex digits of the hash lock.
 */
export function planPayment(route: Route, hashLock: string, paymentId: string = hashLock.slice(0, 32)): PaymentPlan {
  checkHash(hashLock, 'hashLock');
  return {
    hashLock,
    amount: route.amount,
    totalAmount: route.totalAmount,
    totalFees: route.totalFees,
    hops: route.hops.map((h) => ({
      channelId: h.channelId,
      from: h.from,
      to: h.to,
      htlc: { id: paymentId, from: h.fromSide, to: other(h.fromSide), amount: h.amount, hashLock, timeLock: h.timeLock },
    })),
  };
}

/** What an intermediary demands before it forwards. */
export interface ForwardPolicy {
  fee: FeePolicy;
  /** Minimum gap between the incoming and outgoing locks: time to learn the preimage and claim upstream. */
  lockDelta: number;
}

/**
 * Forwarding rule, checked by an intermediary before it offers `outgoing` downstream for an
 * `incoming` HTLC it has received: same hash lock; it keeps at least its fee; the outgoing lock is
 * at least `lockDelta` earlier than the incoming one and still in the future.
 */
export function checkForward(incoming: Htlc, outgoing: Pick<Htlc, 'amount' | 'hashLock' | 'timeLock'>, policy: ForwardPolicy, now: number): void {
  checkTime(now, 'now');
  check(incoming.hashLock === checkHash(outgoing.hashLock, 'hashLock'), 'HASH_MISMATCH', 'outgoing HTLC must use the incoming hash lock');
  const inAmt = parsePositive(incoming.amount, 'incoming amount');
  const outAmt = parsePositive(outgoing.amount, 'outgoing amount');
  const fee = forwardFee(policy.fee, outAmt);
  check(inAmt >= outAmt + fee, 'FEE_INSUFFICIENT', `incoming ${inAmt} does not cover ${outAmt} + fee ${fee}`);
  check(outgoing.timeLock > now, 'LOCK_TOO_SOON', 'outgoing lock is already past');
  check(incoming.timeLock - outgoing.timeLock >= policy.lockDelta, 'LOCK_DELTA_TOO_SMALL', `locks ${incoming.timeLock} -> ${outgoing.timeLock} are closer than ${policy.lockDelta}s`);
}

/** Where one HTLC stands from its holder's view. */
export type HtlcStatus = 'pending' | 'settled' | 'failed';

/** A node's view of one payment: the HTLC it received (absent for the payer) and the one it offered (absent for the payee). */
export interface HopView {
  incoming?: { htlc: Htlc; status: HtlcStatus };
  outgoing?: { htlc: Htlc; status: HtlcStatus };
  /** The preimage, once known (the payee knows it from the start). */
  preimage?: string;
}

/** What to do next; each carries the deadline the wallet should show the user. */
export type HopAction =
  | { kind: 'wait'; until: number }
  | { kind: 'settle-incoming'; preimage: string; deadline: number }
  | { kind: 'reveal-on-chain'; preimage: string; deadline: number }
  | { kind: 'fail-outgoing'; reason: 'expired' }
  | { kind: 'fail-incoming'; deadline: number }
  | { kind: 'done' };

/**
 * The forwarding and fail-back rules as a pure decision, for the wallet and the watchtower:
 * - Knowing the preimage, claim the incoming HTLC off-chain; within `safety` seconds of its lock,
 *   reveal the preimage on chain instead (the chaincode's reveal counts for every channel).
 * - An outgoing HTLC whose lock has passed can no longer be claimed downstream: fail it, and fail the
 *   incoming one back at once. Because the outgoing lock is `lockDelta` earlier, this happens well
 *   before the upstream lock expires, so the upstream peer never has to force-close.
 * - An outgoing HTLC failed downstream is failed back upstream immediately.
 */
export function nextActions(view: HopView, now: number, safety: number): HopAction[] {
  checkTime(now, 'now');
  const acts: HopAction[] = [];
  const inc = view.incoming?.status === 'pending' ? view.incoming.htlc : undefined;
  const out = view.outgoing?.status === 'pending' ? view.outgoing.htlc : undefined;
  const pre = view.preimage !== undefined && inc && opens(view.preimage, inc.hashLock) ? view.preimage : undefined;

  if (inc && pre !== undefined) {
    if (now < inc.timeLock - safety) acts.push({ kind: 'settle-incoming', preimage: pre, deadline: inc.timeLock - safety });
    else if (now < inc.timeLock) acts.push({ kind: 'reveal-on-chain', preimage: pre, deadline: inc.timeLock });
  }
  if (out) {
    if (now >= out.timeLock) {
      acts.push({ kind: 'fail-outgoing', reason: 'expired' });
      if (inc && pre === undefined) acts.push({ kind: 'fail-incoming', deadline: inc.timeLock });
    } else acts.push({ kind: 'wait', until: out.timeLock });
  } else if (inc && pre === undefined && view.outgoing?.status === 'failed') {
    acts.push({ kind: 'fail-incoming', deadline: inc.timeLock });
  } else if (inc && pre === undefined && !view.outgoing) {
    // A payee without the preimage (should not happen) or a node that has not forwarded yet.
    acts.push({ kind: 'wait', until: inc.timeLock });
  }
  return acts.length ? acts : [{ kind: 'done' }];
}

/** Sum of fees a plan pays, recomputed from its hops (for display and cross-checks). */
export function planFees(plan: PaymentPlan): bigint {
  return parseAmount(plan.hops[0]?.htlc.amount ?? '0') - parseAmount(plan.amount);
}
