import { canonicalJson } from '../canonical-json';
import { IdentityError } from './errors';
import { fromHex, lengthPrefixed, utf8 } from './encoding';
import { DST, assertId, h1, hashToG1, CURVE_ORDER } from './hash';
import { P, g1FromHex, g1ToHex, g2FromHex, g2ToHex, pairingCheck, randomScalar, scalarFromHex, scalarToHex } from './points';

/** Name of this scheme, written into every certificate so a future scheme cannot be confused with it. */
export const IBS_SCHEME = 'gridledger-ibs-bls12381-v1';

/** Public system parameters of the paper `{q, P, e, G1, G2, P_pub, H1, H2}`; only `P_pub` varies. */
export interface SystemParams {
  scheme: typeof IBS_SCHEME;
  /** `P_pub = s*P` in G2, compressed hex. */
  pPub: string;
}

/**
 * How the key was made. `escrow`: the paper's scheme, the KGC derived `x_ID` and can sign for the
 * user. `certified`: the user generated `x` and proved possession; the KGC only vouches for it.
 */
export type KeyMode = 'escrow' | 'certified';

/** The KGC's statement "`publicKey` belongs to `id` with `role` until `expiry`". */
export interface KeyCertificate {
  scheme: typeof IBS_SCHEME;
  mode: KeyMode;
  id: string;
  role: string;
  publicKey: string;
  /** Unix seconds after which the certificate is void. */
  expiry: number;
  /** `s * H_cert(body)` in G1, compressed hex. */
  kgcSignature: string;
}

/** A registered user's key material (keep `secretKey` on the device). */
export interface IbsKeyPair {
  id: string;
  /** `x_ID`, 32-byte hex. */
  secretKey: string;
  /** `y_ID = x_ID * P` in G2, compressed hex. */
  publicKey: string;
}

const ROLE = /^[a-z][a-z0-9-]{0,31}$/;

function assertRoleExpiry(role: unknown, expiry: unknown): void {
  if (typeof role !== 'string' || !ROLE.test(role)) throw new IdentityError('BAD_ROLE', 'role must match [a-z][a-z0-9-]{0,31}');
  if (typeof expiry !== 'number' || !Number.isSafeInteger(expiry) || expiry <= 0) {
    throw new IdentityError('BAD_EXPIRY', 'expiry must be a positive integer (unix seconds)');
  }
}

/** KGC initialisation: a fresh master secret `s` (hex) and the public parameters. */
export function kgcSetup(): { master: string; params: SystemParams } {
  const master = scalarToHex(randomScalar());
  return { master, params: systemParams(master) };
}

/** Checks published parameters: the scheme, and `P_pub` a valid G2 point (not the identity). */
export function checkSystemParams(p: unknown): SystemParams {
  const o = p as SystemParams;
  if (typeof o !== 'object' || o === null || o.scheme !== IBS_SCHEME || Object.keys(o).sort().join(',') !== 'pPub,scheme') {
    throw new IdentityError('BAD_CERTIFICATE', `system params must be exactly {scheme: ${IBS_SCHEME}, pPub}`);
  }
  g2FromHex(o.pPub, 'pPub');
  return { scheme: IBS_SCHEME, pPub: o.pPub };
}

/** Public parameters for a master secret. */
export function systemParams(master: string): SystemParams {
  return { scheme: IBS_SCHEME, pPub: g2ToHex(P.multiply(scalarFromHex(master, 'master secret'))) };
}

function certBody(c: Omit<KeyCertificate, 'kgcSignature'>): Uint8Array {
  return utf8(canonicalJson({ scheme: c.scheme, mode: c.mode, id: c.id, role: c.role, publicKey: c.publicKey, expiry: c.expiry }));
}

function signCert(s: bigint, body: Omit<KeyCertificate, 'kgcSignature'>): KeyCertificate {
  return { ...body, kgcSignature: g1ToHex(hashToG1(certBody(body), DST.CERT).multiply(s)) };
}

/**
 * Registration in the paper's escrow mode (Table 2): a random tag `K_ID`, `x_ID = s*H1(ID, K_ID, s)`,
 * `y_ID = x_ID*P`, plus a certificate so that verifiers can trust `y_ID` without asking the KGC.
 * The KGC keeps `keyTag` if it wants to re-derive the key (that is exactly the escrow).
 */
export function kgcExtract(
  master: string,
  req: { id: string; role: string; expiry: number; keyTag?: string },
): { keyTag: string; key: IbsKeyPair; certificate: KeyCertificate } {
  assertId(req.id);
  assertRoleExpiry(req.role, req.expiry);
  const s = scalarFromHex(master, 'master secret');
  const k = req.keyTag === undefined ? randomScalar() : scalarFromHex(req.keyTag, 'keyTag');
  const x = (s * h1(req.id, k, s)) % CURVE_ORDER;
  if (x === 0n) throw new IdentityError('BAD_SCALAR', 'derived key is zero; choose another tag');
  const publicKey = g2ToHex(P.multiply(x));
  const certificate = signCert(s, { scheme: IBS_SCHEME, mode: 'escrow', id: req.id, role: req.role, publicKey, expiry: req.expiry });
  return { keyTag: scalarToHex(k), key: { id: req.id, secretKey: scalarToHex(x), publicKey }, certificate };
}

function popMessage(id: string, publicKey: string): Uint8Array {
  return lengthPrefixed(utf8(id), fromHex(publicKey, 96, 'publicKey'));
}

/**
 * Certified mode, on the user's device: a fresh key and a proof of possession
 * `x * H_pop(ID, y)`. The proof is what defeats rogue keys: a key `y' = a*P - y_victim` cannot be
 * proven, because nobody knows its discrete logarithm.
 */
export function userKeyGen(id: string): { key: IbsKeyPair; proofOfPossession: string } {
  assertId(id);
  const x = randomScalar();
  const publicKey = g2ToHex(P.multiply(x));
  return { key: { id, secretKey: scalarToHex(x), publicKey }, proofOfPossession: provePossession({ id, secretKey: scalarToHex(x), publicKey }) };
}

/** Proof of possession for an existing key pair. */
export function provePossession(key: IbsKeyPair): string {
  assertId(key.id);
  return g1ToHex(hashToG1(popMessage(key.id, key.publicKey), DST.POP).multiply(scalarFromHex(key.secretKey, 'secretKey')));
}

/** Checks `e(pop, P) == e(H_pop(ID, y), y)`. */
export function verifyPossession(id: string, publicKey: string, proofOfPossession: string): boolean {
  assertId(id);
  const y = g2FromHex(publicKey, 'publicKey');
  const pop = g1FromHex(proofOfPossession, 'proofOfPossession');
  return pairingCheck(pop, hashToG1(popMessage(id, publicKey), DST.POP), y);
}

/**
 * The KGC certifies a user-generated key after checking its proof of possession. The KGC never
 * learns `x`, so it cannot sign for the user; it can still certify a second key for the same ID,
 * which is why the chaincode keeps one active certificate per ID and logs every issuance.
 */
export function kgcCertify(
  master: string,
  req: { id: string; role: string; expiry: number; publicKey: string; proofOfPossession: string },
): KeyCertificate {
  assertId(req.id);
  assertRoleExpiry(req.role, req.expiry);
  if (!verifyPossession(req.id, req.publicKey, req.proofOfPossession)) {
    throw new IdentityError('BAD_POSSESSION_PROOF', `no valid proof of possession for ${req.id}'s key`);
  }
  return signCert(scalarFromHex(master, 'master secret'), {
    scheme: IBS_SCHEME,
    mode: 'certified',
    id: req.id,
    role: req.role,
    publicKey: req.publicKey,
    expiry: req.expiry,
  });
}

/**
 * Verify a certificate against `P_pub`: `e(sig, P) == e(H_cert(body), P_pub)` and `now < expiry`.
 * Throws `BAD_CERTIFICATE` or `CERTIFICATE_EXPIRED`.
 */
export function verifyCertificate(params: SystemParams, cert: KeyCertificate, now: number): void {
  if (params.scheme !== IBS_SCHEME || cert.scheme !== IBS_SCHEME) throw new IdentityError('BAD_CERTIFICATE', 'unknown scheme');
  if (cert.mode !== 'escrow' && cert.mode !== 'certified') throw new IdentityError('BAD_CERTIFICATE', 'unknown mode');
  assertId(cert.id);
  assertRoleExpiry(cert.role, cert.expiry);
  g2FromHex(cert.publicKey, 'certificate publicKey');
  const sig = g1FromHex(cert.kgcSignature, 'kgcSignature');
  if (!pairingCheck(sig, hashToG1(certBody(cert), DST.CERT), g2FromHex(params.pPub, 'pPub'))) {
    throw new IdentityError('BAD_CERTIFICATE', `certificate for ${cert.id} is not signed by this KGC`);
  }
  if (!(typeof now === 'number' && now < cert.expiry)) throw new IdentityError('CERTIFICATE_EXPIRED', `certificate for ${cert.id} expired at ${cert.expiry}`);
}
