import { Channel, type Proposal } from './channel';
import { newPreimage } from './htlc';
import { isRevoked, makeRevocation, revocationLock, revocationOpens, revokedBelow, watchResponse } from './revocation';
import { coSign, signState, verifyCoSigned } from './signing';
import { NOW, codeOf, fixture } from './test-helpers';
import { pay } from './update';

function pair() {
  const f = fixture();
  const A = new Channel({ record: f.record, side: 'a', privateKey: f.ka.privateKey });
  const B = new Channel({ record: f.record, side: 'b', privateKey: f.kb.privateKey });
  return { ...f, A, B };
}

/** Full three-message update: propose, accept, revoke. */
function update(from: Channel, to: Channel, op: Proposal['op'], now = NOW) {
  const p = from.propose(op, now);
  const acc = to.receive(p, now);
  to.onRevoke(from.onAccept(acc));
  return p;
}

describe('Channel state machine', () => {
  it('runs propose / accept / revoke and both sides end with the same co-signed state', () => {
    const { A, B, record } = pair();
    update(A, B, { kind: 'pay', from: 'a', amount: '10' });
    update(B, A, { kind: 'pay', from: 'b', amount: '3' });
    expect(A.latest).toEqual(B.latest);
    expect(A.latest.state.version).toBe(2);
    expect(A.latest.state.balances).toEqual({ a: '993', b: '507' });
    expect(verifyCoSigned(A.latest, record.keys)).toBe(true);
    expect(A.watchRecord().peerRevocation?.below).toBe(2);
    expect(B.watchRecord().peerRevocation?.below).toBe(2);
  });

  it('refuses a replayed proposal, a forged one, and a state that does not follow from its op', () => {
    const { A, B, record, kb } = pair();
    const p = A.propose({ kind: 'pay', from: 'a', amount: '10' }, NOW);
    B.receive(p, NOW);
    expect(codeOf(() => B.receive(p, NOW))).toBe('VERSION_NOT_INCREASING');
    const { A: A2, B: B2 } = pair();
    const p2 = A2.propose({ kind: 'pay', from: 'a', amount: '10' }, NOW);
    expect(codeOf(() => B2.receive({ ...p2, signature: signState(p2.state, kb.privateKey) }, NOW))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => B2.receive({ ...p2, state: { ...p2.state, balances: { a: '980', b: '520' } } }, NOW))).toBe('BAD_STATE');
    expect(codeOf(() => B2.receive({ ...p2, channelId: 'ch-9' }, NOW))).toBe('CHANNEL_MISMATCH');
    expect(record.channelId).toBe('ch-1');
  });

  it('never countersigns a payment out of its own balance or an early fail of its HTLC', () => {
    const { A, B } = pair();
    expect(codeOf(() => A.propose({ kind: 'pay', from: 'b', amount: '10' }, NOW))).toBe('NOT_ALLOWED');
    const { hashLock } = newPreimage();
    update(A, B, { kind: 'add', htlc: { id: 'h1', from: 'a', to: 'b', amount: '50', hashLock, timeLock: NOW + 3600 } });
    expect(codeOf(() => A.propose({ kind: 'fail', id: 'h1' }, NOW))).toBe('HTLC_NOT_EXPIRED');
    update(A, B, { kind: 'fail', id: 'h1' }, NOW + 3600);
    expect(A.latest.state.balances).toEqual({ a: '1000', b: '500' });
  });

  it('allows one proposal in flight and resolves crossing proposals in favour of side a', () => {
    const { A, B } = pair();
    const pa = A.propose({ kind: 'pay', from: 'a', amount: '1' }, NOW);
    expect(codeOf(() => A.propose({ kind: 'pay', from: 'a', amount: '1' }, NOW))).toBe('UPDATE_IN_FLIGHT');
    const pb = B.propose({ kind: 'pay', from: 'b', amount: '2' }, NOW);
    expect(codeOf(() => A.receive(pb, NOW))).toBe('CONFLICT');
    A.onAccept(B.receive(pa, NOW));
    expect(A.latest).toEqual(B.latest);
    expect(B.inFlight).toBe(false);
  });

  it('resumes from a snapshot', () => {
    const { A, B, record, ka } = pair();
    update(A, B, { kind: 'pay', from: 'a', amount: '10' });
    const p = A.propose({ kind: 'pay', from: 'a', amount: '5' }, NOW);
    const A2 = new Channel({ record, side: 'a', privateKey: ka.privateKey, snapshot: JSON.parse(JSON.stringify(A.snapshot())) });
    A2.onAccept(B.receive(p, NOW));
    expect(A2.latest.state.balances.a).toBe('985');
  });

  it('refuses a key that does not match the side', () => {
    const { record, kb } = pair();
    expect(codeOf(() => new Channel({ record, side: 'a', privateKey: kb.privateKey }))).toBe('BAD_KEY');
  });
});

describe('revocation', () => {
  it('a revealed secret and signatures on newer versions prove what a party gave up', () => {
    const { A, B, record, privs } = pair();
    for (let i = 0; i < 4; i++) update(A, B, { kind: 'pay', from: 'a', amount: '1' }); // v4
    const rec = B.watchRecord();
    const rev = rec.peerRevocation!;
    expect(rev).toMatchObject({ channelId: 'ch-1', party: 'a', below: 4 });
    // Each signature binds its side's lock; A's secret opens A's lock on v4.
    expect(rec.latest.locks?.a).toBe(revocationLock(rev.secret));
    expect(revocationOpens(rev, rec.latest, record.keys)).toBe(true);
    // A's secret with the v4 it opens: everything below 4 is revoked by A.
    expect(revokedBelow('ch-1', 'a', { states: [rec.latest], revocations: [rev] }, record.keys)).toBe(4);
    // A's signature alone on v4 proves A held v3 co-signed: below 3 revoked.
    expect(revokedBelow('ch-1', 'a', { states: [{ state: rec.latest.state, sigs: { a: rec.latest.sigs.a, b: '' }, locks: rec.latest.locks }] }, record.keys)).toBe(3);
    // A secret without the state it opens, forged by another key, or for another channel proves nothing beyond the signature.
    expect(revokedBelow('ch-1', 'a', { revocations: [rev] }, record.keys)).toBe(0);
    const forged = makeRevocation('ch-1', 'a', 4, privs.b);
    expect(revokedBelow('ch-1', 'a', { states: [rec.latest], revocations: [forged] }, record.keys)).toBe(3);
    const foreign = makeRevocation('ch-2', 'a', 4, privs.a);
    expect(revokedBelow('ch-1', 'a', { states: [rec.latest], revocations: [foreign] }, record.keys)).toBe(3);
    expect(isRevoked('ch-1', 'a', 3, { states: [rec.latest], revocations: [rev] }, record.keys)).toBe(true);
    expect(isRevoked('ch-1', 'a', 4, { states: [rec.latest], revocations: [rev] }, record.keys)).toBe(false);
    // The secret is A's alone: derived from its channel key, the same after a restart.
    expect(makeRevocation('ch-1', 'a', 4, privs.a)).toEqual(rev);
  });

  it('refuses an accept or revoke whose secret does not open the lock, and a stale revoke changes nothing', () => {
    const { A, B, privs } = pair();
    update(A, B, { kind: 'pay', from: 'a', amount: '1' });
    const p = A.propose({ kind: 'pay', from: 'a', amount: '1' }, NOW);
    const acc = B.receive(p, NOW);
    // Another secret: B's countersignature binds the lock of the real one, so it fails to verify.
    expect(codeOf(() => A.onAccept({ ...acc, revocation: makeRevocation('ch-1', 'b', 2, privs.a) }))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => A.onAccept({ ...acc, revocation: { ...acc.revocation, below: 1 } }))).toBe('BAD_SIGNATURE');
    const revoke = A.onAccept(acc);
    expect(codeOf(() => B.onRevoke({ ...revoke, revocation: makeRevocation('ch-1', 'a', 2, privs.b) }))).toBe('BAD_SIGNATURE');
    expect(codeOf(() => B.onRevoke({ ...revoke, revocation: { ...revoke.revocation, secret: 'zz' } }))).toBe('BAD_STATE');
    B.onRevoke(revoke);
    const before = B.watchRecord();
    B.onRevoke({ ...revoke, revocation: makeRevocation('ch-1', 'a', 1, privs.a) }); // older: ignored
    expect(B.watchRecord()).toEqual(before);
  });

  it('does not let a peer that withheld its countersignature frame the proposer', () => {
    // A proposes v2 and signs it; B countersigns but never answers. A closes with v1, its latest.
    const { A, B, record } = pair();
    update(A, B, { kind: 'pay', from: 'a', amount: '1' });
    const p = A.propose({ kind: 'pay', from: 'a', amount: '1' }, NOW);
    B.receive(p, NOW); // B now holds a co-signed v2
    const rec = B.watchRecord();
    expect(rec.latest.state.version).toBe(2);
    const resp = watchResponse(rec, 'a', 1, record.keys);
    expect(resp.kind).toBe('counter'); // newer state wins, but no penalty
  });

  it('watchtower: breach for a revoked close, counter for an older unrevoked one, nothing for the latest', () => {
    const { A, B, record, privs } = pair();
    for (let i = 0; i < 3; i++) update(A, B, { kind: 'pay', from: 'a', amount: '1' });
    const rec = B.watchRecord();
    expect(watchResponse(rec, 'a', 2, record.keys).kind).toBe('breach');
    expect(watchResponse(rec, 'a', 0, record.keys).kind).toBe('breach');
    expect(watchResponse(rec, 'a', 3, record.keys).kind).toBe('none');
    // Storage is bounded: the record holds exactly one state and one secret whatever the history.
    expect(Object.keys(rec).sort()).toEqual(['latest', 'peerRevocation']);
    expect(coSign(pay(rec.latest.state, 'a', '1'), privs).state.version).toBe(4);
  });
});

describe('HTLCs through the Channel', () => {
  it('adds and settles with the preimage, refusing a wrong one', () => {
    const { A, B } = pair();
    const { preimage, hashLock } = newPreimage();
    update(A, B, { kind: 'add', htlc: { id: 'h1', from: 'a', to: 'b', amount: '70', hashLock, timeLock: NOW + 3600 } });
    expect(codeOf(() => B.propose({ kind: 'settle', id: 'h1', preimage: newPreimage().preimage }, NOW))).toBe('BAD_PREIMAGE');
    update(B, A, { kind: 'settle', id: 'h1', preimage }, NOW + 10);
    expect(A.latest.state.balances).toEqual({ a: '930', b: '570' });
    expect(codeOf(() => A.propose({ kind: 'close' }, NOW))).toBeUndefined();
  });
  it('refuses a cooperative close while HTLCs are pending, and any update after it', () => {
    const { A, B } = pair();
    update(A, B, { kind: 'add', htlc: { id: 'h1', from: 'a', to: 'b', amount: '70', hashLock: newPreimage().hashLock, timeLock: NOW + 3600 } });
    expect(codeOf(() => A.propose({ kind: 'close' }, NOW))).toBe('HTLCS_PENDING');
    update(B, A, { kind: 'fail', id: 'h1' });
    update(A, B, { kind: 'close' });
    expect(B.latest.state.final).toBe(true);
    expect(codeOf(() => B.propose({ kind: 'pay', from: 'b', amount: '1' }, NOW))).toBe('CHANNEL_FINAL');
  });
});
