import * as P from 'poseidon-lite';
import { toField } from './field';

type Hash = (input: bigint[]) => bigint;
// poseidon-lite uses the same round constants and MDS matrices as circomlib's Poseidon(n) template.
const BY_ARITY: readonly Hash[] = [
  P.poseidon1, P.poseidon2, P.poseidon3, P.poseidon4, P.poseidon5, P.poseidon6, P.poseidon7, P.poseidon8,
  P.poseidon9, P.poseidon10, P.poseidon11, P.poseidon12, P.poseidon13, P.poseidon14, P.poseidon15, P.poseidon16,
];

/** Poseidon over 1..16 field elements, identical to circomlib `Poseidon(n)`. */
export function poseidonHash(inputs: readonly bigint[]): bigint {
  const f = BY_ARITY[inputs.length - 1];
  if (!f) throw new RangeError(`poseidonHash: ${inputs.length} inputs (1..16 supported)`);
  return f(inputs.map((x, i) => toField(x, `poseidon input ${i}`)));
}

/** Two-to-one node hash of the Merkle trees (left, right), as in circuits/lib/merkle.circom. */
export function hashNode(left: bigint, right: bigint): bigint {
  return P.poseidon2([left, right]);
}
