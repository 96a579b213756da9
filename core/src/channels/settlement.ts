import { canonicalJson } from '../canonical-json';
import { ChannelError, check } from './errors';
import { checkTime, formatAmount, parseAmount, sumAmounts } from './amount';
import { resolveHtlc, type HtlcResolution, type Reveal } from './htlc';
import { isRevoked, type Revocation } from './revocation';
import { assertCoSigned, assertChannelKey, type PartyKeys, type SignedState } from './signing';
import { checkChannelId, openingState, parseState, type Htlc, type ParsedState, type Side } from './state';

/** What the chaincode stores at open. */
export interface ChannelRecord {
  channelId: string;
  /** Ed25519 channel keys of the two sides (bound to registered identities at open). */
  keys: PartyKeys;
  /** Locked deposits; their sum is the channel total and they form version 0. */
  deposits: { a: string; b: string };
  /** Seconds after a unilateral close during which a newer state or breach evidence may be posted. */
  disputeWindow: number;
}

/** A state posted on chain by one side (or a watchtower acting for it) at transaction time `postedAt`. */
export interface Post {
  by: Side;
  postedAt: number;
  /** Version 0 is the opening state and needs no signatures (its sigs are ignored). */
  signed: SignedState;
}

/** Everything the chaincode knows when it settles a close. */
export interface SettleInput {
  record: ChannelRecord;
  /** The first post: a final co-signed state (cooperative) or any co-signed state (unilateral). */
  close: Post;
  /** The best newer state posted within the dispute window, if any. */
  counter?: Post;
  /** Revocations posted as breach evidence. */
  revocations?: readonly Revocation[];
  /** Signed states posted as evidence only (each opened by a revocation); never a close or counter. */
  evidence?: readonly SignedState[];
  /** Preimages revealed on chain, with the transaction time of their first reveal. */
  reveals?: readonly Reveal[];
  /** Transaction time of the settling call, unix seconds. */
  now: number;
}

/** How each HTLC of the winning state ends (or why it still blocks payout). */
export interface HtlcOutcome extends Htlc {
  resolution: HtlcResolution;
}

/** Outcome of {@link settle}: either final payouts, or what is still awaited and until when. */
export type Settlement =
  | {
      status: 'settled';
      kind: 'cooperative' | 'unilateral' | 'breach';
      version: number;
      payouts: { a: string; b: string };
      /** Set on breach: the side that posted a state it had revoked. */
      cheater?: Side;
      htlcs: HtlcOutcome[];
    }
  | {
      status: 'pending';
      kind: 'unilateral';
      version: number;
      /** End of the dispute window. */
      deadline: number;
      /** Earliest time payout can happen given what is known now (HTLC locks may extend it). */
      readyAt: number;
      htlcs: HtlcOutcome[];
    };

/** Validate the on-chain record (the chaincode calls this at open too). Returns the total. */
export function checkRecord(record: ChannelRecord): bigint {
  checkChannelId(record.channelId);
  assertChannelKey(record.keys.a);
  assertChannelKey(record.keys.b);
  check(record.keys.a !== record.keys.b, 'BAD_KEY', 'the two sides must use different keys');
  checkTime(record.disputeWindow, 'disputeWindow');
  check(record.disputeWindow > 0, 'BAD_STATE', 'disputeWindow must be positive');
  return sumAmounts([parseAmount(record.deposits.a, 'deposit a'), parseAmount(record.deposits.b, 'deposit b')], 'channel total');
}

/**
 * Check that a posted state belongs to this channel, conserves its total and is co-signed (or is
 * exactly the opening state). The chaincode calls this before storing any post.
 */
export function checkPost(record: ChannelRecord, post: Post, total: bigint = checkRecord(record)): ParsedState {
  check(post.by === 'a' || post.by === 'b', 'BAD_STATE', 'post.by must be a or b');
  checkTime(post.postedAt, 'postedAt');
  const s = post.signed?.state;
  check(s?.channelId === record.channelId, 'CHANNEL_MISMATCH', 'posted state is for another channel');
  if (s.version === 0) {
    check(canonicalJson(s) === canonicalJson(openingState(record.channelId, record.deposits)), 'BAD_STATE', 'version 0 must be the opening state');
    return parseState(s, total);
  }
  return assertCoSigned(post.signed, record.keys, total);
}

/** Deadline of the dispute window opened by a unilateral close. */
export function disputeDeadline(record: ChannelRecord, close: Post): number {
  return close.postedAt + record.disputeWindow;
}

/**
 * Check that a counter-post may be accepted now: a unilateral close, inside the window, strictly
 * newer than what is already posted. The chaincode calls it when the counter arrives.
 */
export function checkCounter(record: ChannelRecord, close: Post, counter: Post, best?: Post): void {
  check(close.signed.state.final !== true, 'NOT_DISPUTABLE', 'a cooperative close has no dispute');
  check(counter.postedAt >= close.postedAt && counter.postedAt < disputeDeadline(record, close), 'CHALLENGE_TOO_LATE', 'the dispute window is closed');
  const floor = (best ?? close).signed.state.version;
  check(counter.signed.state.version > floor, 'STALE_CHALLENGE', `a counter must be newer than version ${floor}`);
  checkPost(record, counter);
}

function outcomes(p: ParsedState, reveals: readonly Reveal[], now: number): HtlcOutcome[] {
  return p.state.htlcs.map((h) => ({ ...h, resolution: resolveHtlc(h, reveals, now) }));
}

/**
 * The settlement rule, pure and integer-only:
 * 1. Cooperative: a co-signed `final` state pays out at once.
 * 2. Breach: if exactly one side posted a version it had provably revoked (its own signature on a
 *    version two higher, or its revocation secret with its signed state it opens), the other side
 *    gets the whole total at once.
 * 3. Unilateral: the highest posted co-signed version wins; balances pay out once the dispute
 *    window is over; each pending HTLC pays its receiver if its preimage was revealed before its
 *    lock, else refunds its sender once the lock has passed. Payout waits until every HTLC is decided.
 */
export function settle(input: SettleInput): Settlement {
  const { record, close, counter, now } = input;
  const reveals = input.reveals ?? [];
  checkTime(now, 'now');
  const total = checkRecord(record);
  const closed = checkPost(record, close, total);

  if (closed.state.final === true) {
    if (counter) throw new ChannelError('NOT_DISPUTABLE', 'a cooperative close has no dispute');
    return { status: 'settled', kind: 'cooperative', version: closed.state.version, payouts: { a: formatAmount(closed.a), b: formatAmount(closed.b) }, htlcs: [] };
  }

  let best = closed;
  if (counter) {
    checkCounter(record, close, counter);
    best = checkPost(record, counter, total);
  }

  const posts = counter ? [close, counter] : [close];
  const evidence = { states: [...posts.map((p) => p.signed), ...(input.evidence ?? [])], revocations: input.revocations ?? [] };
  const cheaters = new Set(posts.filter((p) => isRevoked(record.channelId, p.by, p.signed.state.version, evidence, record.keys)).map((p) => p.by));
  if (cheaters.size === 1) {
    // If both sides cheated (only possible if both misbehave), no one is honest: fall through to
    // "newest wins" rather than pick a side.
    const cheater = [...cheaters][0];
    const payouts = cheater === 'a' ? { a: '0', b: formatAmount(total) } : { a: formatAmount(total), b: '0' };
    return { status: 'settled', kind: 'breach', version: best.state.version, payouts, cheater, htlcs: [] };
  }

  const deadline = disputeDeadline(record, close);
  const htlcs = outcomes(best, reveals, now);
  const waiting = htlcs.flatMap((h) => (h.resolution.outcome === 'pending' ? [h.resolution.until] : []));
  if (now < deadline || waiting.length > 0) {
    return { status: 'pending', kind: 'unilateral', version: best.state.version, deadline, readyAt: Math.max(deadline, ...waiting), htlcs };
  }
  let a = best.a;
  let b = best.b;
  for (const [i, h] of htlcs.entries()) {
    const side: Side = h.resolution.outcome === 'receiver' ? h.to : h.from;
    if (side === 'a') a += best.htlcs[i].value;
    else b += best.htlcs[i].value;
  }
  check(a + b === total, 'CONSERVATION_VIOLATED', 'payouts do not add up to the channel total');
  return { status: 'settled', kind: 'unilateral', version: best.state.version, payouts: { a: formatAmount(a), b: formatAmount(b) }, htlcs };
}
