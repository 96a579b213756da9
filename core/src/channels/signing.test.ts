import { kgcExtract, kgcSetup } from '../identity';
import {
  assertChannelKey,
  assertCoSigned,
  bindChannelKey,
  channelKeyKind,
  channelPublicKey,
  coSign,
  generateChannelKey,
  signDigest,
  signState,
  verifyDigest,
  verifyChannelKeyBinding,
  verifyCoSigned,
  verifyStateSignature,
} from './signing';
import { openingState } from './state';
import { pay } from './update';
import { codeOf, fixture } from './test-helpers';

const { ka, kb, record, privs } = fixture();
const keys = record.keys;
const s1 = pay(openingState('ch-1', record.deposits), 'a', '10');

describe('Ed25519 state signatures', () => {
  it('signs and verifies; the public key derives from the private key', () => {
    expect(channelPublicKey(ka.privateKey)).toBe(ka.publicKey);
    const signed = coSign(s1, privs);
    expect(signed.sigs.a).toMatch(/^[0-9a-f]{128}$/);
    expect(verifyCoSigned(signed, keys)).toBe(true);
    expect(assertCoSigned(signed, keys, 1500n).a).toBe(990n);
  });
  it('refuses forged, swapped and truncated signatures', () => {
    const signed = coSign(s1, privs);
    const flipped = signed.sigs.a.slice(0, 10) + (signed.sigs.a[10] === '0' ? '1' : '0') + signed.sigs.a.slice(11);
    expect(verifyCoSigned({ ...signed, sigs: { ...signed.sigs, a: flipped } }, keys)).toBe(false);
    expect(verifyCoSigned({ ...signed, sigs: { a: signed.sigs.b, b: signed.sigs.a } }, keys)).toBe(false);
    expect(verifyCoSigned({ ...signed, sigs: { ...signed.sigs, b: signed.sigs.b.slice(2) } }, keys)).toBe(false);
    expect(verifyCoSigned({ ...signed, sigs: { ...signed.sigs, b: signState(s1, fixture().ka.privateKey) } }, keys)).toBe(false);
    expect(codeOf(() => assertCoSigned({ ...signed, sigs: { ...signed.sigs, a: flipped } }, keys))).toBe('NOT_COSIGNED');
  });
  it('never accepts a signature for another channel or another version', () => {
    const sig = signState(s1, ka.privateKey);
    expect(verifyStateSignature(s1, ka.publicKey, sig)).toBe(true);
    expect(verifyStateSignature({ ...s1, channelId: 'ch-2' }, ka.publicKey, sig)).toBe(false);
    expect(verifyStateSignature({ ...s1, version: 2 }, ka.publicKey, sig)).toBe(false);
    expect(verifyStateSignature({ ...s1, balances: { a: '980', b: '520' } }, ka.publicKey, sig)).toBe(false);
  });
  it('refuses malformed and small-order keys', () => {
    expect(codeOf(() => verifyStateSignature(s1, 'zz', '00'))).toBe('BAD_KEY');
    expect(codeOf(() => assertChannelKey('00'.repeat(32)))).toBe('BAD_KEY');
    expect(codeOf(() => assertChannelKey('01' + '00'.repeat(31)))).toBe('BAD_KEY'); // the neutral point
    assertChannelKey(kb.publicKey);
  });
});

describe('RSA-PSS channel keys (cheap to verify)', () => {
  const ra = generateChannelKey('rsa-pss');
  const rb = generateChannelKey('rsa-pss');
  const rkeys = { a: ra.publicKey, b: rb.publicKey };
  const mixed = { a: ra.publicKey, b: kb.publicKey };
  it('signs and verifies co-signed states, also mixed with an Ed25519 party', () => {
    expect(channelKeyKind(ra.publicKey)).toBe('rsa-pss');
    expect(channelKeyKind(ka.publicKey)).toBe('ed25519');
    expect(channelPublicKey(ra.privateKey)).toBe(ra.publicKey);
    assertChannelKey(ra.publicKey);
    const signed = coSign(s1, { a: ra.privateKey, b: rb.privateKey });
    expect(signed.sigs.a).toMatch(/^[0-9a-f]{512}$/);
    expect(verifyCoSigned(signed, rkeys)).toBe(true);
    expect(verifyCoSigned(coSign(s1, { a: ra.privateKey, b: kb.privateKey }), mixed)).toBe(true);
  });
  it('refuses forged, swapped, truncated and cross-scheme signatures', () => {
    const signed = coSign(s1, { a: ra.privateKey, b: rb.privateKey });
    const flipped = signed.sigs.a.slice(0, 100) + (signed.sigs.a[100] === '0' ? '1' : '0') + signed.sigs.a.slice(101);
    expect(verifyCoSigned({ ...signed, sigs: { ...signed.sigs, a: flipped } }, rkeys)).toBe(false);
    expect(verifyCoSigned({ ...signed, sigs: { a: signed.sigs.b, b: signed.sigs.a } }, rkeys)).toBe(false);
    expect(verifyCoSigned({ ...signed, sigs: { ...signed.sigs, b: signed.sigs.b.slice(2) } }, rkeys)).toBe(false);
    expect(verifyCoSigned({ ...signed, sigs: { ...signed.sigs, b: signed.sigs.b.toUpperCase() } }, rkeys)).toBe(false);
    expect(verifyStateSignature({ ...s1, version: 2 }, ra.publicKey, signed.sigs.a)).toBe(false);
    // An Ed25519 signature never passes for an RSA key, nor the reverse.
    const d = Buffer.alloc(32, 1);
    expect(verifyDigest(d, ra.publicKey, signDigest(d, ka.privateKey))).toBe(false);
    expect(verifyDigest(d, ka.publicKey, signDigest(d, ra.privateKey))).toBe(false);
    expect(verifyDigest(d, ra.publicKey, signDigest(d, ra.privateKey))).toBe(true);
  });
  it('refuses weak, odd and non-canonical RSA keys', () => {
    const { generateKeyPairSync } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    const spki = (o: { modulusLength: number; publicExponent?: number }) =>
      generateKeyPairSync('rsa', o).publicKey.export({ format: 'der', type: 'spki' }).toString('hex');
    expect(codeOf(() => assertChannelKey(spki({ modulusLength: 1024 })))).toBe('BAD_KEY');
    expect(codeOf(() => assertChannelKey(spki({ modulusLength: 2048, publicExponent: 3 })))).toBe('BAD_KEY');
    expect(codeOf(() => assertChannelKey(ra.publicKey + '00'))).toBe('BAD_KEY');
    expect(codeOf(() => assertChannelKey(ra.publicKey.toUpperCase()))).toBe('BAD_KEY');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' }).toString('hex');
    expect(codeOf(() => assertChannelKey(ec))).toBe('BAD_KEY');
    expect(codeOf(() => generateChannelKey('rsa-pss', 1024 as 2048))).toBe('BAD_KEY');
  });
});

describe('binding a channel key to a registered BLS identity', () => {
  const { master } = kgcSetup();
  const alice = kgcExtract(master, { id: 'user:alice', role: 'user', expiry: 2_000_000_000 });
  const reg = { 'user:alice': alice.key.publicKey };
  it('verifies for the bound key and scope only', () => {
    const b = bindChannelKey(alice.key, ka.publicKey, 'gridledger/ch-1');
    expect(verifyChannelKeyBinding('user:alice', ka.publicKey, 'gridledger/ch-1', b, reg)).toBe(true);
    expect(verifyChannelKeyBinding('user:alice', kb.publicKey, 'gridledger/ch-1', b, reg)).toBe(false);
    expect(verifyChannelKeyBinding('user:alice', ka.publicKey, 'gridledger/ch-2', b, reg)).toBe(false);
    expect(verifyChannelKeyBinding('user:bob', ka.publicKey, 'gridledger/ch-1', b, reg)).toBe(false);
  });
});
