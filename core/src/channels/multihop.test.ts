import { addHtlc, newPreimage, settleHtlc } from './htlc';
import { checkForward, nextActions, planPayment, planFees } from './multihop';
import { findRoute, type ChannelEdge } from './routing';
import { openingState, type ChannelState } from './state';
import { NOW, codeOf } from './test-helpers';

const xPolicy = { fee: { base: '1', proportionalMillionths: 1000 }, lockDelta: 300 };
const yPolicy = { fee: { base: '2', proportionalMillionths: 10_000 }, lockDelta: 300 };
const edges: ChannelEdge[] = [
  { channelId: 'sx', from: 'S', to: 'X', fromSide: 'a', available: '5000', policy: { base: '0', proportionalMillionths: 0 } },
  { channelId: 'xy', from: 'X', to: 'Y', fromSide: 'b', available: '5000', policy: xPolicy.fee },
  { channelId: 'yt', from: 'Y', to: 'T', fromSide: 'a', available: '5000', policy: yPolicy.fee },
];
const { preimage, hashLock } = newPreimage();
const route = findRoute(edges, { source: 'S', target: 'T', amount: '1000', now: NOW, finalLockDelta: 600, lockDelta: 300 });
const plan = planPayment(route, hashLock);

describe('multi-hop payment', () => {
  it('plans one HTLC per hop with the same hash, per-channel sides and shrinking locks', () => {
    expect(plan.hops.map((h) => [h.channelId, h.htlc.from, h.htlc.to, h.htlc.amount, h.htlc.timeLock])).toEqual([
      ['sx', 'a', 'b', '1014', NOW + 1200],
      ['xy', 'b', 'a', '1012', NOW + 900],
      ['yt', 'a', 'b', '1000', NOW + 600],
    ]);
    expect(new Set(plan.hops.map((h) => h.htlc.hashLock))).toEqual(new Set([hashLock]));
    expect(planFees(plan)).toBe(14n);
  });

  it('each intermediary accepts its hop under the forwarding rule, then the preimage settles back', () => {
    const [sx, xy, yt] = plan.hops;
    checkForward(sx.htlc, xy.htlc, xPolicy, NOW);
    checkForward(xy.htlc, yt.htlc, yPolicy, NOW);
    const channels: Record<string, ChannelState> = {
      sx: openingState('sx', { a: '2000', b: '0' }),
      xy: openingState('xy', { a: '0', b: '2000' }),
      yt: openingState('yt', { a: '2000', b: '0' }),
    };
    for (const h of plan.hops) channels[h.channelId] = addHtlc(channels[h.channelId], h.htlc, NOW);
    // T reveals R to Y, Y to X, X to S: settled from the target back.
    for (const h of [...plan.hops].reverse()) channels[h.channelId] = settleHtlc(channels[h.channelId], h.htlc.id, preimage);
    expect(channels.sx.balances).toEqual({ a: '986', b: '1014' });
    expect(channels.xy.balances).toEqual({ a: '1012', b: '988' }); // X earned 2
    expect(channels.yt.balances).toEqual({ a: '1000', b: '1000' }); // Y earned 12
  });

  it('refuses to forward with a short fee, a tight lock gap, a different hash or an expired lock', () => {
    const [sx, xy] = plan.hops;
    expect(codeOf(() => checkForward(sx.htlc, { ...xy.htlc, amount: '1013' }, xPolicy, NOW))).toBe('FEE_INSUFFICIENT');
    expect(codeOf(() => checkForward(sx.htlc, { ...xy.htlc, timeLock: sx.htlc.timeLock - 299 }, xPolicy, NOW))).toBe('LOCK_DELTA_TOO_SMALL');
    expect(codeOf(() => checkForward(sx.htlc, { ...xy.htlc, hashLock: newPreimage().hashLock }, xPolicy, NOW))).toBe('HASH_MISMATCH');
    expect(codeOf(() => checkForward(sx.htlc, xy.htlc, xPolicy, xy.htlc.timeLock))).toBe('LOCK_TOO_SOON');
  });

  it('fails back upstream as soon as the downstream lock expires, before the upstream lock', () => {
    const [sx, xy] = plan.hops;
    const view = { incoming: { htlc: sx.htlc, status: 'pending' as const }, outgoing: { htlc: xy.htlc, status: 'pending' as const } };
    expect(nextActions(view, NOW, 60)).toEqual([{ kind: 'wait', until: xy.htlc.timeLock }]);
    const acts = nextActions(view, xy.htlc.timeLock, 60);
    expect(acts).toEqual([{ kind: 'fail-outgoing', reason: 'expired' }, { kind: 'fail-incoming', deadline: sx.htlc.timeLock }]);
    expect(xy.htlc.timeLock).toBeLessThan(sx.htlc.timeLock - 60);
    // Downstream failed off-chain: fail back at once.
    expect(nextActions({ ...view, outgoing: { htlc: xy.htlc, status: 'failed' } }, NOW, 60)).toEqual([{ kind: 'fail-incoming', deadline: sx.htlc.timeLock }]);
  });

  it('claims upstream with the preimage, or reveals it on chain when the upstream lock is near', () => {
    const [sx, xy] = plan.hops;
    const view = { incoming: { htlc: sx.htlc, status: 'pending' as const }, outgoing: { htlc: xy.htlc, status: 'settled' as const }, preimage };
    expect(nextActions(view, NOW, 60)).toEqual([{ kind: 'settle-incoming', preimage, deadline: sx.htlc.timeLock - 60 }]);
    expect(nextActions(view, sx.htlc.timeLock - 30, 60)).toEqual([{ kind: 'reveal-on-chain', preimage, deadline: sx.htlc.timeLock }]);
    expect(nextActions({ ...view, incoming: { htlc: sx.htlc, status: 'settled' } }, NOW, 60)).toEqual([{ kind: 'done' }]);
  });
});
