import { bpsOf, payoutPerNote, repayDue } from './loan-math';

describe('loan arithmetic', () => {
  it('rounds interest and fines up, in integers', () => {
    expect(bpsOf(1_000, 500)).toBe(50);
    expect(bpsOf(1_001, 500)).toBe(51);
    expect(repayDue(10_000, 500)).toBe(10_500);
    expect(bpsOf(2 ** 40, 11_000)).toBe(Math.ceil((2 ** 40 * 11_000) / 10_000));
  });
  it('shares a pool equally and keeps the dust', () => {
    expect(payoutPerNote(30_001, 3)).toBe(10_000);
    expect(payoutPerNote(0, 0)).toBe(0);
  });
});
