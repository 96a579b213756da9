import { addHtlc, failHtlc, hashLockOf, newPreimage, resolveHtlc, settleHtlc } from './htlc';
import { openingState, parseState, type Htlc } from './state';
import { NOW, codeOf } from './test-helpers';

const s0 = openingState('ch-1', { a: '1000', b: '500' });
const { preimage, hashLock } = newPreimage();
const htlc: Htlc = { id: 'pay-1', from: 'a', to: 'b', amount: '100', hashLock, timeLock: NOW + 3600 };

describe('HTLC transitions', () => {
  it('locks the amount on add and conserves the total', () => {
    const s1 = addHtlc(s0, htlc, NOW);
    expect(s1.version).toBe(1);
    expect(s1.balances).toEqual({ a: '900', b: '500' });
    expect(parseState(s1, 1500n).htlcs).toHaveLength(1);
  });
  it('success path: the preimage pays the receiver', () => {
    const s2 = settleHtlc(addHtlc(s0, htlc, NOW), 'pay-1', preimage);
    expect(s2.version).toBe(2);
    expect(s2.balances).toEqual({ a: '900', b: '600' });
    expect(s2.htlcs).toEqual([]);
  });
  it('timeout path: failing refunds the sender', () => {
    const s2 = failHtlc(addHtlc(s0, htlc, NOW), 'pay-1');
    expect(s2.balances).toEqual({ a: '1000', b: '500' });
  });
  it('refuses a wrong preimage, an unknown id, a duplicate id and an overdrawn sender', () => {
    const s1 = addHtlc(s0, htlc, NOW);
    expect(codeOf(() => settleHtlc(s1, 'pay-1', newPreimage().preimage))).toBe('BAD_PREIMAGE');
    expect(codeOf(() => settleHtlc(s1, 'pay-1', 'xyz'))).toBe('BAD_PREIMAGE');
    expect(codeOf(() => settleHtlc(s1, 'nope', preimage))).toBe('UNKNOWN_HTLC');
    expect(codeOf(() => addHtlc(s1, htlc, NOW))).toBe('DUPLICATE_HTLC');
    expect(codeOf(() => addHtlc(s0, { ...htlc, amount: '1001' }, NOW))).toBe('INSUFFICIENT_BALANCE');
    expect(codeOf(() => addHtlc(s0, { ...htlc, amount: '-5' }, NOW))).toBe('BAD_AMOUNT');
  });
  it('validates time locks against the given now', () => {
    expect(codeOf(() => addHtlc(s0, { ...htlc, timeLock: NOW + 10 }, NOW))).toBe('LOCK_TOO_SOON');
    expect(codeOf(() => addHtlc(s0, { ...htlc, timeLock: NOW + 30 * 86400 }, NOW))).toBe('LOCK_TOO_FAR');
    expect(codeOf(() => addHtlc(s0, { ...htlc, timeLock: NOW + 3600.5 }, NOW))).toBe('BAD_STATE');
  });
  it('keeps HTLCs in id order whatever the insertion order', () => {
    const s1 = addHtlc(s0, { ...htlc, id: 'z' }, NOW);
    const s2 = addHtlc(s1, { ...htlc, id: 'b', from: 'b', to: 'a' }, NOW);
    expect(s2.htlcs.map((h) => h.id)).toEqual(['b', 'z']);
    expect(s2.balances).toEqual({ a: '900', b: '400' });
  });
});

describe('on-chain resolution', () => {
  it('pays the receiver when the preimage was revealed before the lock', () => {
    expect(resolveHtlc(htlc, [{ preimage, revealedAt: htlc.timeLock - 1 }], htlc.timeLock + 100)).toEqual({ outcome: 'receiver', revealedAt: htlc.timeLock - 1 });
  });
  it('refunds the sender when the reveal came at or after the lock, or never', () => {
    expect(resolveHtlc(htlc, [{ preimage, revealedAt: htlc.timeLock }], htlc.timeLock + 1)).toEqual({ outcome: 'sender' });
    expect(resolveHtlc(htlc, [], htlc.timeLock)).toEqual({ outcome: 'sender' });
  });
  it('stays pending before the lock with no reveal, and ignores wrong or future reveals', () => {
    expect(resolveHtlc(htlc, [], NOW)).toEqual({ outcome: 'pending', until: htlc.timeLock });
    expect(resolveHtlc(htlc, [{ preimage: newPreimage().preimage, revealedAt: NOW }], NOW + 1)).toEqual({ outcome: 'pending', until: htlc.timeLock });
    expect(resolveHtlc(htlc, [{ preimage, revealedAt: NOW + 10 }], NOW)).toEqual({ outcome: 'pending', until: htlc.timeLock });
  });
  it('hashes the 32-byte preimage with sha256', () => {
    expect(hashLockOf('00'.repeat(32))).toBe('66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925');
  });
});
