import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import { check } from './errors';
import { checkTime, formatAmount, parseAmount, parsePositive, sumAmounts } from './amount';

/** The two ends of a channel, in the order fixed at opening. */
export type Side = 'a' | 'b';
/** The other side. */
export const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

/** A pending hashed time-locked payment inside a channel state. */
export interface Htlc {
  /** Unique within the state; HTLCs are listed in ascending `id` order. */
  id: string;
  from: Side;
  to: Side;
  /** Decimal-string integer > 0. */
  amount: string;
  /** sha256 of the 32-byte preimage, lower-case hex. */
  hashLock: string;
  /** Unix seconds; the preimage must be shown strictly before this time. */
  timeLock: number;
}

/** What both parties sign. Amounts are decimal strings on the wire and bigint inside. */
export interface ChannelState {
  channelId: string;
  /** 0 is the opening state (the on-chain deposits); each update adds exactly 1. */
  version: number;
  balances: { a: string; b: string };
  htlcs: Htlc[];
  /** Present and true only on the state of a cooperative close; never `false`, so there is one encoding. */
  final?: true;
}

/** A validated state with amounts as bigints. */
export interface ParsedState {
  state: ChannelState;
  a: bigint;
  b: bigint;
  htlcs: Array<Htlc & { value: bigint }>;
  /** Sum of balances and pending HTLC amounts. */
  total: bigint;
}

/** Bounds checked on every state. */
export interface StateLimits {
  /** Pending HTLCs per state (both directions); bounds chaincode work and channel jamming. */
  maxHtlcs: number;
}
export const DEFAULT_LIMITS: StateLimits = { maxHtlcs: 32 };

const ID = /^[A-Za-z0-9._:-]{1,128}$/;
const HTLC_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const HASH = /^[0-9a-f]{64}$/;

function plain(x: unknown, keys: readonly string[], optional: readonly string[], what: string): Record<string, unknown> {
  check(x !== null && typeof x === 'object' && !Array.isArray(x), 'BAD_STATE', `${what} must be an object`);
  for (const k of Object.keys(x as object)) {
    // Unknown fields would be signed too, so two "equal" states could have different digests.
    check(keys.includes(k) || optional.includes(k), 'BAD_STATE', `${what} has unknown field ${k}`);
  }
  for (const k of keys) check(k in (x as object), 'BAD_STATE', `${what} lacks ${k}`);
  return x as Record<string, unknown>;
}

/** Throws BAD_CHANNEL_ID unless `id` is a valid channel id. */
export function checkChannelId(id: unknown): string {
  check(typeof id === 'string' && ID.test(id), 'BAD_CHANNEL_ID', 'channelId must be 1-128 chars of [A-Za-z0-9._:-]');
  return id;
}

/** Throws unless `h` is 32 bytes of lower-case hex. */
export function checkHash(h: unknown, what: string): string {
  check(typeof h === 'string' && HASH.test(h), 'BAD_HTLC', `${what} must be 32 bytes of lower-case hex`);
  return h;
}

/**
 * Validate shape, amounts and internal consistency, and return the bigint view. With `total`
 * also checks conservation: balances plus pending HTLCs must equal the channel's locked total.
 */
export function parseState(s: unknown, total?: bigint, limits: StateLimits = DEFAULT_LIMITS): ParsedState {
  const o = plain(s, ['channelId', 'version', 'balances', 'htlcs'], ['final'], 'state');
  checkChannelId(o.channelId);
  check(typeof o.version === 'number' && Number.isSafeInteger(o.version) && o.version >= 0, 'BAD_STATE', 'version must be a non-negative safe integer');
  const bal = plain(o.balances, ['a', 'b'], [], 'balances');
  const a = parseAmount(bal.a, 'balance a');
  const b = parseAmount(bal.b, 'balance b');
  check(Array.isArray(o.htlcs), 'BAD_STATE', 'htlcs must be an array');
  const list = o.htlcs as unknown[];
  check(list.length <= limits.maxHtlcs, 'TOO_MANY_HTLCS', `at most ${limits.maxHtlcs} pending HTLCs`);
  const htlcs: ParsedState['htlcs'] = [];
  let prev = '';
  for (const [i, raw] of list.entries()) {
    const h = plain(raw, ['id', 'from', 'to', 'amount', 'hashLock', 'timeLock'], [], `htlc[${i}]`);
    check(typeof h.id === 'string' && HTLC_ID.test(h.id), 'BAD_HTLC', `htlc[${i}].id must be 1-64 chars of [A-Za-z0-9._:-]`);
    // Strictly ascending ids: unique, and one canonical order for the signed encoding.
    check(i === 0 || h.id > prev, 'DUPLICATE_HTLC', `htlc ids must be unique and ascending (${h.id})`);
    prev = h.id;
    check((h.from === 'a' || h.from === 'b') && (h.to === 'a' || h.to === 'b') && h.from !== h.to, 'BAD_HTLC', `htlc ${h.id}: from/to must be a->b or b->a`);
    const value = parsePositive(h.amount, `htlc ${h.id} amount`);
    checkHash(h.hashLock, `htlc ${h.id} hashLock`);
    checkTime(h.timeLock, `htlc ${h.id} timeLock`);
    htlcs.push({ ...(h as unknown as Htlc), value });
  }
  check(o.final === undefined || o.final === true, 'BAD_STATE', 'final must be true or absent');
  check(o.final === undefined || htlcs.length === 0, 'HTLCS_PENDING', 'a final state cannot carry pending HTLCs');
  const sum = sumAmounts([a, b, ...htlcs.map((h) => h.value)], 'channel total');
  if (total !== undefined) {
    check(sum === total, 'CONSERVATION_VIOLATED', `balances + HTLCs = ${sum}, channel holds ${total}`);
  }
  return { state: s as ChannelState, a, b, htlcs, total: sum };
}

/** Domain tag of a state digest; it names the channel so no signature transfers between channels. */
export function stateTag(channelId: string): string {
  return `GRIDLEDGER/CHANNEL-STATE/V1\n${channelId}\n`;
}

/**
 * The 32 bytes both parties sign: `sha256(tag(channelId) || canonicalJson(state))`. The version is
 * inside the JSON, so a signature on one version never verifies for another. Validates first.
 */
export function stateDigest(state: ChannelState): Buffer {
  parseState(state);
  return rawDigest(state);
}

/** Digest without validation, for callers that just validated. */
export function rawDigest(state: ChannelState): Buffer {
  return createHash('sha256').update(stateTag(state.channelId)).update(canonicalJson(state)).digest();
}

/** Version 0: the deposits locked on chain, with no HTLCs. Valid without signatures. */
export function openingState(channelId: string, deposits: { a: string; b: string }): ChannelState {
  checkChannelId(channelId);
  const state: ChannelState = { channelId, version: 0, balances: { a: deposits.a, b: deposits.b }, htlcs: [] };
  parseState(state);
  return state;
}

/**
 * The successor rule both parties enforce: same channel, version exactly +1 (a replayed or skipped
 * version is refused; skipping would let one update burn the version space), same total, and
 * nothing after a final state.
 */
export function checkSuccessor(prev: ParsedState, next: ChannelState, limits: StateLimits = DEFAULT_LIMITS): ParsedState {
  check(prev.state.final !== true, 'CHANNEL_FINAL', 'channel already has a final state');
  check(next.channelId === prev.state.channelId, 'CHANNEL_MISMATCH', 'update is for another channel');
  check(next.version === prev.state.version + 1, 'VERSION_NOT_INCREASING', `expected version ${prev.state.version + 1}, got ${next.version}`);
  return parseState(next, prev.total, limits);
}

/** Build the next state from parsed parts; checks every amount on the way out. */
export function buildState(prev: ChannelState, a: bigint, b: bigint, htlcs: Htlc[], final?: true): ChannelState {
  const sorted = [...htlcs].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const next: ChannelState = {
    channelId: prev.channelId,
    version: prev.version + 1,
    balances: { a: formatAmount(a, 'balance a'), b: formatAmount(b, 'balance b') },
    htlcs: sorted.map((h) => ({ id: h.id, from: h.from, to: h.to, amount: h.amount, hashLock: h.hashLock, timeLock: h.timeLock })),
  };
  if (final) next.final = true;
  return next;
}

/**
 * A channel id the chaincode can derive at open: unique per (network, parties, nonce), so a state
 * digest can never collide with another channel's.
 */
export function deriveChannelId(p: { network: string; a: string; b: string; nonce: string }): string {
  const h = createHash('sha256').update(canonicalJson({ tag: 'GRIDLEDGER/CHANNEL-ID/V1', ...p })).digest('hex');
  return `ch-${h}`;
}

