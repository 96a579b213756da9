/**
 * The stable codes the chaincode starts every refusal with (`ACCESS_DENIED: ...`). One list for the
 * chaincode that throws them, the gateway that maps them to problem types and the CLI that maps them
 * to exit codes, so a new code cannot be known on one side only.
 */
export const CHAINCODE_ERROR_CODES = ['ACCESS_DENIED', 'INVALID_ARGUMENT', 'NOT_FOUND', 'CONFLICT', 'REPLAY', 'INVALID_PROOF', 'INVALID_SIGNATURE', 'EXPIRED', 'FORBIDDEN_STATE'] as const;
export type ChaincodeErrorCode = (typeof CHAINCODE_ERROR_CODES)[number];
