import type { CommitOutcome, EventCheckpoint, IdentityKind, LedgerClient, LedgerEventStream, PreparedTransaction, SubmittedTransaction } from './ledger';

/** Timing hooks; durations in seconds. */
export interface LedgerObserver {
  evaluated(fn: string, seconds: number, ok: boolean): void;
  endorsed(fn: string, seconds: number, ok: boolean): void;
  committed(fn: string, seconds: number, codeName: string): void;
}

const since = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e9;

/** Wraps any LedgerClient to time evaluate, endorse+submit and commit (for /metrics). */
export class InstrumentedLedger implements LedgerClient {
  constructor(
    readonly inner: LedgerClient,
    private readonly observer: LedgerObserver,
  ) {}

  async evaluate(fn: string, args: string[], opts?: { identity?: IdentityKind }): Promise<Uint8Array> {
    const t = process.hrtime.bigint();
    try {
      const out = await this.inner.evaluate(fn, args, opts);
      this.observer.evaluated(fn, since(t), true);
      return out;
    } catch (err) {
      this.observer.evaluated(fn, since(t), false);
      throw err;
    }
  }

  /** The inner client's block reader, when it has one (looked up on each use). */
  get blockByTxId(): ((txId: string) => Promise<Uint8Array>) | undefined {
    const inner = this.inner;
    return inner.blockByTxId ? (txId: string) => inner.blockByTxId!(txId) : undefined;
  }

  prepare(fn: string, args: string[], opts?: { identity?: IdentityKind }): PreparedTransaction {
    return this.inner.prepare(fn, args, opts);
  }

  async submitAsync(tx: PreparedTransaction): Promise<SubmittedTransaction> {
    const t = process.hrtime.bigint();
    let sub: SubmittedTransaction;
    try {
      sub = await this.inner.submitAsync(tx);
    } catch (err) {
      this.observer.endorsed(tx.fn, since(t), false);
      throw err;
    }
    this.observer.endorsed(tx.fn, since(t), true);
    const sent = process.hrtime.bigint();
    const commit = sub.commit.then((o: CommitOutcome) => {
      this.observer.committed(tx.fn, since(sent), o.codeName);
      return o;
    });
    commit.catch(() => undefined);
    return { ...sub, commit };
  }

  commitStatus(txId: string, opts?: { identity?: IdentityKind }): Promise<CommitOutcome> {
    return this.inner.commitStatus(txId, opts);
  }

  chaincodeEvents(from: EventCheckpoint | undefined, startBlock: number): Promise<LedgerEventStream> {
    return this.inner.chaincodeEvents(from, startBlock);
  }

  ping(timeoutMs?: number): Promise<void> {
    return this.inner.ping(timeoutMs);
  }

  close(): void {
    this.inner.close();
  }
}
