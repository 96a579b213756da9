/**
 * The gateway's relay batcher: requests the gateway has already checked (signatures, proofs) are
 * collected per lane and submitted together as one batch transaction (`loan:BorrowBatch`,
 * `pool:DepositBatch`, `market:SubmitOrders`), so a relay pays one endorsement, one ordering and one
 * validation for many users' requests.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@gridledger/core';
import type { GatewayConfig, RelayBatchConfig } from '../config/config';
import { IdentityKind, LedgerClient, LedgerError } from '../fabric/ledger';
import type { Logger } from '../http/logger';
import type { Store, TransactionRecord } from '../store/store';
import type { IdempotencyBinding, TransactionService } from './transactions';

/** What a caller's request became: the batch's transaction, its own position in it, the batch size. */
export interface RelayBatchResult {
  record: TransactionRecord;
  index: number;
  size: number;
}

/** Where an item sits in a batch that an earlier attempt prepared (see {@link RelayBatcher.resubmit}). */
export type RelayLocator<I> = (item: I, prior: { result: unknown; proposal: Uint8Array }) => { index: number; size: number };

export interface RelayBatcherOptions<I> {
  /** The batch function, e.g. `pool:DepositBatch`. */
  fn: string;
  /** What the chaincode calls one item in its refusals: `deposit` for `INVALID_SIGNATURE: deposit 3: ...`. */
  label: string;
  /** A batch's arguments from its lane and its items, in order. */
  args(lane: string, items: I[]): string[];
  /**
   * The single-item function (`pool:Deposit`) and its arguments. With it, `maxItems` 1 means no
   * batching at all: each item is submitted at once, as if there were no batcher. Without it,
   * `maxItems` 1 still sends batches of one, one per lane in flight.
   */
  single?: { fn: string; args(lane: string, item: I): string[] };
  /** Most items per batch (the chaincode's own limit or lower). */
  maxItems: number;
  /** How long the first item of a lane waits for others before its batch goes; 0 sends at once. */
  maxWaitMs: number;
  /** The org identity batches are signed with (default `client`: the relay's, not an admin's). */
  identity?: IdentityKind;
  /** Finds an item in a batch prepared before a crash; default: the first of a list, or alone. */
  locate?: RelayLocator<I>;
}

/** The part of the app the batcher uses (an AppDeps fits). */
export interface RelayBatcherDeps {
  transactions: Pick<TransactionService, 'submit' | 'waitFor'>;
  ledger: Pick<LedgerClient, 'prepare'>;
  store: Pick<Store, 'attachIdempotencyTransaction'>;
  log: Pick<Logger, 'info' | 'warn'>;
  config: { fabric: Pick<GatewayConfig['fabric'], 'commitStatusTimeoutMs'> };
}

interface Pending<I> {
  item: I;
  binding?: IdempotencyBinding;
  submitter: string;
  /** When it was queued (ms): the lane's oldest item decides when the batch is due. */
  at: number;
  resolve(v: RelayBatchResult): void;
  reject(err: unknown): void;
}

/** How many batch sizes {@link RelayBatcher.sizes} keeps: enough for tests and logs, bounded for a long-running gateway. */
const SIZES_KEPT = 1000;

/**
 * The lane of an account: a stable hash of it modulo `lanes`. One account's items always share a
 * lane, so its nonces are applied in the order they arrived and never race in two concurrent
 * batches; different accounts spread over the lanes, so one busy lane does not hold up the others.
 */
export function accountLane(account: string, lanes: number): string {
  if (lanes <= 1) return '0';
  return String(createHash('sha256').update(account).digest().readUInt32BE(0) % lanes);
}

/**
 * Where a signed item (`{body, signature}`) sits in a batch prepared earlier, found by its signature
 * in the proposal's bytes: the batch's JSON argument is carried there verbatim (escaped once in a
 * JSON-encoded proposal), each item's signature once, in batch order.
 */
export function signedItemLocator<I extends { signature: string }>(item: I, prior: { result: unknown; proposal: Uint8Array }): { index: number; size: number } {
  const text = Buffer.from(prior.proposal).toString('latin1');
  const signatures = [...text.matchAll(/signature\\?"\s*:\s*\\?"([0-9a-f]{128})/g)].map((m) => m[1]);
  const index = signatures.indexOf(item.signature);
  if (index >= 0) return { index, size: signatures.length };
  // Not a batch of signed items (the single-item function): the result is the item's own.
  return { index: 0, size: Array.isArray(prior.result) ? prior.result.length : 1 };
}

/**
 * The batcher of an end user's signed request `{body, signature}` (deposits, market orders): the batch
 * function takes `[{body, signature}]` (each body names its own pool or cycle, so one batch may mix
 * them), the single function `(canonical body, signature)`; with `maxItems` 1 each request is its own
 * single-function transaction, as without a batcher.
 */
export function signedRequestBatcher<I extends { body: Record<string, unknown>; signature: string }>(
  deps: RelayBatcherDeps,
  b: RelayBatchConfig,
  fns: { batch: string; single: string; label: string },
): RelayBatcher<I> {
  return new RelayBatcher<I>(deps, {
    fn: fns.batch,
    label: fns.label,
    args: (_lane, items) => [JSON.stringify(items.map((i) => ({ body: i.body, signature: i.signature })))],
    single: { fn: fns.single, args: (_lane, i) => [canonicalJson(i.body), i.signature] },
    maxItems: b.maxItems,
    maxWaitMs: b.maxWaitMs,
    locate: signedItemLocator,
  });
}

/**
 * A reply body of one batched request: the shared transaction resource, with `result` narrowed to
 * the caller's own entry when the batch returned a list, `batchSize` and `index`.
 */
export function ownBatchReply(out: { index: number; size: number }, extra: Record<string, unknown> = {}) {
  return (body: Record<string, unknown>): Record<string, unknown> => {
    const result = Array.isArray(body.result) ? (body.result as unknown[])[out.index] : body.result;
    return { ...body, ...(result !== undefined ? { result } : {}), ...extra, batchSize: out.size, index: out.index };
  };
}

const parse = (text: string | undefined): unknown => {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Collects verified requests per lane and submits them as one batch transaction when `maxItems`
 * are waiting or the lane's oldest has waited `maxWaitMs`. One batch per lane is in flight at a
 * time, until it commits: a lane is what two batches must not share (a pool's record for borrows,
 * an account's nonce and balance for deposits and orders), so in one block they would conflict, or
 * apply an account's nonces out of order. Items arriving meanwhile form the lane's next batch.
 *
 * The chaincode applies a batch all or nothing and names the item it refuses (`<label> i: ...`):
 * that item alone gets the refusal (without the index, which means nothing to its caller) and the
 * rest are resubmitted at once, so one bad request never sinks the others. Every caller's
 * idempotency key is attached to the batch's transaction, so a caller's retry after a gateway
 * crash resubmits that very transaction ({@link resubmit}).
 */
export class RelayBatcher<I> {
  readonly #queues = new Map<string, Pending<I>[]>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #busy = new Set<string>();
  readonly #refused: RegExp;
  /** Sizes of the latest batches submitted, oldest first (for tests and logs). */
  readonly sizes: number[] = [];

  constructor(
    private readonly deps: RelayBatcherDeps,
    readonly options: RelayBatcherOptions<I>,
  ) {
    this.#refused = new RegExp(`\\b${options.label} (\\d+):`);
  }

  /** Whether items are submitted one by one with the single-item function (batching off). */
  get passThrough(): boolean {
    return this.options.maxItems <= 1 && this.options.single !== undefined;
  }

  /** The function a request of this batcher is submitted with. */
  get fn(): string {
    return this.passThrough ? this.options.single!.fn : this.options.fn;
  }

  /**
   * Queues an item on its lane; resolves when its batch has been endorsed and sent to the orderers,
   * rejects with the item's own refusal (or the whole batch's failure). `identity` is used only
   * with batching off, where each item keeps its caller's identity as without a batcher.
   */
  enqueue(lane: string, item: I, submitter: string, binding?: IdempotencyBinding, identity?: IdentityKind): Promise<RelayBatchResult> {
    if (this.passThrough) return this.#submitOne(lane, item, submitter, binding, identity);
    return new Promise((resolve, reject) => {
      const q = this.#queues.get(lane) ?? [];
      q.push({ item, binding, submitter, at: Date.now(), resolve, reject });
      this.#queues.set(lane, q);
      this.#schedule(lane);
    });
  }

  /**
   * What a route does with a checked request: a retry after a crash resubmits the transaction its key
   * already prepared ({@link resubmit}); anything else is queued on its lane ({@link enqueue}).
   */
  relay(lane: string, item: I, submitter: string, binding?: IdempotencyBinding, identity?: IdentityKind): Promise<RelayBatchResult> {
    const prior = binding?.prior;
    return prior ? this.resubmit(item, submitter, { ...binding, prior }, identity) : this.enqueue(lane, item, submitter, binding, identity);
  }

  /**
   * A retry after a crash, under an idempotency key whose earlier holder prepared a transaction:
   * resubmits that transaction (same id, so it can never commit twice) instead of queueing the item
   * again, and finds the item's place in it with `locate`.
   */
  async resubmit(item: I, submitter: string, binding: IdempotencyBinding & { prior: NonNullable<IdempotencyBinding['prior']> }, identity?: IdentityKind): Promise<RelayBatchResult> {
    const record = await this.deps.transactions.submit({
      fn: this.fn,
      args: [],
      identity: this.passThrough ? identity ?? this.#identity : this.#identity,
      submitter,
      idempotency: binding,
    });
    const result = parse(record.result);
    const locate = this.options.locate ?? ((_: I, p: { result: unknown }) => ({ index: 0, size: Array.isArray(p.result) ? p.result.length : 1 }));
    return { record, ...locate(item, { result, proposal: binding.prior.proposal }) };
  }

  get #identity(): IdentityKind {
    return this.options.identity ?? 'client';
  }

  async #submitOne(lane: string, item: I, submitter: string, binding?: IdempotencyBinding, identity?: IdentityKind): Promise<RelayBatchResult> {
    const single = this.options.single!;
    const record = await this.deps.transactions.submit({ fn: single.fn, args: single.args(lane, item), identity: identity ?? this.#identity, submitter, idempotency: binding });
    return { record, index: 0, size: 1 };
  }

  #schedule(lane: string): void {
    if (this.#busy.has(lane)) return;
    const q = this.#queues.get(lane);
    if (!q || q.length === 0) {
      // Lanes may be many (one per pool for borrows): forget idle ones.
      this.#queues.delete(lane);
      return;
    }
    const waited = Date.now() - q[0].at;
    if (q.length >= this.options.maxItems || waited >= this.options.maxWaitMs) {
      clearTimeout(this.#timers.get(lane));
      this.#timers.delete(lane);
      void this.#flush(lane);
    } else if (!this.#timers.has(lane)) {
      // Due when the oldest item has waited maxWaitMs: items that queued behind a batch in flight
      // do not wait a second period once it commits.
      const t = setTimeout(() => {
        this.#timers.delete(lane);
        void this.#flush(lane);
      }, this.options.maxWaitMs - waited);
      t.unref();
      this.#timers.set(lane, t);
    }
  }

  async #flush(lane: string): Promise<void> {
    if (this.#busy.has(lane)) return;
    const items = (this.#queues.get(lane) ?? []).splice(0, this.options.maxItems);
    if (items.length === 0) return;
    this.#busy.add(lane);
    let record: TransactionRecord | undefined;
    try {
      record = await this.#submit(lane, items);
    } finally {
      // The lane's next batch waits for this one's commit, so the two never conflict.
      if (record?.status === 'endorsed') await this.deps.transactions.waitFor(record.txId, this.deps.config.fabric.commitStatusTimeoutMs).catch(() => undefined);
      this.#busy.delete(lane);
      this.#schedule(lane);
    }
  }

  /**
   * Points a refused item's idempotency key at a batch of that item alone (prepared, not sent). The
   * key was attached to the refused batch, which also holds other callers' items: a retry under it
   * would resubmit all of them and be refused for theirs. Now a retry resubmits just its own
   * request, as a refused single submit's retry does.
   */
  async #detach(lane: string, p: Pending<I>): Promise<void> {
    if (!p.binding) return;
    try {
      const tx = this.deps.ledger.prepare(this.options.fn, this.options.args(lane, [p.item]), { identity: this.#identity });
      await this.deps.store.attachIdempotencyTransaction(p.binding.scope, p.binding.key, tx.txId, tx.proposal);
    } catch (err) {
      // The refusal still reaches its caller; only a retry under the same key is affected.
      this.deps.log.warn('cannot detach a refused item from its batch', { label: this.options.label, error: (err as Error).message });
    }
  }

  /** Submits the batch, dropping each item the chaincode names in a refusal; never throws. */
  async #submit(lane: string, items: Pending<I>[]): Promise<TransactionRecord | undefined> {
    const { fn, label } = this.options;
    let live = items;
    while (live.length > 0) {
      try {
        const record = await this.deps.transactions.submit({
          fn,
          args: this.options.args(lane, live.map((p) => p.item)),
          identity: this.#identity,
          submitter: live[0].submitter,
          idempotency: live[0].binding,
          alsoIdempotency: live.slice(1).flatMap((p) => (p.binding ? [p.binding] : [])),
        });
        this.sizes.push(live.length);
        if (this.sizes.length > SIZES_KEPT) this.sizes.splice(0, this.sizes.length - SIZES_KEPT);
        this.deps.log.info(`${label} batch submitted`, { lane, size: live.length, txId: record.txId });
        live.forEach((p, index) => p.resolve({ record, index, size: live.length }));
        return record;
      } catch (err) {
        const bad = err instanceof LedgerError ? this.#refused.exec(err.message) : null;
        if (bad && Number(bad[1]) < live.length) {
          const i = Number(bad[1]);
          const e = err as LedgerError;
          await this.#detach(lane, live[i]);
          live[i].reject(new LedgerError(e.kind, e.message.replace(this.#refused, `${label}:`)));
          live = live.filter((_, j) => j !== i);
          continue;
        }
        live.forEach((p) => p.reject(err));
        return undefined;
      }
    }
    return undefined;
  }
}
