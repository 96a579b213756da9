import { assertClearingCursor, bookSortAttributes, clearInPages, clearPage, compareAsks, compareBids, createClearing, matchCycle, sortBook, MarketError, type BookPage, type ClearingCursor, type MarketErrorCode, type Order } from '..';

const OWNER = 'ee'.repeat(48);
const o = (orderId: string, side: 'ask' | 'bid', price: number, quantity: number, seq: number): Order => ({ orderId, side, owner: OWNER, price, quantity, seq, cycleId: 'c1' });

const book = [
  o('a1', 'ask', 10, 5, 1),
  o('a2', 'ask', 20, 5, 2),
  o('a3', 'ask', 30, 5, 3),
  o('b1', 'bid', 41, 4, 4),
  o('b2', 'bid', 25, 4, 5),
  o('b3', 'bid', 15, 4, 6),
];
const { asks, bids } = sortBook(book);
const page = (orders: Order[], last: boolean): BookPage => ({ orders, last });

function codeOf(fn: () => unknown): MarketErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (!(e instanceof MarketError)) throw e;
    return e.code;
  }
}

describe('clearPage', () => {
  it('clears the whole book in one call when allowed, like matchCycle', () => {
    const r = clearPage(createClearing('c1'), page(asks, true), page(bids, true), 100);
    const one = matchCycle(book);
    expect(r.status).toBe('done');
    expect(r.needs).toBeNull();
    expect(r.trades).toEqual(one.trades);
    expect(r.cursor.stats).toEqual(one.stats);
    expect(r.fills).toEqual([
      { orderId: 'b1', side: 'bid', filled: 4, remaining: 0 },
      { orderId: 'a1', side: 'ask', filled: 5, remaining: 0 },
      { orderId: 'b2', side: 'bid', filled: 4, remaining: 0 },
      { orderId: 'a2', side: 'ask', filled: 3, remaining: 2 },
    ]);
    expect(r.cursor.ask).toEqual({ consumed: 1, head: { orderId: 'a2', remaining: 2 }, last: { price: 10, seq: 1, orderId: 'a1' } });
    expect(r.cursor.bid).toEqual({ consumed: 2, head: null, last: { price: 25, seq: 5, orderId: 'b2' } });
  });

  it('stops at maxTrades and resumes from the cursor with the partially filled head', () => {
    let r = clearPage(createClearing('c1'), page(asks, true), page(bids, true), 1);
    expect(r.status).toBe('more');
    expect(r.trades.map((t) => t.index)).toEqual([0]);
    expect(r.cursor.ask.head).toEqual({ orderId: 'a1', remaining: 1 });
    r = clearPage(r.cursor, page(asks.slice(r.cursor.ask.consumed), true), page(bids.slice(r.cursor.bid.consumed), true), 1);
    expect(r.trades.map((t) => [t.index, t.askId, t.bidId, t.quantity])).toEqual([[1, 'a1', 'b2', 1]]);
    expect(r.cursor.ask.head).toBeNull();
  });

  it('asks for more of a side whose page ran out', () => {
    const r = clearPage(createClearing('c1'), page(asks.slice(0, 1), false), page(bids, true), 100);
    expect(r.status).toBe('more');
    expect(r.needs).toBe('asks');
    expect(r.trades).toHaveLength(2);
    expect(r.cursor.done).toBe(false);
  });

  it('is done with nothing to do when a side is empty, and stays done', () => {
    const r = clearPage(createClearing('c1'), page([], true), page(bids, true), 10);
    expect(r.status).toBe('done');
    expect(r.cursor.stats.bestUnmatchedBid).toBe(41);
    expect(r.cursor.stats.bestUnmatchedAsk).toBeNull();
    const again = clearPage(r.cursor, page([], true), page([], true), 10);
    expect(again).toEqual({ cursor: r.cursor, trades: [], fills: [], status: 'done', needs: null });
  });

  it('decides done at the trade limit when the next pair does not cross', () => {
    const two = [o('a1', 'ask', 10, 5, 1), o('b1', 'bid', 12, 5, 2), o('b2', 'bid', 9, 5, 3)];
    const s = sortBook(two);
    const r = clearPage(createClearing('c1'), page(s.asks, true), page(s.bids, true), 1);
    expect(r.status).toBe('done');
    expect(r.cursor.stats).toMatchObject({ trades: 1, bestUnmatchedAsk: null, bestUnmatchedBid: 9 });
  });

  it('refuses pages that do not continue where the cursor stopped', () => {
    const r = clearPage(createClearing('c1'), page(asks, true), page(bids, true), 1);
    // The partially filled head a1 must come first.
    expect(codeOf(() => clearPage(r.cursor, page(asks.slice(1), true), page(bids.slice(1), true), 1))).toBe('PAGE_OUT_OF_ORDER');
    // After a1 is gone, a page restarting at a1 is refused.
    const r2 = clearPage(r.cursor, page(asks, true), page(bids.slice(1), true), 1);
    expect(r2.cursor.ask.consumed).toBe(1);
    expect(codeOf(() => clearPage(r2.cursor, page(asks, true), page(bids.slice(2), true), 1))).toBe('PAGE_OUT_OF_ORDER');
    // Empty and last while a partially filled head exists.
    expect(codeOf(() => clearPage(r.cursor, page([], true), page(bids, true), 1))).toBe('PAGE_OUT_OF_ORDER');
  });

  it('refuses unsorted pages, wrong sides, other cycles, bad limits and bad cursors', () => {
    const c = createClearing('c1');
    expect(codeOf(() => clearPage(c, page([...asks].reverse(), true), page(bids, true), 5))).toBe('PAGE_OUT_OF_ORDER');
    expect(codeOf(() => clearPage(c, page(bids, true), page(asks, true), 5))).toBe('INVALID_SIDE');
    expect(codeOf(() => clearPage(c, page([{ ...asks[0], cycleId: 'c2' }], true), page(bids, true), 5))).toBe('CYCLE_MISMATCH');
    expect(codeOf(() => clearPage(c, page([{ ...asks[0], price: 0 }], true), page(bids, true), 5))).toBe('INVALID_PRICE');
    expect(codeOf(() => clearPage(c, page(asks, true), page(bids, true), 0))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => clearPage(c, page(asks, true), page(bids, true), 1.5))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => clearPage(c, { orders: asks } as unknown as BookPage, page(bids, true), 5))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => clearPage({ ...c, version: 2 } as unknown as ClearingCursor, page(asks, true), page(bids, true), 5))).toBe('INVALID_CURSOR');
    expect(codeOf(() => clearPage({ ...c, ask: { consumed: -1, head: null, last: null } }, page(asks, true), page(bids, true), 5))).toBe('INVALID_CURSOR');
    const r = clearPage(c, page(asks, true), page(bids, true), 1);
    const inflated = { ...r.cursor, ask: { ...r.cursor.ask, head: { orderId: 'a1', remaining: 5 } } };
    expect(codeOf(() => clearPage(inflated, page(asks, true), page(bids, true), 5))).toBe('INVALID_CURSOR');
    expect(codeOf(() => createClearing('bad id'))).toBe('INVALID_CYCLE_ID');
  });

  it('cursor survives a JSON round trip (as stored in world state)', () => {
    const r = clearPage(createClearing('c1'), page(asks, true), page(bids, true), 1);
    const stored = JSON.parse(JSON.stringify(r.cursor)) as unknown;
    assertClearingCursor(stored);
    const next = clearPage(stored, page(asks.slice(stored.ask.consumed), true), page(bids.slice(stored.bid.consumed), true), 100);
    expect([...r.trades, ...next.trades]).toEqual(matchCycle(book).trades);
  });
});

describe('clearInPages', () => {
  it('gives the one-pass trades with one-order pages and one trade per transaction', () => {
    const p = clearInPages('c1', asks, bids, 1, 1);
    expect(p.trades).toEqual(matchCycle(book).trades);
    expect(p.transactions).toBeGreaterThanOrEqual(p.trades.length);
  });
  it('refuses a bad page size', () => {
    expect(codeOf(() => clearInPages('c1', asks, bids, 0, 1))).toBe('INVALID_ARGUMENT');
  });
});

describe('bookSortAttributes', () => {
  it('byte order of the composite-key attributes is the book order', () => {
    const orders: Order[] = [];
    const prices = [1, 2, 9, 10, 11, 99, 100, 12345, 2 ** 40, Number.MAX_SAFE_INTEGER];
    const seqs = [0, 1, 10, 2 ** 33, Number.MAX_SAFE_INTEGER];
    let k = 0;
    for (const side of ['ask', 'bid'] as const)
      for (const price of prices)
        for (const seq of seqs) for (const id of ['a', 'ab', 'B', 'b.1', 'b-1']) orders.push({ orderId: `${id}${k++ % 3}`, side, owner: OWNER, price, quantity: 1, seq, cycleId: 'c1' });
    const key = (x: Order): Buffer => Buffer.from(bookSortAttributes(x).join('\u0000') + '\u0000', 'utf8');
    for (const side of ['ask', 'bid'] as const) {
      const mine = orders.filter((x) => x.side === side);
      const byCompare = [...mine].sort(side === 'ask' ? compareAsks : compareBids);
      const byKey = [...mine].sort((x, y) => Buffer.compare(key(x), key(y)));
      expect(byKey.map((x) => `${x.price}/${x.seq}/${x.orderId}`)).toEqual(byCompare.map((x) => `${x.price}/${x.seq}/${x.orderId}`));
    }
    expect(bookSortAttributes(orders[0])).toEqual(['0000000000000001', '0000000000000000', orders[0].orderId]);
  });
});
