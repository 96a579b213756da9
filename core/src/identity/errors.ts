/** Stable codes so callers (chaincode, gateway) can map failures without parsing messages. */
export type IdentityErrorCode =
  | 'BAD_HEX'
  | 'BAD_POINT'
  | 'BAD_SCALAR'
  | 'BAD_ID'
  | 'BAD_ROLE'
  | 'BAD_EXPIRY'
  | 'EMPTY_SIGNER_SET'
  | 'DUPLICATE_SIGNER'
  | 'UNKNOWN_SIGNER'
  | 'BAD_PARTIAL_SIGNATURE'
  | 'BAD_POSSESSION_PROOF'
  | 'BAD_CERTIFICATE'
  | 'CERTIFICATE_EXPIRED';

/** Every failure of the identity module; `code` is stable across versions. */
export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'IdentityError';
  }
}
