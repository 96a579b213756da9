import { randomBytes } from 'node:crypto';
import { bls12_381 } from '@noble/curves/bls12-381';
import { IdentityError } from './errors';
import { CURVE_ORDER, type G1Point, type G2Point } from './hash';
import { fromHex, toHex } from './encoding';

const G1 = bls12_381.G1.ProjectivePoint;
const G2 = bls12_381.G2.ProjectivePoint;
const Fp12 = bls12_381.fields.Fp12;

/** Generator P of the paper, placed in G2 (public keys in G2, signatures in G1: "short" signatures). */
export const P: G2Point = G2.BASE;
const NEG_P: G2Point = G2.BASE.negate();

/** Compressed G1 point (48 bytes) as hex. */
export function g1ToHex(p: G1Point): string {
  return p.toHex(true);
}
/** Compressed G2 point (96 bytes) as hex. */
export function g2ToHex(p: G2Point): string {
  return p.toHex(true);
}

/**
 * Decode a compressed G1 point; refuses the identity (a zero signature or key would make the
 * pairing equation trivially true) and anything off the prime-order subgroup.
 */
export function g1FromHex(hex: unknown, what: string): G1Point {
  const bytes = fromHex(hex, 48, what);
  let p: G1Point;
  try {
    p = G1.fromHex(bytes);
    p.assertValidity();
  } catch (e) {
    throw new IdentityError('BAD_POINT', `${what}: ${(e as Error).message}`);
  }
  if (p.equals(G1.ZERO)) throw new IdentityError('BAD_POINT', `${what} is the identity point`);
  return p;
}

/** Decode a compressed G2 point, with the same refusals as {@link g1FromHex}. */
export function g2FromHex(hex: unknown, what: string): G2Point {
  const bytes = fromHex(hex, 96, what);
  let p: G2Point;
  try {
    p = G2.fromHex(bytes);
    p.assertValidity();
  } catch (e) {
    throw new IdentityError('BAD_POINT', `${what}: ${(e as Error).message}`);
  }
  if (p.equals(G2.ZERO)) throw new IdentityError('BAD_POINT', `${what} is the identity point`);
  return p;
}

/** Scalar in [1, q-1] as 32-byte hex. */
export function scalarToHex(x: bigint): string {
  return x.toString(16).padStart(64, '0');
}

/** Decode a secret scalar; refuses 0 and values >= q so that each key has one encoding. */
export function scalarFromHex(hex: unknown, what: string): bigint {
  const x = BigInt('0x' + toHex(fromHex(hex, 32, what)));
  if (x === 0n || x >= CURVE_ORDER) throw new IdentityError('BAD_SCALAR', `${what} must be in [1, q-1]`);
  return x;
}

/** Uniform secret scalar in [1, q-1] from 48 random bytes (bias < 2^-128). */
export function randomScalar(): bigint {
  const x = BigInt('0x' + randomBytes(48).toString('hex')) % CURVE_ORDER;
  return x === 0n ? randomScalar() : x;
}

/**
 * The single pairing check `e(sig, P) == e(h, pub)`, computed as one product of two Miller loops
 * and one final exponentiation: `e(sig, -P) * e(h, pub) == 1`.
 */
export function pairingCheck(sig: G1Point, h: G1Point, pub: G2Point): boolean {
  const f = bls12_381.pairingBatch([
    { g1: sig, g2: NEG_P },
    { g1: h, g2: pub },
  ]);
  return Fp12.eql(f, Fp12.ONE);
}
