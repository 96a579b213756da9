import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { check } from './errors';
import { checkChannelId, parseState, rawDigest, type ChannelState, type Side } from './state';
import { signDigest, verifyDigest, type PartyKeys, type SignedState } from './signing';

/**
 * How an old state becomes provably revoked, and why the rule is sound:
 *
 * Protocol invariant (enforced by {@link Channel}): a party signs version `n` only while it holds
 * a co-signed version `n-1`, and sends an explicit revocation "all versions below `n`" only once it
 * holds a co-signed version `n`. Hence
 *   - a party's signature on version `q` proves it could close with `q-1`: it revoked all `< q-1`;
 *   - a party's revocation token with `below = n` proves it could close with `n`: it revoked all `< n`.
 * A party that posts a version it had revoked is a cheater and forfeits everything. An honest party
 * never posts a revoked version, because it always holds the state that replaced it.
 *
 * Why not "any older version than a co-signed newer one is a breach": the proposer of `n` signs
 * before it has the countersignature; the peer could countersign silently, wait for the proposer to
 * close with `n-1` (its latest co-signed state), and then claim the penalty. The rule above punishes
 * only what the poster itself had given up.
 */

/** "`party` holds a co-signed state of version >= `below` and will never post anything older." */
export interface Revocation {
  channelId: string;
  party: Side;
  below: number;
  /** Ed25519 signature by `party`'s channel key, 64-byte hex. */
  signature: string;
}

/** What a revocation signs: its own domain tag, never confusable with a state digest. */
export function revocationDigest(channelId: string, party: Side, below: number): Buffer {
  checkChannelId(channelId);
  check(party === 'a' || party === 'b', 'BAD_STATE', 'party must be a or b');
  check(Number.isSafeInteger(below) && below >= 1, 'BAD_STATE', 'below must be a positive safe integer');
  return createHash('sha256')
    .update(`GRIDLEDGER/CHANNEL-REVOKE/V1\n${channelId}\n`)
    .update(canonicalJson({ channelId, party, below }))
    .digest();
}

/** Sign "everything below `below` is revoked". */
export function signRevocation(channelId: string, party: Side, below: number, privateKey: string): Revocation {
  return { channelId, party, below, signature: signDigest(revocationDigest(channelId, party, below), privateKey) };
}

/** Check a revocation's signature under the channel's keys. */
export function verifyRevocation(rev: Revocation, keys: PartyKeys): boolean {
  return verifyDigest(revocationDigest(rev.channelId, rev.party, rev.below), keys[rev.party], rev.signature);
}

/** Evidence gathered on chain or by a watchtower. Signatures may be partial (one side only). */
export interface RevocationEvidence {
  states?: ReadonlyArray<{ state: ChannelState; sigs: Partial<Record<Side, string>> }>;
  revocations?: readonly Revocation[];
}

/**
 * The version below which `party` has provably revoked every state (0 if none), from valid
 * signatures only; evidence for another channel or with a bad signature is ignored.
 */
export function revokedBelow(channelId: string, party: Side, evidence: RevocationEvidence, keys: PartyKeys): number {
  let below = 0;
  for (const s of evidence.states ?? []) {
    const sig = s.sigs[party];
    if (sig === undefined || s.state.channelId !== channelId || s.state.version - 1 <= below) continue;
    parseState(s.state);
    if (verifyDigest(rawDigest(s.state), keys[party], sig)) below = s.state.version - 1;
  }
  for (const r of evidence.revocations ?? []) {
    if (r.channelId !== channelId || r.party !== party || r.below <= below) continue;
    if (verifyRevocation(r, keys)) below = r.below;
  }
  return below;
}

/** True when `party` posting `version` is a breach given the evidence. */
export function isRevoked(channelId: string, party: Side, version: number, evidence: RevocationEvidence, keys: PartyKeys): boolean {
  return version < revokedBelow(channelId, party, evidence, keys);
}

/**
 * Everything one party (or its watchtower) must keep per channel: bounded, O(1) in the number of
 * updates. The latest co-signed state refutes any older close, and proves breach for any close
 * two or more versions behind; the peer's latest revocation proves breach for the one just behind.
 */
export interface WatchRecord {
  latest: SignedState;
  peerRevocation?: Revocation;
}

/** What a watcher should post in answer to a unilateral close. */
export type WatchResponse =
  | { kind: 'none' }
  | { kind: 'counter'; signed: SignedState }
  | { kind: 'breach'; signed: SignedState; revocations: Revocation[] };

/**
 * Decide the answer to a close of `postedVersion` by `closer`, for the party that owns `record`.
 * Breach when the closer had revoked what it posted; otherwise post a newer co-signed state if we
 * hold one; otherwise stay quiet.
 */
export function watchResponse(record: WatchRecord, closer: Side, postedVersion: number, keys: PartyKeys): WatchResponse {
  const channelId = record.latest.state.channelId;
  const revocations = record.peerRevocation ? [record.peerRevocation] : [];
  if (isRevoked(channelId, closer, postedVersion, { states: [record.latest], revocations }, keys)) {
    return { kind: 'breach', signed: record.latest, revocations };
  }
  if (record.latest.state.version > postedVersion) return { kind: 'counter', signed: record.latest };
  return { kind: 'none' };
}
