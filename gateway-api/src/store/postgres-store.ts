import { Pool, PoolClient } from 'pg';
import { channelFromRow, idemFromRow, preimageFromRow, queueFromRow, txFromRow, eventFromRow } from './sqlite-store';
import {
  ChannelSide,
  ChannelWriteBatch,
  ClaimResult,
  NewEvent,
  QueuedChannelMessage,
  Store,
  StoredChannel,
  StoredEvent,
  StoredPreimage,
  StoredResponse,
  TransactionRecord,
} from './store';

const schemaSql = (schema: string): string => `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.idempotency (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  state TEXT NOT NULL,
  locked_until BIGINT NOT NULL,
  tx_id TEXT,
  proposal BYTEA,
  response TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE IF NOT EXISTS ${schema}.transactions (
  tx_id TEXT PRIMARY KEY,
  fn TEXT NOT NULL,
  status TEXT NOT NULL,
  submitter TEXT NOT NULL,
  result TEXT,
  block_number BIGINT,
  validation_code TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS transactions_pending ON ${schema}.transactions (status, created_at);
CREATE TABLE IF NOT EXISTS ${schema}.events (
  seq BIGSERIAL PRIMARY KEY,
  block_number BIGINT NOT NULL,
  tx_id TEXT NOT NULL,
  event_name TEXT NOT NULL,
  payload BYTEA NOT NULL,
  received_at BIGINT NOT NULL,
  UNIQUE (block_number, tx_id, event_name)
);
CREATE TABLE IF NOT EXISTS ${schema}.heartbeat (id TEXT PRIMARY KEY, at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ${schema}.channel_states (
  channel_id TEXT PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 0,
  signed TEXT,
  rev_a_below BIGINT NOT NULL DEFAULT 0,
  rev_a TEXT,
  rev_b_below BIGINT NOT NULL DEFAULT 0,
  rev_b TEXT,
  node_a TEXT,
  node_b TEXT,
  updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${schema}.channel_queue (
  seq BIGSERIAL PRIMARY KEY,
  channel_id TEXT NOT NULL,
  recipient TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS channel_queue_recipient ON ${schema}.channel_queue (channel_id, recipient, seq);
CREATE TABLE IF NOT EXISTS ${schema}.channel_preimages (
  hash_lock TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  preimage TEXT NOT NULL,
  time_lock BIGINT NOT NULL,
  revealed_at BIGINT,
  PRIMARY KEY (hash_lock, channel_id)
);
CREATE INDEX IF NOT EXISTS channel_preimages_lock ON ${schema}.channel_preimages (revealed_at, time_lock);
CREATE TABLE IF NOT EXISTS ${schema}.checkpoints (name TEXT PRIMARY KEY, value BIGINT NOT NULL, updated_at BIGINT NOT NULL);
`;

/** Advisory lock key serialising event appends, so `seq` order is commit order across replicas. */
const EVENT_LOCK = 0x67_6c_65_76; // "glev"

export interface PostgresStoreOptions {
  url: string;
  poolSize?: number;
  /** Schema holding the tables (default `gridledger`); tests use a throwaway one. */
  schema?: string;
  /** Name of this replica in the heartbeat table. */
  replica?: string;
}

/**
 * The shared store for several gateway replicas: PostgreSQL, with row locks for idempotency claims
 * and an advisory lock around event appends so that event sequence numbers are visible in order.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres';
  readonly #pool: Pool;
  readonly #s: string;
  readonly #replica: string;

  constructor(options: PostgresStoreOptions) {
    const schema = options.schema ?? 'gridledger';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid PostgreSQL schema name ${schema}`);
    this.#s = schema;
    this.#replica = options.replica ?? `pid-${process.pid}`;
    this.#pool = new Pool({ connectionString: options.url, max: options.poolSize ?? 10, connectionTimeoutMillis: 5_000 });
    this.#pool.on('error', () => undefined); // idle client errors surface on the next query instead
  }

  get schema(): string {
    return this.#s;
  }

  async init(): Promise<void> {
    const c = await this.#pool.connect();
    try {
      // Several replicas may start at once: serialise schema creation.
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [EVENT_LOCK + 1]);
      await c.query(schemaSql(this.#s));
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async ping(): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#s}.heartbeat (id, at) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at`,
      [this.#replica, Date.now()],
    );
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const c = await this.#pool.connect();
    try {
      await c.query('BEGIN');
      const out = await fn(c);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      c.release();
    }
  }

  async claimIdempotencyKey(scope: string, key: string, requestHash: string, now: number, leaseMs: number): Promise<ClaimResult> {
    return this.#tx(async (c) => {
      const inserted = await c.query(
        `INSERT INTO ${this.#s}.idempotency (scope, key, request_hash, state, locked_until, created_at)
         VALUES ($1, $2, $3, 'in-flight', $4, $5) ON CONFLICT (scope, key) DO NOTHING RETURNING *`,
        [scope, key, requestHash, now + leaseMs, now],
      );
      if (inserted.rowCount === 1) return { outcome: 'claimed', record: idemFromRow(inserted.rows[0]), takenOver: false };
      const found = await c.query(`SELECT * FROM ${this.#s}.idempotency WHERE scope = $1 AND key = $2 FOR UPDATE`, [scope, key]);
      const record = idemFromRow(found.rows[0]);
      if (record.requestHash !== requestHash) return { outcome: 'mismatch', record };
      if (record.state === 'done') return { outcome: 'done', record };
      if (record.lockedUntil > now) return { outcome: 'in-flight', record };
      await c.query(`UPDATE ${this.#s}.idempotency SET locked_until = $3 WHERE scope = $1 AND key = $2`, [scope, key, now + leaseMs]);
      return { outcome: 'claimed', record: { ...record, lockedUntil: now + leaseMs }, takenOver: true };
    });
  }

  async attachIdempotencyTransaction(scope: string, key: string, txId: string, proposal: Uint8Array): Promise<void> {
    await this.#pool.query(`UPDATE ${this.#s}.idempotency SET tx_id = $3, proposal = $4 WHERE scope = $1 AND key = $2`, [
      scope,
      key,
      txId,
      Buffer.from(proposal),
    ]);
  }

  async completeIdempotencyKey(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.#pool.query(
      `UPDATE ${this.#s}.idempotency SET state = 'done', response = $3, proposal = NULL WHERE scope = $1 AND key = $2`,
      [scope, key, JSON.stringify(response)],
    );
  }

  async releaseIdempotencyKey(scope: string, key: string): Promise<void> {
    await this.#tx(async (c) => {
      await c.query(`DELETE FROM ${this.#s}.idempotency WHERE scope = $1 AND key = $2 AND state = 'in-flight' AND tx_id IS NULL`, [scope, key]);
      await c.query(`UPDATE ${this.#s}.idempotency SET locked_until = 0 WHERE scope = $1 AND key = $2 AND state = 'in-flight'`, [scope, key]);
    });
  }

  async purgeIdempotencyKeys(before: number): Promise<number> {
    const r = await this.#pool.query(`DELETE FROM ${this.#s}.idempotency WHERE state = 'done' AND created_at < $1`, [before]);
    return r.rowCount ?? 0;
  }

  async putTransaction(tx: TransactionRecord): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#s}.transactions (tx_id, fn, status, submitter, result, block_number, validation_code, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tx_id) DO UPDATE SET fn = EXCLUDED.fn, status = EXCLUDED.status, submitter = EXCLUDED.submitter,
         result = EXCLUDED.result, block_number = EXCLUDED.block_number, validation_code = EXCLUDED.validation_code,
         updated_at = EXCLUDED.updated_at`,
      [tx.txId, tx.fn, tx.status, tx.submitter, tx.result ?? null, tx.blockNumber ?? null, tx.validationCode ?? null, tx.createdAt, tx.updatedAt],
    );
  }

  async getTransaction(txId: string): Promise<TransactionRecord | undefined> {
    const r = await this.#pool.query(`SELECT * FROM ${this.#s}.transactions WHERE tx_id = $1`, [txId]);
    return r.rows[0] ? txFromRow(r.rows[0]) : undefined;
  }

  async pendingTransactions(before: number, limit: number): Promise<TransactionRecord[]> {
    const r = await this.#pool.query(
      `SELECT * FROM ${this.#s}.transactions WHERE status = 'endorsed' AND created_at < $1 ORDER BY created_at LIMIT $2`,
      [before, limit],
    );
    return r.rows.map(txFromRow);
  }

  async appendEvent(event: NewEvent, now: number): Promise<StoredEvent | undefined> {
    return this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [EVENT_LOCK]);
      const r = await c.query(
        `INSERT INTO ${this.#s}.events (block_number, tx_id, event_name, payload, received_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (block_number, tx_id, event_name) DO NOTHING RETURNING seq`,
        [event.blockNumber, event.txId, event.eventName, Buffer.from(event.payload), now],
      );
      if (r.rowCount !== 1) return undefined;
      return { ...event, seq: Number(r.rows[0].seq), receivedAt: now };
    });
  }

  async eventsAfter(after: number, limit: number): Promise<StoredEvent[]> {
    const r = await this.#pool.query(`SELECT * FROM ${this.#s}.events WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, limit]);
    return r.rows.map(eventFromRow);
  }

  async lastEvent(): Promise<StoredEvent | undefined> {
    const r = await this.#pool.query(`SELECT * FROM ${this.#s}.events ORDER BY seq DESC LIMIT 1`);
    return r.rows[0] ? eventFromRow(r.rows[0]) : undefined;
  }

  // Channels: broker and watchtower.

  async writeChannelBatch(batch: ChannelWriteBatch, now: number): Promise<void> {
    const t = this.#s;
    await this.#tx(async (c) => {
      for (const st of batch.states ?? []) {
        await c.query(
          `INSERT INTO ${t}.channel_states (channel_id, version, signed, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (channel_id) DO UPDATE SET version = EXCLUDED.version, signed = EXCLUDED.signed, updated_at = EXCLUDED.updated_at
           WHERE EXCLUDED.version > ${t}.channel_states.version OR ${t}.channel_states.signed IS NULL`,
          [st.channelId, st.version, st.signed, now],
        );
      }
      for (const r of batch.revocations ?? []) {
        const p = r.party === 'a' ? 'a' : 'b';
        await c.query(
          `INSERT INTO ${t}.channel_states (channel_id, rev_${p}_below, rev_${p}, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (channel_id) DO UPDATE SET rev_${p}_below = EXCLUDED.rev_${p}_below, rev_${p} = EXCLUDED.rev_${p}, updated_at = EXCLUDED.updated_at
           WHERE EXCLUDED.rev_${p}_below > ${t}.channel_states.rev_${p}_below`,
          [r.channelId, r.below, r.token, now],
        );
      }
      for (const n of batch.nodes ?? []) {
        const p = n.side === 'a' ? 'a' : 'b';
        await c.query(
          `INSERT INTO ${t}.channel_states (channel_id, node_${p}, updated_at) VALUES ($1, $2, $3)
           ON CONFLICT (channel_id) DO UPDATE SET node_${p} = EXCLUDED.node_${p}, updated_at = EXCLUDED.updated_at`,
          [n.channelId, n.node, now],
        );
      }
      for (const m of batch.enqueue ?? []) {
        await c.query(`INSERT INTO ${t}.channel_queue (channel_id, recipient, body, created_at) VALUES ($1, $2, $3, $4)`, [m.channelId, m.recipient, m.body, now]);
      }
      for (const pi of batch.preimages ?? []) {
        await c.query(
          `INSERT INTO ${t}.channel_preimages (hash_lock, channel_id, preimage, time_lock) VALUES ($1, $2, $3, $4) ON CONFLICT (hash_lock, channel_id) DO NOTHING`,
          [pi.hashLock, pi.channelId, pi.preimage, pi.timeLock],
        );
      }
    });
  }

  async getChannelState(channelId: string): Promise<StoredChannel | undefined> {
    const r = await this.#pool.query(`SELECT * FROM ${this.#s}.channel_states WHERE channel_id = $1`, [channelId]);
    return r.rows[0] ? channelFromRow(r.rows[0]) : undefined;
  }

  async listChannelStates(afterChannelId: string, limit: number): Promise<StoredChannel[]> {
    const r = await this.#pool.query(`SELECT * FROM ${this.#s}.channel_states WHERE channel_id COLLATE "C" > $1 ORDER BY channel_id COLLATE "C" LIMIT $2`, [afterChannelId, limit]);
    return r.rows.map(channelFromRow);
  }

  async queuedChannelMessages(channelId: string, recipient: ChannelSide, limit: number): Promise<QueuedChannelMessage[]> {
    const r = await this.#pool.query(`SELECT * FROM ${this.#s}.channel_queue WHERE channel_id = $1 AND recipient = $2 ORDER BY seq LIMIT $3`, [channelId, recipient, limit]);
    return r.rows.map(queueFromRow);
  }

  async countQueuedChannelMessages(channelId: string, recipient: ChannelSide): Promise<number> {
    const r = await this.#pool.query(`SELECT COUNT(*) AS n FROM ${this.#s}.channel_queue WHERE channel_id = $1 AND recipient = $2`, [channelId, recipient]);
    return Number(r.rows[0].n);
  }

  async deleteQueuedChannelMessages(channelId: string, recipient: ChannelSide, upTo: number): Promise<number> {
    const r = await this.#pool.query(`DELETE FROM ${this.#s}.channel_queue WHERE channel_id = $1 AND recipient = $2 AND seq <= $3`, [channelId, recipient, upTo]);
    return r.rowCount ?? 0;
  }

  async channelPreimages(channelId: string): Promise<StoredPreimage[]> {
    const r = await this.#pool.query(`SELECT * FROM ${this.#s}.channel_preimages WHERE channel_id = $1 ORDER BY time_lock, hash_lock`, [channelId]);
    return r.rows.map(preimageFromRow);
  }

  async unrevealedPreimages(now: number, limit: number): Promise<StoredPreimage[]> {
    const r = await this.#pool.query(
      `SELECT * FROM ${this.#s}.channel_preimages WHERE revealed_at IS NULL AND time_lock > $1 ORDER BY time_lock, hash_lock LIMIT $2`,
      [now, limit],
    );
    return r.rows.map(preimageFromRow);
  }

  async markPreimageRevealed(hashLock: string, revealedAt: number): Promise<void> {
    await this.#pool.query(`UPDATE ${this.#s}.channel_preimages SET revealed_at = $2 WHERE hash_lock = $1 AND revealed_at IS NULL`, [hashLock, revealedAt]);
  }

  async deleteChannelData(channelId: string): Promise<void> {
    await this.#tx(async (c) => {
      for (const table of ['channel_states', 'channel_queue', 'channel_preimages']) await c.query(`DELETE FROM ${this.#s}.${table} WHERE channel_id = $1`, [channelId]);
    });
  }

  async getCheckpoint(name: string): Promise<number | undefined> {
    const r = await this.#pool.query(`SELECT value FROM ${this.#s}.checkpoints WHERE name = $1`, [name]);
    return r.rows[0] ? Number(r.rows[0].value) : undefined;
  }

  async setCheckpoint(name: string, value: number, now: number): Promise<void> {
    await this.#pool.query(
      `INSERT INTO ${this.#s}.checkpoints (name, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at WHERE EXCLUDED.value > ${this.#s}.checkpoints.value`,
      [name, value, now],
    );
  }

  /** Drops this store's schema (tests). */
  async dropSchema(): Promise<void> {
    await this.#pool.query(`DROP SCHEMA IF EXISTS ${this.#s} CASCADE`);
  }
}
