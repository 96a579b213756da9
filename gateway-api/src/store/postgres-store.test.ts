import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { PostgresStore } from './postgres-store';
import { storeSuite } from './store-suite';

/**
 * Runs the shared store suite on PostgreSQL. Set GRIDLEDGER_TEST_POSTGRES_URL to point elsewhere;
 * default: the local server on its standard port (trust auth, user postgres, database test). When
 * it is unreachable the suite is skipped with a message, unless GRIDLEDGER_REQUIRE_POSTGRES=1 (CI).
 */
const URL = process.env.GRIDLEDGER_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Checks synchronously (in a child process) so the suite can be skipped at collection time. */
function unreachableReason(): string | undefined {
  const script = `const { Client } = require('pg');
const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(1); });`;
  const r = spawnSync(process.execPath, ['-e', script, URL], { cwd: __dirname, encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || 'no answer').trim();
}

const unreachable = unreachableReason();
if (unreachable) {
  const msg = `PostgreSQL store suite SKIPPED: ${URL} unreachable (${unreachable}). Start PostgreSQL or set GRIDLEDGER_TEST_POSTGRES_URL.`;
  if (process.env.GRIDLEDGER_REQUIRE_POSTGRES === '1') throw new Error(msg);
  console.warn(msg);
}

const schemaOf = new Map<object, string>();
storeSuite('PostgreSQL', {
  skip: unreachable,
  async open() {
    const schema = `gl_test_${randomBytes(6).toString('hex')}`;
    const s = new PostgresStore({ url: URL, schema, poolSize: 4 });
    await s.init();
    schemaOf.set(s, schema);
    return s;
  },
  async reopen(previous) {
    const s = new PostgresStore({ url: URL, schema: (previous as PostgresStore).schema, poolSize: 4 });
    await s.init();
    return s;
  },
  async destroy(store) {
    if (store instanceof PostgresStore) {
      await store.dropSchema();
      await store.close();
    }
  },
});

