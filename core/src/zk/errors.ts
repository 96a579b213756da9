/** Why a ZK operation refused its input. */
export type ZkErrorCode =
  | 'MALFORMED_PROOF' // not a Groth16 proof object of the expected shape
  | 'INVALID_PROOF_POINT' // a coordinate not canonical, a point not on the curve or not in the subgroup
  | 'PUBLIC_SIGNAL_COUNT' // wrong number of public signals for the verification key
  | 'NOT_IN_FIELD' // a value is not an integer in [0, p) (or outside its documented range)
  | 'OUT_OF_RANGE' // a value is a field element but outside the range its circuit accepts
  | 'INVALID_POINT' // a BabyJubJub point not on the curve, not in the prime-order subgroup, or the identity
  | 'INVALID_VERIFICATION_KEY' // a verification key that is malformed or has gamma == delta
  | 'WITNESS_INVALID' // the prover's private inputs do not satisfy the statement
  | 'MERKLE' // tree full, index out of range, unknown leaf
  | 'ARTIFACT_MISSING'; // a wasm / zkey / vkey file not found

/** The one error type the ZK toolkit throws for bad input. `code` is stable; `message` is for people. */
export class ZkError extends Error {
  readonly code: ZkErrorCode;
  constructor(code: ZkErrorCode, message: string) {
    super(message);
    this.name = 'ZkError';
    this.code = code;
  }
}

export function isZkError(e: unknown): e is ZkError {
  return e instanceof ZkError;
}
