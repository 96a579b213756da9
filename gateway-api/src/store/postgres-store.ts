import { Pool, PoolClient } from 'pg';
import { idemFromRow, txFromRow, eventFromRow } from './sqlite-store';
import { ClaimResult, NewEvent, Store, StoredEvent, StoredResponse, TransactionRecord } from './store';

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

  /** Drops this store's schema (tests). */
  async dropSchema(): Promise<void> {
    await this.#pool.query(`DROP SCHEMA IF EXISTS ${this.#s} CASCADE`);
  }
}
