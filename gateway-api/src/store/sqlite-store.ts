import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { channelBatchWriter, durablePragmas } from './sqlite-channel-batch';
import { ChannelWriterThread } from './sqlite-channel-writer';
import {
  ChannelSide,
  ChannelWriteBatch,
  ClaimResult,
  IdempotencyRecord,
  NewEvent,
  QueuedChannelMessage,
  Store,
  StoredChannel,
  StoredEvent,
  StoredPreimage,
  StoredResponse,
  TransactionRecord,
} from './store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL,
  locked_until INTEGER NOT NULL,
  tx_id TEXT,
  proposal BLOB,
  response TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS transactions (
  tx_id TEXT PRIMARY KEY,
  fn TEXT NOT NULL,
  status TEXT NOT NULL,
  submitter TEXT NOT NULL,
  result TEXT,
  block_number INTEGER,
  validation_code TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transactions_pending ON transactions (status, created_at);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  block_number INTEGER NOT NULL,
  tx_id TEXT NOT NULL,
  event_name TEXT NOT NULL,
  payload BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  UNIQUE (block_number, tx_id, event_name)
);
CREATE TABLE IF NOT EXISTS heartbeat (id INTEGER PRIMARY KEY, at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS channel_states (
  channel_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL DEFAULT 0,
  signed TEXT,
  rev_a_below INTEGER NOT NULL DEFAULT 0,
  rev_a TEXT,
  rev_b_below INTEGER NOT NULL DEFAULT 0,
  rev_b TEXT,
  node_a TEXT,
  node_b TEXT,
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS channel_queue (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  channel_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS channel_queue_recipient ON channel_queue (channel_id, recipient, seq);
CREATE TABLE IF NOT EXISTS channel_preimages (
  hash_lock TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  preimage TEXT NOT NULL,
  time_lock INTEGER NOT NULL,
  revealed_at INTEGER,
  PRIMARY KEY (hash_lock, channel_id)
);
CREATE INDEX IF NOT EXISTS channel_preimages_lock ON channel_preimages (revealed_at, time_lock);
CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, value INTEGER NOT NULL, updated_at INTEGER NOT NULL);
`;

interface IdemRow {
  scope: string;
  key: string;
  request_hash: string;
  state: string;
  locked_until: number;
  tx_id: string | null;
  proposal: Buffer | null;
  response: string | null;
  created_at: number;
}
interface TxRow {
  tx_id: string;
  fn: string;
  status: string;
  submitter: string;
  result: string | null;
  block_number: number | null;
  validation_code: string | null;
  created_at: number;
  updated_at: number;
}
interface EventRow {
  seq: number;
  block_number: number;
  tx_id: string;
  event_name: string;
  payload: Buffer;
  received_at: number;
}

export interface ChannelRow {
  channel_id: string;
  version: number | string;
  signed: string | null;
  rev_a_below: number | string;
  rev_a: string | null;
  rev_b_below: number | string;
  rev_b: string | null;
  node_a: string | null;
  node_b: string | null;
  updated_at: number | string;
}

export function channelFromRow(r: ChannelRow): StoredChannel {
  const revocations: StoredChannel['revocations'] = {};
  if (r.rev_a) revocations.a = { below: Number(r.rev_a_below), token: r.rev_a };
  if (r.rev_b) revocations.b = { below: Number(r.rev_b_below), token: r.rev_b };
  const nodes: StoredChannel['nodes'] = {};
  if (r.node_a) nodes.a = r.node_a;
  if (r.node_b) nodes.b = r.node_b;
  return { channelId: r.channel_id, version: Number(r.version), ...(r.signed ? { signed: r.signed } : {}), revocations, nodes, updatedAt: Number(r.updated_at) };
}

export interface QueueRow {
  seq: number | string;
  channel_id: string;
  recipient: string;
  body: string;
  created_at: number | string;
}
export const queueFromRow = (r: QueueRow): QueuedChannelMessage => ({
  seq: Number(r.seq),
  channelId: r.channel_id,
  recipient: r.recipient as ChannelSide,
  body: r.body,
  createdAt: Number(r.created_at),
});

export interface PreimageRow {
  hash_lock: string;
  channel_id: string;
  preimage: string;
  time_lock: number | string;
  revealed_at: number | string | null;
}
export const preimageFromRow = (r: PreimageRow): StoredPreimage => ({
  channelId: r.channel_id,
  hashLock: r.hash_lock,
  preimage: r.preimage,
  timeLock: Number(r.time_lock),
  ...(r.revealed_at === null ? {} : { revealedAt: Number(r.revealed_at) }),
});

export function idemFromRow(r: IdemRow): IdempotencyRecord {
  return {
    scope: r.scope,
    key: r.key,
    requestHash: r.request_hash,
    state: r.state as IdempotencyRecord['state'],
    lockedUntil: Number(r.locked_until),
    txId: r.tx_id ?? undefined,
    proposal: r.proposal ? new Uint8Array(r.proposal) : undefined,
    response: r.response ? (JSON.parse(r.response) as StoredResponse) : undefined,
    createdAt: Number(r.created_at),
  };
}

export function txFromRow(r: TxRow): TransactionRecord {
  return {
    txId: r.tx_id,
    fn: r.fn,
    status: r.status as TransactionRecord['status'],
    submitter: r.submitter,
    result: r.result ?? undefined,
    blockNumber: r.block_number === null ? undefined : Number(r.block_number),
    validationCode: r.validation_code ?? undefined,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function eventFromRow(r: EventRow): StoredEvent {
  return {
    seq: Number(r.seq),
    blockNumber: Number(r.block_number),
    txId: r.tx_id,
    eventName: r.event_name,
    payload: new Uint8Array(r.payload),
    receivedAt: Number(r.received_at),
  };
}

/**
 * The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a write acknowledged
 * to a client survives a crash or power loss. Calls are synchronous underneath (better-sqlite3).
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new Database(path);
    durablePragmas(this.#db);
  }

  async init(): Promise<void> {
    this.#db.exec(SCHEMA);
    if (this.path !== ':memory:' && process.env.GRIDLEDGER_SQLITE_WRITER_THREAD !== 'off') this.#writerThread ??= ChannelWriterThread.start(this.path);
  }

  /** The durability settings in force (journal mode and synchronous level; 2 = FULL). */
  settings(): { journalMode: string; synchronous: number } {
    return {
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.#db.pragma('synchronous', { simple: true })),
    };
  }

  async ping(): Promise<void> {
    this.#db.prepare('INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at').run(Date.now());
  }

  async close(): Promise<void> {
    await this.#writerThread?.close();
    if (this.#db.open) this.#db.close();
  }

  async claimIdempotencyKey(scope: string, key: string, requestHash: string, now: number, leaseMs: number): Promise<ClaimResult> {
    const run = this.#db.transaction((): ClaimResult => {
      const row = this.#db.prepare('SELECT * FROM idempotency WHERE scope = ? AND key = ?').get(scope, key) as IdemRow | undefined;
      if (!row) {
        this.#db
          .prepare("INSERT INTO idempotency (scope, key, request_hash, state, locked_until, created_at) VALUES (?, ?, ?, 'in-flight', ?, ?)")
          .run(scope, key, requestHash, now + leaseMs, now);
        const record = idemFromRow(this.#db.prepare('SELECT * FROM idempotency WHERE scope = ? AND key = ?').get(scope, key) as IdemRow);
        return { outcome: 'claimed', record, takenOver: false };
      }
      const record = idemFromRow(row);
      if (record.requestHash !== requestHash) return { outcome: 'mismatch', record };
      if (record.state === 'done') return { outcome: 'done', record };
      if (record.lockedUntil > now) return { outcome: 'in-flight', record };
      this.#db.prepare('UPDATE idempotency SET locked_until = ? WHERE scope = ? AND key = ?').run(now + leaseMs, scope, key);
      return { outcome: 'claimed', record: { ...record, lockedUntil: now + leaseMs }, takenOver: true };
    });
    return run.immediate();
  }

  async attachIdempotencyTransaction(scope: string, key: string, txId: string, proposal: Uint8Array): Promise<void> {
    this.#db.prepare('UPDATE idempotency SET tx_id = ?, proposal = ? WHERE scope = ? AND key = ?').run(txId, Buffer.from(proposal), scope, key);
  }

  async completeIdempotencyKey(scope: string, key: string, response: StoredResponse): Promise<void> {
    this.#db
      .prepare("UPDATE idempotency SET state = 'done', response = ?, proposal = NULL WHERE scope = ? AND key = ?")
      .run(JSON.stringify(response), scope, key);
  }

  async releaseIdempotencyKey(scope: string, key: string): Promise<void> {
    this.#db.transaction(() => {
      this.#db.prepare("DELETE FROM idempotency WHERE scope = ? AND key = ? AND state = 'in-flight' AND tx_id IS NULL").run(scope, key);
      this.#db.prepare("UPDATE idempotency SET locked_until = 0 WHERE scope = ? AND key = ? AND state = 'in-flight'").run(scope, key);
    }).immediate();
  }

  async purgeIdempotencyKeys(before: number): Promise<number> {
    return this.#db.prepare("DELETE FROM idempotency WHERE state = 'done' AND created_at < ?").run(before).changes;
  }

  async putTransaction(tx: TransactionRecord): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO transactions (tx_id, fn, status, submitter, result, block_number, validation_code, created_at, updated_at)
         VALUES (@txId, @fn, @status, @submitter, @result, @blockNumber, @validationCode, @createdAt, @updatedAt)
         ON CONFLICT (tx_id) DO UPDATE SET fn = excluded.fn, status = excluded.status, submitter = excluded.submitter,
           result = excluded.result, block_number = excluded.block_number, validation_code = excluded.validation_code,
           updated_at = excluded.updated_at`,
      )
      .run({ result: null, blockNumber: null, validationCode: null, ...tx });
  }

  async getTransaction(txId: string): Promise<TransactionRecord | undefined> {
    const row = this.#db.prepare('SELECT * FROM transactions WHERE tx_id = ?').get(txId) as TxRow | undefined;
    return row ? txFromRow(row) : undefined;
  }

  async pendingTransactions(before: number, limit: number): Promise<TransactionRecord[]> {
    const rows = this.#db
      .prepare("SELECT * FROM transactions WHERE status = 'endorsed' AND created_at < ? ORDER BY created_at LIMIT ?")
      .all(before, limit) as TxRow[];
    return rows.map(txFromRow);
  }

  async appendEvent(event: NewEvent, now: number): Promise<StoredEvent | undefined> {
    const info = this.#db
      .prepare(
        `INSERT INTO events (block_number, tx_id, event_name, payload, received_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (block_number, tx_id, event_name) DO NOTHING`,
      )
      .run(event.blockNumber, event.txId, event.eventName, Buffer.from(event.payload), now);
    if (info.changes === 0) return undefined;
    return { ...event, seq: Number(info.lastInsertRowid), receivedAt: now };
  }

  async eventsAfter(after: number, limit: number): Promise<StoredEvent[]> {
    const rows = this.#db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit) as EventRow[];
    return rows.map(eventFromRow);
  }

  async lastEvent(): Promise<StoredEvent | undefined> {
    const row = this.#db.prepare('SELECT * FROM events ORDER BY seq DESC LIMIT 1').get() as EventRow | undefined;
    return row ? eventFromRow(row) : undefined;
  }

  // Channels: broker and watchtower.

  #channelWriter?: (batch: ChannelWriteBatch, now: number) => void;
  #writerThread?: ChannelWriterThread;

  async writeChannelBatch(batch: ChannelWriteBatch, now: number): Promise<void> {
    // A file store commits on its writer thread (started after the schema exists); a dead writer
    // fails its batch (nothing acknowledged) and the next batch commits here on the event loop.
    if (this.#writerThread?.alive) return this.#writerThread.write(batch, now);
    this.#channelWriter ??= channelBatchWriter(this.#db);
    // One transaction, one WAL fsync (synchronous=FULL) for the whole batch: group commit.
    this.#channelWriter(batch, now);
  }

  async getChannelState(channelId: string): Promise<StoredChannel | undefined> {
    const row = this.#db.prepare('SELECT * FROM channel_states WHERE channel_id = ?').get(channelId) as ChannelRow | undefined;
    return row ? channelFromRow(row) : undefined;
  }

  async listChannelStates(afterChannelId: string, limit: number): Promise<StoredChannel[]> {
    const rows = this.#db.prepare('SELECT * FROM channel_states WHERE channel_id > ? ORDER BY channel_id LIMIT ?').all(afterChannelId, limit) as ChannelRow[];
    return rows.map(channelFromRow);
  }

  async queuedChannelMessages(channelId: string, recipient: ChannelSide, limit: number): Promise<QueuedChannelMessage[]> {
    const rows = this.#db
      .prepare('SELECT * FROM channel_queue WHERE channel_id = ? AND recipient = ? ORDER BY seq LIMIT ?')
      .all(channelId, recipient, limit) as QueueRow[];
    return rows.map(queueFromRow);
  }

  async countQueuedChannelMessages(channelId: string, recipient: ChannelSide): Promise<number> {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM channel_queue WHERE channel_id = ? AND recipient = ?').get(channelId, recipient) as { n: number };
    return Number(row.n);
  }

  async deleteQueuedChannelMessages(channelId: string, recipient: ChannelSide, upTo: number): Promise<number> {
    return this.#db.prepare('DELETE FROM channel_queue WHERE channel_id = ? AND recipient = ? AND seq <= ?').run(channelId, recipient, upTo).changes;
  }

  async channelPreimages(channelId: string): Promise<StoredPreimage[]> {
    const rows = this.#db.prepare('SELECT * FROM channel_preimages WHERE channel_id = ? ORDER BY time_lock, hash_lock').all(channelId) as PreimageRow[];
    return rows.map(preimageFromRow);
  }

  async unrevealedPreimages(now: number, limit: number): Promise<StoredPreimage[]> {
    const rows = this.#db
      .prepare('SELECT * FROM channel_preimages WHERE revealed_at IS NULL AND time_lock > ? ORDER BY time_lock, hash_lock LIMIT ?')
      .all(now, limit) as PreimageRow[];
    return rows.map(preimageFromRow);
  }

  async markPreimageRevealed(hashLock: string, revealedAt: number): Promise<void> {
    this.#db.prepare('UPDATE channel_preimages SET revealed_at = ? WHERE hash_lock = ? AND revealed_at IS NULL').run(revealedAt, hashLock);
  }

  async deleteChannelData(channelId: string): Promise<void> {
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM channel_states WHERE channel_id = ?').run(channelId);
      this.#db.prepare('DELETE FROM channel_queue WHERE channel_id = ?').run(channelId);
      this.#db.prepare('DELETE FROM channel_preimages WHERE channel_id = ?').run(channelId);
    }).immediate();
  }

  async getCheckpoint(name: string): Promise<number | undefined> {
    const row = this.#db.prepare('SELECT value FROM checkpoints WHERE name = ?').get(name) as { value: number } | undefined;
    return row ? Number(row.value) : undefined;
  }

  async setCheckpoint(name: string, value: number, now: number): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO checkpoints (name, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at WHERE excluded.value > checkpoints.value`,
      )
      .run(name, value, now);
  }
}
