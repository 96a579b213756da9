import { IdentityError } from './errors';

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Lower-case hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Strict hex decoding: lower case only and an exact length, so one value has exactly one
 * encoding (a signature or key never has two spellings that a replay check would miss).
 */
export function fromHex(hex: unknown, bytes: number, what: string): Uint8Array {
  if (typeof hex !== 'string' || hex.length !== bytes * 2 || !HEX.test(hex)) {
    throw new IdentityError('BAD_HEX', `${what} must be ${bytes} bytes of lower-case hex`);
  }
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Concatenate parts, each prefixed by its 4-byte big-endian length, so no two tuples collide. */
export function lengthPrefixed(...parts: Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += 4 + p.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of parts) {
    view.setUint32(at, p.length);
    out.set(p, at + 4);
    at += 4 + p.length;
  }
  return out;
}

/** 32-byte big-endian encoding of a scalar below 2^256. */
export function scalarToBytes(x: bigint): Uint8Array {
  return fromHex(x.toString(16).padStart(64, '0'), 32, 'scalar');
}
