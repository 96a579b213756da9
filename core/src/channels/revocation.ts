import { createHash, createHmac } from 'node:crypto';
import { check } from './errors';
import { checkChannelId, parseState, type ChannelState, type Side } from './state';
import { checkLock, coSign, lockOfSide, sideDigests, verifyDigest, type PartyKeys, type SignedState } from './signing';

/**
 * How an old state becomes provably revoked, and why the rule is sound:
 *
 * Protocol invariant (enforced by {@link Channel}): a party signs version `n` only while it holds
 * a co-signed version `n-1`, and reveals its revocation secret for `n` only once it holds a
 * co-signed version `n`. Hence
 *   - a party's signature on version `q` proves it could close with `q-1`: it revoked all `< q-1`;
 *   - a party's secret for `n` proves it could close with `n`: it revoked all `< n`.
 * A party that posts a version it had revoked is a cheater and forfeits everything. An honest party
 * never posts a revoked version, because it always holds the state that replaced it.
 *
 * The secret works as in Lightning: when a party signs version `n` of an update it binds
 * `lock = sha256(secret)` into its signature (signing.ts), and it reveals `secret` once it holds
 * `n` co-signed. The lock is covered by the party's own signature on `n`, so the pair (its signed
 * `n`, the secret) proves the revocation, and checking it costs one hash instead of a signature.
 * The accepter of `n` already holds it co-signed when it signs, so it reveals at once; the proposer
 * reveals in its third message. The secret is derived from the party's channel key, so a restarted
 * wallet reveals the same one and nothing else has to be stored.
 *
 * Why not "any older version than a co-signed newer one is a breach": the proposer of `n` signs
 * before it has the countersignature; the peer could countersign silently, wait for the proposer to
 * close with `n-1` (its latest co-signed state), and then claim the penalty. The rule above punishes
 * only what the poster itself had given up.
 */

/** "`party` holds a co-signed state of version `below` and will never post anything older." */
export interface Revocation {
  channelId: string;
  party: Side;
  below: number;
  /** 32 bytes, lower-case hex; its sha256 is the lock `party` bound into its signature on `below`. */
  secret: string;
}

/** The lock a secret opens: `sha256(secret bytes)`, lower-case hex. */
export function revocationLock(secret: string): string {
  checkLock(secret, 'revocation secret');
  return createHash('sha256').update(Buffer.from(secret, 'hex')).digest('hex');
}

/**
 * The secret `party` reveals to revoke everything below `below`: an HMAC under its channel private
 * key, so it is unguessable without the key and the same after a restart.
 */
export function revocationSecret(privateKey: string, channelId: string, below: number): string {
  checkChannelId(channelId);
  check(Number.isSafeInteger(below) && below >= 1, 'BAD_STATE', 'below must be a positive safe integer');
  return createHmac('sha256', privateKey).update(`GRIDLEDGER/CHANNEL-REVOCATION/V2\n${channelId}\n${below}`).digest('hex');
}

/** A revocation message for `below`, from the party's private key. */
export function makeRevocation(channelId: string, party: Side, below: number, privateKey: string): Revocation {
  return { channelId, party, below, secret: revocationSecret(privateKey, channelId, below) };
}

/**
 * An update signed by both sides with their locks, and each side's revocation that opens its lock
 * (tests, benchmarks, and a wallet that holds both keys).
 */
export function coSignUpdate(state: ChannelState, privateKeys: Readonly<Record<Side, string>>): { signed: SignedState; revocations: Record<Side, Revocation> } {
  const revocations = { a: makeRevocation(state.channelId, 'a', state.version, privateKeys.a), b: makeRevocation(state.channelId, 'b', state.version, privateKeys.b) };
  const signed = coSign(state, privateKeys, { a: revocationLock(revocations.a.secret), b: revocationLock(revocations.b.secret) });
  return { signed, revocations };
}

/** Checks a revocation's fields (not what it proves). */
export function checkRevocation(rev: unknown): Revocation {
  const r = rev as Revocation;
  check(r !== null && typeof r === 'object', 'BAD_STATE', 'a revocation is an object');
  checkChannelId(r.channelId);
  check(r.party === 'a' || r.party === 'b', 'BAD_STATE', 'revocation.party must be a or b');
  check(Number.isSafeInteger(r.below) && r.below >= 1, 'BAD_STATE', 'revocation.below must be a positive safe integer');
  checkLock(r.secret, 'revocation.secret');
  return r;
}

/**
 * True when `rev` opens the lock its party bound into `signed` (the state of version `rev.below`)
 * and that party's signature there verifies. The caller may skip the signature when it already
 * checked `signed` (`signatureChecked`).
 */
export function revocationOpens(rev: Revocation, signed: SignedState, keys: PartyKeys, signatureChecked = false): boolean {
  if (!signatureChecked) parseState(signed?.state);
  if (rev.channelId !== signed.state.channelId || rev.below !== signed.state.version) return false;
  const lock = lockOfSide(signed, rev.party);
  if (lock === undefined || revocationLock(rev.secret) !== lock) return false;
  return signatureChecked || verifyDigest(sideDigests(signed)[rev.party], keys[rev.party], signed.sigs?.[rev.party]);
}

/** Evidence gathered on chain or by a watchtower. Signatures may be partial (one side only). */
export interface RevocationEvidence {
  states?: readonly SignedState[];
  revocations?: readonly Revocation[];
}

/**
 * The version below which `party` has provably revoked every state (0 if none), from valid
 * signatures and secrets only; evidence for another channel, with a bad signature, or a secret
 * that opens no lock of a state in the evidence is ignored.
 */
export function revokedBelow(channelId: string, party: Side, evidence: RevocationEvidence, keys: PartyKeys): number {
  let below = 0;
  const states = (evidence.states ?? []).filter((s) => s.state.channelId === channelId);
  // States whose `party` signature verified here: a secret checked against them needs no second verify.
  const verified = new Set<SignedState>();
  for (const s of states) {
    const sig = s.sigs[party];
    if (!sig || s.state.version - 1 <= below) continue;
    parseState(s.state);
    if (verifyDigest(sideDigests(s)[party], keys[party], sig)) {
      below = s.state.version - 1;
      verified.add(s);
    }
  }
  for (const r of evidence.revocations ?? []) {
    if (r.channelId !== channelId || r.party !== party || r.below <= below) continue;
    checkRevocation(r);
    if (states.some((s) => revocationOpens(r, s, keys, verified.has(s)))) below = r.below;
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
 * two or more versions behind; the peer's secret for it proves breach for the one just behind.
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
 * hold one; otherwise stay quiet. Only a secret for the latest state adds anything to it.
 */
export function watchResponse(record: WatchRecord, closer: Side, postedVersion: number, keys: PartyKeys): WatchResponse {
  const channelId = record.latest.state.channelId;
  const rev = record.peerRevocation;
  const revocations = rev && rev.below === record.latest.state.version ? [rev] : [];
  if (isRevoked(channelId, closer, postedVersion, { states: [record.latest], revocations }, keys)) {
    return { kind: 'breach', signed: record.latest, revocations };
  }
  if (record.latest.state.version > postedVersion) return { kind: 'counter', signed: record.latest };
  return { kind: 'none' };
}
