import { creditSatisfied, DEFAULT_LENDING_PARAMS, expiryTime, minScore, validateLendingParams } from './params';

const clone = () => JSON.parse(JSON.stringify(DEFAULT_LENDING_PARAMS));

describe('validateLendingParams', () => {
  it('accepts the defaults unchanged', () => {
    expect(validateLendingParams(clone())).toEqual(DEFAULT_LENDING_PARAMS);
  });
  it.each([
    ['W_b', 1.5, /W_b: must be a non-negative integer/],
    ['W_b', -1, /W_b: must be a non-negative integer/],
    ['W_g', 101, /W_g: must be at most 100/],
    ['W_b', 50, /W_b \+ W_g must be 100/],
    ['interestBps', '500', /interestBps: must be a non-negative integer/],
    ['minScoreTable', [], /minScoreTable: must be a list/],
    ['poolDenominationsWh', [1000, 1000], /must not repeat/],
    ['poolDenominationsWh', [0], /must be positive/],
  ])('refuses %s = %j', (field, value, message) => {
    const p = clone();
    p[field] = value;
    expect(() => validateLendingParams(p)).toThrow(message);
  });
  it('refuses unknown and missing fields', () => {
    expect(() => validateLendingParams({ ...clone(), W_x: 1 })).toThrow(/unknown field\(s\) W_x/);
    const p = clone();
    delete p.traceWindowS;
    expect(() => validateLendingParams(p)).toThrow(/traceWindowS: is required/);
  });
  it('names the bad tier', () => {
    const p = clone();
    p.minScoreTable[1].minScore = 2 ** 32;
    expect(() => validateLendingParams(p)).toThrow(/minScoreTable\[1\]\.minScore: must be at most/);
  });
});

describe('credit formula', () => {
  it('C(M, D) is the least score among covering tiers', () => {
    expect(minScore(DEFAULT_LENDING_PARAMS, 5_000, 86_400)).toBe(500);
    expect(minScore(DEFAULT_LENDING_PARAMS, 20_000, 86_400)).toBe(650);
    expect(minScore(DEFAULT_LENDING_PARAMS, 5_000, 60 * 86_400)).toBe(750);
    expect(minScore(DEFAULT_LENDING_PARAMS, 10 ** 9, 1)).toBeUndefined();
  });
  it('holds exactly at the bound and fails one below', () => {
    // 650*100 = 65000 = 700*60 + 575*40
    expect(creditSatisfied(650, 700, 60, 575, 40)).toBe(true);
    expect(creditSatisfied(650, 699, 60, 575, 40)).toBe(false);
  });
  it('E(D) adds the duration and the grace period', () => {
    expect(expiryTime(DEFAULT_LENDING_PARAMS, 1_000, 500)).toBe(1_000 + 500 + 86_400);
  });
});
