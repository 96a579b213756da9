import { Channel } from './channel';
import { newPreimage } from './htlc';
import { coSignUpdate, makeRevocation, type Revocation } from './revocation';
import { settle, checkCounter, type Post } from './settlement';
import { coSign, type SignedState } from './signing';
import { openingState, type ChannelState } from './state';
import { finalize, pay } from './update';
import { NOW, codeOf, fixture } from './test-helpers';

const W = 3600; // dispute window
const { record, privs } = fixture('ch-1', { a: '1000', b: '500' }, W);

/** Co-signed history v0..vn where a pays b 10 each step, each signature binding its side's lock. */
const revs: Array<Record<'a' | 'b', Revocation>> = [];
function history(n: number): SignedState[] {
  const out: SignedState[] = [{ state: openingState('ch-1', record.deposits), sigs: { a: '', b: '' } }];
  for (let i = 1; i <= n; i++) {
    const u = coSignUpdate(pay(out[i - 1].state, 'a', '10'), privs);
    out.push(u.signed);
    revs[i] = u.revocations;
  }
  return out;
}
const post = (by: 'a' | 'b', signed: SignedState, postedAt = NOW): Post => ({ by, postedAt, signed });
const h = history(5);

describe('settle: cooperative', () => {
  it('pays a co-signed final state at once', () => {
    const fin = coSign(finalize(h[3].state), privs);
    expect(settle({ record, close: post('a', fin), now: NOW })).toEqual({
      status: 'settled',
      kind: 'cooperative',
      version: 4,
      payouts: { a: '970', b: '530' },
      htlcs: [],
    });
  });
  it('has no dispute', () => {
    const fin = coSign(finalize(h[3].state), privs);
    expect(codeOf(() => settle({ record, close: post('a', fin), counter: post('b', h[5], NOW + 1), now: NOW + 1 }))).toBe('NOT_DISPUTABLE');
  });
});

describe('settle: unilateral', () => {
  it('waits for the dispute window, then pays the posted state', () => {
    const r = settle({ record, close: post('b', h[5]), now: NOW + W - 1 });
    expect(r).toMatchObject({ status: 'pending', kind: 'unilateral', version: 5, deadline: NOW + W, readyAt: NOW + W });
    expect(settle({ record, close: post('b', h[5]), now: NOW + W })).toMatchObject({ status: 'settled', kind: 'unilateral', payouts: { a: '950', b: '550' } });
  });
  it('accepts the opening state without signatures', () => {
    expect(settle({ record, close: post('a', h[0]), now: NOW + W })).toMatchObject({ status: 'settled', payouts: { a: '1000', b: '500' } });
    const fake = { state: { ...h[0].state, balances: { a: '1500', b: '0' } }, sigs: { a: '', b: '' } };
    expect(codeOf(() => settle({ record, close: post('a', fake), now: NOW + W }))).toBe('BAD_STATE');
  });
  it('refuses unsigned, foreign and non-conserving posts', () => {
    expect(codeOf(() => settle({ record, close: post('a', { ...h[2], sigs: { a: h[2].sigs.a, b: h[1].sigs.b } }), now: NOW }))).toBe('NOT_COSIGNED');
    const other = fixture('ch-2');
    const foreign = coSign(pay(openingState('ch-2', other.record.deposits), 'a', '1'), other.privs);
    expect(codeOf(() => settle({ record, close: post('a', foreign), now: NOW }))).toBe('CHANNEL_MISMATCH');
    const inflated: ChannelState = { ...h[1].state, balances: { a: '990', b: '600' } };
    expect(codeOf(() => settle({ record, close: post('a', coSign(inflated, privs)), now: NOW }))).toBe('CONSERVATION_VIOLATED');
  });
});

describe('settle: counter-posted newer state', () => {
  it('a newer co-signed state posted within the window wins, with no penalty when the closer had not revoked', () => {
    // A proposed v5 and B countersigned, but A never got B's signature: A's latest is v4.
    const r = settle({ record, close: post('a', h[4]), counter: post('b', h[5], NOW + 10), now: NOW + W });
    expect(r).toMatchObject({ status: 'settled', kind: 'unilateral', version: 5, payouts: { a: '950', b: '550' } });
  });
  it('refuses a late or stale counter', () => {
    expect(codeOf(() => settle({ record, close: post('a', h[3]), counter: post('b', h[5], NOW + W), now: NOW + W }))).toBe('CHALLENGE_TOO_LATE');
    expect(codeOf(() => settle({ record, close: post('a', h[3]), counter: post('b', h[3], NOW + 1), now: NOW + W }))).toBe('STALE_CHALLENGE');
    expect(codeOf(() => checkCounter(record, post('a', h[3]), post('b', h[4], NOW + 1), post('b', h[5], NOW + 1)))).toBe('STALE_CHALLENGE');
  });
});

describe('settle: breach', () => {
  it('a close two versions behind the counter is a breach: the honest side takes everything at once', () => {
    const r = settle({ record, close: post('b', h[2]), counter: post('a', h[5], NOW + 5), now: NOW + 5 });
    expect(r).toEqual({ status: 'settled', kind: 'breach', version: 5, payouts: { a: '1500', b: '0' }, cheater: 'b', htlcs: [] });
  });
  it('a close one version behind is a breach when the closer had revealed its secret for the newer state', () => {
    const rev = revs[5].a;
    const r = settle({ record, close: post('a', h[4]), counter: post('b', h[5], NOW + 5), revocations: [rev], now: NOW + 5 });
    expect(r).toMatchObject({ kind: 'breach', cheater: 'a', payouts: { a: '0', b: '1500' } });
    // After the window: the secret with the state it opens, posted as evidence only, still convicts.
    expect(settle({ record, close: post('a', h[4]), revocations: [rev], evidence: [h[5]], now: NOW + W })).toMatchObject({ kind: 'breach', cheater: 'a' });
    // ...and so does the state alone for any close two or more behind it.
    expect(settle({ record, close: post('a', h[1]), evidence: [h[5]], now: NOW + 5 })).toMatchObject({ kind: 'breach', cheater: 'a' });
    // Without the newer state it opens a lock of, a secret proves nothing.
    expect(settle({ record, close: post('a', h[4]), revocations: [rev], now: NOW + W })).toMatchObject({ kind: 'unilateral', version: 4 });
  });
  it('ignores a forged revocation: a secret that opens no lock, another side\'s, or one for another version', () => {
    const wrongKey = makeRevocation('ch-1', 'a', 5, privs.b);
    const bSecret = { ...revs[5].b, party: 'a' as const };
    const otherVersion = { ...revs[4].a, below: 5 };
    for (const forged of [wrongKey, bSecret, otherVersion]) {
      expect(settle({ record, close: post('a', h[4]), counter: post('b', h[5], NOW + 5), revocations: [forged], now: NOW + W })).toMatchObject({ kind: 'unilateral', version: 5 });
    }
    // A lock whose signature does not verify (the evidence state was re-signed with another lock by b) proves nothing.
    const relocked: SignedState = { ...h[5], locks: { ...h[5].locks, a: makeRevocation('ch-1', 'a', 5, privs.b).secret } };
    expect(settle({ record, close: post('a', h[4]), revocations: [revs[5].a], evidence: [relocked], now: NOW + W })).toMatchObject({ kind: 'unilateral', version: 4 });
  });
  it('end to end with the Channel class: an old close by a loses everything', () => {
    const f = fixture('ch-9', { a: '100', b: '100' }, W);
    const A = new Channel({ record: f.record, side: 'a', privateKey: f.ka.privateKey });
    const B = new Channel({ record: f.record, side: 'b', privateKey: f.kb.privateKey });
    const states: SignedState[] = [A.latest];
    for (let i = 0; i < 3; i++) {
      B.onRevoke(A.onAccept(B.receive(A.propose({ kind: 'pay', from: 'a', amount: '20' }, NOW), NOW)));
      states.push(A.latest);
    }
    const rec = B.watchRecord();
    const r = settle({ record: f.record, close: post('a', states[2]), counter: post('b', rec.latest, NOW + 1), revocations: rec.peerRevocation ? [rec.peerRevocation] : [], now: NOW + 1 });
    expect(r).toMatchObject({ kind: 'breach', cheater: 'a', payouts: { a: '0', b: '200' } });
  });
});

describe('settle: HTLCs both ways', () => {
  const x = newPreimage();
  const y = newPreimage();
  const base = h[1].state; // a 990, b 510
  const withHtlcs: ChannelState = {
    ...base,
    version: 2,
    balances: { a: '890', b: '460' },
    htlcs: [
      { id: 'ab', from: 'a', to: 'b', amount: '100', hashLock: x.hashLock, timeLock: NOW + 2 * W },
      { id: 'ba', from: 'b', to: 'a', amount: '50', hashLock: y.hashLock, timeLock: NOW + 3 * W },
    ],
  };
  const signed = coSign(withHtlcs, privs);

  it('waits for every HTLC to be decided: revealed preimage, or its lock passing', () => {
    const reveals = [{ preimage: x.preimage, revealedAt: NOW + 100 }];
    const r = settle({ record, close: post('a', signed), reveals, now: NOW + W });
    expect(r).toMatchObject({ status: 'pending', readyAt: NOW + 3 * W });
    if (r.status !== 'pending') throw new Error('expected pending');
    expect(r.htlcs.map((o) => o.resolution.outcome)).toEqual(['receiver', 'pending']);
  });
  it('pays a->b to b (preimage before lock) and refunds b->a to b (no preimage)', () => {
    const reveals = [{ preimage: x.preimage, revealedAt: NOW + 100 }];
    expect(settle({ record, close: post('a', signed), reveals, now: NOW + 3 * W })).toMatchObject({ status: 'settled', payouts: { a: '890', b: '610' } });
  });
  it('pays b->a to a and refunds a->b when a reveal comes too late', () => {
    const reveals = [
      { preimage: x.preimage, revealedAt: NOW + 2 * W },
      { preimage: y.preimage, revealedAt: NOW + 10 },
    ];
    expect(settle({ record, close: post('b', signed), reveals, now: NOW + 2 * W })).toMatchObject({ status: 'settled', payouts: { a: '1040', b: '460' } });
  });
  it('a breach takes the HTLCs too', () => {
    const later = coSign(pay(coSign({ ...withHtlcs, version: 3 }, privs).state, 'a', '1'), privs);
    expect(settle({ record, close: post('b', coSign({ ...withHtlcs, version: 2 }, privs)), counter: post('a', later, NOW + 1), now: NOW + 1 })).toMatchObject({
      kind: 'breach',
      cheater: 'b',
      payouts: { a: '1500', b: '0' },
    });
  });
});
