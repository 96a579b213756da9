/**
 * Property-based tests of the double auction against an independent brute-force reference.
 *
 * Every case is generated from a seeded PRNG; a failure names its seed, and
 * `MARKET_PROPERTY_SEED=<seed> MARKET_PROPERTY_CASES=1 npx jest core/src/market/property` replays it.
 */
import { clearInPages, clearPage, createClearing, matchCycle, sortBook, type MatchResult, type Order, type Trade } from '..';

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (mulberry32) and book generator.

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Gen {
  rnd: () => number;
  int: (lo: number, hi: number) => number; // inclusive
  pick: <T>(xs: readonly T[]) => T;
}

function gen(seed: number): Gen {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  return { rnd, int, pick: (xs) => xs[int(0, xs.length - 1)] };
}

const OWNERS = ['0a', '0b0b', 'c0ffee', 'de'.repeat(48), 'ad'.repeat(96)];

/** A random book of one cycle; regimes vary size, price range (ties), quantities, seq collisions. */
function randomBook(g: Gen, maxOrders: number): Order[] {
  const n = g.int(0, maxOrders);
  const regime = g.int(0, 5);
  const priceMax = regime === 0 ? 3 : regime === 1 ? 10 : regime === 2 ? 1000 : regime === 3 ? 2 ** 36 : regime === 4 ? 20 : 2 ** 50;
  const priceMin = regime === 5 ? 2 ** 49 : 1;
  const qtyMax = regime === 3 ? 256 : regime === 5 ? g.pick([1, 8]) : g.pick([1, 5, 100, 10_000]);
  const seqMax = g.pick([3, 1000, Number.MAX_SAFE_INTEGER]);
  const askBias = g.pick([0.2, 0.5, 0.8]);
  const ids = new Set<string>();
  const orders: Order[] = [];
  for (let i = 0; i < n; i++) {
    let id: string;
    do id = `${g.pick(['x', 'o', 'A', 'z9', 'o.', 'o-', 'o:'])}${g.int(0, 4 * maxOrders)}`;
    while (ids.has(id));
    ids.add(id);
    orders.push({
      orderId: id,
      side: g.rnd() < askBias ? 'ask' : 'bid',
      owner: g.pick(OWNERS),
      price: g.int(priceMin, priceMax),
      quantity: g.int(1, qtyMax),
      seq: seqMax === Number.MAX_SAFE_INTEGER ? g.int(0, 2 ** 52) * 2 - g.int(0, 1) : g.int(0, seqMax),
      cycleId: 'cycle-7',
    });
  }
  return orders;
}

function shuffle<T>(g: Gen, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const BASE_SEED = Number(process.env.MARKET_PROPERTY_SEED ?? 20240611);
const CASES = Number(process.env.MARKET_PROPERTY_CASES ?? 2000);

function forAllBooks(cases: number, maxOrders: number, check: (book: Order[], g: Gen) => void): void {
  for (let c = 0; c < cases; c++) {
    const seed = BASE_SEED + c * 7919 + maxOrders;
    const g = gen(seed);
    const book = randomBook(g, maxOrders);
    try {
      check(book, g);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new Error(`property failed for seed ${seed} (book of ${book.length} orders): ${msg}\nbook: ${JSON.stringify(book)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reference: deliberately naive. Each step scans the whole book for the best ask and best bid still
// holding quantity, stops unless the bid price is strictly greater, trades the smaller residual at
// the BigInt-floored midpoint. O(n) per trade, O(n²) overall. Shares no code with the module.

interface RefResult {
  trades: Trade[];
  remainingAsks: Array<[string, number]>;
  remainingBids: Array<[string, number]>;
  volume: bigint;
  value: bigint;
  bestAsk: number | null;
  bestBid: number | null;
}

/** true if a comes before b in the book of its side. */
function before(a: Order, b: Order): boolean {
  if (a.price !== b.price) return a.side === 'ask' ? a.price < b.price : a.price > b.price;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.orderId < b.orderId;
}

function reference(orders: readonly Order[]): RefResult {
  const left = new Map<string, number>();
  for (const o of orders) left.set(o.orderId, o.quantity);
  const best = (side: 'ask' | 'bid'): Order | null => {
    let b: Order | null = null;
    for (const o of orders) if (o.side === side && left.get(o.orderId)! > 0 && (b === null || before(o, b))) b = o;
    return b;
  };
  const trades: Trade[] = [];
  let volume = 0n;
  let value = 0n;
  for (;;) {
    const a = best('ask');
    const b = best('bid');
    if (a === null || b === null || !(b.price > a.price)) break;
    const price = Number((BigInt(a.price) + BigInt(b.price)) / 2n);
    const quantity = Math.min(left.get(a.orderId)!, left.get(b.orderId)!);
    trades.push({
      cycleId: a.cycleId,
      index: trades.length,
      askId: a.orderId,
      bidId: b.orderId,
      seller: a.owner,
      buyer: b.owner,
      sellPrice: a.price,
      buyPrice: b.price,
      price,
      quantity,
      payment: Number(BigInt(price) * BigInt(quantity)),
    });
    volume += BigInt(quantity);
    value += BigInt(price) * BigInt(quantity);
    left.set(a.orderId, left.get(a.orderId)! - quantity);
    left.set(b.orderId, left.get(b.orderId)! - quantity);
  }
  const rest = (side: 'ask' | 'bid'): Array<[string, number]> => {
    const out: Order[] = [];
    for (const o of orders) {
      if (o.side !== side || left.get(o.orderId) === 0) continue;
      let k = out.length; // insertion sort
      while (k > 0 && before(o, out[k - 1])) k--;
      out.splice(k, 0, o);
    }
    return out.map((o) => [o.orderId, left.get(o.orderId)!]);
  };
  return { trades, remainingAsks: rest('ask'), remainingBids: rest('bid'), volume, value, bestAsk: best('ask')?.price ?? null, bestBid: best('bid')?.price ?? null };
}

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** Deep equality by JSON (fast); on a mismatch, jest's toEqual shows the difference. */
function same(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

/** Plain assertion: jest's expect is too slow for millions of checks. */
function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`invariant violated: ${what}`);
}

function expectSameAsReference(book: Order[], r: MatchResult | null, err: unknown): RefResult {
  const ref = reference(book);
  if (ref.volume > MAX || ref.value > MAX) {
    expect(err).toMatchObject({ code: 'AMOUNT_OVERFLOW' });
    return ref;
  }
  if (err) throw err;
  same(r!.trades, ref.trades);
  expect(r!.remainingAsks.map((o) => [o.orderId, o.quantity])).toEqual(ref.remainingAsks);
  expect(r!.remainingBids.map((o) => [o.orderId, o.quantity])).toEqual(ref.remainingBids);
  const prices = ref.trades.map((t) => t.price);
  expect(r!.stats).toEqual({
    trades: ref.trades.length,
    volume: Number(ref.volume),
    value: Number(ref.value),
    minPrice: prices.length ? Math.min(...prices) : null,
    maxPrice: prices.length ? Math.max(...prices) : null,
    vwap: ref.volume > 0n ? Number(ref.value / ref.volume) : null,
    bestUnmatchedAsk: ref.bestAsk,
    bestUnmatchedBid: ref.bestBid,
  });
  return ref;
}

function tryMatch(book: Order[]): [MatchResult | null, unknown] {
  try {
    return [matchCycle(book), null];
  } catch (e) {
    return [null, e];
  }
}

// ---------------------------------------------------------------------------------------------

describe('the generator', () => {
  it('covers ties, partial fills, equal-price non-trades, empty books and overflow', () => {
    const seen = { empty: 0, trades: 0, partial: 0, priceTie: 0, seqTie: 0, equalTop: 0, overflow: 0 };
    forAllBooks(CASES, 40, (book) => {
      if (book.length === 0) seen.empty++;
      const keys = new Set(book.map((o) => `${o.side}/${o.price}`));
      if (keys.size < book.length) seen.priceTie++;
      if (new Set(book.map((o) => `${o.side}/${o.price}/${o.seq}`)).size < book.length) seen.seqTie++;
      const [r, err] = tryMatch(book);
      if (err) {
        seen.overflow++;
        return;
      }
      if (r!.trades.length) seen.trades++;
      if ([...r!.remainingAsks, ...r!.remainingBids].some((o) => o.originalQuantity !== undefined)) seen.partial++;
      if (r!.stats.bestUnmatchedAsk !== null && r!.stats.bestUnmatchedAsk === r!.stats.bestUnmatchedBid) seen.equalTop++;
    });
    for (const [k, v] of Object.entries(seen)) if (v < Math.min(10, CASES / 100)) throw new Error(`generator rarely makes ${k}: ${JSON.stringify(seen)}`);
  });
});

describe('matchCycle equals the brute-force reference', () => {
  it(`on ${CASES} small random books`, () => {
    forAllBooks(CASES, 40, (book) => {
      const [r, err] = tryMatch(book);
      expectSameAsReference(book, r, err);
    });
  });

  it(`on ${Math.ceil(CASES / 20)} larger random books`, () => {
    forAllBooks(Math.ceil(CASES / 20), 400, (book) => {
      const [r, err] = tryMatch(book);
      expectSameAsReference(book, r, err);
    });
  });
});

describe('invariants of matchCycle', () => {
  it('conservation, trade prices within the pair, no crossing left, independent of input order', () => {
    forAllBooks(CASES, 60, (book, g) => {
      const [r, err] = tryMatch(book);
      if (err) {
        expect(err).toMatchObject({ code: 'AMOUNT_OVERFLOW' });
        return;
      }
      const res = r!;
      const byId = new Map(book.map((o) => [o.orderId, o]));
      // Conservation of quantity per order: traded + residual = submitted.
      const traded = new Map<string, number>();
      for (const t of res.trades) {
        traded.set(t.askId, (traded.get(t.askId) ?? 0) + t.quantity);
        traded.set(t.bidId, (traded.get(t.bidId) ?? 0) + t.quantity);
      }
      const rest = new Map<string, Order & { originalQuantity?: number }>();
      for (const o of [...res.remainingAsks, ...res.remainingBids]) rest.set(o.orderId, o);
      for (const o of book) {
        const left = rest.get(o.orderId);
        check((traded.get(o.orderId) ?? 0) + (left?.quantity ?? 0) === o.quantity, `conservation of ${o.orderId}`);
        if (left && left.quantity !== o.quantity) check(left.originalQuantity === o.quantity, `originalQuantity of ${o.orderId}`);
      }
      // Total sold = total bought = volume.
      check(res.trades.reduce((s, t) => s + t.quantity, 0) === res.stats.volume, 'volume');
      // Each trade: the pair's own prices, and P_min ≤ price < P_max (strict crossing, floor).
      for (const t of res.trades) {
        const a = byId.get(t.askId)!;
        const b = byId.get(t.bidId)!;
        check(a.side === 'ask' && b.side === 'bid', `sides of trade ${t.index}`);
        check(t.sellPrice === a.price && t.buyPrice === b.price && t.seller === a.owner && t.buyer === b.owner, `trade ${t.index} copies its orders`);
        check(t.sellPrice <= t.price && t.price < t.buyPrice, `trade ${t.index} price ${t.price} within [${t.sellPrice}, ${t.buyPrice})`);
        const sum = BigInt(t.sellPrice) + BigInt(t.buyPrice);
        check(2n * BigInt(t.price) <= sum && sum <= 2n * BigInt(t.price) + 1n, `trade ${t.index} at the floored midpoint`);
        check(t.quantity > 0 && t.payment === t.price * t.quantity, `trade ${t.index} quantity and payment`);
      }
      // No crossing pair left.
      if (res.remainingAsks.length && res.remainingBids.length) {
        check(res.remainingBids[0].price <= res.remainingAsks[0].price, 'no crossing pair left');
      }
      // Remaining sides are in book order.
      for (let i = 1; i < res.remainingAsks.length; i++) check(before(res.remainingAsks[i - 1], res.remainingAsks[i]), 'asks in book order');
      for (let i = 1; i < res.remainingBids.length; i++) check(before(res.remainingBids[i - 1], res.remainingBids[i]), 'bids in book order');
      // Deterministic whatever the input order.
      same(matchCycle(shuffle(g, book)), res);
    });
  });
});

describe('paged clearing equals one pass', () => {
  it('for any page size and trade limit', () => {
    forAllBooks(CASES, 50, (book, g) => {
      const [r, err] = tryMatch(book);
      const { asks, bids } = sortBook(book);
      const pageSize = g.int(1, Math.max(1, book.length + 1));
      const maxTrades = g.pick([1, 2, 3, 7, 1000]);
      let paged: ReturnType<typeof clearInPages>;
      try {
        paged = clearInPages('cycle-7', asks, bids, pageSize, maxTrades);
      } catch (e) {
        expect(err).toMatchObject({ code: 'AMOUNT_OVERFLOW' });
        expect(e).toMatchObject({ code: 'AMOUNT_OVERFLOW' });
        return;
      }
      if (err) throw err;
      const one = r!;
      same(paged.trades, one.trades);
      expect(paged.cursor.done).toBe(true);
      expect(paged.cursor.stats).toEqual(one.stats);
      // Residuals from the cursor: consumed orders are gone, the head may be partial.
      const restOf = (sorted: Order[], side: 'ask' | 'bid'): Array<[string, number]> => {
        const c = side === 'ask' ? paged.cursor.ask : paged.cursor.bid;
        return sorted.slice(c.consumed).map((o, i) => [o.orderId, i === 0 && c.head ? c.head.remaining : o.quantity]);
      };
      expect(restOf(asks, 'ask')).toEqual(one.remainingAsks.map((o) => [o.orderId, o.quantity]));
      expect(restOf(bids, 'bid')).toEqual(one.remainingBids.map((o) => [o.orderId, o.quantity]));
    });
  });

  it('with independently varying page sizes per side and per transaction, fills consistent', () => {
    forAllBooks(Math.ceil(CASES / 3), 50, (book, g) => {
      const [r, err] = tryMatch(book);
      if (err) return;
      const { asks, bids } = sortBook(book);
      let cursor = createClearing('cycle-7');
      const trades: Trade[] = [];
      const residual = new Map(book.map((o) => [o.orderId, o.quantity]));
      for (let tx = 0; !cursor.done; tx++) {
        expect(tx).toBeLessThan(10 * (book.length + 2));
        // Page sizes may be 0 (the clearing then asks for more of that side).
        const na = g.int(0, 4);
        const nb = g.int(0, 4);
        const a0 = cursor.ask.consumed;
        const b0 = cursor.bid.consumed;
        const before = JSON.stringify(cursor);
        const res = clearPage(
          cursor,
          { orders: asks.slice(a0, a0 + na), last: a0 + na >= asks.length },
          { orders: bids.slice(b0, b0 + nb), last: b0 + nb >= bids.length },
          g.int(1, 3),
        );
        expect(JSON.stringify(cursor)).toBe(before); // pure
        for (const f of res.fills) {
          expect(residual.get(f.orderId)! - f.filled).toBe(f.remaining);
          residual.set(f.orderId, f.remaining);
        }
        trades.push(...res.trades);
        cursor = res.cursor;
        expect(JSON.parse(JSON.stringify(cursor))).toEqual(cursor); // plain JSON
      }
      same(trades, r!.trades);
      for (const o of [...r!.remainingAsks, ...r!.remainingBids]) expect(residual.get(o.orderId)).toBe(o.quantity);
    });
  });
});
