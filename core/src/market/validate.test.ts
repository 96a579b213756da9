import { MarketError, MARKET_ERROR_CODES, ValidationError, isMarketError, matchCycle, seqFromTxTimestamp, sortBook, validateOrder, validateOrders, type MarketErrorCode, type Order } from '..';

const good: Order = { orderId: 'tx1', side: 'ask', owner: 'ab'.repeat(48), price: 120, quantity: 5000, seq: 7, cycleId: '2024-06-01T10:00' };

function codeOf(fn: () => unknown): MarketErrorCode | 'none' {
  try {
    fn();
    return 'none';
  } catch (e) {
    if (!(e instanceof MarketError)) throw e;
    return e.code;
  }
}

describe('validateOrder', () => {
  it('accepts a good order', () => {
    expect(() => validateOrder(good)).not.toThrow();
  });

  it.each<[string, unknown, MarketErrorCode]>([
    ['not an object', 42, 'INVALID_ORDER'],
    ['null', null, 'INVALID_ORDER'],
    ['an array', [good], 'INVALID_ORDER'],
    ['missing orderId', { ...good, orderId: undefined }, 'INVALID_ORDER_ID'],
    ['empty orderId', { ...good, orderId: '' }, 'INVALID_ORDER_ID'],
    ['orderId with a space', { ...good, orderId: 'a b' }, 'INVALID_ORDER_ID'],
    ['non-ASCII orderId', { ...good, orderId: 'ordré' }, 'INVALID_ORDER_ID'],
    ['orderId too long', { ...good, orderId: 'x'.repeat(129) }, 'INVALID_ORDER_ID'],
    ['unknown side', { ...good, side: 'buy' }, 'INVALID_SIDE'],
    ['uppercase owner', { ...good, owner: 'AB'.repeat(48) }, 'INVALID_OWNER'],
    ['odd-length owner', { ...good, owner: 'abc' }, 'INVALID_OWNER'],
    ['non-hex owner', { ...good, owner: 'zz' }, 'INVALID_OWNER'],
    ['zero price', { ...good, price: 0 }, 'INVALID_PRICE'],
    ['negative price', { ...good, price: -5 }, 'INVALID_PRICE'],
    ['fractional price', { ...good, price: 1.5 }, 'INVALID_PRICE'],
    ['NaN price', { ...good, price: NaN }, 'INVALID_PRICE'],
    ['Infinity price', { ...good, price: Infinity }, 'INVALID_PRICE'],
    ['unsafe price', { ...good, price: 2 ** 53, quantity: 1 }, 'INVALID_PRICE'],
    ['string price', { ...good, price: '120' }, 'INVALID_PRICE'],
    ['bigint price', { ...good, price: 120n }, 'INVALID_PRICE'],
    ['zero quantity', { ...good, quantity: 0 }, 'INVALID_QUANTITY'],
    ['negative quantity', { ...good, quantity: -1 }, 'INVALID_QUANTITY'],
    ['fractional quantity', { ...good, quantity: 0.5 }, 'INVALID_QUANTITY'],
    ['unsafe quantity', { ...good, price: 1, quantity: 2 ** 53 + 2 }, 'INVALID_QUANTITY'],
    ['unsafe notional', { ...good, price: 2 ** 27, quantity: 2 ** 27 }, 'NOTIONAL_TOO_LARGE'],
    ['negative seq', { ...good, seq: -1 }, 'INVALID_SEQ'],
    ['fractional seq', { ...good, seq: 1.25 }, 'INVALID_SEQ'],
    ['missing seq', { ...good, seq: undefined }, 'INVALID_SEQ'],
    ['bad cycleId', { ...good, cycleId: 'cycle 1' }, 'INVALID_CYCLE_ID'],
  ])('refuses %s', (_name, order, code) => {
    expect(codeOf(() => validateOrder(order))).toBe(code);
    // The book-level fast path reports the same code, wherever the order sits.
    expect(codeOf(() => validateOrders([order]))).toBe(code);
    expect(codeOf(() => matchCycle([{ ...good, orderId: 'first' }, order as Order]))).toBe(code);
  });

  it('accepts the edge of the safe range', () => {
    expect(() => validateOrder({ ...good, price: Number.MAX_SAFE_INTEGER, quantity: 1, seq: Number.MAX_SAFE_INTEGER })).not.toThrow();
    expect(() => validateOrder({ ...good, orderId: 'A-z_0.9:x'.slice(0, 9).replace('_', '-'), owner: '00' })).not.toThrow();
  });
});

describe('validateOrders', () => {
  it('returns the cycle id, or null for an empty book', () => {
    expect(validateOrders([good])).toBe(good.cycleId);
    expect(validateOrders([])).toBeNull();
  });
  it('refuses a duplicate orderId, even across sides', () => {
    const e = (() => {
      try {
        validateOrders([good, { ...good, orderId: 'tx2' }, { ...good, side: 'bid', price: 1 }]);
      } catch (err) {
        return err as MarketError;
      }
      throw new Error('no error');
    })();
    expect(e.code).toBe('DUPLICATE_ORDER_ID');
    expect(e.orderId).toBe('tx1');
  });
  it('refuses orders of two cycles', () => {
    expect(codeOf(() => validateOrders([good, { ...good, orderId: 'tx2', cycleId: 'other' }]))).toBe('CYCLE_MISMATCH');
    expect(codeOf(() => sortBook([good, { ...good, orderId: 'tx2', cycleId: 'other' }]))).toBe('CYCLE_MISMATCH');
  });
  it('refuses a non-array', () => {
    expect(codeOf(() => validateOrders('nope' as unknown as Order[]))).toBe('INVALID_ARGUMENT');
  });
  it('falls back to a native Set when ids are built to collide, and still finds duplicates', () => {
    // Same length, same first and last 16 characters: the sampled hash collides for all of them.
    const id = (k: number): string => `${'p'.repeat(16)}${k.toString(36).padStart(6, '0')}${'s'.repeat(16)}`;
    const many: Order[] = Array.from({ length: 300 }, (_, i) => ({ ...good, orderId: id(i) }));
    expect(validateOrders(many)).toBe(good.cycleId);
    // A duplicate of an id inserted before the fallback, and one of an id inserted after it.
    expect(codeOf(() => validateOrders([...many, { ...good, orderId: id(3) }]))).toBe('DUPLICATE_ORDER_ID');
    expect(codeOf(() => validateOrders([...many, { ...good, orderId: id(299) }]))).toBe('DUPLICATE_ORDER_ID');
    expect(matchCycle(many.map((o, i) => ({ ...o, side: i % 2 ? 'bid' : 'ask', price: 100 + (i % 7) }))).trades.length).toBeGreaterThan(0);
  });

  it('finds duplicates among many ids sharing a hash-table neighbourhood', () => {
    const many: Order[] = Array.from({ length: 5000 }, (_, i) => ({ ...good, orderId: `o${i}` }));
    expect(validateOrders(many)).toBe(good.cycleId);
    many.push({ ...good, orderId: 'o4321' });
    expect(codeOf(() => validateOrders(many))).toBe('DUPLICATE_ORDER_ID');
  });
});

describe('MarketError', () => {
  it('is a ValidationError with a stable code and a message that starts with it', () => {
    const e = new MarketError('INVALID_PRICE', 'bad', 'tx9');
    expect(e).toBeInstanceOf(ValidationError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('MarketError');
    expect(e.message).toBe('INVALID_PRICE: bad');
    expect(isMarketError(e)).toBe(true);
    expect(isMarketError(e, 'INVALID_PRICE')).toBe(true);
    expect(isMarketError(e, 'INVALID_SEQ')).toBe(false);
    expect(isMarketError(new Error('x'))).toBe(false);
  });
  it('has unique codes', () => {
    expect(new Set(MARKET_ERROR_CODES).size).toBe(MARKET_ERROR_CODES.length);
  });
});

describe('seqFromTxTimestamp', () => {
  it('is microseconds since the epoch and preserves order', () => {
    expect(seqFromTxTimestamp(1_700_000_000, 123_456_789)).toBe(1_700_000_000_123_456);
    expect(seqFromTxTimestamp(1_700_000_000n, 0)).toBe(1_700_000_000_000_000);
    expect(seqFromTxTimestamp({ toNumber: () => 5 }, 1999)).toBe(5_000_001);
    expect(seqFromTxTimestamp(10, 999_999_999)).toBeLessThan(seqFromTxTimestamp(11, 0));
  });
  it('refuses bad timestamps', () => {
    expect(codeOf(() => seqFromTxTimestamp(-1, 0))).toBe('INVALID_SEQ');
    expect(codeOf(() => seqFromTxTimestamp(1, 1e9))).toBe('INVALID_SEQ');
    expect(codeOf(() => seqFromTxTimestamp(9e12, 0))).toBe('INVALID_SEQ');
  });
});
