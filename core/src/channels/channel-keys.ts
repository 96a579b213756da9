import { constants, createPrivateKey, createPublicKey, generateKeyPair, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import * as ed from '../crypto/ed25519';
import { KeyObjectCache } from '../crypto/key-cache';
import { ChannelError, check } from './errors';

// No imports beyond node:crypto and noble here: the gateway's signature worker threads load this module
// alone (the package index pulls in snarkjs, whose worker shim breaks inside a worker thread).

/**
 * Per-update signatures use the channel key each party registered at open, of one of two kinds
 * (the key's encoding says which, so a key can never be read as the other kind):
 *
 * - `ed25519` (default): 32-byte raw key; node:crypto signs in ~35 µs and verifies in ~80 µs.
 * - `rsa-pss`: RSA-2048 or RSA-3072 with PSS (SHA-256, MGF1-SHA-256, 32-byte salt), e = 65537;
 *   signing costs ~0.3-2 ms but verifying only ~25-40 µs. The broker and the watchtower verify every
 *   signature of every channel they serve while each party signs only its own, so a party that trades
 *   at volume (a pile operator's backend) picks RSA to make its channels cheap to carry.
 *
 * See docs/channels.md for the numbers. BLS (tens of ms) is used only to bind a key to an identity.
 */

/** Which signature scheme a channel key belongs to. */
export type ChannelKeyKind = 'ed25519' | 'rsa-pss';

/**
 * A channel key, lower-case hex. Ed25519: the 32-byte seed and the 32-byte public key. RSA-PSS: the
 * PKCS#8 DER private key and the SPKI DER public key.
 */
export interface ChannelKeyPair {
  privateKey: string;
  publicKey: string;
}

const KEY_HEX = /^[0-9a-f]{64}$/;
/** SPKI DER of RSA-2048 is 294 bytes and of RSA-3072 422; PKCS#8 up to ~1.8 kB. */
const DER_HEX = /^30(?:[0-9a-f]{2}){100,2400}$/;
const RSA_BITS = [2048, 3072] as const;
const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } as const;

// RSA keys only: Ed25519 channel keys are the same raw keys as accounts' and use crypto/ed25519.ts.
const pubCache = new KeyObjectCache();
const privCache = new KeyObjectCache();

/** The kind of a channel public or private key by its encoding; BAD_KEY for anything else. */
export function channelKeyKind(hex: string): ChannelKeyKind {
  if (typeof hex === 'string' && KEY_HEX.test(hex)) return 'ed25519';
  if (typeof hex === 'string' && DER_HEX.test(hex)) return 'rsa-pss';
  throw new ChannelError('BAD_KEY', 'channel key must be 32 bytes (Ed25519) or RSA DER, in lower-case hex');
}

function rsaPublicKey(pub: string): KeyObject {
  let key: KeyObject | undefined;
  try {
    key = createPublicKey({ key: Buffer.from(pub, 'hex'), format: 'der', type: 'spki' });
  } catch {
    key = undefined;
  }
  const d = key?.asymmetricKeyDetails;
  // One encoding per key (re-export matches), a standard size and e = 65537: a tiny exponent or
  // modulus, or a second encoding of the same key, is refused before it can sign anything.
  const ok =
    key?.asymmetricKeyType === 'rsa' &&
    (RSA_BITS as readonly number[]).includes(d?.modulusLength ?? 0) &&
    d?.publicExponent === 65537n &&
    key.export({ format: 'der', type: 'spki' }).toString('hex') === pub;
  check(ok, 'BAD_KEY', 'RSA channel key must be a canonical SPKI of RSA-2048 or RSA-3072 with e = 65537');
  return key!;
}

/** The key object of a channel public key (cached); BAD_KEY for a malformed or weak key. */
export function publicKeyObject(pub: string): KeyObject {
  if (typeof pub === 'string' && KEY_HEX.test(pub)) return ed.publicKeyObject(pub);
  // Cache first: a 300-byte RSA key is checked once, not on every verification.
  return pubCache.get(pub, () => {
    channelKeyKind(pub);
    return rsaPublicKey(pub);
  });
}

function rsaPrivateKeyObject(priv: string): KeyObject {
  return privCache.get(priv, () => {
    let key: KeyObject | undefined;
    try {
      key = createPrivateKey({ key: Buffer.from(priv, 'hex'), format: 'der', type: 'pkcs8' });
    } catch {
      key = undefined;
    }
    check(key?.asymmetricKeyType === 'rsa', 'BAD_KEY', 'RSA channel private key must be PKCS#8 DER');
    return key!;
  });
}

/**
 * A fresh channel key (Ed25519 unless asked otherwise). Use one per channel so channels cannot be
 * linked by key. RSA key generation takes ~0.2 s (2048) to ~1 s (3072).
 */
export function generateChannelKey(kind: ChannelKeyKind = 'ed25519', bits: 2048 | 3072 = 2048): ChannelKeyPair {
  if (kind === 'ed25519') return ed.generateKeyPair();
  check((RSA_BITS as readonly number[]).includes(bits), 'BAD_KEY', 'RSA channel keys are 2048 or 3072 bits');
  const pair = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 });
  return {
    privateKey: pair.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex'),
    publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
  };
}

/** {@link generateChannelKey} off the event loop (RSA key generation runs on libuv's thread pool). */
export async function generateChannelKeyAsync(kind: ChannelKeyKind = 'ed25519', bits: 2048 | 3072 = 2048): Promise<ChannelKeyPair> {
  if (kind === 'ed25519') return generateChannelKey(kind);
  check((RSA_BITS as readonly number[]).includes(bits), 'BAD_KEY', 'RSA channel keys are 2048 or 3072 bits');
  return new Promise((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: bits, publicExponent: 65537 }, (err, publicKey, privateKey) => {
      if (err) return reject(err);
      resolve({
        privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('hex'),
        publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('hex'),
      });
    }),
  );
}

/** Public key of a channel private key. */
export function channelPublicKey(privateKey: string): string {
  if (channelKeyKind(privateKey) === 'ed25519') return ed.publicKeyOf(privateKey);
  return createPublicKey(rsaPrivateKeyObject(privateKey)).export({ format: 'der', type: 'spki' }).toString('hex');
}

/**
 * Registration-time check of a channel key (the chaincode runs it at open). Ed25519: canonical
 * encoding of a curve point that is not of small order (a small-order key would let anyone forge
 * "its" signatures, including the revocations the breach remedy relies on). RSA: canonical SPKI,
 * 2048 or 3072 bits, e = 65537.
 */
export function assertChannelKey(pub: string): void {
  publicKeyObject(pub);
  if (channelKeyKind(pub) === 'rsa-pss') return;
  let ok = false;
  try {
    const p = ed25519.ExtendedPoint.fromHex(pub);
    ok = !p.isSmallOrder() && p.toHex() === pub;
  } catch {
    ok = false;
  }
  check(ok, 'BAD_KEY', 'channel key is not a canonical Ed25519 point of large order');
}

/** Sign 32 bytes with a channel key. */
export function signDigest(digest: Uint8Array, privateKey: string): string {
  if (channelKeyKind(privateKey) === 'ed25519') return ed.signBytes(digest, privateKey);
  return sign('sha256', digest, { key: rsaPrivateKeyObject(privateKey), ...PSS }).toString('hex');
}

/** Verify a signature over 32 bytes; false for any malformed or wrong signature. */
export function verifyDigest(digest: Uint8Array, publicKey: string, signature: string): boolean {
  const key = publicKeyObject(publicKey);
  if (typeof signature !== 'string') return false;
  if (key.asymmetricKeyType === 'ed25519') return ed.verifyBytes(digest, publicKey, signature);
  const bytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (signature.length !== 2 * bytes || !/^[0-9a-f]+$/.test(signature)) return false;
  return verify('sha256', digest, { key, ...PSS }, Buffer.from(signature, 'hex'));
}
