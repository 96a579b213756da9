import { bn254 } from '@noble/curves/bn254';
import * as snarkjs from 'snarkjs';
import {
  Groth16Proof,
  Groth16VerificationKey,
  PoseidonMerkleTree,
  SNARK_FIELD,
  ZkError,
  addressToField,
  batchVerifyBorrow,
  batchVerifyGroth16,
  borrowPublicSignals,
  createBorrowerIdentity,
  createPoolNote,
  credentialLeaf,
  generateTraceKeyPair,
  identityCommitment,
  identitySecretHash,
  identityToField,
  loadVerificationKey,
  noteCommitment,
  proveBorrow,
  proveWithdraw,
  releaseZk,
  rerandomizeGroth16Proof,
  verifyBorrow,
  verifyGroth16,
  verifyWithdraw,
  withdrawPublicSignals,
  BorrowPublicInputs,
  BorrowWitness,
  WithdrawPublicInputs,
  BORROW_PUBLIC_SIGNALS,
} from './index';

jest.setTimeout(120_000);

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof ZkError ? e.code : `not a ZkError: ${String(e)}`;
  }
  return undefined;
}

type G2Json = [[string, string], [string, string], [string, string]];
/** A point on the G2 twist that is not in the order-r subgroup. */
function twistPointOutsideSubgroup(): G2Json {
  return twistPointsOutsideSubgroup(1)[0];
}
function twistPointsOutsideSubgroup(count: number): G2Json[] {
  const Fp2 = bn254.fields.Fp2;
  const b = bn254.G2.CURVE.b;
  const out: G2Json[] = [];
  for (let i = 1n; out.length < count; i++) {
    const x = Fp2.fromBigTuple([i, 1n]);
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue;
    }
    if (!Fp2.eql(Fp2.sqr(y), rhs)) continue;
    const P = bn254.G2.ProjectivePoint.fromAffine({ x, y });
    if (P.isTorsionFree()) continue;
    out.push([[String(x.c0), String(x.c1)], [String(y.c0), String(y.c1)], ['1', '0']]);
    // also a multiple of it by the cofactor's small factor, to hit other torsion components
    const Q = P.multiply(10069n).toAffine();
    if (!bn254.G2.ProjectivePoint.fromAffine(Q).isTorsionFree()) out.push([[String(Q.x.c0), String(Q.x.c1)], [String(Q.y.c0), String(Q.y.c1)], ['1', '0']]);
  }
  return out.slice(0, count);
}

let withdraw: { proof: Groth16Proof; publicInputs: WithdrawPublicInputs };
let borrow: { proof: Groth16Proof; publicInputs: BorrowPublicInputs };
let borrowVk: Groth16VerificationKey;

beforeAll(async () => {
  const tree = new PoseidonMerkleTree(20);
  const note = createPoolNote();
  tree.insert(1n);
  const idx = tree.insert(noteCommitment(note));
  withdraw = await proveWithdraw({ note, merkleProof: tree.proof(idx), recipient: addressToField('0xaa'), relayer: addressToField('0xbb'), fee: 3n });

  const g = generateTraceKeyPair();
  const u = generateTraceKeyPair();
  const borrower = createBorrowerIdentity(identityToField('groth16-test-borrower'));
  const reg = new PoseidonMerkleTree(20);
  const leafIdx = reg.insert(credentialLeaf(identityCommitment(borrower.identity, identitySecretHash(borrower.identitySecret)), 650n, 2));
  const w: BorrowWitness = {
    borrower,
    borrowerScore: 650n,
    guarantorId: 2,
    merkleProof: reg.proof(leafIdx),
    amount: 1000n,
    duration: 3600n,
    minScore: 500n,
    weightBorrower: 70n,
    weightGuarantor: 30n,
    guarantorScore: 400n,
    pkGuarantor: g.publicKey,
    pkUtility: u.publicKey,
    recipient: addressToField('0x1234'),
    relayer: addressToField('0x5678'),
    repaySecret: 99n,
  };
  borrow = await proveBorrow(w);
  borrowVk = loadVerificationKey('borrow');
});

afterAll(async () => {
  await releaseZk(true);
});

describe('Groth16 proofs (full prove / verify)', () => {
  it('verification keys have the documented number of public signals and gamma != delta', () => {
    expect(borrowVk.nPublic).toBe(BORROW_PUBLIC_SIGNALS.length);
    expect(loadVerificationKey('withdraw').nPublic).toBe(5);
    expect(JSON.stringify(borrowVk.vk_gamma_2)).not.toBe(JSON.stringify(borrowVk.vk_delta_2));
  });

  it('valid proofs verify with this library and with snarkjs', async () => {
    expect(await verifyWithdraw(withdraw.proof, withdraw.publicInputs)).toBe(true);
    expect(await verifyBorrow(borrow.proof, borrow.publicInputs, borrowVk)).toBe(true);
    expect(await snarkjs.groth16.verify(borrowVk, borrowPublicSignals(borrow.publicInputs), borrow.proof)).toBe(true);
  });

  it('accepts public inputs as decimal strings (JSON from a request or the ledger)', async () => {
    const json = JSON.parse(JSON.stringify(borrow.publicInputs, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    expect(await verifyBorrow(borrow.proof, json, borrowVk)).toBe(true);
  });

  it('every public input of the borrow proof is bound: changing any one fails', async () => {
    const signals = borrowPublicSignals(borrow.publicInputs);
    for (let i = 0; i < signals.length; i++) {
      const s = [...signals];
      s[i] = ((BigInt(s[i]) + 1n) % SNARK_FIELD).toString();
      expect(await verifyGroth16(borrowVk, borrow.proof, s)).toBe(false);
    }
  });

  it('a redirected withdrawal (other recipient, relayer or fee) fails', async () => {
    for (const k of ['recipient', 'relayer', 'fee'] as const) {
      expect(await verifyWithdraw(withdraw.proof, { ...withdraw.publicInputs, [k]: withdraw.publicInputs[k] + 1n })).toBe(false);
    }
  });

  it('refuses malformed input with typed errors', async () => {
    const vk = loadVerificationKey('withdraw');
    const sig = withdrawPublicSignals(withdraw.publicInputs);
    expect(await code(verifyGroth16(vk, withdraw.proof, sig.slice(0, 4)))).toBe('PUBLIC_SIGNAL_COUNT');
    expect(await code(verifyGroth16(vk, withdraw.proof, [...sig, '1']))).toBe('PUBLIC_SIGNAL_COUNT');
    expect(await code(verifyGroth16(vk, withdraw.proof, [SNARK_FIELD.toString(), ...sig.slice(1)]))).toBe('NOT_IN_FIELD');
    expect(await code(verifyWithdraw(withdraw.proof, { ...withdraw.publicInputs, root: SNARK_FIELD + withdraw.publicInputs.root }))).toBe('NOT_IN_FIELD');
    expect(await code(verifyWithdraw(withdraw.proof, { ...withdraw.publicInputs, fee: 1n << 64n }))).toBe('OUT_OF_RANGE');
    expect(await code(verifyGroth16(vk, null, sig))).toBe('MALFORMED_PROOF');
    expect(await code(verifyGroth16(vk, { pi_a: ['x'] }, sig))).toBe('MALFORMED_PROOF');
    expect(await code(verifyGroth16(vk, { ...withdraw.proof, pi_c: ['1', '2', '0'] }, sig))).toBe('MALFORMED_PROOF');
    expect(await code(verifyGroth16(vk, { ...withdraw.proof, protocol: 'plonk' }, sig))).toBe('MALFORMED_PROOF');
  });

  it('refuses points off the curve, B outside the G2 subgroup, and the identity', async () => {
    const vk = loadVerificationKey('withdraw');
    const sig = withdrawPublicSignals(withdraw.publicInputs);
    const p = withdraw.proof;
    const offA = { ...p, pi_a: [p.pi_a[0], (BigInt(p.pi_a[1]) + 1n).toString(), '1'] };
    expect(await code(verifyGroth16(vk, offA, sig))).toBe('INVALID_PROOF_POINT');
    const offB = { ...p, pi_b: [p.pi_b[0], [p.pi_b[1][0], (BigInt(p.pi_b[1][1]) + 1n).toString()], ['1', '0']] };
    expect(await code(verifyGroth16(vk, offB, sig))).toBe('INVALID_PROOF_POINT');
    const twisted = { ...p, pi_b: twistPointOutsideSubgroup() };
    expect(await code(verifyGroth16(vk, twisted, sig))).toBe('INVALID_PROOF_POINT');
    // snarkjs only checks the curve equation for B: it does not flag this point as invalid input
    const q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
    expect(await code(verifyGroth16(vk, { ...p, pi_a: [p.pi_a[0], (BigInt(p.pi_a[1]) + q).toString(), '1'] }, sig))).toBe('INVALID_PROOF_POINT');
    expect(await code(verifyGroth16(vk, { ...p, pi_a: ['0', '1', '0'] }, sig))).toBe('MALFORMED_PROOF');
  });

  it('prepares a key once even when the same JSON is parsed again per call', async () => {
    const { prepareVerificationKey } = await import('./groth16');
    const a = await prepareVerificationKey(JSON.parse(JSON.stringify(borrowVk)));
    const b = await prepareVerificationKey(JSON.parse(JSON.stringify(borrowVk)));
    expect(a).toBe(b);
  });

  it('refuses a verification key without a phase-2 contribution (gamma == delta)', async () => {
    const bad = { ...borrowVk, vk_delta_2: borrowVk.vk_gamma_2 };
    expect(await code(verifyBorrow(borrow.proof, borrow.publicInputs, bad))).toBe('INVALID_VERIFICATION_KEY');
  });

  it('proofs are malleable: a re-randomised proof differs and still verifies (so never key on proof bytes)', async () => {
    const p2 = await rerandomizeGroth16Proof(borrowVk, borrow.proof);
    expect(p2.pi_a).not.toEqual(borrow.proof.pi_a);
    expect(await verifyBorrow(p2, borrow.publicInputs, borrowVk)).toBe(true);
  });

  it('proving an invalid statement is a typed error before any proving work', async () => {
    const tree = new PoseidonMerkleTree(20);
    const note = createPoolNote();
    tree.insert(noteCommitment(note));
    const proof = { ...tree.proof(0), root: 5n };
    expect(await code(proveWithdraw({ note, merkleProof: proof, recipient: 1n, relayer: 2n, fee: 0n }))).toBe('WITNESS_INVALID');
    expect(await code(proveWithdraw({ note, recipient: 1n } as never))).toBe('WITNESS_INVALID');
    expect(await code(proveBorrow(null as never))).toBe('WITNESS_INVALID');
    expect(await code(proveWithdraw({ note, merkleProof: tree.proof(0), recipient: -1n, relayer: 2n, fee: 0n }))).toBe('NOT_IN_FIELD');
  });
});

describe('batch verification', () => {
  let items: { proof: Groth16Proof; publicInputs: BorrowPublicInputs }[];
  beforeAll(async () => {
    items = [];
    for (let i = 0; i < 6; i++) items.push({ proof: await rerandomizeGroth16Proof(borrowVk, borrow.proof), publicInputs: borrow.publicInputs });
  });

  it('accepts a batch of valid proofs in one check', async () => {
    const r = await batchVerifyBorrow(items, borrowVk);
    expect(r).toMatchObject({ allValid: true, fellBack: false });
    expect(r.valid).toEqual(items.map(() => true));
  });

  it('names the invalid proof when one public input is wrong', async () => {
    const bad = [...items];
    bad[3] = { ...bad[3], publicInputs: { ...bad[3].publicInputs, amount: bad[3].publicInputs.amount + 1n } };
    const r = await batchVerifyBorrow(bad, borrowVk);
    expect(r.allValid).toBe(false);
    expect(r.fellBack).toBe(true);
    expect(r.valid).toEqual([true, true, true, false, true, true]);
  });

  it('gives the same answers with the Miller loops on worker threads', async () => {
    const ok = await batchVerifyBorrow(items, borrowVk, { threads: true });
    expect(ok).toMatchObject({ allValid: true, fellBack: false });
    const bad = [...items];
    bad[1] = { ...bad[1], publicInputs: { ...bad[1].publicInputs, recipient: 7n } };
    const r = await batchVerifyBorrow(bad, borrowVk, { threads: true });
    expect(r.valid).toEqual([true, false, true, true, true, true]);
  });

  it('names the invalid proof when two proofs swap their C (combination cannot cancel)', async () => {
    const a = items[0].proof;
    const b = items[1].proof;
    const swapped = [{ ...items[0], proof: { ...a, pi_c: b.pi_c } }, { ...items[1], proof: { ...b, pi_c: a.pi_c } }, items[2]];
    const r = await batchVerifyBorrow(swapped, borrowVk);
    expect(r.valid).toEqual([false, false, true]);
  });

  it('reports malformed items without failing the others', async () => {
    const mixed = [items[0], { proof: { pi_a: 'junk' }, publicInputs: items[1].publicInputs }, { ...items[2], publicInputs: { ...items[2].publicInputs, minScore: 1n << 40n } }, items[3]];
    const r = await batchVerifyBorrow(mixed, borrowVk);
    expect(r.valid).toEqual([true, false, false, true]);
    expect(r.errors.map((e) => e?.code ?? null)).toEqual([null, 'MALFORMED_PROOF', 'OUT_OF_RANGE', null]);
    expect(r.fellBack).toBe(false);
  });

  it('handles empty and single batches, and raw signals with a wrong count', async () => {
    expect((await batchVerifyGroth16(borrowVk, [])).allValid).toBe(true);
    const sig = borrowPublicSignals(borrow.publicInputs);
    const r = await batchVerifyGroth16(borrowVk, [{ proof: borrow.proof, publicSignals: sig }, { proof: borrow.proof, publicSignals: sig.slice(1) }]);
    expect(r.valid).toEqual([true, false]);
    expect(r.errors[1]?.code).toBe('PUBLIC_SIGNAL_COUNT');
  });
});

describe('shared-squaring Miller loop', () => {
  it('equals the product of the library loops', async () => {
    const { _multiMillerSelfTest } = await import('./groth16');
    const p = borrow.proof;
    const q = (await rerandomizeGroth16Proof(borrowVk, p));
    expect(await _multiMillerSelfTest([{ g1: p.pi_a, g2: p.pi_b }])).toBe(true);
    expect(await _multiMillerSelfTest([{ g1: p.pi_a, g2: p.pi_b }, { g1: q.pi_c, g2: q.pi_b }, { g1: borrowVk.vk_alpha_1, g2: borrowVk.vk_delta_2 }])).toBe(true);
  });
});

describe('G2 subgroup membership', () => {
  it('the fast test agrees with [r]P = 0 on subgroup points and on twist points outside it', async () => {
    const { g2InSubgroupFast, g2InSubgroupReference } = await import('./groth16');
    const inside = [borrow.proof.pi_b, borrowVk.vk_delta_2, borrowVk.vk_gamma_2, borrowVk.vk_beta_2];
    for (let i = 0; i < 3; i++) inside.push((await rerandomizeGroth16Proof(borrowVk, borrow.proof)).pi_b);
    for (const P of inside) {
      expect(await g2InSubgroupReference(P)).toBe(true);
      expect(await g2InSubgroupFast(P)).toBe(true);
    }
    const outside = twistPointsOutsideSubgroup(6);
    for (const P of outside) {
      expect(await g2InSubgroupReference(P)).toBe(false);
      expect(await g2InSubgroupFast(P)).toBe(false);
    }
  });
});
