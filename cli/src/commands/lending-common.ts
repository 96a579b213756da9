/** Helpers shared by the lending commands (meter, guarantor, pool, loan, lend). */
import { existsSync } from 'node:fs';
import { pointToJson, toBabyPoint, toField, traceKeyFromSecret, TraceKeyPair } from '@gridledger/core';
import { GlobalOptions, withContract } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { Spinner } from '../output/spinner';
import { readJsonFile } from '../wallet-store';

const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const parse = (text: string): any => (text ? JSON.parse(text) : null);

/** Evaluates a chaincode query and parses its JSON. */
export function evaluateJson(globals: GlobalOptions, contract: string, fn: string, ...args: string[]): Promise<any> {
  return withContract(globals, contract, async (c) => parse(utf8(await c.evaluateTransaction(fn, ...args))));
}

/** Submits, waits for the commit (spinner for people), and parses the JSON answer. */
export function submitJson(globals: GlobalOptions, contract: string, fn: string, ...args: string[]): Promise<any> {
  const spinner = new Spinner(`${contract}:${fn}: submitting and waiting for commit`, !globals.json && process.stderr.isTTY === true);
  return spinner.around(() => withContract(globals, contract, async (c) => parse(utf8(await c.submitTransaction(fn, ...args)))));
}

/** Runs CPU-heavy work (proving) under a spinner. */
export function proving<T>(globals: GlobalOptions, label: string, work: () => Promise<T>): Promise<T> {
  return new Spinner(label, !globals.json && process.stderr.isTTY === true).around(work);
}

export function uint(v: string, what: string): number {
  if (!/^\d{1,15}$/.test(String(v))) throw new CliError(`${what} must be a non-negative integer`, ExitCode.Usage, 'USAGE');
  return Number(v);
}

export function hexKey(v: string, what: string): string {
  if (!/^[0-9a-f]{64}$/.test(v)) throw new CliError(`${what} must be a 32-byte Ed25519 public key in lower-case hex`, ExitCode.Usage, 'USAGE');
  return v;
}

/** A time: seconds since the epoch, or `+N` (seconds from now). */
export function when(v: string, what: string): number {
  const m = /^\+(\d{1,9})$/.exec(v);
  if (m) return Math.floor(Date.now() / 1000) + Number(m[1]);
  return uint(v, what);
}

/** A tracing keystore file: `{ secretKey, publicKey }`, secret checked against the public key. */
export function loadTraceKey(file: string): TraceKeyPair {
  if (!existsSync(file)) throw new CliError(`no tracing keystore at ${file} (make one with: gridledger guarantor keygen --keystore ${file})`, ExitCode.Usage, 'NO_KEYSTORE');
  const k = readJsonFile<{ secretKey?: string; publicKey?: unknown }>(file, 'tracing keystore');
  try {
    const kp = traceKeyFromSecret(toField(String(k.secretKey), 'secretKey'));
    if (k.publicKey !== undefined) {
      const pk = toBabyPoint(k.publicKey, 'publicKey');
      if (pk[0] !== kp.publicKey[0] || pk[1] !== kp.publicKey[1]) throw new Error('publicKey does not match secretKey');
    }
    return kp;
  } catch (err) {
    throw new CliError(`tracing keystore ${file} is not valid: ${(err as Error).message}`, ExitCode.Usage, 'BAD_KEYSTORE');
  }
}

/** A tracing public key from a keystore file or a `{ publicKey }` / `[x, y]` JSON file. */
export function loadTracePublicKey(file: string): [string, string] {
  const k = readJsonFile<unknown>(file, 'tracing key');
  const raw = Array.isArray(k) ? k : (k as { publicKey?: unknown }).publicKey;
  try {
    return pointToJson(toBabyPoint(raw, 'publicKey')) as [string, string];
  } catch (err) {
    throw new CliError(`${file} holds no tracing public key: ${(err as Error).message}`, ExitCode.Usage, 'BAD_INPUT');
  }
}
