import { canonicalJson } from '../canonical-json';
import { ibsSign, ibsVerify, type IbsKeyPair, type KeyLookup, type MultiSignature } from '../identity';
import { publicKeyObject, signDigest, verifyDigest } from './channel-keys';
import { ChannelError } from './errors';
import { parseState, rawDigest, type ChannelState, type ParsedState, type Side } from './state';

export * from './channel-keys';

/** Both parties' signatures over one state digest (hex; 64 bytes for Ed25519, the modulus size for RSA). */
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
 * The fast path: one validation, one digest, two verifies. False on any bad signature;
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
