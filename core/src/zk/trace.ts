import { ZkError } from './errors';
import { BABYJUB_SUBORDER, fieldToString, toField, SNARK_FIELD } from './field';
import { poseidonHash } from './poseidon';
import {
  BABYJUB_BASE8,
  BabyPoint,
  BabyPointJson,
  ElGamalCiphertext,
  assertValidBabyPoint,
  babyAdd,
  babyMul,
  babyNeg,
  combineDecryptionShares,
  pointToJson,
  randomBabyScalar,
  toBabyPoint,
} from './babyjub';
import { createHash } from 'node:crypto';

/**
 * Trace protocol (tracing phase of the lending paper): after default, each holder of half of the
 * joint key publishes D = sk * c1 with a Chaum–Pedersen proof that log_Base8(PK) = log_c1(D), i.e. the
 * share was made with the key it registered, without revealing sk. Non-interactive by Fiat–Shamir:
 * the challenge is Poseidon over a domain tag, the loan id, PK, c1, c2, D and the commitments, so a
 * proof is bound to one loan and one ciphertext and cannot be replayed elsewhere.
 */
export interface TraceShare {
  /** D = sk * c1 */
  readonly share: BabyPointJson;
  /** Fiat–Shamir challenge c and response s = k + c*sk mod l (decimal strings) */
  readonly c: string;
  readonly s: string;
}

const TRACE_DOMAIN = BigInt('0x' + createHash('sha256').update('gridledger/trace-share/v1').digest('hex')) % SNARK_FIELD;

function challenge(loanId: bigint, pk: BabyPoint, ct: ElGamalCiphertext, d: BabyPoint, t1: BabyPoint, t2: BabyPoint): bigint {
  const h = poseidonHash([TRACE_DOMAIN, loanId, pk[0], pk[1], ct.c1[0], ct.c1[1], ct.c2[0], ct.c2[1], d[0], d[1], t1[0], t1[1], t2[0], t2[1]]);
  return h % BABYJUB_SUBORDER;
}

/** Make a decryption share of a loan's ciphertext with its proof of correctness. */
export function createTraceShare(loanId: bigint | string, secretKey: bigint, ciphertext: ElGamalCiphertext): TraceShare {
  const id = toField(loanId, 'loanId');
  const sk = toField(secretKey, 'secretKey');
  if (sk === 0n || sk >= BABYJUB_SUBORDER) throw new ZkError('OUT_OF_RANGE', 'secretKey must be in [1, l)');
  const ct = { c1: assertValidBabyPoint(ciphertext.c1, 'c1'), c2: toBabyPoint(ciphertext.c2, 'c2') };
  const pk = babyMul(BABYJUB_BASE8, sk);
  const d = babyMul(ct.c1, sk);
  const k = randomBabyScalar();
  const t1 = babyMul(BABYJUB_BASE8, k);
  const t2 = babyMul(ct.c1, k);
  const c = challenge(id, pk, ct, d, t1, t2);
  const s = (k + c * sk) % BABYJUB_SUBORDER;
  return { share: pointToJson(d), c: fieldToString(c), s: fieldToString(s) };
}

/**
 * Check a published share against the registered key of its holder. Returns false for a wrong share
 * or proof; throws ZkError for malformed input (bad points, values out of range).
 */
export function verifyTraceShare(loanId: bigint | string, publicKey: unknown, ciphertext: { c1: unknown; c2: unknown }, share: TraceShare): boolean {
  const id = toField(loanId, 'loanId');
  const pk = assertValidBabyPoint(publicKey, 'publicKey');
  const ct = { c1: assertValidBabyPoint(ciphertext.c1, 'c1'), c2: toBabyPoint(ciphertext.c2, 'c2') };
  if (share === null || typeof share !== 'object') throw new ZkError('MALFORMED_PROOF', 'trace share: expected an object');
  const d = assertValidBabyPoint(share.share, 'share', true);
  const c = toField(share.c, 'c');
  const s = toField(share.s, 's');
  if (c >= BABYJUB_SUBORDER || s >= BABYJUB_SUBORDER) throw new ZkError('OUT_OF_RANGE', 'c and s must be below l');
  // t1 = s*G - c*PK, t2 = s*c1 - c*D; valid iff the challenge recomputes
  const t1 = babyAdd(babyMul(BABYJUB_BASE8, s), babyNeg(babyMul(pk, c)));
  const t2 = babyAdd(babyMul(ct.c1, s), babyNeg(babyMul(d, c)));
  return challenge(id, pk, ct, d, t1, t2) === c;
}

/** Combine the (verified) shares of the guarantor and the Utility into the message point identity*Base8. */
export function combineTraceShares(ciphertext: ElGamalCiphertext, shares: readonly TraceShare[]): BabyPoint {
  return combineDecryptionShares(ciphertext, shares.map((s) => toBabyPoint(s.share, 'share')));
}
