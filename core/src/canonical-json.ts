/**
 * Deterministic JSON: object keys sorted, no whitespace. Every endorsing peer must write the same
 * bytes for the same state, and signatures are taken over these bytes.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value !== null && typeof value === 'object') {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sortDeep((value as { toJSON: () => unknown }).toJSON());
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortDeep(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new TypeError(`canonicalJson: ${value} is not a safe integer (no floats on chain)`);
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}
