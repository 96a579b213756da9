/**
 * Structured JSON logs, one object per line, with secrets redacted: values under keys that look
 * like credentials (authorization, api keys, private keys, secrets, passwords, proofs, ...) never
 * reach the output, whatever the caller passes.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const SECRET_KEY = /authorization|api[-_]?key|x-api-key|private|secret|password|passphrase|token|cookie|proof|nullifier|credential|signature|^key$|keypem|idempotency-key-raw/i;

/** Copies `value` with secret-looking fields replaced by "[redacted]" (depth-limited). */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? '[redacted]' : redact(v, depth + 1);
  return out;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `bindings` to every line (e.g. the request id). */
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(level: LogLevel = 'info', sink: (line: string) => void = (l) => process.stdout.write(l + '\n'), bindings: Record<string, unknown> = {}): Logger {
  const min = LEVELS[level];
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[lvl] < min) return;
    const line = { time: new Date().toISOString(), level: lvl, msg, ...(redact(bindings) as object), ...(redact(fields ?? {}) as object) };
    sink(JSON.stringify(line));
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (b) => createLogger(level, sink, { ...bindings, ...b }),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger('error', () => undefined);
