import { canonicalJson } from '../canonical-json';
import { ChannelError, check } from './errors';
import { DEFAULT_HTLC_POLICY, type HtlcPolicy } from './htlc';
import { checkRevocation, makeRevocation, revocationLock, revocationOpens, revocationSecret, type Revocation, type WatchRecord } from './revocation';
import { checkRecord, type ChannelRecord } from './settlement';
import { channelPublicKey, signState, verifyStateSignature, type SignedState } from './signing';
import { openingState, other, type ChannelState, type Side } from './state';
import { applyOp, mayPropose, type UpdateOp } from './update';

/** Step 1: the proposer sends the op, the resulting state, its revocation lock and its signature over both. */
export interface Proposal {
  type: 'propose';
  channelId: string;
  op: UpdateOp;
  state: ChannelState;
  lock: string;
  signature: string;
}
/**
 * Step 2: the peer countersigns and revokes everything older (it now holds the co-signed state): its
 * signature binds the lock its revealed secret opens.
 */
export interface Accept {
  type: 'accept';
  channelId: string;
  version: number;
  signature: string;
  revocation: Revocation;
}
/** Step 3: the proposer, now holding the co-signed state too, reveals its secret: everything older is revoked. */
export interface Revoke {
  type: 'revoke';
  channelId: string;
  revocation: Revocation;
}

/** Everything needed to resume after a restart; JSON-safe. Persist it before sending any message. */
export interface ChannelSnapshot {
  record: ChannelRecord;
  side: Side;
  latest: SignedState;
  pending?: { op: UpdateOp; state: ChannelState; lock: string; signature: string };
  peerRevocation?: Revocation;
}

/**
 * One party's view of a channel: propose, countersign, complete, and the latest co-signed state.
 * Enforces the invariant the breach rule depends on: it signs version n only while holding a
 * co-signed n-1, and revokes below n only once it holds a co-signed n. No I/O, no clock: the
 * caller passes `now` and moves the messages (through the gateway broker).
 */
export class Channel {
  readonly record: ChannelRecord;
  readonly side: Side;
  private readonly privateKey: string;
  private readonly policy: HtlcPolicy;
  private latestSigned: SignedState;
  private pending?: ChannelSnapshot['pending'];
  private peerRevocation?: Revocation;

  constructor(opts: { record: ChannelRecord; side: Side; privateKey: string; policy?: HtlcPolicy; snapshot?: ChannelSnapshot }) {
    checkRecord(opts.record);
    check(opts.side === 'a' || opts.side === 'b', 'BAD_STATE', 'side must be a or b');
    check(channelPublicKey(opts.privateKey) === opts.record.keys[opts.side], 'BAD_KEY', `private key does not match side ${opts.side}'s channel key`);
    this.record = opts.record;
    this.side = opts.side;
    this.privateKey = opts.privateKey;
    this.policy = opts.policy ?? DEFAULT_HTLC_POLICY;
    // Version 0 is the on-chain opening state; it needs no signatures.
    this.latestSigned = opts.snapshot?.latest ?? { state: openingState(opts.record.channelId, opts.record.deposits), sigs: { a: '', b: '' } };
    this.pending = opts.snapshot?.pending;
    this.peerRevocation = opts.snapshot?.peerRevocation;
  }

  private get peer(): Side {
    return other(this.side);
  }

  /** Latest co-signed state (version 0 is the opening state, with empty signatures). */
  get latest(): SignedState {
    return this.latestSigned;
  }

  /** True while a proposal of ours awaits the peer's countersignature. */
  get inFlight(): boolean {
    return this.pending !== undefined;
  }

  /** Propose an update; the returned message goes to the peer. One proposal in flight at a time. */
  propose(op: UpdateOp, now: number): Proposal {
    check(!this.pending, 'UPDATE_IN_FLIGHT', 'wait for the peer to accept the previous update');
    const prev = this.latestSigned.state;
    mayPropose(prev, op, this.side, now);
    const state = applyOp(prev, op, now, this.policy);
    const lock = revocationLock(revocationSecret(this.privateKey, this.record.channelId, state.version));
    const signature = signState(state, this.privateKey, lock);
    this.pending = { op, state, lock, signature };
    return { type: 'propose', channelId: this.record.channelId, op, state, lock, signature };
  }

  /**
   * Check and countersign the peer's proposal. The state is recomputed from the op, so only
   * transitions the rules allow get signed. Two proposals crossing for the same version: side `a`'s
   * wins, side `b` drops its own (CONFLICT is thrown on `a`'s end).
   */
  receive(p: Proposal, now: number): Accept {
    check(p.type === 'propose' && p.channelId === this.record.channelId, 'CHANNEL_MISMATCH', 'proposal is for another channel');
    if (this.pending) {
      if (this.side === 'a') throw new ChannelError('CONFLICT', 'crossing proposals: side a has priority');
      this.pending = undefined;
    }
    const prev = this.latestSigned.state;
    check(p.state.version === prev.version + 1, 'VERSION_NOT_INCREASING', `expected version ${prev.version + 1}, got ${p.state.version}`);
    mayPropose(prev, p.op, this.peer, now);
    const expected = applyOp(prev, p.op, now, this.policy);
    check(canonicalJson(expected) === canonicalJson(p.state), 'BAD_STATE', 'proposed state does not follow from the op');
    check(verifyStateSignature(p.state, this.record.keys[this.peer], p.signature, p.lock), 'BAD_SIGNATURE', 'proposal signature does not verify');
    // We hold the co-signed state as soon as we sign it, so our secret goes with the countersignature.
    const revocation = makeRevocation(this.record.channelId, this.side, p.state.version, this.privateKey);
    const lock = revocationLock(revocation.secret);
    const mine = signState(p.state, this.privateKey, lock);
    this.latestSigned = { state: p.state, sigs: this.sigs(mine, p.signature), locks: this.sigs(lock, p.lock) };
    return { type: 'accept', channelId: this.record.channelId, version: p.state.version, signature: mine, revocation };
  }

  /** Complete our proposal with the peer's countersignature; returns our revocation for the peer. */
  onAccept(a: Accept): Revoke {
    check(a.type === 'accept' && a.channelId === this.record.channelId, 'CHANNEL_MISMATCH', 'accept is for another channel');
    const pending = this.pending;
    check(pending && a.version === pending.state.version, 'UNEXPECTED_MESSAGE', 'no proposal of that version in flight');
    const rev = checkRevocation(a.revocation);
    check(rev.channelId === this.record.channelId && rev.party === this.peer && rev.below === a.version, 'BAD_SIGNATURE', 'the accept must carry the peer\'s revocation of everything below its version');
    const peerLock = revocationLock(rev.secret);
    check(verifyStateSignature(pending.state, this.record.keys[this.peer], a.signature, peerLock), 'BAD_SIGNATURE', 'countersignature does not verify');
    this.latestSigned = { state: pending.state, sigs: this.sigs(pending.signature, a.signature), locks: this.sigs(pending.lock, peerLock) };
    this.peerRevocation = rev;
    this.pending = undefined;
    return { type: 'revoke', channelId: this.record.channelId, revocation: makeRevocation(this.record.channelId, this.side, a.version, this.privateKey) };
  }

  /**
   * Store the peer's revocation that completes its last countersignature. One for an older version
   * adds nothing (our latest state carries the peer's signature on a newer one) and is ignored.
   */
  onRevoke(r: Revoke): void {
    check(r.type === 'revoke' && r.channelId === this.record.channelId, 'CHANNEL_MISMATCH', 'revoke is for another channel');
    const rev = checkRevocation(r.revocation);
    const latest = this.latestSigned;
    check(rev.channelId === this.record.channelId && rev.party === this.peer && rev.below <= latest.state.version, 'BAD_SIGNATURE', 'revocation is not the peer\'s for a version we hold');
    if (rev.below < latest.state.version) return;
    check(revocationOpens(rev, latest, this.record.keys, true), 'BAD_SIGNATURE', 'revocation secret does not open the peer\'s lock');
    this.peerRevocation = rev;
  }

  private sigs(mine: string, theirs: string): SignedState['sigs'] {
    return this.side === 'a' ? { a: mine, b: theirs } : { a: theirs, b: mine };
  }

  /** What a watchtower needs for this channel: bounded, two items. */
  watchRecord(): WatchRecord {
    return { latest: this.latestSigned, peerRevocation: this.peerRevocation };
  }

  /** JSON-safe snapshot for durable storage. */
  snapshot(): ChannelSnapshot {
    return { record: this.record, side: this.side, latest: this.latestSigned, pending: this.pending, peerRevocation: this.peerRevocation };
  }
}
