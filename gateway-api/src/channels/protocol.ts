/**
 * The broker's WebSocket protocol (`GET /v1/channels/broker`, upgraded). One JSON object per text
 * frame. The three update messages of the channel library (propose, accept, revoke) travel inside
 * it; the broker adds authentication of each party by its channel key, acknowledgements sent only
 * after the durable write, an offline queue, and watchtower material (preimages). Documented in
 * docs/channels.md ("Broker protocol").
 */
import { createHash } from 'node:crypto';
import { canonicalJson, channels } from '@gridledger/core';

export const BROKER_PATH = '/v1/channels/broker';

type Side = channels.Side;

/** One channel a connection speaks for, proven by the channel key of `side`. */
export interface HelloChannel {
  channelId: string;
  side: Side;
  /** Ed25519 signature by the side's channel key over {@link helloDigest}. */
  signature: string;
  /** Routing: this party's node name and the fee it charges to forward out of this channel. */
  node?: string;
  policy?: channels.FeePolicy;
}

/** Messages a party sends to the broker. `id` is echoed in the answer (`ack` or `error`). */
export type ClientMessage =
  | { type: 'hello'; id?: string; channels: HelloChannel[] }
  | ({ id?: string } & channels.Proposal)
  /** The library's Accept plus the co-signed state the accepter now holds (the broker stores it). */
  | ({ id?: string; signed: channels.SignedState } & channels.Accept)
  | ({ id?: string } & channels.Revoke)
  /** A preimage for the watchtower, to reveal on chain before `timeLock` if the party is offline. */
  | { type: 'preimage'; id?: string; channelId: string; preimage: string; timeLock: number }
  /** Queued messages up to `upTo` were received; the broker deletes them. */
  | { type: 'delivered'; id?: string; channelId: string; upTo: number }
  /** The latest co-signed state and tokens the broker holds (restore before any close). */
  | { type: 'sync'; id?: string; channelId: string };

/** Messages the broker sends. */
export type ServerMessage =
  | { type: 'challenge'; nonce: string }
  | { type: 'welcome'; id?: string; channels: Array<{ channelId: string; side: Side; version: number }> }
  | { type: 'ack'; id?: string; channelId: string; version?: number; queued?: boolean; duplicate?: boolean }
  | { type: 'error'; id?: string; code: BrokerErrorCode; message: string; channelId?: string }
  /** A message from the counterparty; `seq` is set when it came from the offline queue. */
  | { type: 'relay'; seq?: number; message: channels.Proposal | channels.Accept | channels.Revoke }
  | { type: 'state'; id?: string; channelId: string; version: number; signed: channels.SignedState | null; revocations: Partial<Record<Side, channels.Revocation>> }
  /** The watchtower acted on chain for this channel. */
  | { type: 'watchtower'; channelId: string; action: string; txId?: string; detail?: string };

/** Error codes on the wire: the channel library's codes plus the broker's own. */
export type BrokerErrorCode =
  | channels.ChannelErrorCode
  | 'BAD_MESSAGE'
  | 'NOT_AUTHENTICATED'
  | 'UNKNOWN_CHANNEL'
  | 'CHANNEL_NOT_OPEN'
  | 'QUEUE_FULL'
  | 'STORE_UNAVAILABLE'
  | 'LEDGER_UNAVAILABLE';

/** What a party signs to speak for `side` of `channelId` on this connection (fresh nonce per connection). */
export function helloDigest(nonce: string, channelId: string, side: Side): Buffer {
  return createHash('sha256').update('GRIDLEDGER/BROKER-HELLO/V1\n').update(canonicalJson({ nonce, channelId, side })).digest();
}

export function signHello(nonce: string, channelId: string, side: Side, channelPrivateKey: string): string {
  return channels.signDigest(helloDigest(nonce, channelId, side), channelPrivateKey);
}

/** A broker refusal; becomes an `error` message. */
export class BrokerError extends Error {
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BrokerError';
  }
}
