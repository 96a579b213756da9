import { findRoute, forwardFee, type ChannelEdge } from './routing';
import { NOW, codeOf } from './test-helpers';

const free = { base: '0', proportionalMillionths: 0 };
function edge(channelId: string, from: string, to: string, available: string, policy = free): ChannelEdge {
  return { channelId, from, to, fromSide: 'a', available, policy };
}
// S -> X -> Y -> T is cheap; S -> Z -> T is short but expensive; W is reachable only over an empty channel.
const graph: ChannelEdge[] = [
  edge('sx', 'S', 'X', '5000', { base: '7', proportionalMillionths: 7 }), // S's own fee: never charged
  edge('xy', 'X', 'Y', '5000', { base: '1', proportionalMillionths: 1000 }),
  edge('yt', 'Y', 'T', '5000', { base: '2', proportionalMillionths: 10_000 }),
  edge('sz', 'S', 'Z', '5000'),
  edge('zt', 'Z', 'T', '5000', { base: '50', proportionalMillionths: 0 }),
  { ...edge('tw', 'T', 'W', '0'), fromSide: 'b' },
];
const req = { source: 'S', target: 'T', amount: '1000', now: NOW, finalLockDelta: 600, lockDelta: 300 };

describe('findRoute', () => {
  it('finds the cheapest 3-hop route with fees computed backward and shrinking locks', () => {
    const r = findRoute(graph, req);
    expect(r.hops.map((h) => h.channelId)).toEqual(['sx', 'xy', 'yt']);
    // yt: 1000 delivered; xy: 1000 + (2 + 1000*1%) = 1012; sx: 1012 + (1 + floor(1012*0.1%)) = 1014.
    expect(r.hops.map((h) => h.amount)).toEqual(['1014', '1012', '1000']);
    expect(r.hops.map((h) => h.fee)).toEqual(['2', '12', '0']);
    expect(r.hops.map((h) => h.timeLock)).toEqual([NOW + 1200, NOW + 900, NOW + 600]);
    expect(r).toMatchObject({ amount: '1000', totalAmount: '1014', totalFees: '14' });
  });
  it('routes around a channel without enough liquidity, and around excluded channels', () => {
    const thin = graph.map((e) => (e.channelId === 'xy' ? { ...e, available: '1011' } : e));
    expect(findRoute(thin, req).hops.map((h) => h.channelId)).toEqual(['sz', 'zt']);
    expect(findRoute(graph, { ...req, exclude: ['yt'] }).totalFees).toBe('50');
    expect(findRoute(graph, { ...req, maxHops: 2 }).hops.map((h) => h.channelId)).toEqual(['sz', 'zt']);
  });
  it('respects per-edge HTLC limits and disabled edges', () => {
    const limited = graph.map((e) => (e.channelId === 'yt' ? { ...e, maxHtlc: '999' } : e.channelId === 'zt' ? { ...e, disabled: true } : e));
    expect(codeOf(() => findRoute(limited, req))).toBe('INSUFFICIENT_CAPACITY');
  });
  it('explains failures with distinct errors', () => {
    expect(codeOf(() => findRoute(graph, { ...req, target: 'V' }))).toBe('NO_ROUTE');
    expect(codeOf(() => findRoute(graph, { ...req, target: 'W' }))).toBe('INSUFFICIENT_CAPACITY'); // no inbound liquidity
    expect(codeOf(() => findRoute(graph, { ...req, source: 'Q' }))).toBe('NO_ROUTE');
    expect(codeOf(() => findRoute(graph, { ...req, target: 'S' }))).toBe('NO_ROUTE');
    expect(codeOf(() => findRoute(graph, { ...req, amount: '6000' }))).toBe('INSUFFICIENT_CAPACITY');
    expect(codeOf(() => findRoute(graph, { ...req, maxHops: 1 }))).toBe('ROUTE_TOO_LONG');
    expect(codeOf(() => findRoute(graph, { ...req, maxFee: '13' }))).toBe('FEE_LIMIT_EXCEEDED');
    expect(codeOf(() => findRoute(graph, { ...req, maxLockAhead: 1000 }))).toBe('LOCK_LIMIT_EXCEEDED');
    expect(codeOf(() => findRoute(graph, { ...req, amount: '0' }))).toBe('BAD_AMOUNT');
    expect(codeOf(() => findRoute(graph, { ...req, amount: '1.5' }))).toBe('BAD_AMOUNT');
  });
  it('computes integer fees rounded down', () => {
    expect(forwardFee({ base: '1', proportionalMillionths: 1 }, 999_999n)).toBe(1n);
    expect(forwardFee({ base: '0', proportionalMillionths: 1_000_000 }, 5n)).toBe(5n);
    expect(codeOf(() => forwardFee({ base: '0', proportionalMillionths: 1.5 }, 5n))).toBe('BAD_AMOUNT');
  });
});
