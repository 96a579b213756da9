import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { ibsSign, ibsVerify, type IbsKeyPair, type KeyLookup, type MultiSignature } from '../identity';
import { publicKeyObject, signDigest, verifyDigest } from './channel-keys';
import { ChannelError } from './errors';
import { parseState, rawDigest, type ChannelState, type ParsedState, type Side } from './state';

export * from './channel-keys';

/** Both parties' signatures (hex; 64 bytes for Ed25519, the modulus size for RSA). */
export interface Sigs {
  a: string;
  b: string;
}

/**
 * A state with both signatures: the unit the gateway stores and the chaincode accepts. On an
 * update each side binds a revocation lock into its own signature (see revocation.ts); states both
 * sides sign at once (resize, tests) may carry none.
 */
export interface SignedState {
  state: ChannelState;
  sigs: Sigs;
  locks?: Partial<Record<Side, string>>;
}

/** The channel's two public keys, fixed on chain at opening. */
export type PartyKeys = Readonly<Record<Side, string>>;

const LOCK = /^[0-9a-f]{64}$/;

/** Throws BAD_STATE unless `lock` is 32 bytes of lower-case hex. */
export function checkLock(lock: unknown, what = 'lock'): string {
  if (typeof lock !== 'string' || !LOCK.test(lock)) throw new ChannelError('BAD_STATE', `${what} must be 32 bytes of lower-case hex`);
  return lock;
}

/**
 * What one side signs: the state digest, or with a revocation lock `sha256(tag V2 || lock ||
 * canonicalJson(state))`. The tags differ, so a signature with a lock never verifies without it.
 * No validation: callers validate the state (and the lock) first.
 */
export function signedDigest(state: ChannelState, lock?: string, json?: string): Buffer {
  if (lock === undefined) return rawDigest(state);
  return createHash('sha256').update(`GRIDLEDGER/CHANNEL-STATE/V2\n${state.channelId}\n${lock}\n`).update(json ?? canonicalJson(state)).digest();
}

/** Sign a state (validated first), binding `lock` when given. */
export function signState(state: ChannelState, privateKey: string, lock?: string): string {
  parseState(state);
  if (lock !== undefined) checkLock(lock);
  return signDigest(signedDigest(state, lock), privateKey);
}

/** Verify one party's signature on a state (with the lock it bound, if any). */
export function verifyStateSignature(state: ChannelState, publicKey: string, signature: string, lock?: string): boolean {
  parseState(state);
  if (lock !== undefined) checkLock(lock);
  return verifyDigest(signedDigest(state, lock), publicKey, signature);
}

/** Both signatures at once (tests, benchmarks, and a wallet that holds both keys). */
export function coSign(state: ChannelState, privateKeys: Readonly<Record<Side, string>>, locks?: Readonly<Record<Side, string>>): SignedState {
  parseState(state);
  if (!locks) {
    const d = rawDigest(state);
    return { state, sigs: { a: signDigest(d, privateKeys.a), b: signDigest(d, privateKeys.b) } };
  }
  return { state, sigs: { a: signState(state, privateKeys.a, locks.a), b: signState(state, privateKeys.b, locks.b) }, locks: { a: locks.a, b: locks.b } };
}

/** The lock of `side` in a signed state, validated; undefined when it has none. */
export function lockOfSide(signed: SignedState, side: Side): string | undefined {
  const lock = signed.locks?.[side];
  return lock === undefined ? undefined : checkLock(lock, `locks.${side}`);
}

/** Checks the shape of `signed.locks`: only a and b, each a lock. */
function checkLocks(signed: SignedState): void {
  const locks = signed.locks as unknown;
  if (locks === undefined) return;
  if (locks === null || typeof locks !== 'object' || Array.isArray(locks)) throw new ChannelError('BAD_STATE', 'locks must be an object');
  for (const k of Object.keys(locks)) if (k !== 'a' && k !== 'b') throw new ChannelError('BAD_STATE', `locks has unknown field ${k}`);
}

/** What each side's signature of `signed` covers (validates the locks, not the state). */
export function sideDigests(signed: SignedState): Record<Side, Buffer> {
  checkLocks(signed);
  const la = lockOfSide(signed, 'a');
  const lb = lockOfSide(signed, 'b');
  const plain = la === undefined || lb === undefined ? rawDigest(signed.state) : undefined;
  const json = la !== undefined && lb !== undefined ? canonicalJson(signed.state) : undefined; // once for both sides
  return { a: la === undefined ? plain! : signedDigest(signed.state, la, json), b: lb === undefined ? plain! : signedDigest(signed.state, lb, json) };
}

/**
 * The fast path: one validation, at most two digests, two verifies. False on any bad signature;
 * throws ChannelError only for a malformed state, lock or key.
 */
export function verifyCoSigned(signed: SignedState, keys: PartyKeys): boolean {
  parseState(signed.state);
  const d = sideDigests(signed);
  return verifyDigest(d.a, keys.a, signed.sigs?.a) && verifyDigest(d.b, keys.b, signed.sigs?.b);
}

/** Like {@link verifyCoSigned} but throws NOT_COSIGNED, and checks conservation against `total`. */
export function assertCoSigned(signed: SignedState, keys: PartyKeys, total?: bigint): ParsedState {
  const p = parseState(signed?.state, total);
  const d = sideDigests(signed);
  for (const side of ['a', 'b'] as const) {
    if (!verifyDigest(d[side], keys[side], signed.sigs?.[side])) {
      throw new ChannelError('NOT_COSIGNED', `signature of ${side} on version ${signed.state.version} does not verify`);
    }
  }
  return p;
}

/** Bytes a registered identity signs (BLS) to vouch for a channel key. */
export function channelKeyBindingMessage(id: string, channelKey: string, scope: string): Uint8Array {
  publicKeyObject(channelKey);
  return new TextEncoder().encode(`GRIDLEDGER/CHANNEL-KEY-BINDING/V1\n${canonicalJson({ id, channelKey, scope })}`);
}

/**
 * Bind a channel key to a registered BLS identity: the identity signs (id, channelKey, scope) with
 * its IBS key. `scope` is whatever the chaincode fixes (e.g. network name and channel id) so a
 * binding cannot be reused elsewhere. Checked once, at open; updates then use the channel key only.
 */
export function bindChannelKey(identity: IbsKeyPair, channelKey: string, scope: string): MultiSignature {
  return { signers: [identity.id], signature: ibsSign(identity, channelKeyBindingMessage(identity.id, channelKey, scope)) };
}

/** Verify a binding against trusted registered keys (one pairing check). */
export function verifyChannelKeyBinding(id: string, channelKey: string, scope: string, binding: MultiSignature, keys: KeyLookup): boolean {
  if (binding.signers.length !== 1 || binding.signers[0] !== id) return false;
  return ibsVerify(channelKeyBindingMessage(id, channelKey, scope), binding, keys);
}
