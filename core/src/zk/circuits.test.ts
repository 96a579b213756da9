import {
  BABYJUB_SUBORDER,
  PoseidonMerkleTree,
  SNARK_FIELD,
  addressToField,
  borrowCircuitInput,
  createBorrowerIdentity,
  createPoolNote,
  credentialLeaf,
  elgamalEncrypt,
  generateTraceKeyPair,
  identityCommitment,
  identitySecretHash,
  identityToField,
  jointPublicKey,
  noteCommitment,
  releaseZk,
  withdrawCircuitInput,
  BorrowWitness,
  WITHDRAW_PUBLIC_SIGNALS,
  BORROW_PUBLIC_SIGNALS,
} from './index';
import { witnessOk } from './testkit';

type Input = Record<string, string | string[]>;
const clone = (i: Input): Input => JSON.parse(JSON.stringify(i)) as Input;
const set = (i: Input, k: string, v: bigint | string, idx?: number): Input => {
  const c = clone(i);
  if (idx === undefined) c[k] = String(v);
  else (c[k] as string[])[idx] = String(v);
  return c;
};

afterAll(async () => {
  await releaseZk(true);
});

describe('withdraw circuit (witness)', () => {
  const tree = new PoseidonMerkleTree(20);
  const notes = [createPoolNote(), createPoolNote(), createPoolNote()];
  for (const n of notes) tree.insert(noteCommitment(n));
  const w = { note: notes[1], merkleProof: tree.proof(1), recipient: addressToField('0xabcdef'), relayer: addressToField('relayer-1'), fee: 5n };
  const { input } = withdrawCircuitInput(w);

  it('public inputs are declared in the documented order', () => {
    expect(Object.keys(input).slice(0, 5)).toEqual([...WITHDRAW_PUBLIC_SIGNALS]);
  });
  it('accepts a valid witness', async () => {
    expect(await witnessOk('withdraw', input)).toBe(true);
  });
  it('rejects a wrong path element', async () => {
    expect(await witnessOk('withdraw', set(input, 'siblings', 12345n, 3))).toBe(false);
  });
  it('rejects a wrong leaf index (path bits)', async () => {
    expect(await witnessOk('withdraw', set(input, 'leafIndex', 0n))).toBe(false);
  });
  it('rejects a leaf index that is not 20 bits (non-bit selectors)', async () => {
    expect(await witnessOk('withdraw', set(input, 'leafIndex', 1n + (1n << 20n)))).toBe(false);
    expect(await witnessOk('withdraw', set(input, 'leafIndex', SNARK_FIELD - 1n))).toBe(false);
  });
  it('rejects a wrong root', async () => {
    expect(await witnessOk('withdraw', set(input, 'root', BigInt(input.root as string) + 1n))).toBe(false);
  });
  it('rejects a nullifier hash of another note', async () => {
    const other = withdrawCircuitInput({ ...w, note: notes[0], merkleProof: tree.proof(0) }).input;
    expect(await witnessOk('withdraw', set(input, 'nullifierHash', other.nullifierHash as string))).toBe(false);
  });
  it('rejects a wrong secret', async () => {
    expect(await witnessOk('withdraw', set(input, 'secret', BigInt(input.secret as string) ^ 1n))).toBe(false);
  });
  it('rejects a fee of 2^64 or more', async () => {
    expect(await witnessOk('withdraw', set(input, 'fee', 1n << 64n))).toBe(false);
    expect(await witnessOk('withdraw', set(input, 'fee', SNARK_FIELD - 1n))).toBe(false);
  });
});

describe('borrow circuit (witness)', () => {
  const keyG = generateTraceKeyPair();
  const keyU = generateTraceKeyPair();
  const borrower = createBorrowerIdentity(identityToField('borrower-42@GuarantorAMSP'));
  const guarantorId = 1;
  const borrowerScore = 700n;
  const registry = new PoseidonMerkleTree(20);
  registry.insert(11n);
  const leaf = credentialLeaf(identityCommitment(borrower.identity, identitySecretHash(borrower.identitySecret)), borrowerScore, guarantorId);
  const index = registry.insert(leaf);
  registry.insert(22n);
  // 700*60 + 800*40 = 74000 => the largest passing minScore is 740
  const base: BorrowWitness = {
    borrower,
    borrowerScore,
    guarantorId,
    merkleProof: registry.proof(index),
    amount: 5000n,
    duration: 86400n * 30n,
    minScore: 740n,
    weightBorrower: 60n,
    weightGuarantor: 40n,
    guarantorScore: 800n,
    pkGuarantor: keyG.publicKey,
    pkUtility: keyU.publicKey,
    recipient: addressToField('0x01'),
    relayer: addressToField('0x02'),
    repaySecret: 987654321n,
    encRandomness: 123456789n,
  };
  const { input, publicInputs } = borrowCircuitInput(base);

  it('public inputs are declared in the documented order', () => {
    const flat = Object.keys(input).slice(0, 16).flatMap((k) => (Array.isArray(input[k]) ? [`${k}.x`, `${k}.y`] : [k]));
    expect(flat).toEqual([...BORROW_PUBLIC_SIGNALS]);
  });
  it('accepts a valid witness, at the exact bound of the credit formula', async () => {
    expect(await witnessOk('borrow', input)).toBe(true);
  });
  it('rejects a score one below the bound (minScore one above what the credential supports)', async () => {
    // keep the statement otherwise valid: only minScore moves
    expect(await witnessOk('borrow', set(input, 'minScore', 741n))).toBe(false);
    expect(() => borrowCircuitInput({ ...base, minScore: 741n })).toThrow(/credit formula/);
  });
  it('rejects a borrower score one below the bound', async () => {
    // C_b = 699 with the same leaf opening fails both the tree and the inequality; build a fresh leaf
    const b2 = { ...base };
    const reg = new PoseidonMerkleTree(20);
    const l2 = credentialLeaf(identityCommitment(borrower.identity, identitySecretHash(borrower.identitySecret)), 699n, guarantorId);
    reg.insert(l2);
    const ok = borrowCircuitInput({ ...b2, borrowerScore: 700n, minScore: 740n }).input;
    expect(await witnessOk('borrow', ok)).toBe(true);
    const bad = borrowCircuitInput({ ...b2, borrowerScore: 699n, merkleProof: reg.proof(0), minScore: 739n }).input;
    expect(await witnessOk('borrow', bad)).toBe(true);
    expect(await witnessOk('borrow', set(bad, 'minScore', 740n))).toBe(false);
  });
  it('rejects a wrong path element and a wrong leaf index', async () => {
    expect(await witnessOk('borrow', set(input, 'siblings', 1n, 0))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'leafIndex', 0n))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'leafIndex', BigInt(index) + (1n << 20n)))).toBe(false);
  });
  it('rejects a wrong root', async () => {
    expect(await witnessOk('borrow', set(input, 'root', publicInputs.root + 1n))).toBe(false);
  });
  it('rejects a credential presented under another guarantor id', async () => {
    expect(await witnessOk('borrow', set(input, 'guarantorId', 2n))).toBe(false);
  });
  it('rejects a loan nullifier from another input (reused or fresh secret)', async () => {
    const { poseidon2 } = await import('poseidon-lite');
    expect(await witnessOk('borrow', set(input, 'loanNullifier', poseidon2([borrower.identitySecret + 1n, leaf])))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'loanNullifier', poseidon2([borrower.identitySecret, leaf + 1n])))).toBe(false);
  });
  it('rejects a wrong identity secret', async () => {
    expect(await witnessOk('borrow', set(input, 'identitySecret', borrower.identitySecret + 1n))).toBe(false);
  });
  it('rejects a tampered ciphertext', async () => {
    expect(await witnessOk('borrow', set(input, 'c1', publicInputs.c1[0] + 1n, 0))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'c2', publicInputs.c2[1] + 1n, 1))).toBe(false);
    // a valid ciphertext of another identity, or under the guarantor's key alone
    const other = elgamalEncrypt(identityToField('someone-else'), jointPublicKey(keyG.publicKey, keyU.publicKey), 123456789n);
    expect(await witnessOk('borrow', { ...clone(input), c1: other.c1.map(String), c2: other.c2.map(String) })).toBe(false);
    const onlyG = elgamalEncrypt(borrower.identity, keyG.publicKey, 123456789n);
    expect(await witnessOk('borrow', { ...clone(input), c1: onlyG.c1.map(String), c2: onlyG.c2.map(String) })).toBe(false);
  });
  it('rejects a key that is not on the curve', async () => {
    expect(await witnessOk('borrow', set(input, 'pkUtility', keyU.publicKey[0] + 1n, 0))).toBe(false);
  });
  it('rejects a wrong repay commitment', async () => {
    expect(await witnessOk('borrow', set(input, 'repayCommitment', publicInputs.repayCommitment + 1n))).toBe(false);
  });
  it('rejects out-of-range values that would wrap the field', async () => {
    // weights and scores that satisfy the inequality only modulo p
    const wrapW = SNARK_FIELD - 1n; // "-1"
    expect(await witnessOk('borrow', set(input, 'weightGuarantor', wrapW))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'weightBorrower', 256n))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'guarantorScore', 1n << 32n))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'minScore', SNARK_FIELD - 1n))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'amount', 1n << 64n))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'duration', 1n << 64n))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'guarantorId', 256n))).toBe(false);
  });
  it('accepts the largest in-range amount and duration', async () => {
    expect(await witnessOk('borrow', { ...clone(input), amount: String((1n << 64n) - 1n), duration: String((1n << 64n) - 1n) })).toBe(true);
  });
  it('rejects ElGamal randomness and identity not below 2^246 (< subgroup order)', async () => {
    const big = (1n << 246n) + 5n;
    expect(big < BABYJUB_SUBORDER).toBe(true);
    // r and r + l give the same c1; the circuit only accepts the representative below 2^246
    const r = 123456789n;
    expect(await witnessOk('borrow', set(input, 'encRandomness', r + BABYJUB_SUBORDER))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'encRandomness', big))).toBe(false);
    expect(await witnessOk('borrow', set(input, 'identity', borrower.identity + BABYJUB_SUBORDER))).toBe(false);
  });
});
