import { bls12_381 } from '@noble/curves/bls12-381';
import {
  IdentityError,
  CURVE_ORDER,
  idScalar,
  kgcSetup,
  kgcExtract,
  userKeyGen,
  provePossession,
  verifyPossession,
  kgcCertify,
  verifyCertificate,
  ibsSign,
  ibsChainSign,
  ibsAggregate,
  ibsVerify,
  ibsVerifyCertified,
  systemParams,
} from './index';
import { h2 } from './hash';
import { g1ToHex, g2FromHex, g2ToHex } from './points';

const NOW = 1_700_000_000;
const EXPIRY = NOW + 365 * 86400;
const { master, params } = kgcSetup();
const alice = kgcExtract(master, { id: 'user:alice', role: 'user', expiry: EXPIRY });
const bob = kgcExtract(master, { id: 'user:bob', role: 'user', expiry: EXPIRY });
const pile = kgcExtract(master, { id: 'pile:42', role: 'pile', expiry: EXPIRY });
const keys = new Map([alice, bob, pile].map((r) => [r.key.id, r.key.publicKey]));
const msg = 'open channel ch-1 with 1000 units';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof IdentityError) return e.code;
    throw e;
  }
  return undefined;
}

describe('escrow mode (the paper)', () => {
  it('derives x_ID = s*H1(ID, K_ID, s) deterministically from the tag, so the KGC can re-derive it', () => {
    const again = kgcExtract(master, { id: 'user:alice', role: 'user', expiry: EXPIRY, keyTag: alice.keyTag });
    expect(again.key.secretKey).toBe(alice.key.secretKey);
    expect(again.key.publicKey).toBe(alice.key.publicKey);
    const other = kgcExtract(master, { id: 'user:alice', role: 'user', expiry: EXPIRY });
    expect(other.key.secretKey).not.toBe(alice.key.secretKey);
  });

  it('chains partial signatures and verifies the aggregate with one pairing check', () => {
    const s1 = ibsChainSign(null, alice.key, msg, keys);
    const s2 = ibsChainSign(s1, bob.key, msg, keys);
    const s3 = ibsChainSign(s2, pile.key, msg, keys);
    expect(s3.signers).toEqual(['user:alice', 'user:bob', 'pile:42']);
    expect(s3.signature).toHaveLength(96);
    expect(ibsVerify(msg, s3, keys)).toBe(true);
    // Parallel collection sums to the same point.
    const par = ibsAggregate([alice, bob, pile].map((r) => ({ id: r.key.id, signature: ibsSign(r.key, msg) })));
    expect(par.signature).toBe(s3.signature);
  });

  it('refuses another message, a missing signer, a wrong ID and a forged share', () => {
    const agg = ibsAggregate([alice, bob].map((r) => ({ id: r.key.id, signature: ibsSign(r.key, msg) })));
    expect(ibsVerify(msg + '!', agg, keys)).toBe(false);
    expect(ibsVerify(msg, { ...agg, signers: ['user:alice'] }, keys)).toBe(false);
    expect(ibsVerify(msg, { ...agg, signers: ['user:alice', 'pile:42'] }, keys)).toBe(false);
    // A share made with alice's key but claimed under bob's ID fails: ID_i is inside the signature.
    const claimed = { signers: ['user:bob'], signature: ibsSign({ ...alice.key, id: 'user:bob' }, msg) };
    expect(ibsVerify(msg, claimed, keys)).toBe(false);
    // The next signer in the chain refuses a bad partial.
    const bad = { signers: ['user:alice'], signature: ibsSign(bob.key, msg) };
    expect(code(() => ibsChainSign(bad, pile.key, msg, keys))).toBe('BAD_PARTIAL_SIGNATURE');
  });

  it('refuses malformed input with typed errors', () => {
    const one = { signers: ['user:alice'], signature: ibsSign(alice.key, msg) };
    expect(code(() => ibsVerify(msg, { ...one, signers: [] }, keys))).toBe('EMPTY_SIGNER_SET');
    expect(code(() => ibsVerify(msg, { ...one, signers: ['user:alice', 'user:alice'] }, keys))).toBe('DUPLICATE_SIGNER');
    expect(code(() => ibsVerify(msg, { ...one, signers: ['user:carol'] }, keys))).toBe('UNKNOWN_SIGNER');
    expect(code(() => ibsVerify(msg, { ...one, signature: one.signature.toUpperCase() }, keys))).toBe('BAD_HEX');
    expect(code(() => ibsVerify(msg, { ...one, signature: g1ToHex(bls12_381.G1.ProjectivePoint.ZERO) }, keys))).toBe('BAD_POINT');
    expect(code(() => kgcExtract(master, { id: 'bad id', role: 'user', expiry: EXPIRY }))).toBe('BAD_ID');
    expect(code(() => kgcExtract(master, { id: 'x', role: 'user', expiry: 1.5 }))).toBe('BAD_EXPIRY');
  });

  it('issues certificates verifiable against P_pub, refusing other KGCs, tampering and expiry', () => {
    verifyCertificate(params, alice.certificate, NOW);
    expect(alice.certificate.mode).toBe('escrow');
    expect(code(() => verifyCertificate(kgcSetup().params, alice.certificate, NOW))).toBe('BAD_CERTIFICATE');
    expect(code(() => verifyCertificate(params, { ...alice.certificate, role: 'utility' }, NOW))).toBe('BAD_CERTIFICATE');
    expect(code(() => verifyCertificate(params, { ...alice.certificate, publicKey: bob.key.publicKey }, NOW))).toBe('BAD_CERTIFICATE');
    expect(code(() => verifyCertificate(params, alice.certificate, EXPIRY))).toBe('CERTIFICATE_EXPIRED');
    expect(systemParams(master)).toEqual(params);
  });
});

describe('certified mode (user-generated keys)', () => {
  const carol = userKeyGen('user:carol');
  const carolCert = kgcCertify(master, { id: 'user:carol', role: 'user', expiry: EXPIRY, publicKey: carol.key.publicKey, proofOfPossession: carol.proofOfPossession });

  it('certifies a key with a valid proof of possession and verifies mixed aggregates from certificates', () => {
    expect(carolCert.mode).toBe('certified');
    verifyCertificate(params, carolCert, NOW);
    const agg = ibsAggregate([
      { id: 'user:carol', signature: ibsSign(carol.key, msg) },
      { id: 'user:alice', signature: ibsSign(alice.key, msg) },
    ]);
    expect(ibsVerifyCertified(params, msg, agg, [carolCert, alice.certificate], NOW)).toBe(true);
    // Where escrow is not tolerable, only certified keys count.
    expect(code(() => ibsVerifyCertified(params, msg, agg, [carolCert, alice.certificate], NOW, ['certified']))).toBe('BAD_CERTIFICATE');
    expect(code(() => ibsVerifyCertified(params, msg, agg, [carolCert, alice.certificate], EXPIRY))).toBe('CERTIFICATE_EXPIRED');
  });

  it('binds the proof of possession to the ID and keeps it apart from ordinary signatures', () => {
    expect(verifyPossession('user:carol', carol.key.publicKey, carol.proofOfPossession)).toBe(true);
    expect(verifyPossession('user:mallory', carol.key.publicKey, carol.proofOfPossession)).toBe(false);
    // A signature under H2 on the same bytes is not a proof of possession (distinct tags).
    expect(provePossession(carol.key)).toBe(carol.proofOfPossession);
    expect(code(() => kgcCertify(master, { id: 'user:carol', role: 'user', expiry: EXPIRY, publicKey: carol.key.publicKey, proofOfPossession: ibsSign(carol.key, msg) }))).toBe('BAD_POSSESSION_PROOF');
  });

  it('refuses a rogue key: the attack works on raw keys but such a key can never be certified', () => {
    // Mallory picks a and publishes y_M = (a*P - ID_V*y_V) / ID_M, so that the aggregate key of
    // {victim, Mallory} is a*P and a*H2(m) "verifies" as a signature by both.
    const G2 = bls12_381.G2.ProjectivePoint;
    const a = 123456789n;
    const idV = idScalar('user:alice');
    const idM = idScalar('user:mallory');
    const inv = (x: bigint) => {
      let [r, newR, t, newT] = [CURVE_ORDER, x % CURVE_ORDER, 0n, 1n];
      while (newR !== 0n) {
        const q = r / newR;
        [t, newT] = [newT, t - q * newT];
        [r, newR] = [newR, r - q * newR];
      }
      return ((t % CURVE_ORDER) + CURVE_ORDER) % CURVE_ORDER;
    };
    const yV = g2FromHex(alice.key.publicKey, 'y');
    const rogue = g2ToHex(G2.BASE.multiply(a).subtract(yV.multiply(idV)).multiply(inv(idM)));
    const forged = { signers: ['user:alice', 'user:mallory'], signature: g1ToHex(h2(new TextEncoder().encode(msg)).multiply(a)) };
    const raw = new Map(keys).set('user:mallory', rogue);
    expect(ibsVerify(msg, forged, raw)).toBe(true); // why raw keys must never be trusted
    // Mallory cannot prove possession of the rogue key (she does not know its discrete log).
    const fakePop = g1ToHex(h2(new TextEncoder().encode('anything')).multiply(a));
    expect(code(() => kgcCertify(master, { id: 'user:mallory', role: 'user', expiry: EXPIRY, publicKey: rogue, proofOfPossession: fakePop }))).toBe('BAD_POSSESSION_PROOF');
    // And the certificate path refuses a signer without a certificate.
    expect(code(() => ibsVerifyCertified(params, msg, forged, [alice.certificate], NOW))).toBe('UNKNOWN_SIGNER');
    // A certificate issued for someone else's key under Mallory's ID fails the cert check.
    expect(code(() => ibsVerifyCertified(params, msg, forged, [alice.certificate, { ...carolCert, id: 'user:mallory', publicKey: rogue }], NOW))).toBe('BAD_CERTIFICATE');
  });
});
