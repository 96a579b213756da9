import { Base8, addPoint, inCurve, mulPointEscalar } from '@zk-kit/baby-jubjub';
import { ZkError } from './errors';
import { BABYJUB_SUBORDER, CIRCUIT_MAX_SCALAR, SCALAR_BITS, SNARK_FIELD, randomBits, toField } from './field';

/** A BabyJubJub point in twisted Edwards affine coordinates (x, y), as circomlib uses them. */
export type BabyPoint = readonly [bigint, bigint];
/** JSON form of a point: two decimal strings. */
export type BabyPointJson = readonly [string, string];

export const BABYJUB_BASE8: BabyPoint = [Base8[0], Base8[1]];
export const BABYJUB_IDENTITY: BabyPoint = [0n, 1n];

export function pointEquals(a: BabyPoint, b: BabyPoint): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

export function pointToJson(p: BabyPoint): BabyPointJson {
  return [p[0].toString(), p[1].toString()];
}

/** Parse a point (pair of field elements); checks only that the coordinates are field elements. */
export function toBabyPoint(p: unknown, what = 'point'): BabyPoint {
  if (!Array.isArray(p) || p.length !== 2) throw new ZkError('INVALID_POINT', `${what}: expected [x, y]`);
  return [toField(p[0], `${what}.x`), toField(p[1], `${what}.y`)];
}

export function babyAdd(a: BabyPoint, b: BabyPoint): BabyPoint {
  return addPoint([a[0], a[1]], [b[0], b[1]]);
}

export function babyNeg(a: BabyPoint): BabyPoint {
  return [a[0] === 0n ? 0n : SNARK_FIELD - a[0], a[1]];
}

// Scalar multiplication in extended twisted Edwards coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, T = XY/Z:
// one field inversion per multiplication instead of one per addition. The addition law is complete
// on BabyJubJub (a square, d non-square), so no special cases.
const FQ = SNARK_FIELD;
const A_COEF = 168700n;
const D_COEF = 168696n;
type Ext = [bigint, bigint, bigint, bigint];
const md = (x: bigint): bigint => {
  const r = x % FQ;
  return r < 0n ? r + FQ : r;
};
function extAdd(p: Ext, q: Ext): Ext {
  const a = md(p[0] * q[0]);
  const b = md(p[1] * q[1]);
  const c = md(md(p[3] * D_COEF) * q[3]);
  const d = md(p[2] * q[2]);
  const e = md(md((p[0] + p[1]) * (q[0] + q[1])) - a - b);
  const f = md(d - c);
  const g = md(d + c);
  const h = md(b - A_COEF * a);
  return [md(e * f), md(g * h), md(f * g), md(e * h)];
}
function modInv(x: bigint): bigint {
  // Fermat: x^(p-2)
  let result = 1n;
  let base = md(x);
  let e = FQ - 2n;
  while (e > 0n) {
    if (e & 1n) result = md(result * base);
    base = md(base * base);
    e >>= 1n;
  }
  return result;
}

export function babyMul(p: BabyPoint, scalar: bigint): BabyPoint {
  if (scalar < 0n) throw new RangeError('negative scalar');
  let acc: Ext = [0n, 1n, 1n, 0n];
  let base: Ext = [p[0], p[1], 1n, md(p[0] * p[1])];
  let e = scalar;
  while (e > 0n) {
    if (e & 1n) acc = extAdd(acc, base);
    base = extAdd(base, base);
    e >>= 1n;
  }
  const zi = modInv(acc[2]);
  return [md(acc[0] * zi), md(acc[1] * zi)];
}

/** Reference multiplication from @zk-kit/baby-jubjub (for cross-checks in tests). */
export function babyMulReference(p: BabyPoint, scalar: bigint): BabyPoint {
  return mulPointEscalar([p[0], p[1]], scalar);
}

export function isOnBabyJub(p: BabyPoint): boolean {
  return inCurve([p[0], p[1]]);
}

/** On the curve and in the prime-order subgroup (l * P = identity). Costs one scalar multiplication. */
export function isInBabyJubSubgroup(p: BabyPoint): boolean {
  return isOnBabyJub(p) && pointEquals(babyMul(p, BABYJUB_SUBORDER), BABYJUB_IDENTITY);
}

/**
 * Validate a public key or ciphertext component received from someone else: field coordinates, on
 * the curve, in the prime-order subgroup and (unless allowIdentity) not the identity.
 */
/**
 * Field coordinates, on the curve and (unless allowIdentity) not the identity, without the subgroup
 * check's scalar multiplication (~2.5 ms). Only for points a verified proof already constrains to the
 * subgroup: the borrow ciphertext, whose circuit computes c1 = r*Base8 and c2 = M + r*(PK_g + PK_u)
 * from subgroup points, so a c1 or c2 outside it makes the proof fail.
 */
export function assertBabyPointOnCurve(p: unknown, what = 'point', allowIdentity = false): BabyPoint {
  const q = toBabyPoint(p, what);
  if (!isOnBabyJub(q)) throw new ZkError('INVALID_POINT', `${what}: not on BabyJubJub`);
  if (!allowIdentity && pointEquals(q, BABYJUB_IDENTITY)) throw new ZkError('INVALID_POINT', `${what}: the identity point`);
  return q;
}

export function assertValidBabyPoint(p: unknown, what = 'point', allowIdentity = false): BabyPoint {
  const q = toBabyPoint(p, what);
  if (!isOnBabyJub(q)) throw new ZkError('INVALID_POINT', `${what}: not on BabyJubJub`);
  if (!allowIdentity && pointEquals(q, BABYJUB_IDENTITY)) throw new ZkError('INVALID_POINT', `${what}: the identity point`);
  if (!isInBabyJubSubgroup(q)) throw new ZkError('INVALID_POINT', `${what}: not in the prime-order subgroup`);
  return q;
}

// ---------------------------------------------------------------- tracing keys

export interface TraceKeyPair {
  /** secret scalar in [1, l) */
  readonly secretKey: bigint;
  /** secretKey * Base8 */
  readonly publicKey: BabyPoint;
}

export function randomBabyScalar(): bigint {
  for (;;) {
    const s = randomBits(252);
    if (s > 0n && s < BABYJUB_SUBORDER) return s;
  }
}

export function traceKeyFromSecret(secretKey: bigint): TraceKeyPair {
  const sk = toField(secretKey, 'secretKey');
  if (sk === 0n || sk >= BABYJUB_SUBORDER) throw new ZkError('OUT_OF_RANGE', 'secretKey must be in [1, l)');
  return { secretKey: sk, publicKey: babyMul(BABYJUB_BASE8, sk) };
}

/** A tracing key pair for a guarantor or the Utility. */
export function generateTraceKeyPair(): TraceKeyPair {
  return traceKeyFromSecret(randomBabyScalar());
}

/** PK_g + PK_u, after validating both keys. Refuses a sum equal to the identity. */
export function jointPublicKey(pkGuarantor: unknown, pkUtility: unknown): BabyPoint {
  const g = assertValidBabyPoint(pkGuarantor, 'pkGuarantor');
  const u = assertValidBabyPoint(pkUtility, 'pkUtility');
  const j = babyAdd(g, u);
  if (pointEquals(j, BABYJUB_IDENTITY)) throw new ZkError('INVALID_POINT', 'joint key is the identity');
  return j;
}

// ---------------------------------------------------------------- ElGamal on BabyJubJub

/** ElGamal ciphertext (c1, c2) = (r*Base8, M + r*PK). */
export interface ElGamalCiphertext {
  readonly c1: BabyPoint;
  readonly c2: BabyPoint;
}

/** The message point of an identity: identity * Base8 (identity < 2^246, see identityToField). */
export function identityPoint(identity: bigint): BabyPoint {
  const id = toField(identity, 'identity');
  if (id > CIRCUIT_MAX_SCALAR) throw new ZkError('OUT_OF_RANGE', `identity must be below 2^${SCALAR_BITS}`);
  return babyMul(BABYJUB_BASE8, id);
}

/** Fresh ElGamal randomness in [1, 2^246): never reuse it across loans (reuse links them). */
export function randomElGamalNonce(): bigint {
  for (;;) {
    const r = randomBits(SCALAR_BITS);
    if (r !== 0n) return r;
  }
}

/**
 * Encrypt identity * Base8 under a (joint) public key exactly as the borrow circuit does.
 * `randomness` must be in [1, 2^246); a fresh one is drawn when omitted.
 */
export function elgamalEncrypt(identity: bigint, publicKey: BabyPoint, randomness: bigint = randomElGamalNonce()): ElGamalCiphertext {
  const r = toField(randomness, 'randomness');
  if (r === 0n || r > CIRCUIT_MAX_SCALAR) throw new ZkError('OUT_OF_RANGE', `ElGamal randomness must be in [1, 2^${SCALAR_BITS})`);
  const pk = assertValidBabyPoint(publicKey, 'publicKey');
  return { c1: babyMul(BABYJUB_BASE8, r), c2: babyAdd(identityPoint(identity), babyMul(pk, r)) };
}

/** One key holder's decryption share: secretKey * c1. */
export function decryptionShare(secretKey: bigint, c1: BabyPoint): BabyPoint {
  return babyMul(assertValidBabyPoint(c1, 'c1'), secretKey);
}

/** M = c2 - sum(shares). With the shares of both holders of the joint key this is identity * Base8. */
export function combineDecryptionShares(ciphertext: ElGamalCiphertext, shares: readonly BabyPoint[]): BabyPoint {
  let m = toBabyPoint(ciphertext.c2, 'c2');
  for (const s of shares) m = babyAdd(m, babyNeg(toBabyPoint(s, 'share')));
  return m;
}

/** Decrypt with full secret key(s) (e.g. in tests): c2 - (sum sk) * c1. */
export function elgamalDecrypt(ciphertext: ElGamalCiphertext, secretKeys: readonly bigint[]): BabyPoint {
  return combineDecryptionShares(ciphertext, secretKeys.map((sk) => decryptionShare(sk, ciphertext.c1)));
}

/** Which of the candidate identities (field values) a decrypted message point is, or undefined. */
export function matchIdentity(message: BabyPoint, candidates: Iterable<bigint>): bigint | undefined {
  for (const c of candidates) if (pointEquals(identityPoint(c), message)) return c;
  return undefined;
}
