import { MAX_AMOUNT, parseAmount } from './amount';
import { checkSuccessor, deriveChannelId, openingState, parseState, stateDigest, type ChannelState } from './state';
import { pay, finalize } from './update';
import { NOW, codeOf } from './test-helpers';

const s0 = openingState('ch-1', { a: '1000', b: '500' });
const h = { id: 'p1', from: 'a' as const, to: 'b' as const, amount: '100', hashLock: 'ab'.repeat(32), timeLock: NOW + 3600 };
const withHtlc: ChannelState = { channelId: 'ch-1', version: 1, balances: { a: '900', b: '500' }, htlcs: [h] };

describe('amounts', () => {
  it('accepts canonical decimal integers up to 2^63-1', () => {
    expect(parseAmount('0')).toBe(0n);
    expect(parseAmount(MAX_AMOUNT.toString())).toBe(MAX_AMOUNT);
  });
  it.each([
    ['-1', 'BAD_AMOUNT'],
    ['1.5', 'BAD_AMOUNT'],
    ['1e3', 'BAD_AMOUNT'],
    ['007', 'BAD_AMOUNT'],
    [' 1', 'BAD_AMOUNT'],
    ['0x10', 'BAD_AMOUNT'],
    [(MAX_AMOUNT + 1n).toString(), 'AMOUNT_OVERFLOW'],
    ['99999999999999999999', 'BAD_AMOUNT'],
  ])('refuses %s', (v, code) => expect(codeOf(() => parseAmount(v))).toBe(code));
  it('refuses numbers, including floats', () => {
    expect(codeOf(() => parseAmount(1.5))).toBe('BAD_AMOUNT');
    expect(codeOf(() => parseAmount(10))).toBe('BAD_AMOUNT');
  });
});

describe('state validation', () => {
  it('checks conservation of balances plus HTLCs against the channel total', () => {
    expect(parseState(withHtlc, 1500n).total).toBe(1500n);
    expect(codeOf(() => parseState({ ...withHtlc, balances: { a: '901', b: '500' } }, 1500n))).toBe('CONSERVATION_VIOLATED');
  });
  it('refuses negative, float, overflowing and numeric amounts inside a state', () => {
    expect(codeOf(() => parseState({ ...s0, balances: { a: '-1', b: '1501' } }))).toBe('BAD_AMOUNT');
    expect(codeOf(() => parseState({ ...s0, balances: { a: '999.5', b: '500.5' } }))).toBe('BAD_AMOUNT');
    expect(codeOf(() => parseState({ ...s0, balances: { a: 1000, b: 500 } }))).toBe('BAD_AMOUNT');
    expect(codeOf(() => parseState({ ...s0, balances: { a: MAX_AMOUNT.toString(), b: '1' } }))).toBe('AMOUNT_OVERFLOW');
    expect(codeOf(() => parseState({ ...withHtlc, htlcs: [{ ...h, amount: '0' }] }))).toBe('BAD_AMOUNT');
    expect(codeOf(() => parseState({ ...s0, version: 1.5 }))).toBe('BAD_STATE');
    expect(codeOf(() => parseState({ ...withHtlc, htlcs: [{ ...h, timeLock: NOW + 0.5 }] }))).toBe('BAD_STATE');
  });
  it('refuses unknown fields, duplicate or unordered HTLC ids, bad locks and final=false', () => {
    expect(codeOf(() => parseState({ ...s0, memo: 'x' }))).toBe('BAD_STATE');
    expect(codeOf(() => parseState({ ...withHtlc, htlcs: [h, h] }))).toBe('DUPLICATE_HTLC');
    expect(codeOf(() => parseState({ ...withHtlc, htlcs: [{ ...h, id: 'p2' }, h] }))).toBe('DUPLICATE_HTLC');
    expect(codeOf(() => parseState({ ...withHtlc, htlcs: [{ ...h, hashLock: 'AB'.repeat(32) }] }))).toBe('BAD_HTLC');
    expect(codeOf(() => parseState({ ...withHtlc, htlcs: [{ ...h, to: 'a' }] }))).toBe('BAD_HTLC');
    expect(codeOf(() => parseState({ ...s0, final: false }))).toBe('BAD_STATE');
    expect(codeOf(() => parseState({ ...withHtlc, final: true }))).toBe('HTLCS_PENDING');
    expect(codeOf(() => parseState({ ...s0, channelId: 'bad id' }))).toBe('BAD_CHANNEL_ID');
  });
  it('bounds pending HTLCs', () => {
    const many = Array.from({ length: 33 }, (_, i) => ({ ...h, id: `p${String(i).padStart(2, '0')}`, amount: '1' }));
    expect(codeOf(() => parseState({ ...s0, version: 1, balances: { a: '967', b: '500' }, htlcs: many }))).toBe('TOO_MANY_HTLCS');
  });
});

describe('digest and versions', () => {
  it('binds the digest to channel id and version', () => {
    const d = stateDigest(s0).toString('hex');
    expect(stateDigest({ ...s0, channelId: 'ch-2' }).toString('hex')).not.toBe(d);
    expect(stateDigest({ ...s0, version: 1 }).toString('hex')).not.toBe(d);
    // Key order does not matter: canonical encoding.
    expect(stateDigest({ htlcs: [], version: 0, balances: { b: '500', a: '1000' }, channelId: 'ch-1' }).toString('hex')).toBe(d);
  });
  it('requires version exactly +1, the same channel and total, and nothing after final', () => {
    const p0 = parseState(s0);
    const s1 = pay(s0, 'a', '10');
    expect(s1.version).toBe(1);
    expect(checkSuccessor(p0, s1).a).toBe(990n);
    expect(codeOf(() => checkSuccessor(p0, s0))).toBe('VERSION_NOT_INCREASING');
    expect(codeOf(() => checkSuccessor(p0, { ...s1, version: 5 }))).toBe('VERSION_NOT_INCREASING');
    expect(codeOf(() => checkSuccessor(p0, { ...s1, channelId: 'ch-2' }))).toBe('CHANNEL_MISMATCH');
    expect(codeOf(() => checkSuccessor(p0, { ...s1, balances: { a: '990', b: '511' } }))).toBe('CONSERVATION_VIOLATED');
    const fin = finalize(s1);
    expect(fin.final).toBe(true);
    expect(codeOf(() => checkSuccessor(parseState(fin), pay(s1, 'a', '1')))).toBe('CHANNEL_FINAL');
    expect(codeOf(() => pay(s0, 'b', '501'))).toBe('INSUFFICIENT_BALANCE');
  });
  it('derives distinct channel ids per nonce', () => {
    const x = deriveChannelId({ network: 'gridledger', a: 'u1', b: 'u2', nonce: '1' });
    expect(x).toMatch(/^ch-[0-9a-f]{64}$/);
    expect(deriveChannelId({ network: 'gridledger', a: 'u1', b: 'u2', nonce: '2' })).not.toBe(x);
  });
});
