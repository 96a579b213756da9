import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import { ADMIN_ROLE_OF_ORG, ORG_NAMES, OrgName, ROLES, Role } from './roles';

/** An API key as configured: only the SHA-256 of the key is kept, never the key itself. */
export interface ApiKeyConfig {
  /** Caller id, logged and used for rate limits and idempotency scopes. */
  id: string;
  role: Role;
  /** Lower-case hex SHA-256 of the key's UTF-8 bytes (`gridledger-gateway hash-key <key>`). */
  sha256: string;
}

/** Maps a client certificate (mTLS) to a role by its subject CN and/or OU. */
export interface MtlsRule {
  cn?: string;
  ou?: string;
  role: Role;
  /** Caller id; defaults to `mtls:<CN>`. */
  id?: string;
}

export interface TlsConfig {
  certPath: string;
  keyPath: string;
  /** CA bundle that client certificates must chain to (needed for mTLS). */
  caPath?: string;
  /** Ask for client certificates (mTLS) and reject connections without a valid one. */
  requestClientCert: boolean;
}

export type StoreConfig =
  | { kind: 'sqlite'; sqlitePath: string }
  | { kind: 'postgres'; postgresUrl: string; poolSize: number };

/** The whole gateway configuration, validated. */
export interface GatewayConfig {
  /** Connection profile written by `network/network.sh up`. */
  profilePath: string;
  /** Org short name, from the profile file name unless configured. */
  org: OrgName;
  server: {
    host: string;
    port: number;
    /** Largest accepted request body, in bytes. */
    bodyLimitBytes: number;
    /** Express `trust proxy` setting: true behind a load balancer that sets X-Forwarded-For. */
    trustProxy: boolean;
    shutdownGraceMs: number;
    tls?: TlsConfig;
  };
  auth: { apiKeys: ApiKeyConfig[]; mtls: MtlsRule[] };
  rateLimit: { requestsPerMinute: number; burst: number };
  store: StoreConfig;
  fabric: {
    evaluateTimeoutMs: number;
    endorseTimeoutMs: number;
    submitTimeoutMs: number;
    commitStatusTimeoutMs: number;
    /** Block to start streaming chaincode events from when the store has no checkpoint yet. */
    eventStartBlock: number;
  };
  idempotency: {
    /** How long an in-flight key is held before a retry may take it over (gateway crashed). */
    leaseMs: number;
  };
  log: { level: 'debug' | 'info' | 'warn' | 'error' };
  /** Lending routes: the org's tracing key (guarantor and Utility gateways), the borrow and deposit batchers. */
  lending?: LendingConfig;
  /** Market routes: the order batcher. */
  market?: MarketConfig;
}

/**
 * A relay batcher's settings: items are collected per lane for up to `maxWaitMs` or `maxItems`,
 * then sent as one batch transaction; each signing account always falls in the same one of `lanes`
 * lanes, and each lane has one batch in flight. `maxItems` 1 turns batching off (the single-item
 * function is submitted at once, as without a batcher).
 */
export interface RelayBatchConfig {
  maxItems: number;
  maxWaitMs: number;
  lanes: number;
}

/** Defaults of the deposit and order batchers. */
export const RELAY_BATCH_DEFAULTS: RelayBatchConfig = { maxItems: 16, maxWaitMs: 20, lanes: 8 };
/** Defaults of the borrow batcher (one lane per pool, so no lane count). */
export const BORROW_BATCH_DEFAULTS = { maxItems: 16, maxWaitMs: 50 };
/** The largest DepositBatch / SubmitOrders the chaincode takes, and the most lanes a batcher may have. */
export const RELAY_BATCH_LIMITS = { maxItems: 64, maxWaitMs: 10_000, lanes: 64 };

/** Lending settings. The tracing key file holds a secret: it is read at start and never logged. */
export interface LendingConfig {
  /** JSON file `{ secretKey, publicKey }` written by `gridledger guarantor keygen` (mode 600). */
  traceKeyFile?: string;
  /** Borrow requests for one pool are collected for up to `maxWaitMs` or `maxItems`, then sent as one BorrowBatch. */
  borrowBatch: { maxItems: number; maxWaitMs: number };
  /** Signed deposits are collected per lane (by account) and sent as one `pool:DepositBatch`; absent: the defaults. */
  depositBatch?: RelayBatchConfig;
}

/** Market settings. */
export interface MarketConfig {
  /** Signed orders are collected per lane (by account) and sent as one `market:SubmitOrders`. */
  orderBatch: RelayBatchConfig;
}

/** A configuration problem found at start; `problems` lists every one, each naming its source. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid gateway configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The gateway-api package folder (works from src/ under ts-jest and from dist/). */
export const PACKAGE_DIR = resolve(__dirname, '..', '..');

const roleSchema = { enum: [...ROLES] };
const relayBatchSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    maxItems: { type: 'integer', minimum: 1, maximum: RELAY_BATCH_LIMITS.maxItems },
    maxWaitMs: { type: 'integer', minimum: 0, maximum: RELAY_BATCH_LIMITS.maxWaitMs },
    lanes: { type: 'integer', minimum: 1, maximum: RELAY_BATCH_LIMITS.lanes },
  },
} as const;

/** JSON Schema of the configuration file (JSON or YAML); also documents it. */
export const CONFIG_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    profile: { type: 'string', minLength: 1 },
    org: { enum: [...ORG_NAMES] },
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        bodyLimit: { type: ['string', 'integer'] },
        trustProxy: { type: 'boolean' },
        shutdownGraceMs: { type: 'integer', minimum: 0 },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['certPath', 'keyPath'],
          properties: {
            certPath: { type: 'string' },
            keyPath: { type: 'string' },
            caPath: { type: 'string' },
            requestClientCert: { type: 'boolean' },
          },
        },
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        apiKeys: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'role', 'sha256'],
            properties: {
              id: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,64}$' },
              role: roleSchema,
              sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
            },
          },
        },
        mtls: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['role'],
            anyOf: [{ required: ['cn'] }, { required: ['ou'] }],
            properties: { cn: { type: 'string' }, ou: { type: 'string' }, role: roleSchema, id: { type: 'string' } },
          },
        },
      },
    },
    rateLimit: {
      type: 'object',
      additionalProperties: false,
      properties: { requestsPerMinute: { type: 'integer', minimum: 1 }, burst: { type: 'integer', minimum: 1 } },
    },
    store: {
      type: 'object',
      additionalProperties: false,
      properties: {
        kind: { enum: ['sqlite', 'postgres'] },
        sqlitePath: { type: 'string', minLength: 1 },
        postgresUrl: { type: 'string', minLength: 1 },
        poolSize: { type: 'integer', minimum: 1, maximum: 100 },
      },
    },
    fabric: {
      type: 'object',
      additionalProperties: false,
      properties: {
        evaluateTimeoutMs: { type: 'integer', minimum: 100 },
        endorseTimeoutMs: { type: 'integer', minimum: 100 },
        submitTimeoutMs: { type: 'integer', minimum: 100 },
        commitStatusTimeoutMs: { type: 'integer', minimum: 100 },
        eventStartBlock: { type: 'integer', minimum: 0 },
      },
    },
    idempotency: {
      type: 'object',
      additionalProperties: false,
      properties: { leaseMs: { type: 'integer', minimum: 1000 } },
    },
    log: { type: 'object', additionalProperties: false, properties: { level: { enum: ['debug', 'info', 'warn', 'error'] } } },
    lending: {
      type: 'object',
      additionalProperties: false,
      properties: {
        traceKeyFile: { type: 'string', minLength: 1 },
        borrowBatch: {
          type: 'object',
          additionalProperties: false,
          properties: { maxItems: { type: 'integer', minimum: 1, maximum: 32 }, maxWaitMs: { type: 'integer', minimum: 0, maximum: 10000 } },
        },
        depositBatch: relayBatchSchema,
      },
    },
    market: {
      type: 'object',
      additionalProperties: false,
      properties: { orderBatch: relayBatchSchema },
    },
  },
} as const;

/** The environment variables the gateway reads; each overrides the file. */
export const ENV_VARS: Record<string, string> = {
  GRIDLEDGER_CONFIG: 'path of a JSON or YAML configuration file',
  GRIDLEDGER_PROFILE: 'path of the connection profile (network/.run/profiles/<org>.json)',
  GRIDLEDGER_ORG: 'org short name (utility, guarantora, guarantorb, operator); default: from the profile',
  GRIDLEDGER_HOST: 'listen address (default 0.0.0.0)',
  GRIDLEDGER_PORT: 'listen port (default 3000)',
  GRIDLEDGER_BODY_LIMIT: 'largest request body, e.g. 256kb (default 256kb)',
  GRIDLEDGER_TRUST_PROXY: 'true behind a load balancer that sets X-Forwarded-For',
  GRIDLEDGER_STORE: 'sqlite (default) or postgres',
  GRIDLEDGER_SQLITE_PATH: 'SQLite file (default gateway-api/data/<org>.db)',
  GRIDLEDGER_POSTGRES_URL: 'PostgreSQL connection string, required when GRIDLEDGER_STORE=postgres',
  GRIDLEDGER_API_KEYS: 'API keys as JSON [{"id","role","sha256"}] or "id:role:sha256,..."',
  GRIDLEDGER_RATE_LIMIT_RPM: 'requests per minute per caller (default 600)',
  GRIDLEDGER_RATE_LIMIT_BURST: 'burst per caller (default 60)',
  GRIDLEDGER_TLS_CERT: 'server TLS certificate (enables HTTPS)',
  GRIDLEDGER_TLS_KEY: 'server TLS private key',
  GRIDLEDGER_TLS_CA: 'CA bundle for client certificates',
  GRIDLEDGER_TLS_CLIENT_AUTH: 'true to require client certificates (mTLS)',
  GRIDLEDGER_LOG_LEVEL: 'debug, info (default), warn or error',
  GRIDLEDGER_TRACE_KEY_FILE: 'the org\'s lending tracing key file (guarantor and Utility gateways; mode 600, never logged)',
  GRIDLEDGER_BORROW_BATCH_MAX: 'borrows per BorrowBatch transaction, 1-32 (default 16)',
  GRIDLEDGER_BORROW_BATCH_WAIT_MS: 'how long the gateway collects borrows for one batch, in ms, 0-10000 (default 50)',
  GRIDLEDGER_DEPOSIT_BATCH_MAX: 'deposits per DepositBatch transaction, 1-64 (default 16; 1 = no batching, each deposit is its own pool:Deposit)',
  GRIDLEDGER_DEPOSIT_BATCH_WAIT_MS: 'how long the gateway collects deposits for one batch, in ms, 0-10000 (default 20)',
  GRIDLEDGER_DEPOSIT_BATCH_LANES: 'deposit lanes, 1-64 (default 8): an account always uses the same lane, each lane has one batch in flight',
  GRIDLEDGER_ORDER_BATCH_MAX: 'market orders per SubmitOrders transaction, 1-64 (default 16; 1 = no batching, each order is its own SubmitOrder)',
  GRIDLEDGER_ORDER_BATCH_WAIT_MS: 'how long the gateway collects orders for one batch, in ms, 0-10000 (default 20)',
  GRIDLEDGER_ORDER_BATCH_LANES: 'order lanes, 1-64 (default 8): an account always uses the same lane, each lane has one batch in flight',
};

/** Parses sizes such as `256kb`, `1mb`, `1024`. */
export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const m = /^\s*(\d+)\s*(b|kb|mb)?\s*$/i.exec(value);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const bytes = unit === 'mb' ? n * 1024 * 1024 : unit === 'kb' ? n * 1024 : n;
  return bytes > 0 ? bytes : undefined;
}

function readConfigFile(path: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    problems.push(`config file ${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return {};
  }
  try {
    const parsed: unknown = /\.ya?ml$/i.test(path) ? parseYaml(text) : JSON.parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) {
      problems.push(`config file ${path}: must hold an object`);
      return {};
    }
    return parsed as Record<string, unknown>;
  } catch (err) {
    problems.push(`config file ${path}: cannot parse (${(err as Error).message.split('\n')[0]})`);
    return {};
  }
}

function parseApiKeysEnv(value: string, problems: string[]): unknown[] | undefined {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown[];
    } catch {
      problems.push('GRIDLEDGER_API_KEYS: not valid JSON');
      return undefined;
    }
  }
  const out: unknown[] = [];
  for (const entry of trimmed.split(',').map((s) => s.trim()).filter(Boolean)) {
    const parts = entry.split(':');
    if (parts.length !== 3) {
      problems.push(`GRIDLEDGER_API_KEYS: entry #${out.length + 1} must be id:role:sha256`);
      continue;
    }
    out.push({ id: parts[0], role: parts[1], sha256: parts[2].toLowerCase() });
  }
  return out;
}

function envInt(env: NodeJS.ProcessEnv, name: string, problems: string[]): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (!/^\d+$/.test(v.trim())) {
    problems.push(`${name}: must be a non-negative integer, got "${v}"`);
    return undefined;
  }
  return Number(v.trim());
}

function envBool(env: NodeJS.ProcessEnv, name: string, problems: string[]): boolean | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  if (/^(1|true|yes)$/i.test(v)) return true;
  if (/^(0|false|no)$/i.test(v)) return false;
  problems.push(`${name}: must be true or false, got "${v}"`);
  return undefined;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const def = <T>(...vals: (T | undefined)[]): T | undefined => vals.find((v) => v !== undefined);

/** Reads one integer setting (environment first, then the file, then the default) and checks its range. */
function intSetting(env: NodeJS.ProcessEnv, name: string, fromFile: unknown, fallback: number, min: number, max: number, problems: string[]): number {
  const v = def(envInt(env, name, problems), fromFile as number | undefined, fallback)!;
  if (v < min || v > max) problems.push(`${name}: must be ${min} to ${max}, got ${v}`);
  return v;
}

/** A relay batcher's settings from `GRIDLEDGER_<prefix>_BATCH_MAX / _WAIT_MS / _LANES` or the file's object. */
function relayBatchSetting(env: NodeJS.ProcessEnv, prefix: string, file: Obj, problems: string[]): RelayBatchConfig {
  const d = RELAY_BATCH_DEFAULTS;
  const l = RELAY_BATCH_LIMITS;
  return {
    maxItems: intSetting(env, `GRIDLEDGER_${prefix}_BATCH_MAX`, file.maxItems, d.maxItems, 1, l.maxItems, problems),
    maxWaitMs: intSetting(env, `GRIDLEDGER_${prefix}_BATCH_WAIT_MS`, file.maxWaitMs, d.maxWaitMs, 0, l.maxWaitMs, problems),
    lanes: intSetting(env, `GRIDLEDGER_${prefix}_BATCH_LANES`, file.lanes, d.lanes, 1, l.lanes, problems),
  };
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Command-line arguments after the program name; `--config <file>` is understood. */
  argv?: string[];
  /** Base for relative paths given in the environment (default: process.cwd()). */
  cwd?: string;
  /** Skip checking that files named by the configuration exist (unit tests). */
  skipFileChecks?: boolean;
}

/**
 * Loads the configuration from an optional file (JSON or YAML; `--config` or GRIDLEDGER_CONFIG) and
 * the environment (which wins), validates all of it, and throws one {@link ConfigError} listing every
 * problem. Relative paths in the file are taken from the file's folder.
 */
export function loadConfig(options: LoadConfigOptions = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const argv = options.argv ?? [];
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];

  const argIdx = argv.indexOf('--config');
  const fileArg = argIdx >= 0 ? argv[argIdx + 1] : undefined;
  const filePath = def(fileArg, env.GRIDLEDGER_CONFIG || undefined);
  let file: Obj = {};
  let fileDir = cwd;
  if (filePath) {
    const abs = resolve(cwd, filePath);
    fileDir = dirname(abs);
    file = readConfigFile(abs, problems);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    if (!ajv.validate(CONFIG_FILE_SCHEMA, file)) {
      for (const e of ajv.errors ?? []) {
        const where = e.instancePath || '(top level)';
        const extra = e.keyword === 'additionalProperties' ? ` "${String((e.params as { additionalProperty: string }).additionalProperty)}"` : '';
        const allowed = e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
        const hint = e.keyword === 'type' && /sha256$/.test(e.instancePath) ? ' (quote the hash: YAML reads all-digit hashes as numbers)' : '';
        problems.push(`config file ${abs}: ${where} ${e.message}${extra}${allowed}${hint}`);
      }
      // Settings further down would be judged on a file that is known to be wrong: stop here.
      throw new ConfigError(problems);
    }
  }
  const fromFile = (p: string | undefined): string | undefined => (p === undefined ? undefined : isAbsolute(p) ? p : resolve(fileDir, p));
  const fromEnv = (p: string | undefined): string | undefined => (p ? resolve(cwd, p) : undefined);

  const fServer = obj(file.server);
  const fTls = obj(fServer.tls);
  const fAuth = obj(file.auth);
  const fRate = obj(file.rateLimit);
  const fStore = obj(file.store);
  const fFabric = obj(file.fabric);
  const fIdem = obj(file.idempotency);
  const fLog = obj(file.log);

  // Connection profile and org.
  const profilePath = def(fromEnv(env.GRIDLEDGER_PROFILE), fromFile(file.profile as string | undefined));
  if (!profilePath) problems.push('GRIDLEDGER_PROFILE (or "profile" in the config file): the connection profile path is required');
  else if (!options.skipFileChecks && !existsSync(profilePath)) problems.push(`connection profile ${profilePath} does not exist (run network/network.sh up)`);
  let org = def(env.GRIDLEDGER_ORG || undefined, file.org as string | undefined);
  if (!org && profilePath) {
    const m = /([a-z]+)\.json$/i.exec(profilePath);
    org = m ? m[1].toLowerCase() : undefined;
  }
  if (!org || !(ORG_NAMES as readonly string[]).includes(org)) {
    problems.push(`org: must be one of ${ORG_NAMES.join(', ')} (GRIDLEDGER_ORG, "org", or the profile file name); got ${org ?? 'nothing'}`);
    org = 'utility';
  }

  // Server.
  const port = def(envInt(env, 'GRIDLEDGER_PORT', problems), fServer.port as number | undefined, 3000)!;
  if (port > 65535) problems.push(`GRIDLEDGER_PORT: must be at most 65535, got ${port}`);
  const bodyLimitRaw = def<string | number>(env.GRIDLEDGER_BODY_LIMIT || undefined, fServer.bodyLimit as string | number | undefined, '256kb')!;
  const bodyLimitBytes = parseByteSize(bodyLimitRaw);
  if (bodyLimitBytes === undefined) problems.push(`body limit: "${bodyLimitRaw}" is not a size such as 256kb, 1mb or 65536`);
  const tlsCert = def(fromEnv(env.GRIDLEDGER_TLS_CERT), fromFile(fTls.certPath as string | undefined));
  const tlsKey = def(fromEnv(env.GRIDLEDGER_TLS_KEY), fromFile(fTls.keyPath as string | undefined));
  const tlsCa = def(fromEnv(env.GRIDLEDGER_TLS_CA), fromFile(fTls.caPath as string | undefined));
  const requestClientCert = def(envBool(env, 'GRIDLEDGER_TLS_CLIENT_AUTH', problems), fTls.requestClientCert as boolean | undefined, false)!;
  let tls: TlsConfig | undefined;
  if (tlsCert || tlsKey) {
    if (!tlsCert || !tlsKey) problems.push('TLS: both the certificate and the key are required');
    else {
      tls = { certPath: tlsCert, keyPath: tlsKey, caPath: tlsCa, requestClientCert };
      if (!options.skipFileChecks) for (const f of [tlsCert, tlsKey, tlsCa]) if (f && !existsSync(f)) problems.push(`TLS: file ${f} does not exist`);
    }
  }
  if (requestClientCert && !tls) problems.push('TLS client authentication (mTLS) needs a server certificate and key');
  if (requestClientCert && tls && !tls.caPath) problems.push('TLS client authentication (mTLS) needs a CA bundle (GRIDLEDGER_TLS_CA or server.tls.caPath)');

  // Auth.
  let apiKeysRaw: unknown[] = (fAuth.apiKeys as unknown[] | undefined) ?? [];
  if (env.GRIDLEDGER_API_KEYS) apiKeysRaw = parseApiKeysEnv(env.GRIDLEDGER_API_KEYS, problems) ?? [];
  const apiKeys: ApiKeyConfig[] = [];
  const seenIds = new Set<string>();
  const seenHashes = new Set<string>();
  apiKeysRaw.forEach((k, i) => {
    const key = obj(k);
    const where = `API key #${i + 1}${typeof key.id === 'string' ? ` (${key.id})` : ''}`;
    if (typeof key.id !== 'string' || !/^[A-Za-z0-9._:@-]{1,64}$/.test(key.id)) return void problems.push(`${where}: id must be 1-64 of A-Z a-z 0-9 . _ : @ -`);
    if (!ROLES.includes(key.role as Role)) return void problems.push(`${where}: role must be one of ${ROLES.join(', ')}`);
    if (typeof key.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(key.sha256)) return void problems.push(`${where}: sha256 must be 64 lower-case hex digits (the hash, never the key)`);
    if (seenIds.has(key.id)) problems.push(`${where}: duplicate id`);
    if (seenHashes.has(key.sha256)) problems.push(`${where}: same key as another entry`);
    seenIds.add(key.id);
    seenHashes.add(key.sha256);
    const role = key.role as Role;
    if (role !== 'user-relay' && role !== ADMIN_ROLE_OF_ORG[org as OrgName]) {
      problems.push(`${where}: role ${role} does not belong on the ${org} gateway (admin role here: ${ADMIN_ROLE_OF_ORG[org as OrgName]})`);
    }
    apiKeys.push({ id: key.id, role, sha256: key.sha256 });
  });
  const mtls = ((fAuth.mtls as MtlsRule[] | undefined) ?? []).map((r) => ({ ...r }));
  if (mtls.length && !requestClientCert) problems.push('auth.mtls rules are configured but TLS client authentication is off');
  if (apiKeys.length === 0 && mtls.length === 0) problems.push('auth: no API keys and no mTLS rules are configured, so no caller could authenticate');

  // Rate limit.
  const requestsPerMinute = def(envInt(env, 'GRIDLEDGER_RATE_LIMIT_RPM', problems), fRate.requestsPerMinute as number | undefined, 600)!;
  const burst = def(envInt(env, 'GRIDLEDGER_RATE_LIMIT_BURST', problems), fRate.burst as number | undefined, 60)!;
  if (requestsPerMinute < 1) problems.push('rate limit: requests per minute must be at least 1');
  if (burst < 1) problems.push('rate limit: burst must be at least 1');

  // Store.
  const kind = def(env.GRIDLEDGER_STORE || undefined, fStore.kind as string | undefined, 'sqlite');
  let store: StoreConfig = { kind: 'sqlite', sqlitePath: '' };
  if (kind === 'sqlite') {
    const sqlitePath = def(fromEnv(env.GRIDLEDGER_SQLITE_PATH), fromFile(fStore.sqlitePath as string | undefined), resolve(PACKAGE_DIR, 'data', `${org}.db`))!;
    store = { kind: 'sqlite', sqlitePath };
  } else if (kind === 'postgres') {
    const postgresUrl = def(env.GRIDLEDGER_POSTGRES_URL || undefined, fStore.postgresUrl as string | undefined);
    if (!postgresUrl) problems.push('store: GRIDLEDGER_POSTGRES_URL (or store.postgresUrl) is required when the store is postgres');
    else if (!/^postgres(ql)?:\/\//.test(postgresUrl)) problems.push('store: the PostgreSQL URL must start with postgres:// or postgresql://');
    store = { kind: 'postgres', postgresUrl: postgresUrl ?? '', poolSize: (fStore.poolSize as number | undefined) ?? 10 };
  } else problems.push(`GRIDLEDGER_STORE: must be sqlite or postgres, got "${kind}"`);

  const level = def(env.GRIDLEDGER_LOG_LEVEL || undefined, fLog.level as string | undefined, 'info')!;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) problems.push(`GRIDLEDGER_LOG_LEVEL: must be debug, info, warn or error, got "${level}"`);

  // Lending.
  const fLending = obj(file.lending);
  const fBatch = obj(fLending.borrowBatch);
  const traceKeyFile = def(fromEnv(env.GRIDLEDGER_TRACE_KEY_FILE), fromFile(fLending.traceKeyFile as string | undefined));
  if (traceKeyFile && !options.skipFileChecks && !existsSync(traceKeyFile)) problems.push(`tracing key file ${traceKeyFile} does not exist (gridledger guarantor keygen)`);
  const batchMax = intSetting(env, 'GRIDLEDGER_BORROW_BATCH_MAX', fBatch.maxItems, BORROW_BATCH_DEFAULTS.maxItems, 1, 32, problems);
  const batchWait = intSetting(env, 'GRIDLEDGER_BORROW_BATCH_WAIT_MS', fBatch.maxWaitMs, BORROW_BATCH_DEFAULTS.maxWaitMs, 0, RELAY_BATCH_LIMITS.maxWaitMs, problems);
  const depositBatch = relayBatchSetting(env, 'DEPOSIT', obj(fLending.depositBatch), problems);

  // Market.
  const orderBatch = relayBatchSetting(env, 'ORDER', obj(obj(file.market).orderBatch), problems);

  if (problems.length) throw new ConfigError(problems);
  return {
    profilePath: profilePath!,
    org: org as OrgName,
    server: {
      host: def(env.GRIDLEDGER_HOST || undefined, fServer.host as string | undefined, '0.0.0.0')!,
      port,
      bodyLimitBytes: bodyLimitBytes!,
      trustProxy: def(envBool(env, 'GRIDLEDGER_TRUST_PROXY', problems), fServer.trustProxy as boolean | undefined, false)!,
      shutdownGraceMs: (fServer.shutdownGraceMs as number | undefined) ?? 10_000,
      tls,
    },
    auth: { apiKeys, mtls },
    rateLimit: { requestsPerMinute, burst },
    store,
    fabric: {
      evaluateTimeoutMs: (fFabric.evaluateTimeoutMs as number | undefined) ?? 5_000,
      endorseTimeoutMs: (fFabric.endorseTimeoutMs as number | undefined) ?? 15_000,
      submitTimeoutMs: (fFabric.submitTimeoutMs as number | undefined) ?? 5_000,
      commitStatusTimeoutMs: (fFabric.commitStatusTimeoutMs as number | undefined) ?? 60_000,
      eventStartBlock: (fFabric.eventStartBlock as number | undefined) ?? 0,
    },
    idempotency: { leaseMs: (fIdem.leaseMs as number | undefined) ?? 25_000 },
    log: { level: level as GatewayConfig['log']['level'] },
    lending: { ...(traceKeyFile ? { traceKeyFile } : {}), borrowBatch: { maxItems: batchMax, maxWaitMs: batchWait }, depositBatch },
    market: { orderBatch },
  };
}
