import { keyValues, table } from './table';

describe('table', () => {
  it('aligns columns to the widest cell and shows missing values as -', () => {
    expect(table(['NAME', 'PID'], [['peer0.utility', 12], ['orderer0', null]])).toBe('NAME           PID\npeer0.utility  12\norderer0       -');
  });
  it('aligns key/value pairs', () => {
    expect(keyValues([['W_b', 60], ['interestBps', 500]])).toBe('W_b          60\ninterestBps  500');
  });
});
