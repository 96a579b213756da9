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

/** A party of a channel: `a` or `b`, in the order fixed on chain at open. */
export type ChannelSide = 'a' | 'b';

/**
 * What the broker keeps per channel, bounded whatever the channel's age: the latest co-signed state,
 * the highest revocation token of each party, and each party's routing announcement. JSON values are
 * kept as text so the store never re-encodes a signed object.
 */
export interface StoredChannel {
  channelId: string;
  /** Version of `signed` (0 while the broker holds no co-signed state). */
  version: number;
  /** JSON of the latest co-signed `SignedState`. */
  signed?: string;
  /** JSON of each party's highest `Revocation` and its `below`. */
  revocations: Partial<Record<ChannelSide, { below: number; token: string }>>;
  /** JSON of each party's announcement `{ node, policy }` (routing). */
  nodes: Partial<Record<ChannelSide, string>>;
  updatedAt: number;
}

/** One durable write of the broker: everything acknowledged together after one commit (group commit). */
export interface ChannelWriteBatch {
  /** Co-signed states; each replaces the stored one only if its version is higher. */
  states?: Array<{ channelId: string; version: number; signed: string }>;
  /** Revocation tokens; each replaces the party's stored token only if `below` is higher. */
  revocations?: Array<{ channelId: string; party: ChannelSide; below: number; token: string }>;
  /** Routing announcements (replace). */
  nodes?: Array<{ channelId: string; side: ChannelSide; node: string }>;
  /** Messages for a party that is not connected, delivered when it comes back. */
  enqueue?: Array<{ channelId: string; recipient: ChannelSide; body: string }>;
  /** HTLC preimages given to the watchtower (revealed on chain before `timeLock` if needed). */
  preimages?: Array<{ channelId: string; hashLock: string; preimage: string; timeLock: number }>;
}

export interface QueuedChannelMessage {
  seq: number;
  channelId: string;
  recipient: ChannelSide;
  body: string;
  createdAt: number;
}

export interface StoredPreimage {
  channelId: string;
  hashLock: string;
  preimage: string;
  timeLock: number;
  /** Unix seconds of the on-chain reveal the watchtower made (undefined: not revealed yet). */
  revealedAt?: number;
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

  /**
   * Channels (broker and watchtower). One transaction, durable when it resolves (SQLite
   * `synchronous=FULL`, PostgreSQL commit): the broker acknowledges only after it.
   */
  writeChannelBatch(batch: ChannelWriteBatch, now: number): Promise<void>;
  getChannelState(channelId: string): Promise<StoredChannel | undefined>;
  /** Channels with a co-signed state or an announcement, by channel id, for routing and watching. */
  listChannelStates(afterChannelId: string, limit: number): Promise<StoredChannel[]>;
  /** Queued messages for a party, oldest first. */
  queuedChannelMessages(channelId: string, recipient: ChannelSide, limit: number): Promise<QueuedChannelMessage[]>;
  countQueuedChannelMessages(channelId: string, recipient: ChannelSide): Promise<number>;
  /** Deletes a party's queued messages up to and including `upTo`; returns how many. */
  deleteQueuedChannelMessages(channelId: string, recipient: ChannelSide, upTo: number): Promise<number>;
  /** Preimages held for a channel. */
  channelPreimages(channelId: string): Promise<StoredPreimage[]>;
  /** Preimages not yet revealed whose lock is after `now`, earliest lock first. */
  unrevealedPreimages(now: number, limit: number): Promise<StoredPreimage[]>;
  markPreimageRevealed(hashLock: string, revealedAt: number): Promise<void>;
  /** Forgets everything held for a channel (once it is settled on chain). */
  deleteChannelData(channelId: string): Promise<void>;
  /** A named, monotonic checkpoint (the watchtower's position in the event log). */
  getCheckpoint(name: string): Promise<number | undefined>;
  /** Raises the checkpoint to `value` (never lowers it). */
  setCheckpoint(name: string, value: number, now: number): Promise<void>;
}
