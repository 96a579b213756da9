import { bls12_381 } from '@noble/curves/bls12-381';
import { IdentityError } from './errors';
import { utf8 } from './encoding';
import { CURVE_ORDER, assertId, h2, idScalar, type G1Point, type G2Point } from './hash';
import { g1FromHex, g1ToHex, g2FromHex, pairingCheck, scalarFromHex } from './points';
import { verifyCertificate, type IbsKeyPair, type KeyCertificate, type KeyMode, type SystemParams } from './kgc';

/** An aggregate (or partial) signature: the ordered signer IDs and `S = sum ID_i * x_i * H2(m)`. */
export interface MultiSignature {
  signers: string[];
  /** Compressed G1 point, hex. */
  signature: string;
}

/** Where verifiers find `y_ID` for an ID: a map, a plain record, or a lookup function. */
export type KeyLookup = ReadonlyMap<string, string> | Readonly<Record<string, string>> | ((id: string) => string | undefined);

function lookup(keys: KeyLookup, id: string): G2Point {
  const hex = typeof keys === 'function' ? keys(id) : keys instanceof Map ? keys.get(id) : (keys as Record<string, string>)[id];
  if (hex === undefined || (typeof keys === 'object' && !(keys instanceof Map) && !Object.prototype.hasOwnProperty.call(keys, id))) {
    throw new IdentityError('UNKNOWN_SIGNER', `no public key for ${id}`);
  }
  return g2FromHex(hex, `public key of ${id}`);
}

function bytes(message: Uint8Array | string): Uint8Array {
  return typeof message === 'string' ? utf8(message) : message;
}

function checkSigners(signers: unknown): string[] {
  if (!Array.isArray(signers) || signers.length === 0) throw new IdentityError('EMPTY_SIGNER_SET', 'no signers');
  const seen = new Set<string>();
  for (const id of signers) {
    assertId(id);
    // A repeated signer would let one party count twice toward a threshold the caller enforces.
    if (seen.has(id)) throw new IdentityError('DUPLICATE_SIGNER', `${id} appears twice`);
    seen.add(id);
  }
  return signers as string[];
}

/**
 * One signer's share `S_i = ID_i * x_i * H2(m)` (paper step a). Hex of a G1 point.
 */
export function ibsSign(key: IbsKeyPair, message: Uint8Array | string): string {
  assertId(key.id);
  const x = scalarFromHex(key.secretKey, 'secretKey');
  return g1ToHex(h2(bytes(message)).multiply((idScalar(key.id) * x) % CURVE_ORDER));
}

/**
 * The paper's sequential multi-signature (step b): verify the partial signature received from the
 * previous signer, then add this signer's share. Refuses an invalid partial with
 * `BAD_PARTIAL_SIGNATURE`, so a bad share is caught at the hop that received it.
 */
export function ibsChainSign(prev: MultiSignature | null, key: IbsKeyPair, message: Uint8Array | string, keys: KeyLookup): MultiSignature {
  const share = g1FromHex(ibsSign(key, message), 'share');
  if (prev === null) return { signers: [key.id], signature: g1ToHex(share) };
  const signers = checkSigners([...prev.signers, key.id]);
  if (!ibsVerify(message, prev, keys)) throw new IdentityError('BAD_PARTIAL_SIGNATURE', `partial signature by ${prev.signers.join(',')} does not verify`);
  return { signers, signature: g1ToHex(g1FromHex(prev.signature, 'partial signature').add(share)) };
}

/** Sum shares collected in parallel (same result as chaining, without the per-hop check). */
export function ibsAggregate(shares: ReadonlyArray<{ id: string; signature: string }>): MultiSignature {
  const signers = checkSigners(shares.map((s) => s.id));
  let sum: G1Point = bls12_381.G1.ProjectivePoint.ZERO;
  for (const s of shares) sum = sum.add(g1FromHex(s.signature, `share of ${s.id}`));
  return { signers, signature: g1ToHex(sum) };
}

/**
 * Verify an aggregate over all signers with one pairing check (paper step c):
 * `e(S, P) == e(H2(m), sum ID_i * y_ID_i)`. `keys` must come from a trusted place (the chaincode's
 * registry or {@link ibsVerifyCertified}); a raw, unvetted key opens the door to rogue-key forgery.
 * Returns false for a wrong signature; throws `IdentityError` for malformed input.
 */
export function ibsVerify(message: Uint8Array | string, ms: MultiSignature, keys: KeyLookup): boolean {
  const signers = checkSigners(ms.signers);
  const S = g1FromHex(ms.signature, 'signature');
  let Y: G2Point = bls12_381.G2.ProjectivePoint.ZERO;
  for (const id of signers) Y = Y.add(lookup(keys, id).multiply(idScalar(id)));
  // The identity aggregate key would make the check trivially true for S = 0, which g1FromHex already refuses.
  if (Y.equals(bls12_381.G2.ProjectivePoint.ZERO)) return false;
  return pairingCheck(S, h2(bytes(message)), Y);
}

/**
 * Verify an aggregate using KGC certificates as the source of keys: every signer must hold a valid,
 * unexpired certificate under `params` (certified keys carry a checked proof of possession, escrow
 * keys were derived by the KGC, so neither can be a rogue key). `modes` restricts which kinds of
 * keys are acceptable, e.g. `['certified']` where KGC escrow is not tolerable.
 */
export function ibsVerifyCertified(
  params: SystemParams,
  message: Uint8Array | string,
  ms: MultiSignature,
  certificates: readonly KeyCertificate[],
  now: number,
  modes: readonly KeyMode[] = ['escrow', 'certified'],
): boolean {
  const keys = new Map<string, string>();
  for (const id of checkSigners(ms.signers)) {
    const cert = certificates.find((c) => c.id === id);
    if (!cert) throw new IdentityError('UNKNOWN_SIGNER', `no certificate for ${id}`);
    if (!modes.includes(cert.mode)) throw new IdentityError('BAD_CERTIFICATE', `${id}'s key mode ${cert.mode} is not accepted here`);
    verifyCertificate(params, cert, now);
    keys.set(id, cert.publicKey);
  }
  return ibsVerify(message, ms, keys);
}
