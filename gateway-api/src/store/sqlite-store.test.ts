import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from './sqlite-store';
import { storeSuite } from './store-suite';

const dirs = new Map<SqliteStore, string>();

storeSuite('SQLite', {
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'gl-store-'));
    const s = new SqliteStore(join(dir, 'gateway.db'));
    await s.init();
    dirs.set(s, dir);
    return s;
  },
  async reopen(previous) {
    const s = new SqliteStore((previous as SqliteStore).path);
    await s.init();
    return s;
  },
  async destroy(store) {
    await store.close();
    const dir = dirs.get(store as SqliteStore);
    if (dir) rmSync(dir, { recursive: true, force: true });
  },
});

test('SQLite store runs in WAL mode with synchronous=FULL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-store-'));
  const s = new SqliteStore(join(dir, 'g.db'));
  await s.init();
  expect(s.settings()).toEqual({ journalMode: 'wal', synchronous: 2 });
  await s.close();
  const db = new Database(join(dir, 'g.db'));
  expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  db.close();
  rmSync(dir, { recursive: true, force: true });
});
