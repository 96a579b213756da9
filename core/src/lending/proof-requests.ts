import {
  addressToField, BabyPoint, BorrowerIdentity, credentialLeaf, Groth16Proof, identityCommitment, identitySecretHash, loanNullifier,
  noteCommitment, PoolNote, PoseidonMerkleTree, proveBorrow, proveWithdraw, randomFieldElement, TREE_DEPTH,
} from '../zk';

/**
 * A borrow as the borrower's wallet sends it to a relayer: the proof and the values it claims, which
 * the chaincode matches against the ledger before it verifies the proof.
 */
export interface BorrowRequest {
  guarantor: string;
  amount: number;
  durationS: number;
  minScore: number;
  guarantorScore: number;
  root: string;
  loanNullifier: string;
  c1: [string, string];
  c2: [string, string];
  repayCommitment: string;
  recipient: string;
  relayer: string;
  proof: Groth16Proof;
}

/** A note's withdrawal (or refund) as a relayer submits it. */
export interface WithdrawRequest {
  poolId: string;
  nullifierHash: string;
  recipient: string;
  relayer: string;
  fee: number;
  proof: Groth16Proof;
}

/** What the borrower's wallet needs from the ledger to prove a borrow. */
export interface BorrowContext {
  guarantor: string;
  guarantorId: number;
  /** The opening of the borrower's credential in the guarantor's registry, from the ledger. */
  credential: { leafIndex: number; siblings: string[]; root: string };
  W_b: number;
  W_g: number;
  /** C_g now. */
  guarantorScore: number;
  pkGuarantor: readonly [string, string] | BabyPoint;
  pkUtility: readonly [string, string] | BabyPoint;
}

/**
 * Proves a borrow. Returns the request to relay and the secrets the borrower keeps: the repay secret
 * (shown when repaying) and the loan id. Fails locally, before anything is sent, if the statement is
 * false (a score below the bound, a credential not under the root).
 */
export async function proveBorrowRequest(
  borrower: BorrowerIdentity,
  borrowerScore: number,
  ctx: BorrowContext,
  loan: { amount: number; durationS: number; minScore: number; recipient: string; relayer: string },
): Promise<{ request: BorrowRequest; repaySecret: string; loanId: string }> {
  const repaySecret = randomFieldElement();
  const { proof, publicInputs } = await proveBorrow({
    borrower,
    borrowerScore,
    guarantorId: ctx.guarantorId,
    merkleProof: {
      root: BigInt(ctx.credential.root),
      leaf: credentialLeaf(identityCommitment(borrower.identity, identitySecretHash(borrower.identitySecret)), borrowerScore, ctx.guarantorId),
      leafIndex: ctx.credential.leafIndex,
      siblings: ctx.credential.siblings.map(BigInt),
    },
    amount: loan.amount,
    duration: loan.durationS,
    minScore: loan.minScore,
    weightBorrower: ctx.W_b,
    weightGuarantor: ctx.W_g,
    guarantorScore: ctx.guarantorScore,
    pkGuarantor: ctx.pkGuarantor,
    pkUtility: ctx.pkUtility,
    recipient: addressToField(loan.recipient),
    relayer: addressToField(loan.relayer),
    repaySecret,
  });
  const p = (x: BabyPoint): [string, string] => [x[0].toString(), x[1].toString()];
  return {
    request: {
      guarantor: ctx.guarantor,
      amount: loan.amount,
      durationS: loan.durationS,
      minScore: loan.minScore,
      guarantorScore: ctx.guarantorScore,
      root: publicInputs.root.toString(),
      loanNullifier: publicInputs.loanNullifier.toString(),
      c1: p(publicInputs.c1),
      c2: p(publicInputs.c2),
      repayCommitment: publicInputs.repayCommitment.toString(),
      recipient: loan.recipient,
      relayer: loan.relayer,
      proof,
    },
    repaySecret: repaySecret.toString(),
    loanId: publicInputs.loanNullifier.toString(),
  };
}

/** The loan id a credential would spend: lets a wallet check before proving. */
export function loanIdOf(borrower: BorrowerIdentity, borrowerScore: number, guarantorId: number): string {
  const leaf = credentialLeaf(identityCommitment(borrower.identity, identitySecretHash(borrower.identitySecret)), borrowerScore, guarantorId);
  return loanNullifier(borrower.identitySecret, leaf).toString();
}

/**
 * Proves a note's withdrawal from a sealed pool whose leaves (in the ledger's order) are given:
 * the wallet rebuilds the tree itself, so nobody learns which leaf is its own.
 */
export async function proveWithdrawRequest(
  note: PoolNote,
  pool: { poolId: string; leaves: string[]; root: string },
  payout: { recipient: string; relayer: string; fee: number },
): Promise<WithdrawRequest> {
  const tree = new PoseidonMerkleTree(TREE_DEPTH, pool.leaves.map(BigInt));
  if (tree.root.toString() !== pool.root) throw new Error(`the pool's leaves do not give its root ${pool.root}`);
  const leafIndex = tree.indexOf(noteCommitment(note));
  if (leafIndex < 0) throw new Error(`this note is not in pool ${pool.poolId}`);
  const { proof, publicInputs } = await proveWithdraw({
    note,
    merkleProof: tree.proof(leafIndex),
    recipient: addressToField(payout.recipient),
    relayer: addressToField(payout.relayer),
    fee: payout.fee,
  });
  return { poolId: pool.poolId, nullifierHash: publicInputs.nullifierHash.toString(), recipient: payout.recipient, relayer: payout.relayer, fee: payout.fee, proof };
}
