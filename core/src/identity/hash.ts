import { bls12_381 } from '@noble/curves/bls12-381';
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve';
import { sha256 } from '@noble/hashes/sha2';
import { IdentityError } from './errors';
import { lengthPrefixed, scalarToBytes, utf8 } from './encoding';

/** Order q of G1 and G2 (the paper's Z_q). */
export const CURVE_ORDER: bigint = bls12_381.params.r;

/**
 * Domain separation tags, one per hash use, so that an output of one hash can never be replayed
 * as the output of another (a proof of possession is not a signature, a certificate is not a
 * signature, a key-derivation scalar is not an identity scalar).
 */
export const DST = {
  /** H1 of the paper: (ID, K_ID, s) -> Z_q*, used only by the KGC to derive escrowed keys. */
  H1: 'GRIDLEDGER-V1-IBS-H1-KEY-DERIVE_XMD:SHA-256_',
  /** Identity string -> Z_q*: the paper multiplies by ID as a number; we make it a scalar. */
  ID: 'GRIDLEDGER-V1-IBS-ID-SCALAR_XMD:SHA-256_',
  /** H2 of the paper: message -> G1 (RFC 9380 hash-to-curve). */
  H2: 'GRIDLEDGER-V1-IBS-H2-SIGN_BLS12381G1_XMD:SHA-256_SSWU_RO_',
  /** Proof of possession of a self-generated key. */
  POP: 'GRIDLEDGER-V1-IBS-POP_BLS12381G1_XMD:SHA-256_SSWU_RO_',
  /** KGC signature over a key certificate. */
  CERT: 'GRIDLEDGER-V1-IBS-CERT_BLS12381G1_XMD:SHA-256_SSWU_RO_',
} as const;

/** Largest identity accepted: printable ASCII so that no two spellings look alike. */
const ID_PATTERN = /^[A-Za-z0-9._:@/-]{1,128}$/;

/** Throws unless `id` is a valid identity string. */
export function assertId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new IdentityError('BAD_ID', 'identity must be 1-128 chars of [A-Za-z0-9._:@/-]');
  }
}

/** Hash to a non-zero scalar mod q (RFC 9380 hash_to_field with 48-byte expansion: bias < 2^-128). */
export function hashToScalar(msg: Uint8Array, dst: string): bigint {
  const [[x]] = hash_to_field(msg, 1, { DST: dst, p: CURVE_ORDER, m: 1, k: 128, expand: 'xmd', hash: sha256 });
  // Zero has probability 2^-255; refusing it keeps every derived key in Z_q* as the paper requires.
  if (x === 0n) throw new IdentityError('BAD_SCALAR', 'hash to scalar gave zero');
  return x;
}

/** The paper's H1(ID, K_ID, s), with the three inputs length-prefixed to avoid ambiguity. */
export function h1(id: string, keyTag: bigint, master: bigint): bigint {
  return hashToScalar(lengthPrefixed(utf8(id), scalarToBytes(keyTag), scalarToBytes(master)), DST.H1);
}

const idCache = new Map<string, bigint>();
/** The scalar that stands for `ID` in the paper's `S_i = ID_i * x_i * h`. Cached: it is public. */
export function idScalar(id: string): bigint {
  let x = idCache.get(id);
  if (x === undefined) {
    assertId(id);
    x = hashToScalar(utf8(id), DST.ID);
    if (idCache.size > 4096) idCache.clear();
    idCache.set(id, x);
  }
  return x;
}

/** The paper's H2(m) into G1. */
export function h2(msg: Uint8Array) {
  return bls12_381.G1.hashToCurve(msg, { DST: DST.H2 }) as unknown as G1Point;
}

/** Hash to G1 under an explicit tag (proofs of possession, certificates). */
export function hashToG1(msg: Uint8Array, dst: string): G1Point {
  return bls12_381.G1.hashToCurve(msg, { DST: dst }) as unknown as G1Point;
}

/** Point types of @noble/curves, named for readability. */
export type G1Point = InstanceType<typeof bls12_381.G1.ProjectivePoint>;
export type G2Point = InstanceType<typeof bls12_381.G2.ProjectivePoint>;
