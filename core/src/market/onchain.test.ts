import { isMarketError } from './errors';
import { checkOrderBody, checkOrderRef, DEFAULT_MARKET_PARAMS, orderRefOf, tradeIndexAttr, validateMarketParams } from './onchain';

const ref = { cycleId: 'c1', orderId: 'a'.repeat(64), side: 'ask' as const, price: 10, seq: 1_700_000_000_000_000 };
const code = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    return isMarketError(e) ? e.code : 'OTHER';
  }
};

test('market parameters: the defaults pass; bounds, integers and unknown fields are checked', () => {
  expect(validateMarketParams(DEFAULT_MARKET_PARAMS)).toEqual(DEFAULT_MARKET_PARAMS);
  expect(code(() => validateMarketParams({ ...DEFAULT_MARKET_PARAMS, pageSize: 0 }))).toBe('INVALID_ARGUMENT');
  expect(code(() => validateMarketParams({ ...DEFAULT_MARKET_PARAMS, cycleLengthS: 1.5 }))).toBe('INVALID_ARGUMENT');
  expect(code(() => validateMarketParams({ ...DEFAULT_MARKET_PARAMS, extra: 1 }))).toBe('INVALID_ARGUMENT');
  expect(code(() => validateMarketParams({ cycleLengthS: 10 }))).toBe('INVALID_ARGUMENT');
  expect(code(() => validateMarketParams(null))).toBe('INVALID_ARGUMENT');
});

test('order bodies: shape, cycle id, trader and carry-over reference', () => {
  const body = { cycleId: 'c1', side: 'bid', price: 1, quantity: 1, trader: 'user:a', account: 'ab', nonce: 1 };
  expect(checkOrderBody(body)).toBe(body);
  expect(code(() => checkOrderBody({ ...body, extra: 1 }))).toBe('INVALID_ORDER');
  expect(code(() => checkOrderBody({ ...body, cycleId: 'bad id' }))).toBe('INVALID_CYCLE_ID');
  expect(code(() => checkOrderBody({ ...body, trader: '' }))).toBe('INVALID_ORDER');
  expect(checkOrderBody({ ...body, carryFrom: ref })).toMatchObject({ carryFrom: ref });
  expect(code(() => checkOrderBody({ ...body, carryFrom: { cycleId: 'c1', orderId: 'x' } }))).toBe('INVALID_SIDE');
});

test('order references name exactly cycle, id, side, price and seq', () => {
  expect(checkOrderRef(ref)).toBe(ref);
  expect(orderRefOf({ ...ref, quantity: 5, owner: 'ab' } as never)).toEqual(ref);
  expect(code(() => checkOrderRef({ ...ref, quantity: 5 }))).toBe('INVALID_ARGUMENT');
  expect(code(() => checkOrderRef({ ...ref, price: 0 }))).toBe('INVALID_PRICE');
  expect(code(() => checkOrderRef({ ...ref, seq: -1 }))).toBe('INVALID_SEQ');
  expect(code(() => checkOrderRef({ ...ref, orderId: 'a~b' }))).toBe('INVALID_ORDER_ID');
});

test('trade index attributes sort like the indices', () => {
  const xs = [0, 9, 10, 99, 100, 12345].map(tradeIndexAttr);
  expect([...xs].sort()).toEqual(xs);
});
