import { EventEmitter } from 'node:events';
import type { IdentityKind, LedgerClient, CommitOutcome, PreparedTransaction } from '../fabric/ledger';
import { LedgerError } from '../fabric/ledger';
import type { Logger } from '../http/logger';
import type { Store, TransactionRecord } from '../store/store';

/** A held idempotency key whose request is submitting a transaction. */
export interface IdempotencyBinding {
  scope: string;
  key: string;
  /** A transaction prepared by an earlier holder of the key (resubmitted under the same id). */
  prior?: { txId: string; proposal: Uint8Array };
}

export interface SubmitRequest {
  fn: string;
  args: string[];
  identity: IdentityKind;
  submitter: string;
  idempotency?: IdempotencyBinding;
  /** More idempotency keys answered by the same transaction (a batch of several callers' requests). */
  alsoIdempotency?: IdempotencyBinding[];
}

const utf8 = new TextDecoder();

/**
 * Submits transactions asynchronously and keeps their resources in the store: `endorsed` once the
 * orderer has it, then `committed` or `rejected` when the commit status arrives. Transactions left
 * `endorsed` (a lost status stream, a gateway restart) are settled by {@link reconcile}.
 */
export class TransactionService {
  readonly #changes = new EventEmitter();
  #reconciling = false;

  constructor(
    private readonly ledger: LedgerClient,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.#changes.setMaxListeners(0);
  }

  /**
   * Prepares (or reuses the key's prepared) transaction, records its id under the idempotency key
   * before endorsing, submits it, and stores the `endorsed` resource. A resubmission the ledger
   * already has is settled from its commit status instead.
   */
  async submit(req: SubmitRequest): Promise<TransactionRecord> {
    const prepared: PreparedTransaction = req.idempotency?.prior
      ? { txId: req.idempotency.prior.txId, fn: req.fn, identity: req.identity, proposal: req.idempotency.prior.proposal }
      : this.ledger.prepare(req.fn, req.args, { identity: req.identity });
    if (req.idempotency && !req.idempotency.prior) {
      await this.store.attachIdempotencyTransaction(req.idempotency.scope, req.idempotency.key, prepared.txId, prepared.proposal);
    }
    for (const b of req.alsoIdempotency ?? []) await this.store.attachIdempotencyTransaction(b.scope, b.key, prepared.txId, prepared.proposal);
    const t = this.now();
    try {
      const submitted = await this.ledger.submitAsync(prepared);
      const record: TransactionRecord = {
        txId: prepared.txId,
        fn: req.fn,
        status: 'endorsed',
        submitter: req.submitter,
        result: utf8.decode(submitted.result),
        createdAt: t,
        updatedAt: t,
      };
      await this.store.putTransaction(record);
      this.#watch(record, submitted.commit);
      return record;
    } catch (err) {
      if (err instanceof LedgerError && err.kind === 'duplicate') {
        // The first attempt reached the orderer: report how it ended rather than failing.
        const existing = await this.store.getTransaction(prepared.txId);
        const outcome = await this.ledger.commitStatus(prepared.txId);
        const record: TransactionRecord = {
          ...(existing ?? { txId: prepared.txId, fn: req.fn, submitter: req.submitter, createdAt: t }),
          ...this.#settled(outcome),
          updatedAt: this.now(),
        };
        await this.store.putTransaction(record);
        this.#changes.emit(record.txId, record);
        return record;
      }
      throw err;
    }
  }

  #settled(o: CommitOutcome): Pick<TransactionRecord, 'status' | 'blockNumber' | 'validationCode'> {
    return { status: o.successful ? 'committed' : 'rejected', blockNumber: o.blockNumber, validationCode: o.codeName };
  }

  #watch(record: TransactionRecord, commit: Promise<CommitOutcome>): void {
    commit.then(
      async (outcome) => {
        const settled: TransactionRecord = { ...record, ...this.#settled(outcome), updatedAt: this.now() };
        await this.store.putTransaction(settled);
        this.#changes.emit(record.txId, settled);
        if (!outcome.successful) this.log.warn('transaction rejected at commit', { txId: record.txId, fn: record.fn, validationCode: outcome.codeName });
      },
      (err: unknown) => this.log.warn('commit status not received; will reconcile', { txId: record.txId, error: (err as Error).message }),
    ).catch((err: unknown) => this.log.error('cannot record commit status', { txId: record.txId, error: (err as Error).message }));
  }

  /**
   * Waits until the transaction leaves `endorsed` or `timeoutMs` passes; returns its latest record.
   * Polls the store too, so a wait on one replica sees a commit recorded by another.
   */
  async waitFor(txId: string, timeoutMs: number, pollMs = 500): Promise<TransactionRecord | undefined> {
    const deadline = this.now() + timeoutMs;
    let rec = await this.store.getTransaction(txId);
    while (rec && rec.status === 'endorsed' && this.now() < deadline) {
      const remaining = deadline - this.now();
      rec = await new Promise<TransactionRecord | undefined>((resolve) => {
        const onChange = (r: TransactionRecord): void => finish(r);
        const timer = setTimeout(() => void this.store.getTransaction(txId).then(finish, () => finish(rec)), Math.min(pollMs, remaining));
        const finish = (r: TransactionRecord | undefined): void => {
          clearTimeout(timer);
          this.#changes.off(txId, onChange);
          resolve(r);
        };
        this.#changes.on(txId, onChange);
      });
    }
    return rec;
  }

  /** Asks the ledger about transactions still `endorsed` after `olderThanMs`; returns how many settled. */
  async reconcile(olderThanMs = 30_000, timeoutMs = 5_000): Promise<number> {
    if (this.#reconciling) return 0;
    this.#reconciling = true;
    let settled = 0;
    try {
      for (const rec of await this.store.pendingTransactions(this.now() - olderThanMs, 100)) {
        try {
          const outcome = await Promise.race([
            this.ledger.commitStatus(rec.txId),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs).unref()),
          ]);
          const next = { ...rec, ...this.#settled(outcome), updatedAt: this.now() };
          await this.store.putTransaction(next);
          this.#changes.emit(rec.txId, next);
          settled++;
        } catch {
          // Not committed yet (or the peer is away): try again next round.
        }
      }
    } finally {
      this.#reconciling = false;
    }
    return settled;
  }
}
