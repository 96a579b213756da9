import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import {
  addressToField, assertBabyPointOnCurve, assertValidBabyPoint, BabyPoint, BorrowPublicInputs, BorrowRequest, bpsOf, canonicalJson, combineTraceShares,
  expiryTime, GUARANTOR_SCORE_STEPS, identityPoint, identityToField, minScore, Orgs, pointEquals, pointToJson,
  repayCommitment, repayDue, toField, TraceShare, TypedBatchItem, verifyTraceShare,
} from '@gridledger/core';
import { clientMsp, requireMsp } from '../ledger/access';
import { authorizeSigned, balanceOf, credit, debit, requireAmount, requireKey } from '../ledger/accounts';
import { parseInput, refuse } from '../ledger/errors';
import { changeGuarantorScore, getGuarantor, guarantorScore } from '../ledger/guarantors';
import { addInflow, foldPool, getPool, putPool } from '../ledger/pools';
import { requireBorrowProofs } from '../ledger/proofs';
import { RegistryRecord } from '../ledger/registry-tree';
import { emit, parseJsonArg, txTimeSeconds } from '../ledger/state';
import { key, view } from '../ledger/view';
import { revokeLeaf, UTILITY_TRACE_KEY } from './guarantor-contract';
import { requireParams } from './pool-contract';

export type LoanStatus = 'open' | 'repaid' | 'defaulted' | 'traced';

export interface LoanRecord {
  /** The loan nullifier: one credential backs one loan. */
  loanId: string;
  poolId: string;
  guarantor: string;
  amount: number;
  durationS: number;
  borrowedAt: number;
  /** E(D_b) */
  dueAt: number;
  repayDue: number;
  ciphertext: { c1: [string, string]; c2: [string, string] };
  repayCommitment: string;
  recipient: string;
  status: LoanStatus;
  repaidAt?: number;
  defaultedAt?: number;
  traceDeadline?: number;
  /** The guarantor missed its window: fined extra, once. */
  missedTrace?: boolean;
  tracedAt?: number;
  txId: string;
}

export interface BoardEntry {
  identity: string;
  loanId: string;
  poolId: string;
  guarantor: string;
  amount: number;
  /** What the defaulter owes: the repayment due plus the late penalty. */
  debtWh: number;
  fineWh: number;
  fineCollectedWh: number;
  tracedAt: number;
  txId: string;
}

/** Upper bound of borrows per transaction, so a batch stays well inside Fabric's message limits. */
export const MAX_BORROW_BATCH = 32;

async function getLoan(ctx: Context, loanId: string): Promise<LoanRecord> {
  const id = parseInput(() => toField(loanId, 'loanId')).toString();
  const loan = await view(ctx).get<LoanRecord>(key(ctx, 'loan', id));
  if (!loan) refuse('NOT_FOUND', `loan ${id} does not exist`);
  return loan;
}

/**
 * Takes up to `amount` from a guarantor's fine account; what it cannot pay is recorded as its debt on
 * the board. Returns what was collected.
 */
async function collectFine(ctx: Context, account: string, amount: number): Promise<number> {
  const collected = Math.min(amount, await balanceOf(ctx, 'energy', account));
  if (collected > 0) await debit(ctx, 'energy', account, collected);
  return collected;
}

/**
 * Loans of the lending paper: anonymous borrowing with a zero-knowledge proof verified on every
 * endorsing peer, repayment with the secret committed at borrow time, default, and tracing by the
 * guarantor and the Utility together.
 */
@Info({ title: 'LoanContract', description: 'Anonymous loans, repayment, default and tracing' })
export class LoanContract extends Contract {
  constructor() {
    super('loan');
  }

  /** One borrow (see BorrowBatch). */
  @Transaction()
  @Returns('string')
  async Borrow(ctx: Context, poolId: string, requestJson: string): Promise<string> {
    return this.BorrowBatch(ctx, poolId, `[${requestJson}]`);
  }

  /**
   * Several borrows from one pool in one transaction, their proofs checked together by batch
   * verification. Each proof's public inputs are built here from the ledger (registry roots, W_b,
   * W_g, C(M, D), C_g, the joint tracing key) and from what the request claims; any mismatch refuses
   * the whole batch and writes nothing.
   */
  @Transaction()
  @Returns('string')
  async BorrowBatch(ctx: Context, poolId: string, requestsJson: string): Promise<string> {
    const requests = parseJsonArg(requestsJson, 'requests') as BorrowRequest[];
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_BORROW_BATCH) refuse('INVALID_ARGUMENT', `requests must be a list of 1 to ${MAX_BORROW_BATCH} borrows`);
    const params = await requireParams(ctx);
    let pool = await foldPool(ctx, await getPool(ctx, poolId), true);
    const now = txTimeSeconds(ctx);
    if (pool.status !== 'open') refuse('FORBIDDEN_STATE', `pool ${poolId} is ${pool.status}, not open for lending`);
    const utilityKey = (await view(ctx).get<{ publicKey: [string, string] }>(UTILITY_TRACE_KEY))?.publicKey;
    if (!utilityKey) refuse('FORBIDDEN_STATE', 'the Utility has not set its tracing key');
    const v = view(ctx);
    const seen = new Set<string>();
    const items: TypedBatchItem<BorrowPublicInputs>[] = [];
    const loans: LoanRecord[] = [];
    for (const [i, r] of requests.entries()) {
      const at = `borrow ${i}`;
      if (typeof r !== 'object' || r === null) refuse('INVALID_ARGUMENT', `${at} must be an object`);
      const g = await getGuarantor(ctx, String(r.guarantor));
      const amount = requireAmount(r.amount, `${at} amount`);
      const durationS = requireAmount(r.durationS, `${at} durationS`);
      if (amount === 0 || durationS === 0) refuse('INVALID_ARGUMENT', `${at}: amount and durationS must be positive`);
      const required = minScore(params, amount, durationS);
      if (required === undefined) refuse('INVALID_ARGUMENT', `${at}: no tier of C(M, D) covers ${amount} Wh for ${durationS} s`);
      // A proof for a stricter bound (higher minScore, lower C_g) also proves the ledger's bound.
      const claimedMin = requireAmount(r.minScore, `${at} minScore`);
      if (claimedMin < required) refuse('INVALID_ARGUMENT', `${at}: minScore ${claimedMin} is below C(M, D) = ${required}`);
      const ledgerCg = await guarantorScore(ctx, g.msp);
      const claimedCg = requireAmount(r.guarantorScore, `${at} guarantorScore`);
      if (claimedCg > ledgerCg) refuse('INVALID_ARGUMENT', `${at}: guarantorScore ${claimedCg} is above ${g.msp}'s C_g ${ledgerCg}`);
      const registry = (await v.get<RegistryRecord>(key(ctx, 'registry', String(g.guarantorId))))!;
      const root = parseInput(() => toField(r.root, `${at} root`)).toString();
      if (!registry.recentRoots.includes(root)) refuse('INVALID_PROOF', `${at}: root is not a current root of ${g.msp}'s registry (stale or revoked)`);
      const loanId = parseInput(() => toField(r.loanNullifier, `${at} loanNullifier`)).toString();
      if (seen.has(loanId) || (await v.get(key(ctx, 'loan', loanId)))) refuse('REPLAY', `${at}: this credential already backs a loan (nullifier spent)`);
      seen.add(loanId);
      // The batch's proof check below binds c1 and c2 to subgroup points (see assertBabyPointOnCurve).
      const c1 = parseInput(() => assertBabyPointOnCurve(r.c1, `${at} c1`));
      const c2 = parseInput(() => assertBabyPointOnCurve(r.c2, `${at} c2`, true));
      requireKey(r.recipient, `${at} recipient`);
      requireKey(r.relayer, `${at} relayer`);
      const repayCommit = parseInput(() => toField(r.repayCommitment, `${at} repayCommitment`)).toString();
      const dueAt = expiryTime(params, now, durationS);
      if (dueAt > pool.maturity) refuse('INVALID_ARGUMENT', `${at}: due ${dueAt} is after the pool's maturity ${pool.maturity}`);
      items.push({
        proof: r.proof,
        publicInputs: {
          root, guarantorId: g.guarantorId, amount, duration: durationS, minScore: claimedMin, weightBorrower: params.W_b, weightGuarantor: params.W_g,
          guarantorScore: claimedCg, loanNullifier: loanId, pkGuarantor: g.tracePublicKey, pkUtility: utilityKey, c1, c2,
          repayCommitment: repayCommit, recipient: addressToField(r.recipient), relayer: addressToField(r.relayer),
        },
      });
      loans.push({
        loanId, poolId, guarantor: g.msp, amount, durationS, borrowedAt: now, dueAt, repayDue: repayDue(amount, params.interestBps),
        ciphertext: { c1: pointToJson(c1) as [string, string], c2: pointToJson(c2) as [string, string] }, repayCommitment: repayCommit,
        recipient: r.recipient, status: 'open', txId: ctx.stub.getTxID(),
      });
    }
    const total = loans.reduce((s, l) => s + l.amount, 0);
    if (total > pool.balance) refuse('FORBIDDEN_STATE', `pool ${poolId} holds ${pool.balance} Wh, the batch asks ${total}`);
    await requireBorrowProofs(items);
    for (const loan of loans) {
      await v.put(key(ctx, 'loan', loan.loanId), loan);
      await credit(ctx, 'energy', loan.recipient, loan.amount);
    }
    pool = { ...pool, balance: pool.balance - total, loansOpened: pool.loansOpened + loans.length, lentWh: pool.lentWh + total };
    await putPool(ctx, pool);
    const out = loans.map((l) => ({ loanId: l.loanId, poolId, guarantor: l.guarantor, amount: l.amount, dueAt: l.dueAt, repayDue: l.repayDue }));
    emit(ctx, 'LoansTaken', out);
    return canonicalJson(out);
  }

  /**
   * Repays a loan: anyone may pay (signed by the payer's account), showing the secret committed at
   * borrow time. The repayment goes to the pool, the guarantor's C_g rises, and the event is the
   * borrower's receipt for a new credential.
   */
  @Transaction()
  @Returns('string')
  async Repay(ctx: Context, bodyJson: string, signature: string): Promise<string> {
    const body = parseJsonArg(bodyJson, 'repayment') as { loanId: string; repaySecret: string; payer: string; nonce: number };
    if (typeof body !== 'object' || body === null) refuse('INVALID_ARGUMENT', 'repayment must be an object');
    const loan = await getLoan(ctx, body.loanId);
    requireKey(body.payer, 'payer');
    await authorizeSigned(ctx, 'repay', body, body.payer, signature);
    if (loan.status !== 'open') refuse('FORBIDDEN_STATE', `loan ${loan.loanId} is ${loan.status}`);
    const secret = parseInput(() => toField(body.repaySecret, 'repaySecret'));
    if (repayCommitment(secret, BigInt(loan.loanId)).toString() !== loan.repayCommitment) refuse('INVALID_ARGUMENT', 'the repay secret does not open the loan\'s repay commitment');
    const now = txTimeSeconds(ctx);
    await debit(ctx, 'energy', body.payer, loan.repayDue);
    await addInflow(ctx, loan.poolId, loan.repayDue, true, 'repaid');
    await view(ctx).put(key(ctx, 'loan', loan.loanId), { ...loan, status: 'repaid', repaidAt: now });
    await changeGuarantorScore(ctx, loan.guarantor, GUARANTOR_SCORE_STEPS.repaid, now, `loan ${loan.loanId} repaid`);
    const receipt = { loanId: loan.loanId, poolId: loan.poolId, guarantor: loan.guarantor, repaidWh: loan.repayDue, onTime: now <= loan.dueAt, repaidAt: now, txId: ctx.stub.getTxID() };
    emit(ctx, 'LoanRepaid', receipt);
    return canonicalJson(receipt);
  }

  /** After the due time E(D_b), anyone may declare an unpaid loan in default; the trace window opens. */
  @Transaction()
  @Returns('string')
  async DeclareDefault(ctx: Context, loanId: string): Promise<string> {
    const loan = await getLoan(ctx, loanId);
    const params = await requireParams(ctx);
    const now = txTimeSeconds(ctx);
    if (loan.status !== 'open') refuse('FORBIDDEN_STATE', `loan ${loan.loanId} is ${loan.status}`);
    if (now <= loan.dueAt) refuse('FORBIDDEN_STATE', `loan ${loan.loanId} is not due until ${loan.dueAt}`);
    const updated: LoanRecord = { ...loan, status: 'defaulted', defaultedAt: now, traceDeadline: now + params.traceWindowS };
    await view(ctx).put(key(ctx, 'loan', loan.loanId), updated);
    emit(ctx, 'LoanDefaulted', { loanId: loan.loanId, guarantor: loan.guarantor, traceDeadline: updated.traceDeadline });
    return canonicalJson(updated);
  }

  /**
   * A decryption share of a defaulted loan's ciphertext with its Chaum–Pedersen proof against the
   * publisher's registered key: the loan's own guarantor or the Utility, nobody else, and only after
   * default. Neither share alone reveals anything.
   */
  @Transaction()
  async PublishTraceShare(ctx: Context, loanId: string, shareJson: string): Promise<void> {
    const loan = await getLoan(ctx, loanId);
    const msp = clientMsp(ctx);
    if (msp !== loan.guarantor && msp !== Orgs.Utility) refuse('ACCESS_DENIED', `only ${loan.guarantor} (the loan's guarantor) and UtilityMSP can trace loan ${loan.loanId}; the caller is ${msp}`);
    if (loan.status !== 'defaulted') refuse('FORBIDDEN_STATE', `loan ${loan.loanId} is ${loan.status}; shares are published only after default`);
    const share = parseJsonArg(shareJson, 'share') as TraceShare;
    const pk = msp === Orgs.Utility
      ? (await view(ctx).get<{ publicKey: [string, string] }>(UTILITY_TRACE_KEY))!.publicKey
      : (await getGuarantor(ctx, msp)).tracePublicKey;
    let ok = false;
    try {
      ok = verifyTraceShare(loan.loanId, pk, loan.ciphertext, share);
    } catch (err) {
      refuse('INVALID_PROOF', `malformed decryption share: ${(err as Error).message}`);
    }
    if (!ok) refuse('INVALID_PROOF', `the decryption share does not match ${msp}'s registered tracing key`);
    const k = key(ctx, 'share', loan.loanId, msp);
    if (await view(ctx).get(k)) refuse('CONFLICT', `${msp} has already published its share for loan ${loan.loanId}`);
    await view(ctx).put(k, { share, at: txTimeSeconds(ctx) });
    emit(ctx, 'TraceSharePublished', { loanId: loan.loanId, by: msp });
  }

  /**
   * With both shares on the ledger, the loan's guarantor names the identity they decrypt to; the
   * chaincode checks it against the combined shares, then publishes the defaulter on the board and
   * the blocklist, revokes its credential, takes the fine for the pool, lowers C_g and records the
   * debt with its late penalty.
   */
  @Transaction()
  @Returns('string')
  async CompleteTrace(ctx: Context, loanId: string, identity: string, credentialIndex: string): Promise<string> {
    const loan = await getLoan(ctx, loanId);
    requireMsp(ctx, 'completing a trace', loan.guarantor as typeof Orgs.GuarantorA);
    if (loan.status !== 'defaulted') refuse('FORBIDDEN_STATE', `loan ${loan.loanId} is ${loan.status}`);
    const v = view(ctx);
    const shares: TraceShare[] = [];
    for (const msp of [loan.guarantor, Orgs.Utility]) {
      const s = await v.get<{ share: TraceShare }>(key(ctx, 'share', loan.loanId, msp));
      if (!s) refuse('FORBIDDEN_STATE', `${msp} has not published its decryption share`);
      shares.push(s.share);
    }
    if (typeof identity !== 'string' || identity.length === 0 || identity.length > 256) refuse('INVALID_ARGUMENT', 'identity must be 1-256 characters');
    const decrypted: BabyPoint = combineTraceShares(parseInput(() => ({ c1: assertValidBabyPoint(loan.ciphertext.c1), c2: assertValidBabyPoint(loan.ciphertext.c2, 'c2', true) })), shares);
    if (!pointEquals(decrypted, identityPoint(identityToField(identity)))) refuse('INVALID_ARGUMENT', 'the identity does not match the decrypted ciphertext');
    const params = await requireParams(ctx);
    const g = await getGuarantor(ctx, loan.guarantor);
    const now = txTimeSeconds(ctx);
    if (!/^\d+$/.test(credentialIndex)) refuse('INVALID_ARGUMENT', 'credentialIndex must be a non-negative integer');
    await revokeLeaf(ctx, g.guarantorId, Number(credentialIndex));
    // A guarantor fined for missing its window already paid the pool; the trace only publishes.
    const fine = loan.missedTrace ? 0 : bpsOf(loan.amount, params.defaultFineBps);
    const collected = fine > 0 ? await collectFine(ctx, g.account, fine) : 0;
    if (fine > 0) {
      await addInflow(ctx, loan.poolId, collected, true, 'fine');
      await changeGuarantorScore(ctx, g.msp, GUARANTOR_SCORE_STEPS.defaulted, now, `loan ${loan.loanId} defaulted`);
    }
    const entry: BoardEntry = {
      identity, loanId: loan.loanId, poolId: loan.poolId, guarantor: g.msp, amount: loan.amount,
      debtWh: loan.repayDue + bpsOf(loan.amount, params.latePenaltyBps), fineWh: fine, fineCollectedWh: collected, tracedAt: now, txId: ctx.stub.getTxID(),
    };
    const idKey = identityToField(identity).toString();
    await v.put(key(ctx, 'board', loan.loanId), entry);
    await v.put(key(ctx, 'blocked', idKey), { identity, loanId: loan.loanId, since: now });
    await v.put(key(ctx, 'loan', loan.loanId), { ...loan, status: 'traced', tracedAt: now });
    emit(ctx, 'DefaulterPublished', entry);
    return canonicalJson(entry);
  }

  /**
   * After the trace window, anyone may fine a guarantor that has not traced: the default fine plus
   * the missed-trace fine, paid to the pool, and a larger fall of C_g. The loan stays traceable.
   */
  @Transaction()
  @Returns('string')
  async PenalizeMissedTrace(ctx: Context, loanId: string): Promise<string> {
    const loan = await getLoan(ctx, loanId);
    const params = await requireParams(ctx);
    const now = txTimeSeconds(ctx);
    if (loan.status !== 'defaulted') refuse('FORBIDDEN_STATE', `loan ${loan.loanId} is ${loan.status}`);
    if (loan.missedTrace) refuse('CONFLICT', `the guarantor of loan ${loan.loanId} has already been fined for missing its window`);
    if (now <= loan.traceDeadline!) refuse('FORBIDDEN_STATE', `the guarantor may trace loan ${loan.loanId} until ${loan.traceDeadline}`);
    const g = await getGuarantor(ctx, loan.guarantor);
    const fine = bpsOf(loan.amount, params.defaultFineBps) + bpsOf(loan.amount, params.missedTraceFineBps);
    const collected = await collectFine(ctx, g.account, fine);
    await addInflow(ctx, loan.poolId, collected, true, 'fine');
    await changeGuarantorScore(ctx, g.msp, GUARANTOR_SCORE_STEPS.missedTrace, now, `missed the trace window of loan ${loan.loanId}`);
    await view(ctx).put(key(ctx, 'loan', loan.loanId), { ...loan, missedTrace: true });
    const out = { loanId: loan.loanId, guarantor: g.msp, fineWh: fine, collectedWh: collected };
    emit(ctx, 'GuarantorPenalized', out);
    return canonicalJson(out);
  }

  @Transaction(false)
  @Returns('string')
  async GetLoan(ctx: Context, loanId: string): Promise<string> {
    return canonicalJson(await getLoan(ctx, loanId));
  }

  /** Loans as the ledger shows them, optionally of one pool or one guarantor: anonymous until traced. */
  @Transaction(false)
  @Returns('string')
  async ListLoans(ctx: Context, filterJson: string): Promise<string> {
    const f = (filterJson ? parseJsonArg(filterJson, 'filter') : {}) as { poolId?: string; guarantor?: string; status?: string };
    const loans = (await view(ctx).range<LoanRecord>('loan', [])).map((l) => l.value);
    return canonicalJson(loans.filter((l) => (!f.poolId || l.poolId === f.poolId) && (!f.guarantor || l.guarantor === f.guarantor) && (!f.status || l.status === f.status)));
  }

  /** The public board of traced defaulters. */
  @Transaction(false)
  @Returns('string')
  async GetBoard(ctx: Context): Promise<string> {
    return canonicalJson((await view(ctx).range<BoardEntry>('board', [])).map((b) => b.value).sort((a, b) => a.tracedAt - b.tracedAt));
  }

  @Transaction(false)
  @Returns('string')
  async GetBlocklist(ctx: Context): Promise<string> {
    return canonicalJson((await view(ctx).range<{ identity: string; loanId: string; since: number }>('blocked', [])).map((b) => b.value));
  }

  /** Whether an identity is blocklisted: what a guarantor checks before it endorses a borrower. */
  @Transaction(false)
  @Returns('string')
  async IsBlocked(ctx: Context, identity: string): Promise<string> {
    const entry = await view(ctx).get(key(ctx, 'blocked', parseInput(() => identityToField(identity)).toString()));
    return canonicalJson({ identity, blocked: entry !== undefined, entry: entry ?? null });
  }
}

