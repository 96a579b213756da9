import { requestDigest, signRequest } from '../lending/requests';
import type { MultiSignature } from '../identity';
import { check } from './errors';
import { formatAmount, parseAmount, sumAmounts } from './amount';
import type { ChannelRecord } from './settlement';
import { coSign, signDigest, verifyDigest, type SignedState } from './signing';
import { buildState, deriveChannelId, parseState, type ChannelState, type Side } from './state';

/**
 * The requests the `channel` chaincode contract accepts, built and checked the same way by the
 * chaincode, the gateway, the CLI wallet and the tests. See docs/channels.md, "On chain".
 */

/** Network tag in derived channel ids and binding scopes: the Fabric channel and chaincode. */
export const ONCHAIN_NETWORK = 'energy/gridledger';

/** One side of a channel as fixed at open. */
export interface OpenSide {
  /** Ed25519 account key: pays the deposit, receives the payout. */
  account: string;
  /** Fresh Ed25519 channel key that signs states and revocations. */
  channelKey: string;
  /** Decimal string, may be "0". */
  deposit: string;
  /** Optional: a registered KGC identity vouching for the channel key (BLS signature, checked once). */
  identity?: { id: string; binding: MultiSignature };
}

/** What both parties agree to at open; the channel id is derived from it. */
export interface OpenTerms {
  network: string;
  /** Any 1-64 chars; makes the id unique even if keys were reused. */
  salt: string;
  a: OpenSide;
  b: OpenSide;
  /** Seconds; absent means the Utility's default. Must lie within the Utility's bounds. */
  disputeWindow?: number;
}

/** Each side's account signs `{side, terms, nonce}` (action `channel-open`) with its next nonce. */
export interface OpenAuth {
  nonce: number;
  signature: string;
}

export interface OpenRequest {
  terms: OpenTerms;
  auth: Record<Side, OpenAuth>;
}

export function channelIdOf(terms: Pick<OpenTerms, 'network' | 'salt' | 'a' | 'b'>): string {
  return deriveChannelId({ network: terms.network, a: terms.a.channelKey, b: terms.b.channelKey, nonce: terms.salt });
}

/** Scope of the BLS channel-key binding: one channel on this network, so a binding never transfers. */
export function bindingScope(channelId: string): string {
  return `${ONCHAIN_NETWORK}/${channelId}`;
}

export function openAuthBody(side: Side, terms: OpenTerms, nonce: number) {
  return { side, terms, nonce };
}

/** Sign one side's consent to open (with its account key and next account nonce). */
export function signOpen(terms: OpenTerms, side: Side, accountPrivateKey: string, nonce: number): OpenAuth {
  return { nonce, signature: signRequest('channel-open', openAuthBody(side, terms, nonce), accountPrivateKey).signature };
}

/** The on-chain record implied by open terms (the chaincode stores more: accounts, status). */
export function recordOf(terms: OpenTerms, disputeWindow: number): ChannelRecord {
  return {
    channelId: channelIdOf(terms),
    keys: { a: terms.a.channelKey, b: terms.b.channelKey },
    deposits: { a: terms.a.deposit, b: terms.b.deposit },
    disputeWindow,
  };
}

/**
 * A unilateral close names its closer, and the closer's channel key signs `{channelId, by, version}`
 * (action `channel-close`): nobody else can post a state "by" a party and so frame it for a breach.
 * A cooperative close (a co-signed `final` state) needs no such signature.
 */
export interface CloseRequest {
  channelId: string;
  by: Side;
  signed: SignedState;
  closerSignature?: string;
}

export function closeBody(channelId: string, by: Side, version: number) {
  return { channelId, by, version };
}

export function signClose(signed: SignedState, by: Side, channelPrivateKey: string): CloseRequest {
  const channelId = signed.state.channelId;
  return { channelId, by, signed, closerSignature: signChannelRequest('channel-close', closeBody(channelId, by, signed.state.version), channelPrivateKey) };
}

export function verifyCloseSignature(req: CloseRequest, channelKey: string): boolean {
  return verifyChannelRequest('channel-close', closeBody(req.channelId, req.by, req.signed.state.version), channelKey, req.closerSignature);
}

/**
 * Top-up and partial withdrawal of an open channel (a "resize"), without closing:
 * both parties co-sign the next state `v` whose balances already include the change (no HTLCs, not
 * final), and both channel keys sign the resize terms `{channelId, version, topUp, withdraw,
 * notAfter}` (action `channel-resize`). A side that adds funds also signs `{side, channelId, version,
 * amount, nonce}` with its account key (action `channel-topup`), which debits its account. The
 * chaincode then makes `v` the channel's new base: the total becomes the new one, withdrawals are
 * credited to the sides' accounts, and any post below `v` is refused from then on (older states
 * carry the old total anyway). `notAfter` bounds replay: if the resize does not commit by then, both
 * parties continue from `v-1` (with the next update again numbered `v`).
 */
export interface ResizeTerms {
  channelId: string;
  version: number;
  topUp: { a: string; b: string };
  withdraw: { a: string; b: string };
  /** Unix seconds; the chaincode refuses the resize after this transaction time. */
  notAfter: number;
}

export interface ResizeRequest {
  terms: ResizeTerms;
  signed: SignedState;
  consent: Record<Side, string>;
  funding?: Partial<Record<Side, OpenAuth>>;
}

export function topUpBody(side: Side, terms: ResizeTerms, nonce: number) {
  return { side, channelId: terms.channelId, version: terms.version, amount: terms.topUp[side], nonce };
}

/** The resize state: `latest` with each side's balance + topUp - withdraw, version + 1. */
export function resizeState(latest: ChannelState, topUp: { a: string; b: string }, withdraw: { a: string; b: string }): ChannelState {
  const p = parseState(latest);
  check(p.htlcs.length === 0, 'HTLCS_PENDING', 'settle or fail every HTLC before a resize');
  check(latest.final !== true, 'CHANNEL_FINAL', 'channel already has a final state');
  const a = p.a + parseAmount(topUp.a, 'topUp a') - parseAmount(withdraw.a, 'withdraw a');
  const b = p.b + parseAmount(topUp.b, 'topUp b') - parseAmount(withdraw.b, 'withdraw b');
  check(a >= 0n && b >= 0n, 'INSUFFICIENT_BALANCE', 'a withdrawal exceeds the side\'s balance');
  return buildState(latest, a, b, []);
}

/** New total after a resize, given the current total. */
export function resizedTotal(total: bigint, terms: ResizeTerms): bigint {
  const add = sumAmounts([parseAmount(terms.topUp.a), parseAmount(terms.topUp.b)]);
  const sub = parseAmount(terms.withdraw.a) + parseAmount(terms.withdraw.b);
  check(total + add >= sub, 'INSUFFICIENT_BALANCE', 'withdrawals exceed the channel total');
  return total + add - sub;
}

/** The record both parties (and the chaincode) use after a resize at `state`. */
export function resizedRecord(record: ChannelRecord, state: ChannelState): ChannelRecord {
  return { ...record, deposits: { a: formatAmount(parseAmount(state.balances.a)), b: formatAmount(parseAmount(state.balances.b)) } };
}

/** Both parties' side of a resize, for a wallet holding both keys (tests, demos) or assembled by a broker. */
export function buildResize(
  latest: ChannelState,
  change: { topUp?: Partial<Record<Side, string>>; withdraw?: Partial<Record<Side, string>>; notAfter: number },
  channelKeys: Record<Side, string>,
): { terms: ResizeTerms; signed: SignedState; consent: Record<Side, string> } {
  const topUp = { a: change.topUp?.a ?? '0', b: change.topUp?.b ?? '0' };
  const withdraw = { a: change.withdraw?.a ?? '0', b: change.withdraw?.b ?? '0' };
  const state = resizeState(latest, topUp, withdraw);
  const terms: ResizeTerms = { channelId: latest.channelId, version: state.version, topUp, withdraw, notAfter: change.notAfter };
  return {
    terms,
    signed: coSign(state, channelKeys),
    consent: { a: signResizeConsent(terms, channelKeys.a), b: signResizeConsent(terms, channelKeys.b) },
  };
}

export function signResizeConsent(terms: ResizeTerms, channelPrivateKey: string): string {
  return signChannelRequest('channel-resize', terms, channelPrivateKey);
}

export function signTopUp(terms: ResizeTerms, side: Side, accountPrivateKey: string, nonce: number): OpenAuth {
  return { nonce, signature: signRequest('channel-topup', topUpBody(side, terms, nonce), accountPrivateKey).signature };
}

/**
 * A request signed by a channel key of either kind, over the same digest as an account's signed
 * request (for an Ed25519 key the bytes are identical to `signRequest`).
 */
export function signChannelRequest(action: string, body: object, channelPrivateKey: string): string {
  return signDigest(requestDigest(action, body), channelPrivateKey);
}

/** False for a wrong or malformed signature; a malformed key is BAD_KEY (keys come from the record). */
export function verifyChannelRequest(action: string, body: object, channelKey: string, signature: unknown): boolean {
  return typeof signature === 'string' && verifyDigest(requestDigest(action, body), channelKey, signature);
}
