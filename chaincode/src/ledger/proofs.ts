import {
  batchVerifyBorrow, BorrowPublicInputs, FieldLikeOf, loadVerificationKey, prepareVerificationKey, PreparedVerificationKey,
  TypedBatchItem, verifyWithdraw, WithdrawPublicInputs,
} from '@gridledger/core';
import { refuse } from './errors';

/**
 * Verification keys are prepared once per chaincode process (curve set-up costs ~300 ms); every
 * endorsing peer's call then verifies in milliseconds.
 */
const prepared = new Map<string, Promise<PreparedVerificationKey>>();
function vk(name: 'withdraw' | 'borrow'): Promise<PreparedVerificationKey> {
  let p = prepared.get(name);
  if (!p) {
    p = prepareVerificationKey(loadVerificationKey(name));
    prepared.set(name, p);
  }
  return p;
}

export async function requireWithdrawProof(proof: unknown, inputs: FieldLikeOf<WithdrawPublicInputs>): Promise<void> {
  let ok = false;
  try {
    ok = await verifyWithdraw(proof, inputs, await vk('withdraw'));
  } catch (err) {
    refuse('INVALID_PROOF', `withdrawal proof is malformed: ${(err as Error).message}`);
  }
  if (!ok) refuse('INVALID_PROOF', 'the withdrawal proof does not verify for this pool, nullifier, recipient, relayer and fee');
}

/**
 * Verifies many borrow proofs with one final exponentiation (random linear combination). The random
 * challenge only decides accept or reject, never a written value, so endorsers agree. A failure names
 * the first bad proof.
 */
export async function requireBorrowProofs(items: TypedBatchItem<BorrowPublicInputs>[]): Promise<void> {
  let res;
  try {
    res = await batchVerifyBorrow(items, await vk('borrow'));
  } catch (err) {
    refuse('INVALID_PROOF', `borrow proof is malformed: ${(err as Error).message}`);
  }
  if (!res.allValid) {
    const bad = res.valid.findIndex((v) => !v);
    const why = res.errors[bad]?.message;
    refuse('INVALID_PROOF', `borrow proof ${bad} does not verify against the ledger's registry root, parameters, scores and keys${why ? ` (${why})` : ''}`);
  }
}
