import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashApiKey } from '../http/auth';
import { ConfigError, ENV_VARS, loadConfig, parseByteSize } from './config';

const H = hashApiKey('secret-key');
let dir: string;
let profile: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gl-cfg-'));
  profile = join(dir, 'utility.json');
  writeFileSync(profile, '{}');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

test('environment only: defaults filled in, org from the profile name', () => {
  const c = loadConfig({ env: { GRIDLEDGER_PROFILE: profile, GRIDLEDGER_API_KEYS: `ops:utility-admin:${H}` } });
  expect(c.org).toBe('utility');
  expect(c.server.port).toBe(3000);
  expect(c.server.bodyLimitBytes).toBe(256 * 1024);
  expect(c.store).toEqual({ kind: 'sqlite', sqlitePath: expect.stringMatching(/gateway-api\/data\/utility\.db$/) });
  expect(c.auth.apiKeys).toEqual([{ id: 'ops', role: 'utility-admin', sha256: H }]);
  expect(c.fabric).toMatchObject({ evaluateTimeoutMs: 5000, endorseTimeoutMs: 15000, submitTimeoutMs: 5000, commitStatusTimeoutMs: 60000 });
});

test('a YAML file, with the environment winning and paths relative to the file', () => {
  const file = join(dir, 'gateway.yaml');
  writeFileSync(
    file,
    [
      'profile: utility.json',
      'server: { port: 8080, bodyLimit: 1mb }',
      'store: { kind: postgres, postgresUrl: "postgres://postgres@127.0.0.1:5432/gl" }',
      'auth:',
      '  apiKeys:',
      `    - { id: relay, role: user-relay, sha256: ${H} }`,
      'rateLimit: { requestsPerMinute: 120, burst: 10 }',
    ].join('\n'),
  );
  const c = loadConfig({ argv: ['--config', file], env: { GRIDLEDGER_PORT: '9000' } });
  expect(c.profilePath).toBe(profile);
  expect(c.server).toMatchObject({ port: 9000, bodyLimitBytes: 1024 * 1024 });
  expect(c.store).toEqual({ kind: 'postgres', postgresUrl: 'postgres://postgres@127.0.0.1:5432/gl', poolSize: 10 });
  expect(c.rateLimit).toEqual({ requestsPerMinute: 120, burst: 10 });
});

test('every problem is reported at once, each naming its source', () => {
  const problems = problemsOf(() =>
    loadConfig({
      env: {
        GRIDLEDGER_PORT: 'eighty',
        GRIDLEDGER_STORE: 'mongo',
        GRIDLEDGER_BODY_LIMIT: 'huge',
        GRIDLEDGER_API_KEYS: 'ops:utility-admin:not-a-hash',
        GRIDLEDGER_LOG_LEVEL: 'loud',
      },
    }),
  );
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/GRIDLEDGER_PROFILE .* required/),
      expect.stringMatching(/GRIDLEDGER_PORT: must be a non-negative integer/),
      expect.stringMatching(/GRIDLEDGER_STORE: must be sqlite or postgres/),
      expect.stringMatching(/body limit: "huge"/),
      expect.stringMatching(/API key #1 \(ops\): sha256 must be 64 lower-case hex/),
      expect.stringMatching(/GRIDLEDGER_LOG_LEVEL/),
    ]),
  );
});

test('a missing profile file, postgres without a URL, and no credentials are refused', () => {
  const problems = problemsOf(() => loadConfig({ env: { GRIDLEDGER_PROFILE: join(dir, 'operator.json'), GRIDLEDGER_STORE: 'postgres' } }));
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/connection profile .*operator\.json does not exist/),
      expect.stringMatching(/GRIDLEDGER_POSTGRES_URL .* required/),
      expect.stringMatching(/no API keys and no mTLS rules/),
    ]),
  );
});

test('a role that does not belong to the org, unknown file keys and mTLS without TLS are refused', () => {
  const file = join(dir, 'gw.json');
  writeFileSync(file, JSON.stringify({ profile: 'utility.json', colour: 'blue', auth: { mtls: [{ cn: 'x', role: 'utility-admin' }] } }));
  expect(problemsOf(() => loadConfig({ argv: ['--config', file] }))).toEqual(expect.arrayContaining([expect.stringMatching(/additional properties "colour"/)]));
  writeFileSync(file, JSON.stringify({ profile: 'utility.json', auth: { mtls: [{ cn: 'x', role: 'utility-admin' }] } }));
  expect(problemsOf(() => loadConfig({ argv: ['--config', file] }))).toEqual(expect.arrayContaining([expect.stringMatching(/mtls rules .* TLS client authentication is off/)]));
  expect(problemsOf(() => loadConfig({ env: { GRIDLEDGER_PROFILE: profile, GRIDLEDGER_API_KEYS: `g:guarantor-admin:${H}` } }))).toEqual([
    expect.stringMatching(/role guarantor-admin does not belong on the utility gateway/),
  ]);
  expect(problemsOf(() => loadConfig({ env: { GRIDLEDGER_PROFILE: profile, GRIDLEDGER_API_KEYS: `a:user-relay:${H},b:user-relay:${H}` } }))).toEqual([
    expect.stringMatching(/same key as another entry/),
  ]);
});

test('an unreadable or unparsable config file is a clear error', () => {
  expect(problemsOf(() => loadConfig({ argv: ['--config', join(dir, 'nope.yaml')] }))[0]).toMatch(/config file .*nope\.yaml: cannot read \(ENOENT\)/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ not json');
  expect(problemsOf(() => loadConfig({ argv: ['--config', bad] }))[0]).toMatch(/cannot parse/);
});

test('relay batchers: defaults, the file\'s lending.depositBatch and market.orderBatch, the environment winning', () => {
  const base = { GRIDLEDGER_PROFILE: profile, GRIDLEDGER_API_KEYS: `ops:utility-admin:${H}` };
  const c = loadConfig({ env: base });
  expect(c.lending).toMatchObject({ borrowBatch: { maxItems: 16, maxWaitMs: 50 }, depositBatch: { maxItems: 16, maxWaitMs: 20, lanes: 8 } });
  expect(c.market).toEqual({ orderBatch: { maxItems: 16, maxWaitMs: 20, lanes: 8 } });
  const file = join(dir, 'gw.yaml');
  writeFileSync(file, ['lending: { depositBatch: { maxItems: 64, maxWaitMs: 5, lanes: 2 } }', 'market: { orderBatch: { maxItems: 1, lanes: 64 } }'].join('\n'));
  const f = loadConfig({ argv: ['--config', file], env: { ...base, GRIDLEDGER_DEPOSIT_BATCH_LANES: '3', GRIDLEDGER_ORDER_BATCH_WAIT_MS: '0' } });
  expect(f.lending!.depositBatch).toEqual({ maxItems: 64, maxWaitMs: 5, lanes: 3 });
  expect(f.market!.orderBatch).toEqual({ maxItems: 1, maxWaitMs: 0, lanes: 64 });
});

test('relay batch settings out of range are refused, each naming its variable or file key', () => {
  const problems = problemsOf(() =>
    loadConfig({
      env: {
        GRIDLEDGER_PROFILE: profile,
        GRIDLEDGER_API_KEYS: `ops:utility-admin:${H}`,
        GRIDLEDGER_DEPOSIT_BATCH_MAX: '65',
        GRIDLEDGER_DEPOSIT_BATCH_WAIT_MS: '10001',
        GRIDLEDGER_DEPOSIT_BATCH_LANES: '0',
        GRIDLEDGER_ORDER_BATCH_MAX: '0',
        GRIDLEDGER_ORDER_BATCH_LANES: 'many',
        GRIDLEDGER_BORROW_BATCH_WAIT_MS: '20000',
      },
    }),
  );
  expect(problems).toEqual([
    'GRIDLEDGER_BORROW_BATCH_WAIT_MS: must be 0 to 10000, got 20000',
    'GRIDLEDGER_DEPOSIT_BATCH_MAX: must be 1 to 64, got 65',
    'GRIDLEDGER_DEPOSIT_BATCH_WAIT_MS: must be 0 to 10000, got 10001',
    'GRIDLEDGER_DEPOSIT_BATCH_LANES: must be 1 to 64, got 0',
    'GRIDLEDGER_ORDER_BATCH_MAX: must be 1 to 64, got 0',
    'GRIDLEDGER_ORDER_BATCH_LANES: must be a non-negative integer, got "many"',
  ]);
  const file = join(dir, 'gw.json');
  writeFileSync(file, JSON.stringify({ profile: 'utility.json', market: { orderBatch: { maxItems: 65, size: 3 } }, lending: { depositBatch: { lanes: 0 } } }));
  expect(problemsOf(() => loadConfig({ argv: ['--config', file] }))).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/\/market\/orderBatch\/maxItems must be <= 64/),
      expect.stringMatching(/\/market\/orderBatch must NOT have additional properties "size"/),
      expect.stringMatching(/\/lending\/depositBatch\/lanes must be >= 1/),
    ]),
  );
});

test('every setting the gateway reads from the environment is documented in ENV_VARS', () => {
  const source = readFileSync(join(__dirname, 'config.ts'), 'utf8');
  const read = new Set([...source.matchAll(/'(GRIDLEDGER_[A-Z_]+)'/g)].map((m) => m[1]));
  for (const prefix of ['DEPOSIT', 'ORDER']) for (const s of ['MAX', 'WAIT_MS', 'LANES']) read.add(`GRIDLEDGER_${prefix}_BATCH_${s}`);
  for (const name of read) expect([name, ENV_VARS[name]]).toEqual([name, expect.any(String)]);
});

test('byte sizes', () => {
  expect(parseByteSize('256kb')).toBe(262144);
  expect(parseByteSize('2MB')).toBe(2 * 1024 * 1024);
  expect(parseByteSize(100)).toBe(100);
  expect(parseByteSize('0')).toBeUndefined();
  expect(parseByteSize('lots')).toBeUndefined();
});

test('the example configuration file is valid', () => {
  const c = loadConfig({ argv: ['--config', join(__dirname, '..', '..', 'gateway.example.yaml')], env: {}, skipFileChecks: true });
  expect(c.org).toBe('utility');
  expect(c.auth.apiKeys.map((k) => k.role)).toEqual(['utility-admin', 'user-relay']);
  expect(c.store).toEqual({ kind: 'sqlite', sqlitePath: expect.stringMatching(/gateway-api\/data\/utility\.db$/) });
});
