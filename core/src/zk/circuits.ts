import * as snarkjs from 'snarkjs';
import { ZkError } from './errors';
import {
  AMOUNT_BITS,
  DURATION_BITS,
  FieldLike,
  GUARANTOR_ID_BITS,
  SCORE_BITS,
  TREE_DEPTH,
  WEIGHT_BITS,
  CIRCUIT_WEIGHT_SCALE,
  toBoundedField,
  toField,
} from './field';
import { computeMerkleRoot, MerkleProof } from './merkle';
import { BorrowerIdentity, PoolNote, credentialLeaf, identityCommitment, identitySecretHash, loanNullifier, noteCommitment, noteNullifierHash, repayCommitment } from './notes';
import { BabyPoint, elgamalEncrypt, jointPublicKey, randomElGamalNonce, toBabyPoint } from './babyjub';
import { artifactsDir, circuitArtifacts, CircuitName, loadVerificationKey } from './artifacts';
import { BatchVerifyOptions, BatchVerifyResult, Groth16Proof, Groth16VerificationKey, PreparedVerificationKey, batchVerifyGroth16, verifyGroth16 } from './groth16';

/** Typed public inputs as callers may pass them (bigints or decimal / 0x strings; points as pairs). */
export type FieldLikeOf<T> = { [K in keyof T]: T[K] extends BabyPoint ? readonly [FieldLike, FieldLike] : FieldLike };

export interface ProveOptions {
  /** folder with <name>.wasm and <name>.zkey (default: artifactsDir()) */
  artifactsDir?: string;
}

export interface ProofResult<P> {
  proof: Groth16Proof;
  publicInputs: P;
  /** the public signals as the circuit orders them (equal to the builder's output) */
  publicSignals: string[];
}

function assertWitness(w: unknown, what: string): void {
  if (!w || typeof w !== 'object') throw new ZkError('WITNESS_INVALID', `${what}: expected an object`);
  const mp = (w as { merkleProof?: unknown }).merkleProof as MerkleProof | undefined;
  if (!mp || typeof mp !== 'object' || !Array.isArray(mp.siblings) || !Number.isSafeInteger(mp.leafIndex)) {
    throw new ZkError('WITNESS_INVALID', `${what}: merkleProof must have a leafIndex and ${TREE_DEPTH} siblings`);
  }
}

function padSiblings(p: MerkleProof): string[] {
  if (p.siblings.length !== TREE_DEPTH) throw new ZkError('MERKLE', `Merkle proof must have ${TREE_DEPTH} siblings`);
  return p.siblings.map((s, i) => toField(s, `sibling ${i}`).toString());
}

async function fullProve<P>(name: CircuitName, input: Record<string, unknown>, expected: string[], publicInputs: P, opts: ProveOptions): Promise<ProofResult<P>> {
  const a = circuitArtifacts(name, opts.artifactsDir ?? artifactsDir());
  let out: { proof: Groth16Proof; publicSignals: string[] };
  try {
    out = (await snarkjs.groth16.fullProve(input, a.wasm, a.zkey)) as { proof: Groth16Proof; publicSignals: string[] };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/ENOENT|no such file/i.test(msg)) throw new ZkError('ARTIFACT_MISSING', msg);
    throw new ZkError('WITNESS_INVALID', `${name}: the witness does not satisfy the circuit (${msg.split('\n')[0]})`);
  }
  if (out.publicSignals.length !== expected.length || out.publicSignals.some((s, i) => s !== expected[i])) {
    throw new Error(`${name}: circuit public signals differ from the library's layout`);
  }
  const { pi_a, pi_b, pi_c } = out.proof;
  return { proof: { pi_a, pi_b, pi_c, protocol: 'groth16', curve: 'bn128' }, publicInputs, publicSignals: out.publicSignals };
}

function resolveVk(name: CircuitName, vk?: Groth16VerificationKey | PreparedVerificationKey): Groth16VerificationKey | PreparedVerificationKey {
  return vk ?? loadVerificationKey(name);
}

// ================================================================ pool withdrawal

export interface WithdrawPublicInputs {
  root: bigint;
  nullifierHash: bigint;
  recipient: bigint;
  relayer: bigint;
  fee: bigint;
}

/** Public signal layout of circuits/withdraw.circom (declaration order). */
export const WITHDRAW_PUBLIC_SIGNALS = ['root', 'nullifierHash', 'recipient', 'relayer', 'fee'] as const;

export function normalizeWithdrawPublicInputs(p: FieldLikeOf<WithdrawPublicInputs>): WithdrawPublicInputs {
  if (!p || typeof p !== 'object') throw new ZkError('NOT_IN_FIELD', 'withdraw public inputs: expected an object');
  return {
    root: toField(p.root, 'root'),
    nullifierHash: toField(p.nullifierHash, 'nullifierHash'),
    recipient: toField(p.recipient, 'recipient'),
    relayer: toField(p.relayer, 'relayer'),
    fee: toBoundedField(p.fee, AMOUNT_BITS, 'fee'),
  };
}

/** Build the withdraw public-signal array from typed inputs, in the circuit's order. */
export function withdrawPublicSignals(p: FieldLikeOf<WithdrawPublicInputs>): string[] {
  const n = normalizeWithdrawPublicInputs(p);
  return WITHDRAW_PUBLIC_SIGNALS.map((k) => n[k].toString());
}

export interface WithdrawWitness {
  note: PoolNote;
  merkleProof: MerkleProof;
  recipient: FieldLike;
  relayer: FieldLike;
  fee: FieldLike;
}

/** The circuit input (all signals) and the public inputs for a withdrawal. Checks the statement first. */
export function withdrawCircuitInput(w: WithdrawWitness): { input: Record<string, string | string[]>; publicInputs: WithdrawPublicInputs } {
  assertWitness(w, 'withdraw witness');
  if (!w.note || typeof w.note !== 'object') throw new ZkError('WITNESS_INVALID', 'withdraw witness: note missing');
  const leaf = noteCommitment(w.note);
  const root = computeMerkleRoot(leaf, w.merkleProof.leafIndex, w.merkleProof.siblings);
  if (w.merkleProof.root !== undefined && toField(w.merkleProof.root, 'root') !== root) throw new ZkError('WITNESS_INVALID', 'the note is not in the tree under the given root');
  const publicInputs = normalizeWithdrawPublicInputs({ root, nullifierHash: noteNullifierHash(w.note), recipient: w.recipient, relayer: w.relayer, fee: w.fee });
  const input = {
    ...Object.fromEntries(WITHDRAW_PUBLIC_SIGNALS.map((k) => [k, publicInputs[k].toString()])),
    nullifier: toField(w.note.nullifier, 'nullifier').toString(),
    secret: toField(w.note.secret, 'secret').toString(),
    leafIndex: String(w.merkleProof.leafIndex),
    siblings: padSiblings(w.merkleProof),
  };
  return { input, publicInputs };
}

export async function proveWithdraw(w: WithdrawWitness, opts: ProveOptions = {}): Promise<ProofResult<WithdrawPublicInputs>> {
  const { input, publicInputs } = withdrawCircuitInput(w);
  return fullProve('withdraw', input, withdrawPublicSignals(publicInputs), publicInputs, opts);
}

/** Verify a withdrawal proof against public inputs the verifier assembled itself (root from its history, etc.). */
export function verifyWithdraw(proof: unknown, publicInputs: FieldLikeOf<WithdrawPublicInputs>, vk?: Groth16VerificationKey | PreparedVerificationKey): Promise<boolean> {
  return Promise.resolve().then(() => verifyGroth16(resolveVk('withdraw', vk), proof, withdrawPublicSignals(publicInputs)));
}

// ================================================================ borrow

export interface BorrowPublicInputs {
  /** root of the guarantor's credential registry (one of its recent roots) */
  root: bigint;
  guarantorId: bigint;
  /** M_b */
  amount: bigint;
  /** D_b */
  duration: bigint;
  /** C(M_b, D_b), recomputed by the chaincode from the published table */
  minScore: bigint;
  /** W_b, percent */
  weightBorrower: bigint;
  /** W_g, percent */
  weightGuarantor: bigint;
  /** C_g */
  guarantorScore: bigint;
  loanNullifier: bigint;
  pkGuarantor: BabyPoint;
  pkUtility: BabyPoint;
  /** ElGamal ciphertext of identity*Base8 under pkGuarantor + pkUtility */
  c1: BabyPoint;
  c2: BabyPoint;
  repayCommitment: bigint;
  recipient: bigint;
  relayer: bigint;
}

/** Public signal layout of circuits/borrow.circom (declaration order; points as x, y). */
export const BORROW_PUBLIC_SIGNALS = [
  'root', 'guarantorId', 'amount', 'duration', 'minScore', 'weightBorrower', 'weightGuarantor', 'guarantorScore',
  'loanNullifier', 'pkGuarantor.x', 'pkGuarantor.y', 'pkUtility.x', 'pkUtility.y', 'c1.x', 'c1.y', 'c2.x', 'c2.y',
  'repayCommitment', 'recipient', 'relayer',
] as const;

export function normalizeBorrowPublicInputs(p: FieldLikeOf<BorrowPublicInputs>): BorrowPublicInputs {
  if (!p || typeof p !== 'object') throw new ZkError('NOT_IN_FIELD', 'borrow public inputs: expected an object');
  return {
    root: toField(p.root, 'root'),
    guarantorId: toBoundedField(p.guarantorId, GUARANTOR_ID_BITS, 'guarantorId'),
    amount: toBoundedField(p.amount, AMOUNT_BITS, 'amount'),
    duration: toBoundedField(p.duration, DURATION_BITS, 'duration'),
    minScore: toBoundedField(p.minScore, SCORE_BITS, 'minScore'),
    weightBorrower: toBoundedField(p.weightBorrower, WEIGHT_BITS, 'weightBorrower'),
    weightGuarantor: toBoundedField(p.weightGuarantor, WEIGHT_BITS, 'weightGuarantor'),
    guarantorScore: toBoundedField(p.guarantorScore, SCORE_BITS, 'guarantorScore'),
    loanNullifier: toField(p.loanNullifier, 'loanNullifier'),
    pkGuarantor: toBabyPoint(p.pkGuarantor, 'pkGuarantor'),
    pkUtility: toBabyPoint(p.pkUtility, 'pkUtility'),
    c1: toBabyPoint(p.c1, 'c1'),
    c2: toBabyPoint(p.c2, 'c2'),
    repayCommitment: toField(p.repayCommitment, 'repayCommitment'),
    recipient: toField(p.recipient, 'recipient'),
    relayer: toField(p.relayer, 'relayer'),
  };
}

/** Build the borrow public-signal array from typed inputs, in the circuit's order. */
export function borrowPublicSignals(p: FieldLikeOf<BorrowPublicInputs>): string[] {
  const n = normalizeBorrowPublicInputs(p);
  return [
    n.root, n.guarantorId, n.amount, n.duration, n.minScore, n.weightBorrower, n.weightGuarantor, n.guarantorScore,
    n.loanNullifier, n.pkGuarantor[0], n.pkGuarantor[1], n.pkUtility[0], n.pkUtility[1], n.c1[0], n.c1[1], n.c2[0], n.c2[1],
    n.repayCommitment, n.recipient, n.relayer,
  ].map(String);
}

export interface BorrowWitness {
  borrower: BorrowerIdentity;
  /** C_b from the credential */
  borrowerScore: FieldLike;
  guarantorId: FieldLike;
  /** opening of the credential leaf in the guarantor's registry */
  merkleProof: MerkleProof;
  amount: FieldLike;
  duration: FieldLike;
  minScore: FieldLike;
  weightBorrower: FieldLike;
  weightGuarantor: FieldLike;
  guarantorScore: FieldLike;
  pkGuarantor: readonly [FieldLike, FieldLike];
  pkUtility: readonly [FieldLike, FieldLike];
  recipient: FieldLike;
  relayer: FieldLike;
  repaySecret: FieldLike;
  /** ElGamal randomness in [1, 2^246); fresh when omitted (never reuse one) */
  encRandomness?: FieldLike;
}

/** The circuit input and public inputs for a borrow proof. Checks the whole statement first. */
export function borrowCircuitInput(w: BorrowWitness): { input: Record<string, string | string[]>; publicInputs: BorrowPublicInputs } {
  assertWitness(w, 'borrow witness');
  if (!w.borrower || typeof w.borrower !== 'object') throw new ZkError('WITNESS_INVALID', 'borrow witness: borrower missing');
  const identity = toBoundedField(w.borrower.identity, 246, 'identity');
  const identitySecret = toField(w.borrower.identitySecret, 'identitySecret');
  const borrowerScore = toBoundedField(w.borrowerScore, SCORE_BITS, 'borrowerScore');
  const guarantorId = toBoundedField(w.guarantorId, GUARANTOR_ID_BITS, 'guarantorId');
  const leaf = credentialLeaf(identityCommitment(identity, identitySecretHash(identitySecret)), borrowerScore, guarantorId);
  const root = computeMerkleRoot(leaf, w.merkleProof.leafIndex, w.merkleProof.siblings);
  if (w.merkleProof.root !== undefined && toField(w.merkleProof.root, 'root') !== root) throw new ZkError('WITNESS_INVALID', 'the credential is not in the registry under the given root');
  const pkGuarantor = toBabyPoint(w.pkGuarantor, 'pkGuarantor');
  const pkUtility = toBabyPoint(w.pkUtility, 'pkUtility');
  const r = w.encRandomness === undefined ? randomElGamalNonce() : toField(w.encRandomness, 'encRandomness');
  const ct = elgamalEncrypt(identity, jointPublicKey(pkGuarantor, pkUtility), r);
  const nullifier = loanNullifier(identitySecret, leaf);
  const repaySecret = toField(w.repaySecret, 'repaySecret');
  const publicInputs = normalizeBorrowPublicInputs({
    root,
    guarantorId,
    amount: w.amount,
    duration: w.duration,
    minScore: w.minScore,
    weightBorrower: w.weightBorrower,
    weightGuarantor: w.weightGuarantor,
    guarantorScore: w.guarantorScore,
    loanNullifier: nullifier,
    pkGuarantor,
    pkUtility,
    c1: ct.c1,
    c2: ct.c2,
    repayCommitment: repayCommitment(repaySecret, nullifier),
    recipient: w.recipient,
    relayer: w.relayer,
  });
  const p = publicInputs;
  if (p.minScore * BigInt(CIRCUIT_WEIGHT_SCALE) > borrowerScore * p.weightBorrower + p.guarantorScore * p.weightGuarantor) {
    throw new ZkError('WITNESS_INVALID', 'credit formula fails: minScore*100 > C_b*W_b + C_g*W_g');
  }
  const input: Record<string, string | string[]> = {
    root: String(p.root),
    guarantorId: String(p.guarantorId),
    amount: String(p.amount),
    duration: String(p.duration),
    minScore: String(p.minScore),
    weightBorrower: String(p.weightBorrower),
    weightGuarantor: String(p.weightGuarantor),
    guarantorScore: String(p.guarantorScore),
    loanNullifier: String(p.loanNullifier),
    pkGuarantor: p.pkGuarantor.map(String),
    pkUtility: p.pkUtility.map(String),
    c1: p.c1.map(String),
    c2: p.c2.map(String),
    repayCommitment: String(p.repayCommitment),
    recipient: String(p.recipient),
    relayer: String(p.relayer),
    identity: String(identity),
    identitySecret: String(identitySecret),
    borrowerScore: String(borrowerScore),
    leafIndex: String(w.merkleProof.leafIndex),
    siblings: padSiblings(w.merkleProof),
    encRandomness: String(r),
    repaySecret: String(repaySecret),
  };
  return { input, publicInputs };
}

export async function proveBorrow(w: BorrowWitness, opts: ProveOptions = {}): Promise<ProofResult<BorrowPublicInputs>> {
  const { input, publicInputs } = borrowCircuitInput(w);
  return fullProve('borrow', input, borrowPublicSignals(publicInputs), publicInputs, opts);
}

/**
 * Verify a borrow proof against public inputs the verifier assembled from the ledger (root among the
 * guarantor's recent roots, C_g, weights, minScore = C(M_b, D_b), registered keys). The keys should
 * have been validated once with assertValidBabyPoint when they were registered.
 */
export function verifyBorrow(proof: unknown, publicInputs: FieldLikeOf<BorrowPublicInputs>, vk?: Groth16VerificationKey | PreparedVerificationKey): Promise<boolean> {
  return Promise.resolve().then(() => verifyGroth16(resolveVk('borrow', vk), proof, borrowPublicSignals(publicInputs)));
}

// ================================================================ batches

export interface TypedBatchItem<P> {
  proof: unknown;
  publicInputs: FieldLikeOf<P>;
}

async function typedBatch<P>(name: CircuitName, build: (p: FieldLikeOf<P>) => string[], items: readonly TypedBatchItem<P>[], vk?: Groth16VerificationKey | PreparedVerificationKey, options?: BatchVerifyOptions): Promise<BatchVerifyResult> {
  const pre: (ZkError | null)[] = [];
  const built = items.map((it, j) => {
    try {
      pre[j] = null;
      return { proof: it.proof, publicSignals: build(it.publicInputs) };
    } catch (e) {
      if (!(e instanceof ZkError)) throw e;
      pre[j] = e;
      return { proof: it.proof, publicSignals: [] as string[] };
    }
  });
  const idx = built.map((_, j) => j).filter((j) => pre[j] === null);
  const res = await batchVerifyGroth16(resolveVk(name, vk), idx.map((j) => built[j]), options);
  const valid: boolean[] = items.map(() => false);
  const errors: (ZkError | null)[] = [...pre];
  idx.forEach((j, k) => {
    valid[j] = res.valid[k];
    errors[j] = res.errors[k];
  });
  return { allValid: valid.every(Boolean), valid, errors, fellBack: res.fellBack };
}

export function batchVerifyWithdraw(items: readonly TypedBatchItem<WithdrawPublicInputs>[], vk?: Groth16VerificationKey | PreparedVerificationKey, options?: BatchVerifyOptions): Promise<BatchVerifyResult> {
  return typedBatch('withdraw', withdrawPublicSignals, items, vk, options);
}

export function batchVerifyBorrow(items: readonly TypedBatchItem<BorrowPublicInputs>[], vk?: Groth16VerificationKey | PreparedVerificationKey, options?: BatchVerifyOptions): Promise<BatchVerifyResult> {
  return typedBatch('borrow', borrowPublicSignals, items, vk, options);
}
