import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
  });
  it('writes bigints as decimal strings', () => {
    expect(canonicalJson({ v: 2n ** 70n })).toBe('{"v":"1180591620717411303424"}');
  });
  it('refuses floats and unsafe integers', () => {
    expect(() => canonicalJson({ v: 1.5 })).toThrow(/no floats/);
    expect(() => canonicalJson({ v: 2 ** 60 })).toThrow(/safe integer/);
  });
});
