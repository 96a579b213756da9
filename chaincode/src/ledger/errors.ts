import { ChaincodeErrorCode, ValidationError } from '@gridledger/core';

/**
 * Chaincode refusals start with a stable code, which the gateway and the CLI map to their own
 * errors (see core/src/fabric/errors.ts). A thrown error fails the whole transaction: no partial write.
 */
export type RefusalCode = ChaincodeErrorCode;

/** Longest message a refusal carries: it travels in gRPC trailers, and may echo untrusted input. */
export const MAX_REFUSAL_MESSAGE = 300;

export function refuse(code: RefusalCode, message: string): never {
  const text = message.length > MAX_REFUSAL_MESSAGE ? `${message.slice(0, MAX_REFUSAL_MESSAGE)}…` : message;
  throw new Error(`${code}: ${text}`);
}

/** Runs input parsing, turning core's ValidationError (and other library input errors) into INVALID_ARGUMENT. */
export function parseInput<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ValidationError || (err as { code?: unknown }).code !== undefined) refuse('INVALID_ARGUMENT', (err as Error).message);
    throw err;
  }
}

/**
 * Runs one item of a batch transaction; a refusal it raises names the item (`deposit 3: ...`), so a
 * relayer can drop exactly that item and resubmit the rest. The whole transaction still fails.
 */
export async function batchItem<T>(label: string, index: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    const m = /^([A-Z_]+): ([\s\S]*)$/.exec((err as Error).message ?? '');
    if (!m) throw err;
    throw new Error(`${m[1]}: ${label} ${index}: ${m[2]}`);
  }
}

