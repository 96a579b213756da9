import { channels } from '@gridledger/core';
import { LedgerError, type LedgerClient } from '../fabric/ledger';
import type { Logger } from '../http/logger';
import type { EventIngester } from '../services/events';
import type { Store, StoredEvent } from '../store/store';
import type { ChannelBroker } from './broker';
import type { ChannelRegistry } from './registry';

type Side = channels.Side;

export interface WatchtowerOptions {
  /** Name of the checkpoint in the store (default `watchtower`). */
  checkpoint?: string;
  /** Reveal a held preimage on chain this many seconds before its lock at the latest (default 120). */
  revealSafetyS?: number;
  /** How often to look for preimages to reveal (default 5 s). */
  sweepMs?: number;
  /** Clock in unix seconds (tests). */
  now?: () => number;
}

/** What the watchtower did; also sent to the channel's connected parties. */
export interface WatchAction {
  channelId: string;
  action: 'counter' | 'breach' | 'revocations' | 'reveal' | 'none' | 'too-late' | 'failed';
  txId?: string;
  detail?: string;
}

const PAGE = 200;

/**
 * Watches the chain for the parties whose states the broker holds. It reads the gateway's event log
 * (filled by the EventIngester, which resumes from the last logged block after a restart) from its
 * own persisted checkpoint, so a close that happened while the gateway was down is still answered
 * when it comes back, if the dispute window is still open. On a unilateral close (or a counter)
 * older than the latest co-signed state it holds, it posts that state (`Counter`), with the closer's
 * revocation secret when the close was a breach (the honest party then gets everything). It also
 * covers HTLCs: preimages parties gave it are revealed on chain when a channel with that lock
 * closes, and at the latest `revealSafetyS` before the lock.
 */
export class Watchtower {
  #running = false;
  #loop?: Promise<void>;
  #wake?: () => void;
  #timer?: NodeJS.Timeout;
  #unsubscribe?: () => void;
  readonly actions: WatchAction[] = [];
  readonly #opts: Required<WatchtowerOptions>;

  constructor(
    private readonly deps: { store: Store; ledger: LedgerClient; registry: ChannelRegistry; broker?: ChannelBroker; events: EventIngester; log: Logger },
    options: WatchtowerOptions = {},
  ) {
    this.#opts = { checkpoint: 'watchtower', revealSafetyS: 120, sweepMs: 5_000, now: () => Math.floor(Date.now() / 1000), ...options };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.deps.events.onAppended(() => this.#wake?.());
    this.#loop = this.#run();
    this.#timer = setInterval(() => void this.sweep().catch((err: unknown) => this.deps.log.warn('watchtower sweep failed', { error: (err as Error).message })), this.#opts.sweepMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let progressed = false;
      try {
        const after = (await this.deps.store.getCheckpoint(this.#opts.checkpoint)) ?? 0;
        const page = await this.deps.store.eventsAfter(after, PAGE);
        for (const e of page) {
          if (!this.#running) break;
          await this.handle(e);
          await this.deps.store.setCheckpoint(this.#opts.checkpoint, e.seq, Date.now());
          progressed = true;
        }
        if (page.length === PAGE) continue;
      } catch (err) {
        // Ledger unreachable or store trouble: the checkpoint did not move, the event is retried.
        this.deps.log.warn('watchtower: retrying', { error: (err as Error).message });
        await new Promise((r) => setTimeout(r, 1_000));
        continue;
      }
      if (progressed) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1_000);
        this.#wake = () => {
          clearTimeout(t);
          this.#wake = undefined;
          resolve();
        };
      });
    }
  }

  /** Acts on one logged chaincode event. Throws only for failures worth retrying. */
  async handle(e: StoredEvent): Promise<void> {
    if (!e.eventName.startsWith('Channel') && e.eventName !== 'PreimageRevealed' && e.eventName !== 'RevocationsPosted') return;
    let payload: Record<string, unknown>;
    try {
      payload = JSON.parse(Buffer.from(e.payload).toString('utf8'));
    } catch {
      return;
    }
    const channelId = typeof payload.channelId === 'string' ? payload.channelId : undefined;
    switch (e.eventName) {
      case 'ChannelClosing':
      case 'ChannelCountered':
      case 'RevocationsPosted':
        if (!channelId) return;
        this.deps.registry.invalidate(channelId);
        this.deps.broker?.forget(channelId);
        await this.respond(channelId);
        return;
      case 'ChannelResized':
        if (!channelId) return;
        this.deps.registry.invalidate(channelId);
        this.deps.broker?.forget(channelId);
        return;
      case 'ChannelSettled':
        if (!channelId) return;
        this.deps.registry.invalidate(channelId);
        this.deps.broker?.forget(channelId);
        await this.deps.store.deleteChannelData(channelId);
        return;
      case 'PreimageRevealed':
        if (typeof payload.hashLock === 'string' && typeof payload.revealedAt === 'number') await this.deps.store.markPreimageRevealed(payload.hashLock, payload.revealedAt);
        return;
    }
  }

  /**
   * Looks at a channel in dispute and posts whatever the held state proves: breach evidence, or a
   * newer co-signed state; then reveals held preimages of the disputed states' HTLCs.
   */
  async respond(channelId: string): Promise<WatchAction | undefined> {
    const stored = await this.deps.store.getChannelState(channelId);
    if (!stored?.signed) return undefined;
    let info;
    try {
      info = await this.deps.registry.fetch(channelId);
    } catch (err) {
      if ((err as { code?: string }).code === 'UNKNOWN_CHANNEL') return undefined;
      throw err;
    }
    if (info.status !== 'closing' || !info.close) return undefined;
    const now = this.#opts.now();
    const latest = JSON.parse(stored.signed) as channels.SignedState;
    const closer = info.close.by;
    const token = stored.revocations[closer]?.token;
    const record: channels.WatchRecord = { latest, ...(token ? { peerRevocation: JSON.parse(token) as channels.Revocation } : {}) };
    const best = Math.max(info.close.version, info.counter?.version ?? -1);
    const answer = channels.watchResponse(record, closer, info.close.version, info.keys);
    let action: WatchAction = { channelId, action: 'none' };
    const defender: Side = channels.other(closer);
    const windowOpen = info.deadline === undefined || now < info.deadline;
    if (answer.kind === 'breach' && latest.state.version > best && windowOpen) {
      action = await this.#submit(channelId, 'breach', 'channel:Counter', [JSON.stringify({ channelId, by: defender, signed: answer.signed, revocations: answer.revocations })]);
    } else if (answer.kind === 'breach') {
      // The held state (the closer's signature on it) and the closer's secret for it are evidence
      // until payout, even after the window.
      action = await this.#submit(channelId, 'revocations', 'channel:PostRevocations', [channelId, JSON.stringify({ revocations: answer.revocations, states: [answer.signed] })]);
    } else if (answer.kind !== 'none' && latest.state.version > best) {
      action = windowOpen
        ? await this.#submit(channelId, 'counter', 'channel:Counter', [JSON.stringify({ channelId, by: defender, signed: latest })])
        : { channelId, action: 'too-late', detail: `the dispute window ended at ${info.deadline}` };
    }
    if (action.action !== 'none') {
      this.#record(action);
      this.deps.log.info('watchtower acted', { ...action });
    }
    // HTLCs of any state that may win: reveal the preimages we hold now (reveals are global and
    // count for every channel with that lock if made before the lock).
    const locks = new Set([...latest.state.htlcs, ...(info.close as { htlcs?: channels.Htlc[] }).htlcs ?? []].map((h) => h.hashLock));
    if (locks.size) {
      for (const p of await this.deps.store.channelPreimages(channelId)) {
        if (locks.has(p.hashLock) && p.revealedAt === undefined && now < p.timeLock) await this.#reveal(channelId, p.preimage, p.hashLock);
      }
    }
    return action;
  }

  /** Reveals held preimages whose lock is near (within the safety margin) and not yet revealed. */
  async sweep(): Promise<void> {
    const now = this.#opts.now();
    for (const p of await this.deps.store.unrevealedPreimages(now, 100)) {
      if (p.timeLock - this.#opts.revealSafetyS > now) break;
      await this.#reveal(p.channelId, p.preimage, p.hashLock);
    }
  }

  async #reveal(channelId: string, preimage: string, hashLock: string): Promise<void> {
    const a = await this.#submit(channelId, 'reveal', 'channel:RevealPreimage', [preimage]);
    if (a.action === 'reveal') await this.deps.store.markPreimageRevealed(hashLock, this.#opts.now());
    this.#record(a);
  }

  #record(a: WatchAction): void {
    this.actions.push(a);
    if (this.actions.length > 1000) this.actions.splice(0, this.actions.length - 1000);
    this.deps.broker?.notify(a.channelId, { type: 'watchtower', channelId: a.channelId, action: a.action, ...(a.txId ? { txId: a.txId } : {}), ...(a.detail ? { detail: a.detail } : {}) });
  }

  /** Submits and waits for the commit; MVCC conflicts are retried, refusals reported, outages thrown. */
  async #submit(channelId: string, action: WatchAction['action'], fn: string, args: string[]): Promise<WatchAction> {
    for (let attempt = 1; ; attempt++) {
      try {
        const tx = this.deps.ledger.prepare(fn, args, { identity: 'client' });
        const sub = await this.deps.ledger.submitAsync(tx);
        const outcome = await sub.commit;
        if (outcome.successful) return { channelId, action, txId: tx.txId };
        if (attempt >= 5) return { channelId, action: 'failed', txId: tx.txId, detail: outcome.codeName };
      } catch (err) {
        if (err instanceof LedgerError && err.kind !== 'unavailable') return { channelId, action: 'failed', detail: err.message };
        if (attempt >= 5) throw err;
      }
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}
