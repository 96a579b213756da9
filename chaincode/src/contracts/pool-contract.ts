import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { addressToField, canonicalJson, hashNode, Orgs, payoutPerNote, toField, TREE_DEPTH, zeroHashes } from '@gridledger/core';
import { LendingParams } from '@gridledger/core';
import { requireMsp } from '../ledger/access';
import { authorizeSigned, credit, debit, requireAmount, requireKey } from '../ledger/accounts';
import { batchItem, parseInput, refuse } from '../ledger/errors';
import { foldPool, getPool, POOL_ID, PoolRecord, putPool } from '../ledger/pools';
import { requireWithdrawProof } from '../ledger/proofs';
import { emit, getJson, parseBatchArg, parseJsonArg, txTimeSeconds } from '../ledger/state';
import { key, view } from '../ledger/view';
import { LENDING_PARAMS_KEY, PublishedParams } from './params-contract';

export async function requireParams(ctx: Context): Promise<LendingParams> {
  const published = await getJson<PublishedParams>(ctx, LENDING_PARAMS_KEY);
  if (!published) refuse('FORBIDDEN_STATE', 'the lending parameters have not been published yet');
  return published.params;
}

/** Deposits one relayer transaction may carry. */
export const MAX_DEPOSIT_BATCH = 64;

/** Root of a depth-20 Poseidon tree holding `leaves` from index 0, empty leaves after them. */
export function rootOfLeaves(leaves: bigint[]): bigint {
  const zeros = zeroHashes(TREE_DEPTH);
  let level = leaves;
  for (let h = 0; h < TREE_DEPTH; h++) {
    if (level.length === 0) return zeros[TREE_DEPTH];
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashNode(level[i], i + 1 < level.length ? level[i + 1] : zeros[h]));
    level = next;
  }
  return level[0];
}

/**
 * Crowdfunding pools of the lending paper. Lenders deposit a fixed denomination as a note commitment
 * Poseidon(nullifier, secret); at the deadline the pool is sealed into a Merkle tree and opens for
 * lending (target met) or for refunds (missed); after maturity each note withdraws its equal share
 * of principal and interest with a zero-knowledge proof, to any account, unlinkable to its deposit.
 */
@Info({ title: 'PoolContract', description: 'Anonymous crowdfunding pools' })
export class PoolContract extends Contract {
  constructor() {
    super('pool');
  }

  /** Opens a pool for deposits (Utility). */
  @Transaction()
  async CreatePool(ctx: Context, poolJson: string): Promise<void> {
    requireMsp(ctx, 'creating a pool', Orgs.Utility);
    const params = await requireParams(ctx);
    const p = parseJsonArg(poolJson, 'pool') as Record<string, unknown>;
    if (typeof p !== 'object' || p === null) refuse('INVALID_ARGUMENT', 'pool must be an object');
    const poolId = p.poolId;
    if (typeof poolId !== 'string' || !POOL_ID.test(poolId)) refuse('INVALID_ARGUMENT', 'poolId must be 1-64 characters of [A-Za-z0-9_.-]');
    const denominationWh = requireAmount(p.denominationWh, 'denominationWh');
    if (!params.poolDenominationsWh.includes(denominationWh)) refuse('INVALID_ARGUMENT', `denominationWh must be one of ${params.poolDenominationsWh.join(', ')}`);
    const targetNotes = requireAmount(p.targetNotes, 'targetNotes');
    if (targetNotes < 1) refuse('INVALID_ARGUMENT', 'targetNotes must be at least 1');
    const deadline = requireAmount(p.deadline, 'deadline');
    const maturity = requireAmount(p.maturity, 'maturity');
    const now = txTimeSeconds(ctx);
    if (deadline <= now) refuse('INVALID_ARGUMENT', 'deadline must be in the future');
    if (maturity <= deadline) refuse('INVALID_ARGUMENT', 'maturity must be after the deadline');
    const v = view(ctx);
    if (await v.get(key(ctx, 'pool', poolId))) refuse('CONFLICT', `pool ${poolId} already exists`);
    const pool: PoolRecord = {
      poolId, denominationWh, targetNotes, deadline, maturity, status: 'funding', createdAt: now, noteCount: 0,
      balance: 0, loansOpened: 0, loansClosed: 0, lentWh: 0, repaidWh: 0, finesWh: 0,
    };
    await putPool(ctx, pool);
    emit(ctx, 'PoolCreated', pool);
  }

  /**
   * A lender's anonymous deposit: the denomination moves from its account into the pool, recorded
   * only as the note commitment. Writes one key per deposit, so deposits never conflict.
   */
  @Transaction()
  async Deposit(ctx: Context, bodyJson: string, signature: string): Promise<void> {
    emit(ctx, 'PoolDeposit', await this.deposit(ctx, parseJsonArg(bodyJson, 'deposit'), signature));
  }

  /**
   * Up to MAX_DEPOSIT_BATCH signed deposits `[{body, signature}]` in one transaction, as a relayer
   * collects them: each is checked exactly as Deposit, in order (two from one account see each
   * other's nonce and debit). A refusal names its item (`deposit i: ...`) and the whole batch writes
   * nothing, so the relayer resubmits the others without it.
   */
  @Transaction()
  async DepositBatch(ctx: Context, requestsJson: string): Promise<void> {
    const list = parseBatchArg(requestsJson, 'deposits', MAX_DEPOSIT_BATCH);
    const deposits = [];
    for (const [i, item] of list.entries()) {
      deposits.push(
        await batchItem('deposit', i, () => {
          const { body, signature } = (item ?? {}) as { body?: unknown; signature?: unknown };
          if (typeof signature !== 'string') refuse('INVALID_ARGUMENT', 'each item must be {body, signature}');
          return this.deposit(ctx, body, signature);
        }),
      );
    }
    // Fabric keeps one event per transaction: the batch's deposits travel together.
    emit(ctx, 'PoolDeposits', { deposits });
  }

  /** One deposit's checks and writes; answers its event payload. */
  private async deposit(ctx: Context, raw: unknown, signature: string): Promise<{ poolId: string; commitment: string }> {
    const body = raw as { poolId: string; commitment: string; account: string; nonce: number };
    if (typeof body !== 'object' || body === null) refuse('INVALID_ARGUMENT', 'deposit must be an object');
    const pool = await getPool(ctx, body.poolId);
    const commitment = parseInput(() => toField(body.commitment, 'commitment'));
    if (commitment === 0n) refuse('INVALID_ARGUMENT', 'commitment must not be zero');
    requireKey(body.account, 'account');
    await authorizeSigned(ctx, 'deposit', body, body.account, signature);
    if (pool.status !== 'funding' || txTimeSeconds(ctx) >= pool.deadline) refuse('EXPIRED', `pool ${pool.poolId} no longer takes deposits`);
    const v = view(ctx);
    const k = key(ctx, 'deposit', pool.poolId, commitment.toString());
    if (await v.get(k)) refuse('CONFLICT', 'this note commitment is already in the pool');
    await debit(ctx, 'energy', body.account, pool.denominationWh);
    await v.put(k, { at: txTimeSeconds(ctx) });
    return { poolId: pool.poolId, commitment: commitment.toString() };
  }

  /**
   * At the deadline (anyone may call): the deposits become the pool's tree, ordered by commitment
   * value so the order says nothing about who came when; the pool opens or turns to refunds.
   */
  @Transaction()
  @Returns('string')
  async SealPool(ctx: Context, poolId: string): Promise<string> {
    const pool = await getPool(ctx, poolId);
    const now = txTimeSeconds(ctx);
    if (pool.status !== 'funding') refuse('FORBIDDEN_STATE', `pool ${poolId} is already sealed`);
    if (now < pool.deadline) refuse('FORBIDDEN_STATE', `pool ${poolId} takes deposits until ${pool.deadline}`);
    const leaves = (await view(ctx).range<unknown>('deposit', [poolId])).map((d) => BigInt(ctx.stub.splitCompositeKey(d.key).attributes[1]));
    leaves.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (leaves.length > 2 ** TREE_DEPTH) refuse('FORBIDDEN_STATE', 'too many deposits for one tree');
    const reached = leaves.length >= pool.targetNotes;
    const sealed: PoolRecord = {
      ...pool,
      status: reached ? 'open' : 'refunding',
      noteCount: leaves.length,
      root: rootOfLeaves(leaves).toString(),
      balance: leaves.length * pool.denominationWh,
      sealedAt: now,
      ...(reached ? {} : { payoutPerNote: pool.denominationWh }),
    };
    await putPool(ctx, sealed);
    await view(ctx).put(key(ctx, 'poolleaves', poolId), leaves.map(String));
    emit(ctx, reached ? 'PoolOpened' : 'PoolRefunding', { poolId, noteCount: sealed.noteCount, root: sealed.root });
    return canonicalJson(sealed);
  }

  /** After maturity, with every loan repaid or settled by its guarantor: fixes each note's payout. */
  @Transaction()
  @Returns('string')
  async ClosePool(ctx: Context, poolId: string): Promise<string> {
    const pool = await foldPool(ctx, await getPool(ctx, poolId), true);
    if (pool.status !== 'open') refuse('FORBIDDEN_STATE', `pool ${poolId} is ${pool.status}, not open`);
    if (txTimeSeconds(ctx) < pool.maturity) refuse('FORBIDDEN_STATE', `pool ${poolId} matures at ${pool.maturity}`);
    if (pool.loansClosed < pool.loansOpened) refuse('FORBIDDEN_STATE', `${pool.loansOpened - pool.loansClosed} loan(s) of pool ${poolId} are still outstanding`);
    const closed: PoolRecord = { ...pool, status: 'closed', payoutPerNote: payoutPerNote(pool.balance, pool.noteCount), closedAt: txTimeSeconds(ctx) };
    await putPool(ctx, closed);
    emit(ctx, 'PoolClosed', { poolId, payoutPerNote: closed.payoutPerNote, balance: closed.balance });
    return canonicalJson(closed);
  }

  /**
   * A note's withdrawal (after close) or refund (missed target): a proof of a note in the pool's tree
   * with a fresh nullifier, paid to any recipient, with a fee to the relayer that submitted it.
   */
  @Transaction()
  @Returns('string')
  async Withdraw(ctx: Context, requestJson: string): Promise<string> {
    const req = parseJsonArg(requestJson, 'withdrawal') as { poolId: string; nullifierHash: string; recipient: string; relayer: string; fee: number; proof: unknown };
    if (typeof req !== 'object' || req === null) refuse('INVALID_ARGUMENT', 'withdrawal must be an object');
    const pool = await getPool(ctx, req.poolId);
    if (pool.status !== 'closed' && pool.status !== 'refunding') refuse('FORBIDDEN_STATE', `pool ${pool.poolId} pays out only when closed or refunding (it is ${pool.status})`);
    requireKey(req.recipient, 'recipient');
    requireKey(req.relayer, 'relayer');
    const fee = requireAmount(req.fee, 'fee');
    const payout = pool.payoutPerNote!;
    if (fee > payout) refuse('INVALID_ARGUMENT', `fee ${fee} exceeds the payout ${payout}`);
    const nullifierHash = parseInput(() => toField(req.nullifierHash, 'nullifierHash')).toString();
    const v = view(ctx);
    const nk = key(ctx, 'nullifier', pool.poolId, nullifierHash);
    if (await v.get(nk)) refuse('REPLAY', 'this note has already been withdrawn');
    await requireWithdrawProof(req.proof, { root: pool.root!, nullifierHash, recipient: addressToField(req.recipient), relayer: addressToField(req.relayer), fee });
    await v.put(nk, { at: txTimeSeconds(ctx) });
    await credit(ctx, 'energy', req.recipient, payout - fee);
    if (fee > 0) await credit(ctx, 'energy', req.relayer, fee);
    const out = { poolId: pool.poolId, nullifierHash, paid: payout - fee, fee, kind: pool.status === 'refunding' ? 'refund' : 'withdrawal' };
    emit(ctx, 'PoolWithdrawal', out);
    return canonicalJson(out);
  }

  @Transaction(false)
  @Returns('string')
  async GetPool(ctx: Context, poolId: string): Promise<string> {
    const pool = await foldPool(ctx, await getPool(ctx, poolId), false);
    const deposits = pool.status === 'funding' ? (await view(ctx).range('deposit', [poolId])).length : pool.noteCount;
    return canonicalJson({ ...pool, deposits, outstandingLoans: pool.loansOpened - pool.loansClosed });
  }

  /** The sealed tree's leaves in order: what a lender needs to build its withdrawal proof. */
  @Transaction(false)
  @Returns('string')
  async GetPoolLeaves(ctx: Context, poolId: string): Promise<string> {
    const pool = await getPool(ctx, poolId);
    if (pool.status === 'funding') {
      return canonicalJson({ poolId, sealed: false, leaves: (await view(ctx).range('deposit', [poolId])).map((d) => ctx.stub.splitCompositeKey(d.key).attributes[1]) });
    }
    return canonicalJson({ poolId, sealed: true, root: pool.root, leaves: (await view(ctx).get<string[]>(key(ctx, 'poolleaves', poolId))) ?? [] });
  }

  @Transaction(false)
  @Returns('string')
  async ListPools(ctx: Context): Promise<string> {
    const pools = await view(ctx).range<PoolRecord>('pool', []);
    return canonicalJson(pools.map((p) => p.value));
  }
}

