import { channels } from '@gridledger/core';
import { LedgerError, type LedgerClient } from '../fabric/ledger';
import { BrokerError } from './protocol';

/** What the broker needs of a channel's on-chain record (`channel:GetChannel`). */
export interface ChannelInfo {
  channelId: string;
  keys: channels.PartyKeys;
  /** Balances of the base state (version 0, or the last resize). */
  deposits: { a: string; b: string };
  /** Channel total (deposits plus top-ups minus withdrawals), for the conservation check. */
  total: bigint;
  /** Posts below this version are refused on chain (0, or the last resize). */
  baseVersion: number;
  status: 'open' | 'closing' | 'closed';
  disputeWindow: number;
  deadline?: number;
  close?: { by: channels.Side; version: number; postedAt: number } | null;
  counter?: { by: channels.Side; version: number; postedAt: number } | null;
}

const MAX_CACHED = 100_000;

/**
 * Cache of on-chain channel records: the keys registered at open are what every signature is
 * checked against, never keys a client sends. Entries are refreshed when the chain says the channel
 * changed (resize, close, settle), which the watchtower reports with {@link invalidate}.
 */
export class ChannelRegistry {
  readonly #cache = new Map<string, Promise<ChannelInfo>>();

  constructor(private readonly ledger: LedgerClient) {}

  /** The channel's record; UNKNOWN_CHANNEL if the chain has none, LEDGER_UNAVAILABLE if the peer is down. */
  get(channelId: string): Promise<ChannelInfo> {
    let p = this.#cache.get(channelId);
    if (!p) {
      p = this.fetch(channelId);
      if (this.#cache.size >= MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value as string);
      this.#cache.set(channelId, p);
      p.catch(() => this.#cache.delete(channelId));
    }
    return p;
  }

  invalidate(channelId: string): void {
    this.#cache.delete(channelId);
  }

  /** Reads the record from the peer now (no cache). */
  async fetch(channelId: string): Promise<ChannelInfo> {
    let raw: Uint8Array;
    try {
      raw = await this.ledger.evaluate('channel:GetChannel', [channelId], { identity: 'client' });
    } catch (err) {
      if (err instanceof LedgerError && (err.kind === 'not-found' || err.kind === 'invalid')) throw new BrokerError('UNKNOWN_CHANNEL', `channel ${channelId} is not on chain`);
      throw new BrokerError('LEDGER_UNAVAILABLE', `cannot read channel ${channelId} from the ledger: ${(err as Error).message}`);
    }
    const c = JSON.parse(Buffer.from(raw).toString('utf8')) as Record<string, unknown> & { keys: channels.PartyKeys; total: string };
    return {
      channelId,
      keys: { a: c.keys.a, b: c.keys.b },
      deposits: c.deposits as { a: string; b: string },
      total: BigInt(c.total),
      baseVersion: Number(c.baseVersion ?? 0),
      status: c.status as ChannelInfo['status'],
      disputeWindow: Number(c.disputeWindow),
      ...(typeof c.deadline === 'number' ? { deadline: c.deadline } : {}),
      close: (c.close as ChannelInfo['close']) ?? null,
      counter: (c.counter as ChannelInfo['counter']) ?? null,
    };
  }
}
