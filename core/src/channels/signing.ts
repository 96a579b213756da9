import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { canonicalJson } from '../canonical-json';
import { KeyObjectCache } from '../crypto/key-cache';
import { ibsSign, ibsVerify, type IbsKeyPair, type KeyLookup, type MultiSignature } from '../identity';
import { ChannelError, check } from './errors';
import { parseState, rawDigest, type ChannelState, type ParsedState, type Side } from './state';

/**
 * Per-update signatures are Ed25519 through node:crypto (OpenSSL): ~40 µs to sign and ~120 µs to
 * verify, versus tens of ms for a pure-JS BLS pairing. See docs/channels.md for the numbers.
 */

/** An Ed25519 channel key: the 32-byte seed and the 32-byte public key, both lower-case hex. */
export interface ChannelKeyPair {
  privateKey: string;
  publicKey: string;
}

/** Both parties' signatures over one state digest (64-byte hex each). */
export interface Sigs {
  a: string;
  b: string;
}

/** A state with both signatures: the unit the gateway stores and the chaincode accepts. */
export interface SignedState {
  state: ChannelState;
  sigs: Sigs;
}

/** The channel's two public keys, fixed on chain at opening. */
export type PartyKeys = Readonly<Record<Side, string>>;

const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const KEY_HEX = /^[0-9a-f]{64}$/;
const SIG_HEX = /^[0-9a-f]{128}$/;

const pubCache = new KeyObjectCache();
const privCache = new KeyObjectCache();

function publicKeyObject(pub: string): KeyObject {
  check(typeof pub === 'string' && KEY_HEX.test(pub), 'BAD_KEY', 'public key must be 32 bytes of lower-case hex');
  return pubCache.get(pub, () => createPublicKey({ key: Buffer.concat([SPKI, Buffer.from(pub, 'hex')]), format: 'der', type: 'spki' }));
}

function privateKeyObject(priv: string): KeyObject {
  check(typeof priv === 'string' && KEY_HEX.test(priv), 'BAD_KEY', 'private key must be 32 bytes of lower-case hex');
  return privCache.get(priv, () => createPrivateKey({ key: Buffer.concat([PKCS8, Buffer.from(priv, 'hex')]), format: 'der', type: 'pkcs8' }));
}

/** A fresh Ed25519 channel key. Use one per channel so channels cannot be linked by key. */
export function generateChannelKey(): ChannelKeyPair {
  const privateKey = randomBytes(32).toString('hex');
  return { privateKey, publicKey: channelPublicKey(privateKey) };
}

/** Public key of a channel private key. */
export function channelPublicKey(privateKey: string): string {
  const der = createPublicKey(privateKeyObject(privateKey)).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI.length).toString('hex');
}

/**
 * Registration-time check of a channel key (the chaincode runs it at open): canonical encoding of a
 * curve point that is not of small order. A small-order key would let anyone forge "its" signatures,
 * including the revocations that the breach remedy relies on.
 */
export function assertChannelKey(pub: string): void {
  publicKeyObject(pub);
  let ok = false;
  try {
    const p = ed25519.ExtendedPoint.fromHex(pub);
    ok = !p.isSmallOrder() && p.toHex() === pub;
  } catch {
    ok = false;
  }
  check(ok, 'BAD_KEY', 'channel key is not a canonical Ed25519 point of large order');
}

/** Sign 32 bytes with a channel key. */
export function signDigest(digest: Uint8Array, privateKey: string): string {
  return sign(null, digest, privateKeyObject(privateKey)).toString('hex');
}

/** Verify a signature over 32 bytes; false for any malformed or wrong signature. */
export function verifyDigest(digest: Uint8Array, publicKey: string, signature: string): boolean {
  const key = publicKeyObject(publicKey);
  if (typeof signature !== 'string' || !SIG_HEX.test(signature)) return false;
  return verify(null, digest, key, Buffer.from(signature, 'hex'));
}

/** Sign a state (validated first). */
export function signState(state: ChannelState, privateKey: string): string {
  parseState(state);
  return signDigest(rawDigest(state), privateKey);
}

/** Verify one party's signature on a state. */
export function verifyStateSignature(state: ChannelState, publicKey: string, signature: string): boolean {
  parseState(state);
  return verifyDigest(rawDigest(state), publicKey, signature);
}

/** Both signatures at once (tests, benchmarks, and a wallet that holds both keys). */
export function coSign(state: ChannelState, privateKeys: Readonly<Record<Side, string>>): SignedState {
  parseState(state);
  const d = rawDigest(state);
  return { state, sigs: { a: signDigest(d, privateKeys.a), b: signDigest(d, privateKeys.b) } };
}

/**
 * The fast path: one validation, one digest, two Ed25519 verifies. False on any bad signature;
 * throws ChannelError only for a malformed state or key.
 */
export function verifyCoSigned(signed: SignedState, keys: PartyKeys): boolean {
  parseState(signed.state);
  const d = rawDigest(signed.state);
  return verifyDigest(d, keys.a, signed.sigs?.a) && verifyDigest(d, keys.b, signed.sigs?.b);
}

/** Like {@link verifyCoSigned} but throws NOT_COSIGNED, and checks conservation against `total`. */
export function assertCoSigned(signed: SignedState, keys: PartyKeys, total?: bigint): ParsedState {
  const p = parseState(signed?.state, total);
  const d = rawDigest(signed.state);
  for (const side of ['a', 'b'] as const) {
    if (!verifyDigest(d, keys[side], signed.sigs?.[side])) {
      throw new ChannelError('NOT_COSIGNED', `signature of ${side} on version ${signed.state.version} does not verify`);
    }
  }
  return p;
}

/** Bytes a registered identity signs (BLS) to vouch for an Ed25519 channel key. */
export function channelKeyBindingMessage(id: string, channelKey: string, scope: string): Uint8Array {
  publicKeyObject(channelKey);
  return new TextEncoder().encode(`GRIDLEDGER/CHANNEL-KEY-BINDING/V1\n${canonicalJson({ id, channelKey, scope })}`);
}

/**
 * Bind a channel key to a registered BLS identity: the identity signs (id, channelKey, scope) with
 * its IBS key. `scope` is whatever the chaincode fixes (e.g. network name and channel id) so a
 * binding cannot be reused elsewhere. Checked once, at open; updates then use Ed25519 only.
 */
export function bindChannelKey(identity: IbsKeyPair, channelKey: string, scope: string): MultiSignature {
  return { signers: [identity.id], signature: ibsSign(identity, channelKeyBindingMessage(identity.id, channelKey, scope)) };
}

/** Verify a binding against trusted registered keys (one pairing check). */
export function verifyChannelKeyBinding(id: string, channelKey: string, scope: string, binding: MultiSignature, keys: KeyLookup): boolean {
  if (binding.signers.length !== 1 || binding.signers[0] !== id) return false;
  return ibsVerify(channelKeyBindingMessage(id, channelKey, scope), binding, keys);
}
