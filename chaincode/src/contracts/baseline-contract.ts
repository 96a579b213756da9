import { Context, Contract, Info, Transaction } from 'fabric-contract-api';

/**
 * The smallest useful transaction, one blind key write. Benchmarks run it beside the real
 * transactions on the same network to show what the platform itself costs.
 */
@Info({ title: 'BaselineContract', description: 'Trivial key write, the throughput baseline for benchmarks' })
export class BaselineContract extends Contract {
  constructor() {
    super('baseline');
  }

  @Transaction()
  async Write(ctx: Context, key: string, value: string): Promise<void> {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key)) throw new Error('INVALID_ARGUMENT: key must be 1-64 characters of [A-Za-z0-9_.-]');
    if (value.length > 1024) throw new Error('INVALID_ARGUMENT: value must be at most 1024 characters');
    await ctx.stub.putState(`baseline~${key}`, Buffer.from(value, 'utf8'));
  }
}
