import { Context } from 'fabric-contract-api';
import { canonicalJson } from '@gridledger/core';
import { refuse } from './errors';

/**
 * Fabric does not show a transaction its own writes: a read after a write in the same transaction
 * returns the committed value. This view remembers what the transaction wrote and deleted, so a
 * transaction that touches one account twice (a batch, a fee and a payment) sees its own effects.
 * It also remembers what it read (keys and prefix ranges), so a batch that checks the same pool,
 * guarantor score or registry for every item pays one round trip to the peer, not one per item.
 */
class TxView {
  private readonly writes = new Map<string, string | null>();
  /** Committed values already read: the world state a transaction sees does not change under it. */
  private readonly reads = new Map<string, string | null>();
  private readonly ranges = new Map<string, Array<{ key: string; text: string }>>();

  constructor(private readonly ctx: Context) {}

  async get<T>(key: string): Promise<T | undefined> {
    if (this.writes.has(key)) {
      const v = this.writes.get(key);
      return v === null || v === undefined ? undefined : (JSON.parse(v) as T);
    }
    let text = this.reads.get(key);
    if (text === undefined) {
      const bytes = await this.ctx.stub.getState(key);
      text = !bytes || bytes.length === 0 ? null : Buffer.from(bytes).toString('utf8');
      this.reads.set(key, text);
    }
    return text === null ? undefined : (JSON.parse(text) as T);
  }

  async put(key: string, value: unknown): Promise<void> {
    const text = canonicalJson(value);
    this.writes.set(key, text);
    await this.ctx.stub.putState(key, Buffer.from(text, 'utf8'));
  }

  async del(key: string): Promise<void> {
    this.writes.set(key, null);
    await this.ctx.stub.deleteState(key);
  }

  /** Committed entries under a composite-key prefix, minus what this transaction deleted. */
  async range<T>(objectType: string, attributes: string[]): Promise<Array<{ key: string; value: T }>> {
    checkAttributes(objectType, attributes);
    const cacheKey = [objectType, ...attributes].join('\u0000');
    let rows = this.ranges.get(cacheKey);
    if (!rows) {
      rows = [];
      const iterator = await this.ctx.stub.getStateByPartialCompositeKey(objectType, attributes);
      try {
        for (let r = await iterator.next(); !r.done; r = await iterator.next()) rows.push({ key: r.value.key, text: Buffer.from(r.value.value).toString('utf8') });
      } finally {
        await iterator.close();
      }
      this.ranges.set(cacheKey, rows);
    }
    return rows.filter((r) => this.writes.get(r.key) !== null).map((r) => ({ key: r.key, value: JSON.parse(r.text) as T }));
  }
}

const views = new WeakMap<object, TxView>();

/** The transaction's view of the world state (one per transaction). */
export function view(ctx: Context): TxView {
  let v = views.get(ctx.stub);
  if (!v) {
    v = new TxView(ctx);
    views.set(ctx.stub, v);
  }
  return v;
}

/**
 * A composite key. Every part must be a non-empty string without the key delimiters, so an empty or
 * crafted id from a request becomes a clear refusal rather than a shim error or a key in another range.
 */
export function key(ctx: Context, objectType: string, ...attributes: string[]): string {
  checkAttributes(objectType, attributes);
  return ctx.stub.createCompositeKey(objectType, attributes);
}

function checkAttributes(objectType: string, attributes: string[]): void {
  for (const a of attributes) {
    if (typeof a !== 'string' || a.length === 0 || a.length > 512 || a.includes('\u0000') || a.includes('\u{10FFFF}')) {
      refuse('INVALID_ARGUMENT', `${objectType}: identifier must be a non-empty string of at most 512 characters without control delimiters`);
    }
  }
}
