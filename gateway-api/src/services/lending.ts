/**
 * What the lending routes need besides plain submits: the org's tracing key (read once from the
 * configured key file, never logged), proof pre-verification with public inputs built from the
 * ledger, and the borrow and deposit batchers.
 */
import { readFileSync } from 'node:fs';
import {
  addressToField, BorrowPublicInputs, BorrowRequest, FieldLikeOf, loadVerificationKey, minScore, pointEquals, prepareVerificationKey,
  PreparedVerificationKey, toBabyPoint, toField, traceKeyFromSecret, TraceKeyPair, verifyBorrow, verifyWithdraw, WithdrawPublicInputs,
  WithdrawRequest,
} from '@gridledger/core';
import { BORROW_BATCH_DEFAULTS, RELAY_BATCH_DEFAULTS, RelayBatchConfig } from '../config/config';
import type { OrgName } from '../config/roles';
import { LedgerError } from '../fabric/ledger';
import type { AppDeps } from '../http/operation';
import { ProblemError } from '../http/problem';
import { RelayBatcher, RelayBatcherDeps, signedRequestBatcher } from './relay-batcher';

/** The MSP id of each org's gateway. */
export const ORG_MSP: Record<OrgName, string> = { utility: 'UtilityMSP', guarantora: 'GuarantorAMSP', guarantorb: 'GuarantorBMSP', operator: 'OperatorMSP' };

/** Verifies proofs; injectable so unit tests need not prove. */
export interface ProofVerifier {
  borrow(proof: unknown, inputs: FieldLikeOf<BorrowPublicInputs>): Promise<boolean>;
  withdraw(proof: unknown, inputs: FieldLikeOf<WithdrawPublicInputs>): Promise<boolean>;
}

/** Groth16 verification with the circuits' verification keys, prepared once per process. */
export function groth16Verifier(): ProofVerifier {
  const keys = new Map<string, Promise<PreparedVerificationKey>>();
  const vk = (name: 'borrow' | 'withdraw'): Promise<PreparedVerificationKey> => {
    let p = keys.get(name);
    if (!p) {
      p = prepareVerificationKey(loadVerificationKey(name));
      keys.set(name, p);
    }
    return p;
  };
  return {
    borrow: async (proof, inputs) => verifyBorrow(proof, inputs, await vk('borrow')),
    withdraw: async (proof, inputs) => verifyWithdraw(proof, inputs, await vk('withdraw')),
  };
}

/** Reads a tracing key file `{ secretKey, publicKey }`; checks the public key matches the secret. */
export function readTraceKeyFile(file: string): TraceKeyPair {
  let parsed: { secretKey?: unknown; publicKey?: unknown };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`tracing key file ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'not JSON'})`);
  }
  let kp: TraceKeyPair;
  try {
    kp = traceKeyFromSecret(toField(String(parsed.secretKey ?? ''), 'secretKey'));
  } catch {
    throw new Error(`tracing key file ${file}: secretKey is missing or out of range`);
  }
  if (parsed.publicKey !== undefined && !pointEquals(toBabyPoint(parsed.publicKey, 'publicKey'), kp.publicKey)) {
    throw new Error(`tracing key file ${file}: publicKey does not match secretKey`);
  }
  return kp;
}

const utf8 = new TextDecoder();

/** A signed deposit as `pool:Deposit` takes it: the body object and the account's signature. */
export interface SignedDeposit {
  body: Record<string, unknown> & { poolId: string; account: string };
  signature: string;
}

/** The borrow batcher: one lane per pool, `loan:BorrowBatch(poolId, [BorrowRequest])`. */
export function borrowBatcher(deps: RelayBatcherDeps, maxItems: number, maxWaitMs: number): RelayBatcher<BorrowRequest> {
  return new RelayBatcher<BorrowRequest>(deps, {
    fn: 'loan:BorrowBatch',
    label: 'borrow',
    // Each batch rewrites its pool's record, so the pool is the lane: two batches of one pool in
    // one block would conflict.
    args: (poolId, requests) => [poolId, JSON.stringify(requests)],
    maxItems,
    maxWaitMs,
    // A borrow's own entry of the batch's result names its loan (the nullifier).
    locate: (req, { result }) => {
      if (!Array.isArray(result)) return { index: 0, size: 1 };
      const loanId = toField(req.loanNullifier, 'loanNullifier').toString();
      return { index: Math.max(0, result.findIndex((l) => (l as { loanId?: string }).loanId === loanId)), size: result.length };
    },
  });
}

/**
 * The deposit batcher: lanes by account (see {@link accountLane}), `pool:DepositBatch([{body,
 * signature}])`; with `maxItems` 1, each deposit is its own `pool:Deposit` as without a batcher.
 */
export function depositBatcher(deps: RelayBatcherDeps, b: RelayBatchConfig): RelayBatcher<SignedDeposit> {
  return signedRequestBatcher<SignedDeposit>(deps, b, { batch: 'pool:DepositBatch', single: 'pool:Deposit', label: 'deposit' });
}

/** Per-app lending state. */
export class LendingService {
  verifier: ProofVerifier = groth16Verifier();
  readonly borrows: RelayBatcher<BorrowRequest>;
  readonly deposits: RelayBatcher<SignedDeposit>;
  /** How many lanes deposits are spread over. */
  readonly depositLanes: number;
  #traceKey?: TraceKeyPair | null;

  constructor(private readonly deps: AppDeps) {
    const b = deps.config.lending?.borrowBatch ?? BORROW_BATCH_DEFAULTS;
    this.borrows = borrowBatcher(deps, b.maxItems, b.maxWaitMs);
    const d = deps.config.lending?.depositBatch ?? RELAY_BATCH_DEFAULTS;
    this.deposits = depositBatcher(deps, d);
    this.depositLanes = d.lanes;
  }

  get msp(): string {
    return ORG_MSP[this.deps.config.org];
  }

  /** The org's tracing key from the configured file, or undefined when none is configured. */
  traceKey(): TraceKeyPair | undefined {
    if (this.#traceKey === undefined) {
      const file = this.deps.config.lending?.traceKeyFile;
      this.#traceKey = file ? readTraceKeyFile(file) : null;
    }
    return this.#traceKey ?? undefined;
  }

  async evaluate<T = any>(fn: string, args: string[], identity: 'admin' | 'client' = 'client'): Promise<T> {
    const out = utf8.decode(await this.deps.ledger.evaluate(fn, args, { identity }));
    return JSON.parse(out) as T;
  }

  /** Evaluates, answering undefined when the chaincode finds nothing. */
  async evaluateOrUndefined<T = any>(fn: string, args: string[]): Promise<T | undefined> {
    try {
      return await this.evaluate<T>(fn, args);
    } catch (err) {
      if (err instanceof LedgerError && err.kind === 'not-found') return undefined;
      throw err;
    }
  }

  #observe(circuit: string, work: () => Promise<boolean>): Promise<boolean> {
    const t = process.hrtime.bigint();
    return work().then(
      (ok) => {
        this.deps.metrics.proofVerification.observe({ circuit, outcome: ok ? 'valid' : 'invalid' }, Number(process.hrtime.bigint() - t) / 1e9);
        return ok;
      },
      () => {
        this.deps.metrics.proofVerification.observe({ circuit, outcome: 'malformed' }, Number(process.hrtime.bigint() - t) / 1e9);
        return false;
      },
    );
  }

  /**
   * Checks a borrow as the chaincode will, against the ledger as it is now, and verifies its proof
   * with public inputs built from the ledger. Throws a 422/409 problem for anything the chaincode
   * would refuse, so no garbage reaches an endorser.
   */
  async preverifyBorrow(poolId: string, r: BorrowRequest): Promise<void> {
    const refuse = (code: string, msg: string): never => {
      throw new ProblemError(code === 'REPLAY' ? 'chaincode-conflict' : 'invalid-argument', `${code}: ${msg}`, { code });
    };
    const [published, pool, g, utilityKey, existing] = await Promise.all([
      this.evaluateOrUndefined<{ params: import('@gridledger/core').LendingParams }>('params:GetLendingParams', []),
      this.evaluateOrUndefined<{ status: string }>('pool:GetPool', [poolId]),
      this.evaluateOrUndefined<{ guarantorId: number; score: number; tracePublicKey: [string, string]; registry: { recentRoots: string[] } }>('guarantor:GetGuarantor', [r.guarantor]),
      this.evaluateOrUndefined<{ publicKey: [string, string] }>('guarantor:GetUtilityTraceKey', []),
      this.evaluateOrUndefined('loan:GetLoan', [r.loanNullifier]),
    ]);
    if (!published) refuse('FORBIDDEN_STATE', 'the lending parameters have not been published yet');
    if (!pool) throw new ProblemError('chaincode-not-found', `NOT_FOUND: pool ${poolId} does not exist`, { code: 'NOT_FOUND' });
    if (pool.status !== 'open') throw new ProblemError('chaincode-conflict', `FORBIDDEN_STATE: pool ${poolId} is ${pool.status}, not open for lending`, { code: 'FORBIDDEN_STATE' });
    if (!g) refuse('INVALID_ARGUMENT', `${r.guarantor} is not a registered guarantor`);
    if (!utilityKey) refuse('FORBIDDEN_STATE', 'the Utility has not set its tracing key');
    const params = published!.params;
    const required = minScore(params, r.amount, r.durationS);
    if (required === undefined) refuse('INVALID_ARGUMENT', `no tier of C(M, D) covers ${r.amount} Wh for ${r.durationS} s`);
    if (r.minScore < required!) refuse('INVALID_ARGUMENT', `minScore ${r.minScore} is below C(M, D) = ${required}`);
    if (r.guarantorScore > g!.score) refuse('INVALID_ARGUMENT', `guarantorScore ${r.guarantorScore} is above ${r.guarantor}'s C_g ${g!.score}`);
    if (!g!.registry.recentRoots.includes(r.root)) refuse('INVALID_PROOF', `root is not a current root of ${r.guarantor}'s registry (stale or revoked)`);
    if (existing) refuse('REPLAY', 'this credential already backs a loan (nullifier spent)');
    const inputs: FieldLikeOf<BorrowPublicInputs> = {
      root: r.root, guarantorId: g!.guarantorId, amount: r.amount, duration: r.durationS, minScore: r.minScore, weightBorrower: params.W_b,
      weightGuarantor: params.W_g, guarantorScore: r.guarantorScore, loanNullifier: r.loanNullifier, pkGuarantor: g!.tracePublicKey,
      pkUtility: utilityKey!.publicKey, c1: r.c1, c2: r.c2, repayCommitment: r.repayCommitment, recipient: addressToField(r.recipient), relayer: addressToField(r.relayer),
    };
    if (!(await this.#observe('borrow', () => this.verifier.borrow(r.proof, inputs)))) {
      refuse('INVALID_PROOF', 'the borrow proof does not verify against the ledger\'s registry root, parameters, scores and keys');
    }
  }

  /** Verifies a withdrawal proof against the pool's root on the ledger. */
  async preverifyWithdraw(req: WithdrawRequest): Promise<void> {
    const pool = await this.evaluateOrUndefined<{ status: string; root?: string; payoutPerNote?: number }>('pool:GetPool', [req.poolId]);
    if (!pool) throw new ProblemError('chaincode-not-found', `NOT_FOUND: pool ${req.poolId} does not exist`, { code: 'NOT_FOUND' });
    if (pool.status !== 'closed' && pool.status !== 'refunding') {
      throw new ProblemError('chaincode-conflict', `FORBIDDEN_STATE: pool ${req.poolId} pays out only when closed or refunding (it is ${pool.status})`, { code: 'FORBIDDEN_STATE' });
    }
    if (req.fee > (pool.payoutPerNote ?? 0)) throw new ProblemError('invalid-argument', `INVALID_ARGUMENT: fee ${req.fee} exceeds the payout ${pool.payoutPerNote}`, { code: 'INVALID_ARGUMENT' });
    const inputs = { root: pool.root!, nullifierHash: req.nullifierHash, recipient: addressToField(req.recipient), relayer: addressToField(req.relayer), fee: req.fee };
    if (!(await this.#observe('withdraw', () => this.verifier.withdraw(req.proof, inputs)))) {
      throw new ProblemError('invalid-argument', 'INVALID_PROOF: the withdrawal proof does not verify for this pool, nullifier, recipient, relayer and fee', { code: 'INVALID_PROOF' });
    }
  }
}

const services = new WeakMap<AppDeps, LendingService>();

/** The app's lending service (one per app, made on first use). */
export function lendingService(deps: AppDeps): LendingService {
  let s = services.get(deps);
  if (!s) {
    s = new LendingService(deps);
    services.set(deps, s);
  }
  return s;
}
