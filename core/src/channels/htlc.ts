import { createHash, randomBytes } from 'node:crypto';
import { ChannelError, check } from './errors';
import { checkTime, parsePositive } from './amount';
import { DEFAULT_LIMITS, buildState, checkHash, parseState, type ChannelState, type Htlc, type StateLimits } from './state';

/** Bounds on time locks accepted when an HTLC is added, in seconds relative to `now`. */
export interface HtlcPolicy extends StateLimits {
  /** The receiver needs at least this long to reveal on chain if its peer stops answering. */
  minLockDelta: number;
  /** Refuse locks further out: long locks are how jamming and stuck funds hurt users. */
  maxLockAhead: number;
}
export const DEFAULT_HTLC_POLICY: HtlcPolicy = { ...DEFAULT_LIMITS, minLockDelta: 600, maxLockAhead: 14 * 86400 };

const PREIMAGE = /^[0-9a-f]{64}$/;

/** sha256 of a 32-byte preimage given as hex; throws BAD_PREIMAGE for anything else. */
export function hashLockOf(preimage: string): string {
  check(typeof preimage === 'string' && PREIMAGE.test(preimage), 'BAD_PREIMAGE', 'preimage must be 32 bytes of lower-case hex');
  return createHash('sha256').update(Buffer.from(preimage, 'hex')).digest('hex');
}

/** A fresh secret R and its lock H(R), made by the payee. */
export function newPreimage(): { preimage: string; hashLock: string } {
  const preimage = randomBytes(32).toString('hex');
  return { preimage, hashLock: hashLockOf(preimage) };
}

/** True when `preimage` opens `hashLock` (false, not throw, for a malformed preimage). */
export function opens(preimage: unknown, hashLock: string): boolean {
  return typeof preimage === 'string' && PREIMAGE.test(preimage) && hashLockOf(preimage) === hashLock;
}

/**
 * Next state with `htlc` added: the amount leaves `from`'s balance and is held by the lock.
 * The lock must lie in `[now + minLockDelta, now + maxLockAhead]`.
 */
export function addHtlc(prev: ChannelState, htlc: Htlc, now: number, policy: HtlcPolicy = DEFAULT_HTLC_POLICY): ChannelState {
  const p = parseState(prev);
  checkTime(now, 'now');
  const value = parsePositive(htlc.amount, 'htlc amount');
  checkHash(htlc.hashLock, 'hashLock');
  checkTime(htlc.timeLock, 'timeLock');
  check(htlc.timeLock >= now + policy.minLockDelta, 'LOCK_TOO_SOON', `time lock ${htlc.timeLock} is less than ${policy.minLockDelta}s after now (${now})`);
  check(htlc.timeLock <= now + policy.maxLockAhead, 'LOCK_TOO_FAR', `time lock ${htlc.timeLock} is more than ${policy.maxLockAhead}s after now`);
  check(!p.htlcs.some((h) => h.id === htlc.id), 'DUPLICATE_HTLC', `htlc ${htlc.id} already pending`);
  check(htlc.to !== htlc.from, 'BAD_HTLC', 'htlc from and to must differ');
  const bal = htlc.from === 'a' ? p.a : htlc.from === 'b' ? p.b : -1n;
  check(bal >= 0n, 'BAD_HTLC', 'htlc from must be a or b');
  check(bal >= value, 'INSUFFICIENT_BALANCE', `${htlc.from} has ${bal}, htlc needs ${value}`);
  const a = htlc.from === 'a' ? p.a - value : p.a;
  const b = htlc.from === 'b' ? p.b - value : p.b;
  const next = buildState(prev, a, b, [...prev.htlcs, htlc]);
  parseState(next, p.total, policy);
  return next;
}

function take(prev: ChannelState, id: string) {
  const p = parseState(prev);
  const h = p.htlcs.find((x) => x.id === id);
  if (!h) throw new ChannelError('UNKNOWN_HTLC', `no pending htlc ${id}`);
  return { p, h, rest: prev.htlcs.filter((x) => x.id !== id) };
}

/** Next state with HTLC `id` paid to its receiver; requires the preimage. */
export function settleHtlc(prev: ChannelState, id: string, preimage: string): ChannelState {
  const { p, h, rest } = take(prev, id);
  check(hashLockOf(preimage) === h.hashLock, 'BAD_PREIMAGE', `preimage does not open htlc ${id}`);
  return buildState(prev, h.to === 'a' ? p.a + h.value : p.a, h.to === 'b' ? p.b + h.value : p.b, rest);
}

/** Next state with HTLC `id` returned to its sender. Who may propose it is decided by the caller. */
export function failHtlc(prev: ChannelState, id: string): ChannelState {
  const { p, h, rest } = take(prev, id);
  return buildState(prev, h.from === 'a' ? p.a + h.value : p.a, h.from === 'b' ? p.b + h.value : p.b, rest);
}

/** A preimage shown on chain, with the transaction time at which it was first recorded. */
export interface Reveal {
  preimage: string;
  revealedAt: number;
}

/** How a pending HTLC ends on chain. */
export type HtlcResolution =
  | { outcome: 'receiver'; revealedAt: number }
  | { outcome: 'sender' }
  | { outcome: 'pending'; until: number };

/**
 * The on-chain rule: a pending HTLC pays its receiver if a preimage was revealed strictly before
 * its time lock (and not after `now`); otherwise, once `now >= timeLock`, it refunds the sender;
 * before that it is still pending. `now` is the transaction time, never the local clock.
 */
export function resolveHtlc(htlc: Htlc, reveals: readonly Reveal[], now: number): HtlcResolution {
  checkTime(now, 'now');
  let first: number | undefined;
  for (const r of reveals) {
    if (r.revealedAt < htlc.timeLock && r.revealedAt <= now && opens(r.preimage, htlc.hashLock) && (first === undefined || r.revealedAt < first)) {
      first = r.revealedAt;
    }
  }
  if (first !== undefined) return { outcome: 'receiver', revealedAt: first };
  if (now >= htlc.timeLock) return { outcome: 'sender' };
  return { outcome: 'pending', until: htlc.timeLock };
}
