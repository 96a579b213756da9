import { MarketError, matchCycle, sortBook, transactionPrice, type Order } from '..';

const SELLER = 'aa'.repeat(48);
const SELLER2 = 'ab'.repeat(48);
const BUYER = 'bb'.repeat(48);
const BUYER2 = 'bc'.repeat(48);

let nextSeq = 0;
function ask(orderId: string, price: number, quantity: number, extra: Partial<Order> = {}): Order {
  return { orderId, side: 'ask', owner: SELLER, price, quantity, seq: nextSeq++, cycleId: 'c1', ...extra };
}
function bid(orderId: string, price: number, quantity: number, extra: Partial<Order> = {}): Order {
  return { orderId, side: 'bid', owner: BUYER, price, quantity, seq: nextSeq++, cycleId: 'c1', ...extra };
}

describe('transactionPrice', () => {
  it('is the midpoint (P_min + P_max) / 2 when exact', () => {
    expect(transactionPrice(100, 120)).toBe(110);
  });
  it('rounds an odd sum down (the buyer keeps the half unit)', () => {
    expect(transactionPrice(100, 101)).toBe(100);
    expect(transactionPrice(100, 103)).toBe(101);
  });
  it('does not overflow near MAX_SAFE_INTEGER', () => {
    const max = Number.MAX_SAFE_INTEGER;
    expect(transactionPrice(max - 1, max)).toBe(max - 1);
    expect(transactionPrice(1, max)).toBe(1 + Math.floor((max - 1) / 2));
  });
});

describe('matchCycle', () => {
  it('returns nothing for an empty book', () => {
    const r = matchCycle([]);
    expect(r.cycleId).toBeNull();
    expect(r.trades).toEqual([]);
    expect(r.remainingAsks).toEqual([]);
    expect(r.remainingBids).toEqual([]);
    expect(r.stats).toEqual({ trades: 0, volume: 0, value: 0, minPrice: null, maxPrice: null, vwap: null, bestUnmatchedAsk: null, bestUnmatchedBid: null });
  });

  it('one-sided book: no trade, everything remains in book order', () => {
    const r = matchCycle([ask('a2', 12, 5), ask('a1', 10, 5)]);
    expect(r.trades).toEqual([]);
    expect(r.remainingAsks.map((o) => o.orderId)).toEqual(['a1', 'a2']);
    expect(r.stats.bestUnmatchedAsk).toBe(10);
    expect(r.stats.bestUnmatchedBid).toBeNull();
  });

  it('crossing pair trades at the midpoint with the paper fields', () => {
    const r = matchCycle([ask('a1', 100, 500, { owner: SELLER }), bid('b1', 120, 500, { owner: BUYER })]);
    expect(r.cycleId).toBe('c1');
    expect(r.trades).toEqual([
      { cycleId: 'c1', index: 0, askId: 'a1', bidId: 'b1', seller: SELLER, buyer: BUYER, sellPrice: 100, buyPrice: 120, price: 110, quantity: 500, payment: 55_000 },
    ]);
    expect(r.remainingAsks).toEqual([]);
    expect(r.remainingBids).toEqual([]);
    expect(r.stats).toMatchObject({ trades: 1, volume: 500, value: 55_000, minPrice: 110, maxPrice: 110, vwap: 110 });
  });

  it('non-crossing book: bid below ask, no trade', () => {
    const r = matchCycle([ask('a1', 100, 5), bid('b1', 90, 5)]);
    expect(r.trades).toEqual([]);
    expect(r.stats).toMatchObject({ trades: 0, bestUnmatchedAsk: 100, bestUnmatchedBid: 90 });
  });

  it('equal prices do not trade (the paper: OBR must be greater than OSR)', () => {
    const r = matchCycle([ask('a1', 100, 5), bid('b1', 100, 5)]);
    expect(r.trades).toEqual([]);
    expect(r.remainingAsks).toHaveLength(1);
    expect(r.remainingBids).toHaveLength(1);
  });

  it('partial fill leaves the residual at the head of the book', () => {
    const a1 = ask('a1', 100, 300);
    const r = matchCycle([a1, bid('b1', 110, 1000), ask('a2', 104, 200), ask('a3', 120, 50)]);
    expect(r.trades.map((t) => [t.askId, t.bidId, t.price, t.quantity])).toEqual([
      ['a1', 'b1', 105, 300],
      ['a2', 'b1', 107, 200],
    ]);
    expect(r.remainingBids).toEqual([{ ...r.remainingBids[0], orderId: 'b1', quantity: 500, originalQuantity: 1000 }]);
    expect(r.remainingAsks.map((o) => o.orderId)).toEqual(['a3']);
    expect(r.remainingAsks[0]).toBe(r.remainingAsks[0]); // untouched order is passed through
    expect(r.remainingAsks[0].originalQuantity).toBeUndefined();
    expect(r.stats).toMatchObject({ trades: 2, volume: 500, value: 105 * 300 + 107 * 200, minPrice: 105, maxPrice: 107, vwap: Math.floor((105 * 300 + 107 * 200) / 500), bestUnmatchedAsk: 120, bestUnmatchedBid: 110 });
  });

  it('equal prices are served in submission order (seq), then by orderId', () => {
    const r = matchCycle([
      ask('late', 100, 10, { seq: 9, owner: SELLER2 }),
      ask('early', 100, 10, { seq: 1 }),
      bid('b-late', 130, 10, { seq: 8, owner: BUYER2 }),
      bid('b-early', 130, 10, { seq: 2 }),
      bid('b-z', 110, 10, { seq: 3 }),
      bid('b-a', 110, 10, { seq: 3 }),
    ]);
    expect(r.trades.map((t) => [t.askId, t.bidId])).toEqual([
      ['early', 'b-early'],
      ['late', 'b-late'],
    ]);
    // Same price and seq: orderId decides.
    expect(r.remainingBids.map((o) => o.orderId)).toEqual(['b-a', 'b-z']);
  });

  it('walks both sides of the book, the midpoint changing with each pair', () => {
    const orders = [ask('a1', 10, 5), ask('a2', 20, 5), ask('a3', 30, 5), bid('b1', 41, 4), bid('b2', 25, 4), bid('b3', 15, 4)];
    const r = matchCycle(orders);
    expect(r.trades.map((t) => [t.askId, t.bidId, t.price, t.quantity])).toEqual([
      ['a1', 'b1', 25, 4],
      ['a1', 'b2', 17, 1],
      ['a2', 'b2', 22, 3],
    ]);
    expect(r.stats.bestUnmatchedAsk).toBe(20);
    expect(r.stats.bestUnmatchedBid).toBe(15);
    expect(r.remainingAsks[0]).toMatchObject({ orderId: 'a2', quantity: 2, originalQuantity: 5 });
  });

  it('is independent of the input order', () => {
    const orders = [ask('a1', 10, 5), ask('a2', 20, 7), bid('b1', 41, 4), bid('b2', 25, 9), bid('b3', 25, 3)];
    const r1 = matchCycle(orders);
    const r2 = matchCycle([...orders].reverse());
    expect(r2).toEqual(r1);
  });

  it('rejects a bad book with a MarketError code', () => {
    expect(() => matchCycle([ask('a1', 10, 5), ask('a1', 11, 5)])).toThrow(MarketError);
    try {
      matchCycle([ask('a1', 10, 5), bid('b1', 11, 5, { cycleId: 'c2' })]);
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(MarketError);
      expect((e as MarketError).code).toBe('CYCLE_MISMATCH');
      expect((e as MarketError).orderId).toBe('b1');
    }
  });

  it('sorts very large prices and seqs exactly (several radix passes)', () => {
    const max = Number.MAX_SAFE_INTEGER;
    const orders = [
      ask('a1', max - 2, 1, { seq: max }),
      ask('a2', max - 2, 1, { seq: 0 }),
      ask('a3', 1, 1, { seq: 2 ** 40 }),
      bid('b1', max, 1, { seq: 2 ** 52 }),
      bid('b2', max, 1, { seq: 2 ** 52 - 1 }),
      bid('b3', 2, 1, { seq: 5 }),
    ];
    const book = sortBook(orders);
    expect(book.asks.map((o) => o.orderId)).toEqual(['a3', 'a2', 'a1']);
    expect(book.bids.map((o) => o.orderId)).toEqual(['b2', 'b1', 'b3']);
    // One huge trade only (two would overflow the cycle value).
    const r = matchCycle(orders.filter((o) => o.orderId !== 'a3' && o.orderId !== 'a1'));
    expect(r.trades.map((t) => [t.askId, t.bidId, t.price])).toEqual([['a2', 'b2', max - 1]]);
    expect(r.stats.bestUnmatchedAsk).toBeNull();
    expect(r.stats.bestUnmatchedBid).toBe(max);
  });

  it('reports AMOUNT_OVERFLOW when cycle totals leave the safe range', () => {
    const big = 2 ** 52 - 1; // bid notional 2 × big is safe, 3 × big Wh of volume is not
    const orders = [ask('a1', 1, big), ask('a2', 1, big), ask('a3', 1, big), bid('b1', 2, big), bid('b2', 2, big), bid('b3', 2, big)];
    expect(() => matchCycle(orders)).toThrow(expect.objectContaining({ code: 'AMOUNT_OVERFLOW' }));
  });
});
