/**
 * The chaincode refuses with messages that start with a stable code, e.g. `ACCESS_DENIED: ...` or
 * `INVALID_ARGUMENT: ...`. These pull that code and message out of a Fabric client error.
 */
import { CHAINCODE_ERROR_CODES, type ChaincodeErrorCode } from '../refusal-codes';

export { CHAINCODE_ERROR_CODES, type ChaincodeErrorCode };

export interface ChaincodeRefusal {
  code: ChaincodeErrorCode;
  message: string;
}

/** Finds the chaincode's own refusal in an error from the Fabric gateway client, if there is one. */
export function chaincodeRefusal(err: unknown): ChaincodeRefusal | undefined {
  const texts: string[] = [];
  const e = err as { message?: unknown; details?: Array<{ message?: unknown }> };
  if (typeof e?.message === 'string') texts.push(e.message);
  for (const d of e?.details ?? []) if (typeof d?.message === 'string') texts.push(d.message);
  for (const text of texts) {
    const m = new RegExp(`\\b(${CHAINCODE_ERROR_CODES.join('|')}): ([^\\n]*)`).exec(text);
    if (m) return { code: m[1] as ChaincodeErrorCode, message: m[2].replace(/\s+$/, '') };
  }
  return undefined;
}
