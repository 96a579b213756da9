import { carryOver, matchCycle, repricedPrice, MarketError, type Order } from '..';

const OWNER = 'cd'.repeat(48);
const ask: Order = { orderId: 'a1', side: 'ask', owner: OWNER, price: 1000, quantity: 50, seq: 3, cycleId: 'c1' };
const bid: Order = { orderId: 'b1', side: 'bid', owner: OWNER, price: 900, quantity: 80, seq: 4, cycleId: 'c1' };

describe('repricedPrice', () => {
  it('moves asks down and bids up by step + ceil(price × bps / 10000)', () => {
    expect(repricedPrice(ask, { step: 5 })).toBe(995);
    expect(repricedPrice(bid, { step: 5 })).toBe(905);
    expect(repricedPrice(ask, { stepBps: 100 })).toBe(990);
    expect(repricedPrice(bid, { stepBps: 1 })).toBe(901); // 0.09 rounds up to 1
    expect(repricedPrice(ask, { step: 2, stepBps: 100 })).toBe(988);
    expect(repricedPrice(ask, {})).toBe(1000);
  });
  it('stops at the owner limit and never moves away from the market', () => {
    expect(repricedPrice(ask, { step: 500, askFloor: 950 })).toBe(950);
    expect(repricedPrice(ask, { step: 5, askFloor: 1200 })).toBe(1000);
    expect(repricedPrice(ask, { step: 5000 })).toBe(1);
    expect(repricedPrice(bid, { step: 500, bidCeiling: 950 })).toBe(950);
    expect(repricedPrice(bid, { step: 5, bidCeiling: 800 })).toBe(900);
  });
  it('keeps a bid notional safe', () => {
    const big = { ...bid, quantity: 2 ** 40, price: 2 ** 12 };
    const p = repricedPrice(big, { step: 2 ** 20 });
    expect(p).toBe(Math.floor(Number.MAX_SAFE_INTEGER / 2 ** 40));
    expect(Number.isSafeInteger(p * big.quantity)).toBe(true);
  });
  it('refuses a bad policy', () => {
    expect(() => repricedPrice(ask, { step: -1 })).toThrow(MarketError);
    expect(() => repricedPrice(ask, { stepBps: 0.5 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => repricedPrice(ask, { askFloor: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('carryOver', () => {
  it('carries the residual book of a cycle into the next one, re-priced', () => {
    const r = matchCycle([ask, bid, { ...bid, orderId: 'b2', price: 1010, quantity: 20, seq: 5 }]);
    expect(r.trades).toHaveLength(1);
    const next = carryOver([...r.remainingAsks, ...r.remainingBids], { cycleId: 'c2', policy: { step: 10 } });
    expect(next).toEqual([
      { orderId: 'a1', side: 'ask', owner: OWNER, price: 990, quantity: 30, seq: 3, cycleId: 'c2' },
      { orderId: 'b1', side: 'bid', owner: OWNER, price: 910, quantity: 80, seq: 4, cycleId: 'c2' },
    ]);
  });
  it('per-order policy, withdrawal, new ids and seqs', () => {
    const next = carryOver([ask, bid], {
      cycleId: 'c2',
      policy: (o) => (o.side === 'ask' ? { stepBps: 50 } : null),
      orderId: (o) => `${o.orderId}.r1`,
      seq: () => 99,
    });
    expect(next).toEqual([{ ...ask, orderId: 'a1.r1', price: 995, seq: 99, cycleId: 'c2' }]);
  });
  it('refuses a bad next cycle id', () => {
    expect(() => carryOver([ask], { cycleId: 'no spaces' })).toThrow(expect.objectContaining({ code: 'INVALID_CYCLE_ID' }));
  });
});
