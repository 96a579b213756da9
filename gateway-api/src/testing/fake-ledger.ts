import { randomBytes } from 'node:crypto';
import { canonicalJson, validateLendingParams } from '@gridledger/core';
import {
  CommitOutcome,
  EventCheckpoint,
  IdentityKind,
  LedgerClient,
  LedgerError,
  LedgerEvent,
  LedgerEventStream,
  PreparedTransaction,
  SubmittedTransaction,
} from '../fabric/ledger';

/** What a fake chaincode function sees. */
export interface FakeCall {
  fn: string;
  args: string[];
  identity: IdentityKind;
  txId: string;
  /** Emits the transaction's chaincode event (last one wins, as in Fabric). */
  emit(name: string, payload: unknown): void;
}

export type FakeHandler = (call: FakeCall, fake: FakeLedger) => unknown;

/**
 * An in-memory LedgerClient for unit tests: chaincode functions are plain handlers, every submitted
 * transaction goes into its own block, and commits happen at once (or when `release()` is called
 * while `holdCommits` is on). The `params` contract of the real chaincode is emulated.
 */
export class FakeLedger implements LedgerClient {
  readonly handlers = new Map<string, FakeHandler>();
  readonly state = new Map<string, unknown>();
  /** Every submitted transaction id, in order (tests count ledger calls with it). */
  readonly submitted: string[] = [];
  readonly evaluated: string[] = [];
  readonly events: LedgerEvent[] = [];
  /** Transactions to reject at validation: txId or fn → validation code name. */
  readonly rejectAtCommit = new Map<string, string>();
  holdCommits = false;
  /** Answers functions that have no handler (fuzzing reaches every route), instead of failing them. */
  fallback?: FakeHandler;
  /** Delay before submitAsync answers (to test in-flight idempotency). */
  submitDelayMs = 0;
  reachable = true;
  #block = 1;
  #committed = new Map<string, CommitOutcome>();
  #held: Array<() => void> = [];
  #waiters = new Set<() => void>();
  #commitWaiters = new Map<string, Array<(o: CommitOutcome) => void>>();
  #proposals = new Map<string, { fn: string; args: string[] }>();

  constructor() {
    this.handlers.set('params:SetLendingParams', (call) => {
      if (call.identity !== 'admin') throw new LedgerError('forbidden', 'ACCESS_DENIED: changing the lending parameters needs the org admin');
      let params;
      try {
        params = validateLendingParams(JSON.parse(call.args[0] ?? ''));
      } catch (err) {
        throw new LedgerError('invalid', `INVALID_ARGUMENT: ${(err as Error).message}`);
      }
      const history = (this.state.get('params~lending~history') as unknown[] | undefined) ?? [];
      const published = { params, version: history.length + 1, updatedAt: 1_700_000_000 + history.length, updatedBy: 'UtilityMSP', txId: call.txId };
      this.state.set('params~lending', published);
      this.state.set('params~lending~history', [...history, published]);
      call.emit('LendingParamsChanged', published);
      return canonicalJson(published);
    });
    this.handlers.set('params:GetLendingParams', () => {
      const p = this.state.get('params~lending');
      if (!p) throw new LedgerError('not-found', 'NOT_FOUND: the lending parameters have not been published yet');
      return canonicalJson(p);
    });
    this.handlers.set('params:GetLendingParamsHistory', () => canonicalJson((this.state.get('params~lending~history') as unknown[]) ?? []));
  }

  #run(fn: string, args: string[], identity: IdentityKind, txId: string, emitInto?: { name: string; payload: unknown }[]): Uint8Array {
    const handler = this.handlers.get(fn) ?? this.fallback;
    if (!handler) throw new LedgerError('rejected', `Error: no such transaction ${fn}`);
    const out = handler({ fn, args, identity, txId, emit: (name, payload) => emitInto?.splice(0, emitInto.length, { name, payload }) }, this);
    if (out instanceof Uint8Array) return out;
    return new TextEncoder().encode(typeof out === 'string' ? out : JSON.stringify(out ?? ''));
  }

  async evaluate(fn: string, args: string[], opts?: { identity?: IdentityKind }): Promise<Uint8Array> {
    if (!this.reachable) throw new LedgerError('unavailable', 'peer unreachable');
    this.evaluated.push(fn);
    return this.#run(fn, args, opts?.identity ?? 'client', 'eval');
  }

  prepare(fn: string, args: string[], opts?: { identity?: IdentityKind }): PreparedTransaction {
    const txId = randomBytes(32).toString('hex');
    this.#proposals.set(txId, { fn, args });
    const proposal = new TextEncoder().encode(JSON.stringify({ txId, fn, args }));
    return { txId, fn, identity: opts?.identity ?? 'client', proposal };
  }

  async submitAsync(tx: PreparedTransaction): Promise<SubmittedTransaction> {
    if (this.submitDelayMs) await new Promise((r) => setTimeout(r, this.submitDelayMs));
    if (!this.reachable) throw new LedgerError('unavailable', 'peer unreachable', tx.txId);
    if (this.#committed.has(tx.txId) || this.submitted.includes(tx.txId)) {
      throw new LedgerError('duplicate', `duplicate transaction found [${tx.txId}]`, tx.txId);
    }
    const { fn, args } = JSON.parse(new TextDecoder().decode(tx.proposal)) as { fn: string; args: string[] };
    // Endorsement runs on a copy of the state: a rejected transaction changes nothing.
    const snapshot = new Map(this.state);
    const emitted: { name: string; payload: unknown }[] = [];
    let result: Uint8Array;
    try {
      result = this.#run(fn, args, tx.identity, tx.txId, emitted);
    } catch (err) {
      this.state.clear();
      for (const [k, v] of snapshot) this.state.set(k, v);
      throw err instanceof LedgerError ? new LedgerError(err.kind, err.message, tx.txId) : err;
    }
    this.submitted.push(tx.txId);
    const rejected = this.rejectAtCommit.get(tx.txId) ?? this.rejectAtCommit.get(fn);
    if (rejected) {
      this.state.clear();
      for (const [k, v] of snapshot) this.state.set(k, v);
    }
    const commit = new Promise<CommitOutcome>((resolve) => {
      const doCommit = (): void => {
        const blockNumber = this.#block++;
        const outcome: CommitOutcome = {
          txId: tx.txId,
          blockNumber,
          code: rejected ? 11 : 0,
          codeName: rejected ?? 'VALID',
          successful: !rejected,
        };
        this.#committed.set(tx.txId, outcome);
        if (!rejected && emitted.length) this.pushEvent({ blockNumber, txId: tx.txId, eventName: emitted[0].name, payload: new TextEncoder().encode(JSON.stringify(emitted[0].payload)) });
        for (const w of this.#commitWaiters.get(tx.txId) ?? []) w(outcome);
        this.#commitWaiters.delete(tx.txId);
        resolve(outcome);
      };
      if (this.holdCommits) this.#held.push(doCommit);
      else setImmediate(doCommit);
    });
    return { txId: tx.txId, result, commit };
  }

  /** Commits every held transaction. */
  release(): void {
    for (const c of this.#held.splice(0)) c();
  }

  async commitStatus(txId: string): Promise<CommitOutcome> {
    const done = this.#committed.get(txId);
    if (done) return done;
    return new Promise((resolve) => this.#commitWaiters.set(txId, [...(this.#commitWaiters.get(txId) ?? []), resolve]));
  }

  /** Adds a chaincode event as if a block carried it. */
  pushEvent(e: LedgerEvent): void {
    this.events.push(e);
    for (const w of [...this.#waiters]) w();
  }

  /** Adds an event in a new block, for tests of the event stream. */
  emitEvent(eventName: string, payload: unknown): LedgerEvent {
    const e = { blockNumber: this.#block++, txId: randomBytes(16).toString('hex'), eventName, payload: new TextEncoder().encode(JSON.stringify(payload)) };
    this.pushEvent(e);
    return e;
  }

  async chaincodeEvents(from: EventCheckpoint | undefined, startBlock: number): Promise<LedgerEventStream> {
    if (!this.reachable) throw new LedgerError('unavailable', 'peer unreachable');
    let closed = false;
    let wake: (() => void) | undefined;
    const self = this;
    // Position: skip events before the checkpoint's block, and up to its transaction within it.
    let index = 0;
    if (from) {
      index = this.events.findIndex((e) => e.blockNumber >= from.blockNumber);
      if (index < 0) index = this.events.length;
      if (from.txId) {
        const at = this.events.findIndex((e) => e.blockNumber === from.blockNumber && e.txId === from.txId);
        if (at >= 0) index = at + 1;
      }
    } else {
      index = this.events.findIndex((e) => e.blockNumber >= startBlock);
      if (index < 0) index = this.events.length;
    }
    async function* gen(): AsyncGenerator<LedgerEvent> {
      while (!closed) {
        if (index < self.events.length) {
          yield self.events[index++];
          continue;
        }
        await new Promise<void>((r) => {
          wake = r;
          self.#waiters.add(r);
        });
        if (wake) self.#waiters.delete(wake);
      }
    }
    const it = gen();
    return {
      [Symbol.asyncIterator]: () => it,
      close: () => {
        closed = true;
        wake?.();
      },
    };
  }

  async ping(): Promise<void> {
    if (!this.reachable) throw new LedgerError('unavailable', 'peer unreachable');
  }

  close(): void {
    for (const w of [...this.#waiters]) w();
  }
}
