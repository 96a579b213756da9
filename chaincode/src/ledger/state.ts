import { Context } from 'fabric-contract-api';
import { canonicalJson } from '@gridledger/core';
import { refuse } from './errors';

/** Reads a JSON value, or undefined when the key is absent. */
export async function getJson<T>(ctx: Context, key: string): Promise<T | undefined> {
  const bytes = await ctx.stub.getState(key);
  if (!bytes || bytes.length === 0) return undefined;
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
}

/** Writes a value as canonical JSON, so every endorser writes identical bytes. */
export async function putJson(ctx: Context, key: string, value: unknown): Promise<void> {
  await ctx.stub.putState(key, Buffer.from(canonicalJson(value), 'utf8'));
}

/** The transaction's timestamp in whole seconds: chaincode never reads the clock. */
export function txTimeSeconds(ctx: Context): number {
  const ts = ctx.stub.getTxTimestamp();
  const seconds = typeof ts.seconds === 'number' ? ts.seconds : Number((ts.seconds as { toString(): string }).toString());
  return seconds;
}

/** Emits the transaction's chaincode event (Fabric keeps only the last one set per transaction). */
export function emit(ctx: Context, name: string, payload: unknown): void {
  ctx.stub.setEvent(name, Buffer.from(canonicalJson(payload), 'utf8'));
}

/** Parses a JSON argument, turning a syntax error into a clear refusal. */
export function parseJsonArg(arg: string, name: string): unknown {
  try {
    return JSON.parse(arg);
  } catch {
    refuse('INVALID_ARGUMENT', `${name} is not valid JSON`);
  }
}

/** A batch argument: a JSON list of 1 to `max` items. */
export function parseBatchArg(arg: string, name: string, max: number): unknown[] {
  const list = parseJsonArg(arg, name);
  if (!Array.isArray(list) || list.length === 0 || list.length > max) refuse('INVALID_ARGUMENT', `${name} must be a list of 1 to ${max} items`);
  return list;
}
