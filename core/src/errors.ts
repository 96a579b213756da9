/**
 * A request that is wrong in itself (bad shape, out of range, not allowed). Shared by chaincode,
 * gateway and CLI so that each maps it the same way: a 4xx, a refused transaction, a usage error.
 */
export class ValidationError extends Error {
  constructor(
    message: string,
    /** Where in the input the problem is, e.g. `minScoreTable[2].minScore`. */
    readonly path = '',
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ValidationError';
  }
}

/** Reads a non-negative safe integer at `path` or throws a ValidationError naming it. */
export function requireUint(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(`must be a non-negative integer, got ${JSON.stringify(value)}`, path);
  }
  if (value > max) throw new ValidationError(`must be at most ${max}, got ${value}`, path);
  return value;
}

export function requireObject(value: unknown, path: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('must be an object', path);
  }
  return value as Record<string, unknown>;
}

/** Refuses fields the schema does not know, so a typo never passes silently. */
export function rejectUnknownKeys(obj: Record<string, unknown>, known: readonly string[], path: string): void {
  const extra = Object.keys(obj).filter((k) => !known.includes(k));
  if (extra.length) throw new ValidationError(`unknown field(s) ${extra.join(', ')}`, path);
}
