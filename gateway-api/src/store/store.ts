/**
 * The gateway's durable off-chain state: idempotency records, transaction resources and the
 * chaincode event log that SSE clients resume from. SQLite by default, PostgreSQL for several
 * replicas sharing state; both pass the same test suite (`store-suite.ts`).
 */

/** A response kept for replay under an idempotency key. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** An idempotency key's record. Keys are scoped to the caller, so two callers never collide. */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  /** SHA-256 of method, path and canonical body: the same key with another body is refused. */
  requestHash: string;
  state: 'in-flight' | 'done';
  /** While in flight: until when the request holds the key (a crashed holder loses it after). */
  lockedUntil: number;
  /** The transaction the request prepared, kept so a takeover resubmits the same transaction id. */
  txId?: string;
  proposal?: Uint8Array;
  response?: StoredResponse;
  createdAt: number;
}

/** What {@link Store.claimIdempotencyKey} found. */
export type ClaimResult =
  /** New key, or an in-flight key whose holder's lease ran out: the caller now holds it. */
  | { outcome: 'claimed'; record: IdempotencyRecord; takenOver: boolean }
  /** Finished before with the same request: replay the stored response. */
  | { outcome: 'done'; record: IdempotencyRecord }
  /** Another request holds the key and its lease has not run out. */
  | { outcome: 'in-flight'; record: IdempotencyRecord }
  /** The key was used with a different request. */
  | { outcome: 'mismatch'; record: IdempotencyRecord };

/** Where a transaction stands: endorsed and sent, committed valid, or rejected at validation. */
export type TransactionStatus = 'endorsed' | 'committed' | 'rejected';

/** The transaction resource served at `/v1/transactions/{id}`. */
export interface TransactionRecord {
  txId: string;
  /** Chaincode function, e.g. `params:SetLendingParams`. */
  fn: string;
  status: TransactionStatus;
  /** Caller id that submitted it. */
  submitter: string;
  /** Chaincode return value (UTF-8 text) from endorsement. */
  result?: string;
  blockNumber?: number;
  /** Fabric validation code name once known (VALID, MVCC_READ_CONFLICT, ...). */
  validationCode?: string;
  createdAt: number;
  updatedAt: number;
}

/** A chaincode event as appended to the log. */
export interface NewEvent {
  blockNumber: number;
  txId: string;
  eventName: string;
  payload: Uint8Array;
}

/** A chaincode event in the log; `seq` is its SSE event id, increasing in ledger order. */
export interface StoredEvent extends NewEvent {
  seq: number;
  receivedAt: number;
}

export interface Store {
  /** Creates the schema if missing. */
  init(): Promise<void>;
  /** Resolves when the store is writable (writes a heartbeat). */
  ping(): Promise<void>;
  close(): Promise<void>;
  /** `sqlite` or `postgres`. */
  readonly kind: string;

  /**
   * Atomically claims `scope`/`key` for a request with `requestHash`, or reports why not. `now` and
   * `leaseMs` set the lease; an in-flight record whose lease has run out is taken over.
   */
  claimIdempotencyKey(scope: string, key: string, requestHash: string, now: number, leaseMs: number): Promise<ClaimResult>;
  /** Records the transaction a held key prepared, before it is endorsed. */
  attachIdempotencyTransaction(scope: string, key: string, txId: string, proposal: Uint8Array): Promise<void>;
  /** Marks a held key done with the response to replay. */
  completeIdempotencyKey(scope: string, key: string, response: StoredResponse): Promise<void>;
  /**
   * Lets go of a held key after a failure worth retrying: deleted if no transaction was prepared,
   * else kept with its lease ended, so the retry resubmits the same transaction id.
   */
  releaseIdempotencyKey(scope: string, key: string): Promise<void>;
  /** Deletes finished records older than `before` (ms since epoch); returns how many. */
  purgeIdempotencyKeys(before: number): Promise<number>;

  /** Inserts or replaces a transaction resource. */
  putTransaction(tx: TransactionRecord): Promise<void>;
  getTransaction(txId: string): Promise<TransactionRecord | undefined>;
  /** Transactions still `endorsed` created before `before`, oldest first (for reconciliation). */
  pendingTransactions(before: number, limit: number): Promise<TransactionRecord[]>;

  /**
   * Appends a chaincode event unless the same (block, transaction) is already logged (several
   * gateway replicas may ingest the same stream); returns the stored event or undefined if a
   * duplicate. Sequence numbers increase in the order events are appended.
   */
  appendEvent(event: NewEvent, now: number): Promise<StoredEvent | undefined>;
  /** Events with `seq` greater than `after`, in order, at most `limit`. */
  eventsAfter(after: number, limit: number): Promise<StoredEvent[]>;
  /** The most recent event (its block and transaction are the ingestion checkpoint). */
  lastEvent(): Promise<StoredEvent | undefined>;
}
