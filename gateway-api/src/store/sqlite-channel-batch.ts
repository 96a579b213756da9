import type Database from 'better-sqlite3';
import type { ChannelSide, ChannelWriteBatch } from './store';

/**
 * The broker's group-commit transaction on a SQLite connection: every write of the batch in one
 * transaction, so one WAL fsync (synchronous=FULL) makes the whole group durable. States and tokens
 * replace what is stored only when newer, so reordered or replayed batches never move a channel back.
 */
export function channelBatchWriter(db: Database.Database): (batch: ChannelWriteBatch, now: number) => void {
  const state = db.prepare(
    `INSERT INTO channel_states (channel_id, version, signed, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (channel_id) DO UPDATE SET version = excluded.version, signed = excluded.signed, updated_at = excluded.updated_at
     WHERE excluded.version > channel_states.version OR channel_states.signed IS NULL`,
  );
  const rev = (p: ChannelSide) =>
    db.prepare(
      `INSERT INTO channel_states (channel_id, rev_${p}_below, rev_${p}, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (channel_id) DO UPDATE SET rev_${p}_below = excluded.rev_${p}_below, rev_${p} = excluded.rev_${p}, updated_at = excluded.updated_at
       WHERE excluded.rev_${p}_below > channel_states.rev_${p}_below`,
    );
  const node = (p: ChannelSide) =>
    db.prepare(
      `INSERT INTO channel_states (channel_id, node_${p}, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (channel_id) DO UPDATE SET node_${p} = excluded.node_${p}, updated_at = excluded.updated_at`,
    );
  const revs = { a: rev('a'), b: rev('b') };
  const nodes = { a: node('a'), b: node('b') };
  const enqueue = db.prepare('INSERT INTO channel_queue (channel_id, recipient, body, created_at) VALUES (?, ?, ?, ?)');
  const preimage = db.prepare(
    `INSERT INTO channel_preimages (hash_lock, channel_id, preimage, time_lock) VALUES (?, ?, ?, ?)
     ON CONFLICT (hash_lock, channel_id) DO NOTHING`,
  );
  return db.transaction((b: ChannelWriteBatch, t: number) => {
    for (const s of b.states ?? []) state.run(s.channelId, s.version, s.signed, t);
    for (const r of b.revocations ?? []) revs[r.party].run(r.channelId, r.below, r.token, t);
    for (const n of b.nodes ?? []) nodes[n.side].run(n.channelId, n.node, t);
    for (const m of b.enqueue ?? []) enqueue.run(m.channelId, m.recipient, m.body, t);
    for (const p of b.preimages ?? []) preimage.run(p.hashLock, p.channelId, p.preimage, p.timeLock);
  });
}

/** The connection settings every writer of the file uses: WAL, fsync at every commit, wait on the lock. */
export function durablePragmas(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
}
