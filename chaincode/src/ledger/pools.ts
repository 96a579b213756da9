import { Context } from 'fabric-contract-api';
import { refuse } from './errors';
import { key, view } from './view';

export type PoolStatus = 'funding' | 'open' | 'refunding' | 'closed';

export interface PoolRecord {
  poolId: string;
  denominationWh: number;
  /** Notes needed by the deadline for the pool to open for lending. */
  targetNotes: number;
  deadline: number;
  /** Loans must be due by then; after it, and once every loan is closed, lenders withdraw. */
  maturity: number;
  status: PoolStatus;
  createdAt: number;
  noteCount: number;
  /** Root of the tree of every deposit commitment, fixed when the pool is sealed. */
  root?: string;
  /** Energy the pool holds, with the inflows not yet folded in. */
  balance: number;
  loansOpened: number;
  loansClosed: number;
  lentWh: number;
  repaidWh: number;
  finesWh: number;
  payoutPerNote?: number;
  sealedAt?: number;
  closedAt?: number;
}

interface Inflow {
  amount: number;
  closesLoan: boolean;
  kind: 'repaid' | 'fine';
}

export const POOL_ID = /^[A-Za-z0-9_.-]{1,64}$/;

export async function getPool(ctx: Context, poolId: string): Promise<PoolRecord> {
  if (typeof poolId !== 'string' || !POOL_ID.test(poolId)) refuse('INVALID_ARGUMENT', 'poolId must be 1-64 characters of [A-Za-z0-9_.-]');
  const pool = await view(ctx).get<PoolRecord>(key(ctx, 'pool', poolId));
  if (!pool) refuse('NOT_FOUND', `pool ${poolId} does not exist`);
  return pool;
}

export async function putPool(ctx: Context, pool: PoolRecord): Promise<void> {
  await view(ctx).put(key(ctx, 'pool', pool.poolId), pool);
}

const inflowCounters = new WeakMap<object, number>();

/**
 * Money into a pool (a repayment, a fine) is a write-only delta, so repayments do not conflict with
 * each other or with borrows; whoever next writes the pool folds the deltas in.
 */
export async function addInflow(ctx: Context, poolId: string, amount: number, closesLoan: boolean, kind: Inflow['kind']): Promise<void> {
  const n = (inflowCounters.get(ctx.stub) ?? 0) + 1;
  inflowCounters.set(ctx.stub, n);
  await view(ctx).put(key(ctx, 'poolin', poolId, ctx.stub.getTxID(), String(n)), { amount, closesLoan, kind });
}

/** The pool with its pending inflows applied; with `consume`, the deltas are deleted (the caller writes the pool). */
export async function foldPool(ctx: Context, pool: PoolRecord, consume: boolean): Promise<PoolRecord> {
  const v = view(ctx);
  const out = { ...pool };
  for (const d of await v.range<Inflow>('poolin', [pool.poolId])) {
    out.balance += d.value.amount;
    if (d.value.closesLoan) out.loansClosed += 1;
    if (d.value.kind === 'repaid') out.repaidWh += d.value.amount;
    else out.finesWh += d.value.amount;
    if (consume) await v.del(d.key);
  }
  return out;
}
