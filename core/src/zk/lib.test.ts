import { poseidon1, poseidon2 } from 'poseidon-lite';
import {
  BABYJUB_BASE8,
  BABYJUB_IDENTITY,
  BABYJUB_SUBORDER,
  CIRCUIT_MAX_SCALAR,
  GUARANTOR_IDS,
  PoseidonMerkleTree,
  SNARK_FIELD,
  ZkError,
  addressToField,
  assertBabyPointOnCurve,
  assertValidBabyPoint,
  babyMul,
  babyMulReference,
  combineTraceShares,
  computeMerkleRoot,
  createPoolNote,
  createTraceShare,
  creditInequalityHolds,
  decodePoolNote,
  elgamalDecrypt,
  elgamalEncrypt,
  emptyFrontier,
  encodePoolNote,
  frontierInsert,
  generateTraceKeyPair,
  guarantorIdForMsp,
  guarantorMspForId,
  identityPoint,
  identityToField,
  jointPublicKey,
  matchIdentity,
  noteCommitment,
  noteNullifierHash,
  pointEquals,
  toField,
  verifyMerkleProof,
  verifyTraceShare,
  zeroHashes,
} from './index';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof ZkError ? e.code : `not a ZkError: ${String(e)}`;
  }
  return undefined;
}

describe('field values', () => {
  it('parses canonical decimal and hex, refuses everything else with a typed error', () => {
    expect(toField('0')).toBe(0n);
    expect(toField('0x10')).toBe(16n);
    expect(toField(7)).toBe(7n);
    expect(toField(SNARK_FIELD - 1n)).toBe(SNARK_FIELD - 1n);
    for (const bad of [SNARK_FIELD, SNARK_FIELD + 5n, -1n, '-1', '01', ' 1', '1e3', 1.5, NaN, null, undefined, {}, [], '0x', 'abc']) {
      expect(code(() => toField(bad))).toBe('NOT_IN_FIELD');
    }
  });
  it('addressToField is deterministic, in the field, and separates hex from text', () => {
    const a = addressToField('0xAbCd');
    expect(a).toBe(addressToField('0xabcd'));
    expect(a).toBe(addressToField(Uint8Array.from([0xab, 0xcd])));
    expect(a).not.toBe(addressToField('abcd'));
    expect(a < SNARK_FIELD).toBe(true);
  });
  it('identityToField is a scalar below 2^246', () => {
    const id = identityToField('alice');
    expect(id <= CIRCUIT_MAX_SCALAR).toBe(true);
    expect(id).not.toBe(identityToField('bob'));
    expect(code(() => identityToField(''))).toBe('OUT_OF_RANGE');
  });
  it('maps guarantor MSPs to ids and back', () => {
    expect(GUARANTOR_IDS).toEqual({ GuarantorAMSP: 1, GuarantorBMSP: 2 });
    expect(guarantorIdForMsp('GuarantorBMSP')).toBe(2);
    expect(guarantorMspForId(1)).toBe('GuarantorAMSP');
    expect(code(() => guarantorIdForMsp('UtilityMSP'))).toBe('OUT_OF_RANGE');
  });
  it('credit inequality with integer percentages', () => {
    expect(creditInequalityHolds(740, 700, 60, 800, 40)).toBe(true);
    expect(creditInequalityHolds(741, 700, 60, 800, 40)).toBe(false);
    expect(code(() => creditInequalityHolds(1, 2 ** 32, 1, 1, 1))).toBe('OUT_OF_RANGE');
  });
});

describe('Poseidon Merkle tree', () => {
  it('empty roots are the zero hashes', () => {
    const z = zeroHashes(20);
    expect(z[1]).toBe(poseidon2([0n, 0n]));
    expect(new PoseidonMerkleTree(20).root).toBe(z[20]);
    expect(emptyFrontier(20).root).toBe(String(z[20]));
  });
  it('proofs verify, the frontier tracks the root, wrong openings fail', () => {
    const t = new PoseidonMerkleTree(20);
    let f = emptyFrontier(20);
    for (let i = 1n; i <= 9n; i++) {
      t.insert(i * 1000n);
      f = frontierInsert(f, i * 1000n);
      expect(f.root).toBe(String(t.root));
    }
    expect(f.nextIndex).toBe(9);
    expect(t.frontier().root).toBe(f.root);
    for (let i = 0; i < 9; i++) expect(verifyMerkleProof(t.proof(i))).toBe(true);
    const p = t.proof(4);
    expect(computeMerkleRoot(p.leaf, p.leafIndex, p.siblings)).toBe(t.root);
    expect(verifyMerkleProof({ ...p, leafIndex: 5 })).toBe(false);
    expect(verifyMerkleProof({ ...p, leaf: p.leaf + 1n })).toBe(false);
    expect(code(() => t.proof(9))).toBe('MERKLE');
    expect(code(() => t.insert(SNARK_FIELD))).toBe('NOT_IN_FIELD');
  });
  it('refuses inserts into a full tree', () => {
    const t = new PoseidonMerkleTree(2, [1n, 2n, 3n, 4n]);
    expect(code(() => t.insert(5n))).toBe('MERKLE');
  });
});

describe('pool notes', () => {
  it('commitment and nullifier hash are the circuit hashes; notes round-trip as text', () => {
    const n = createPoolNote();
    expect(noteCommitment(n)).toBe(poseidon2([n.nullifier, n.secret]));
    expect(noteNullifierHash(n)).toBe(poseidon1([n.nullifier]));
    expect(decodePoolNote(encodePoolNote(n))).toEqual(n);
    expect(code(() => decodePoolNote('gridledger-note-v1-zz'))).toBe('NOT_IN_FIELD');
  });
});

describe('BabyJubJub, ElGamal and trace shares', () => {
  const g = generateTraceKeyPair();
  const u = generateTraceKeyPair();
  const joint = jointPublicKey(g.publicKey, u.publicKey);
  const identity = identityToField('borrower-7');
  const ct = elgamalEncrypt(identity, joint);
  const loanId = 424242n;

  it('validates points: off-curve, low order and identity are refused', () => {
    expect(assertValidBabyPoint(g.publicKey)).toEqual(g.publicKey);
    expect(code(() => assertValidBabyPoint([g.publicKey[0], g.publicKey[1] + 1n]))).toBe('INVALID_POINT');
    expect(code(() => assertValidBabyPoint(BABYJUB_IDENTITY))).toBe('INVALID_POINT');
    // (0, -1) is on the curve with order 2
    expect(code(() => assertValidBabyPoint([0n, SNARK_FIELD - 1n]))).toBe('INVALID_POINT');
    expect(code(() => assertValidBabyPoint('nope'))).toBe('INVALID_POINT');
    expect(pointEquals(babyMul(BABYJUB_BASE8, BABYJUB_SUBORDER), BABYJUB_IDENTITY)).toBe(true);
  });
  it('the on-curve check (for proof-bound points) refuses off-curve and identity points but not low order ones', () => {
    expect(assertBabyPointOnCurve(g.publicKey)).toEqual(g.publicKey);
    expect(code(() => assertBabyPointOnCurve([g.publicKey[0], g.publicKey[1] + 1n]))).toBe('INVALID_POINT');
    expect(code(() => assertBabyPointOnCurve(BABYJUB_IDENTITY))).toBe('INVALID_POINT');
    expect(assertBabyPointOnCurve(BABYJUB_IDENTITY, 'c2', true)).toEqual(BABYJUB_IDENTITY);
    // Order 2: only the proof check, not this one, refuses it as a ciphertext component.
    expect(assertBabyPointOnCurve([0n, SNARK_FIELD - 1n])).toEqual([0n, SNARK_FIELD - 1n]);
  });
  it('fast scalar multiplication matches the reference', () => {
    for (const k of [0n, 1n, 2n, 3n, 255n, BABYJUB_SUBORDER - 1n, BABYJUB_SUBORDER, g.secretKey]) {
      expect(pointEquals(babyMul(g.publicKey, k), babyMulReference(g.publicKey, k))).toBe(true);
    }
  });
  it('decrypts only with both keys', () => {
    expect(pointEquals(elgamalDecrypt(ct, [g.secretKey, u.secretKey]), identityPoint(identity))).toBe(true);
    expect(pointEquals(elgamalDecrypt(ct, [g.secretKey]), identityPoint(identity))).toBe(false);
    expect(pointEquals(elgamalDecrypt(ct, [u.secretKey]), identityPoint(identity))).toBe(false);
  });
  it('fresh randomness: two encryptions of one identity differ', () => {
    const ct2 = elgamalEncrypt(identity, joint);
    expect(pointEquals(ct.c1, ct2.c1)).toBe(false);
  });
  it('trace shares verify for the registered key and combine into the identity', () => {
    const sg = createTraceShare(loanId, g.secretKey, ct);
    const su = createTraceShare(loanId, u.secretKey, ct);
    expect(verifyTraceShare(loanId, g.publicKey, ct, sg)).toBe(true);
    expect(verifyTraceShare(loanId, u.publicKey, ct, su)).toBe(true);
    const m = combineTraceShares(ct, [sg, su]);
    expect(matchIdentity(m, [identityToField('x'), identity])).toBe(identity);
  });
  it('refuses a share for another key, another loan, another ciphertext, or a tampered share', () => {
    const sg = createTraceShare(loanId, g.secretKey, ct);
    expect(verifyTraceShare(loanId, u.publicKey, ct, sg)).toBe(false);
    expect(verifyTraceShare(loanId + 1n, g.publicKey, ct, sg)).toBe(false);
    const other = elgamalEncrypt(identity, joint);
    expect(verifyTraceShare(loanId, g.publicKey, other, sg)).toBe(false);
    // a "share" that would frame someone else: D' = D + G, with the original proof
    const framed = babyMul(BABYJUB_BASE8, 5n);
    expect(verifyTraceShare(loanId, g.publicKey, ct, { ...sg, share: [framed[0].toString(), framed[1].toString()] })).toBe(false);
    expect(verifyTraceShare(loanId, g.publicKey, ct, { ...sg, s: ((BigInt(sg.s) + 1n) % BABYJUB_SUBORDER).toString() })).toBe(false);
  });
  it('malformed trace input is a typed error', () => {
    const sg = createTraceShare(loanId, g.secretKey, ct);
    expect(code(() => verifyTraceShare(loanId, g.publicKey, ct, { ...sg, s: BABYJUB_SUBORDER.toString() }))).toBe('OUT_OF_RANGE');
    expect(code(() => verifyTraceShare(loanId, g.publicKey, ct, { ...sg, share: ['1', '2'] }))).toBe('INVALID_POINT');
    expect(code(() => verifyTraceShare(loanId, [0n, 1n], ct, sg))).toBe('INVALID_POINT');
    expect(code(() => verifyTraceShare('x', g.publicKey, ct, sg))).toBe('NOT_IN_FIELD');
    expect(code(() => verifyTraceShare(loanId, g.publicKey, ct, null as never))).toBe('MALFORMED_PROOF');
  });
});
