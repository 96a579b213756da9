import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { channels } from '@gridledger/core';
import type { Request } from 'express';
import { Authenticator, type Caller } from '../http/auth';
import type { Logger } from '../http/logger';
import type { GatewayMetrics } from '../http/metrics';
import type { ChannelWriteBatch, Store } from '../store/store';
import { BROKER_PATH, BrokerError, helloDigest, type ClientMessage, type HelloChannel, type ServerMessage } from './protocol';
import type { ChannelInfo, ChannelRegistry } from './registry';
import { InlineVerifier, type SignatureVerifier } from './verifier';

type Side = channels.Side;
const other = channels.other;

export interface BrokerOptions {
  /** Messages queued per offline party and channel (default 64); more: QUEUE_FULL to the sender. */
  queueLimit?: number;
  /** Preimages held per channel (default 64). */
  preimageLimit?: number;
  /** Channels one connection may speak for (default 1024). */
  maxChannelsPerConnection?: number;
  /** Largest frame in bytes (default 256 KiB). */
  maxPayload?: number;
}

const NODE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * Group commit: writes requested while a commit is running (or within the same turn of the event
 * loop) are merged into the next single transaction, and every requester is answered once that
 * transaction is durable. One fsync then covers many updates, and nothing is acknowledged before it.
 * Commits are at least `minIntervalMs` apart (from the end of one to the start of the next): an idle
 * broker commits at once, a busy one gathers about a millisecond of writes per fsync instead of
 * paying one per turn of the event loop (an embedded store commits synchronously, so nothing would
 * gather while it runs).
 */
export class GroupCommit {
  #pending: Array<{ batch: ChannelWriteBatch; resolve: () => void; reject: (e: unknown) => void }> = [];
  #running = false;
  #scheduled = false;
  #lastEnd = 0;

  constructor(
    private readonly store: Store,
    private readonly minIntervalMs = 1,
    private readonly metrics?: GatewayMetrics,
  ) {}

  write(batch: ChannelWriteBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ batch, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#running || this.#scheduled) return;
    this.#scheduled = true;
    const run = () => {
      this.#scheduled = false;
      void this.#flush();
    };
    const wait = this.#lastEnd + this.minIntervalMs - performance.now();
    if (wait > 0) setTimeout(run, wait);
    else setImmediate(run);
  }

  async #flush(): Promise<void> {
    if (this.#running || this.#pending.length === 0) return;
    this.#running = true;
    const group = this.#pending.splice(0);
    const merged: Required<ChannelWriteBatch> = { states: [], revocations: [], nodes: [], enqueue: [], preimages: [] };
    for (const { batch } of group) {
      for (const k of Object.keys(merged) as Array<keyof ChannelWriteBatch>) {
        const items = batch[k];
        if (items) (merged[k] as unknown[]).push(...items);
      }
    }
    const t0 = performance.now();
    try {
      await this.store.writeChannelBatch(merged, Date.now());
      this.metrics?.channelCommit.observe((performance.now() - t0) / 1000);
      this.metrics?.channelCommitWrites.inc(group.length);
      for (const g of group) g.resolve();
    } catch (err) {
      for (const g of group) g.reject(err);
    } finally {
      this.#running = false;
      this.#lastEnd = performance.now();
      if (this.#pending.length) this.#schedule();
    }
  }
}

/** What a checked message still has to do (boxed so the gate does not wait for it). */
interface Effect {
  done: Promise<void>;
}

/** The broker's view of one channel; updated synchronously in message order. */
interface Slot {
  info: ChannelInfo;
  /** Latest co-signed version accepted (its write may still be in the current group commit). */
  version: number;
  /** True once the broker holds a co-signed state (else the first one may be any version above the base). */
  held: boolean;
  digest?: string;
  /** Each side's revocation lock in the latest co-signed state (what its next secret must open). */
  locks: Partial<Record<Side, string>>;
  revBelow: Record<Side, number>;
  /** Kind of the update in flight (for the metrics). */
  opKind?: string;
  /** Serialises what the broker sends about this channel, so relays keep their order. */
  tail: Promise<void>;
  /** Serialises the checks of this channel's messages (they await the signature verifier). */
  gate: Promise<void>;
}

class Connection {
  readonly nonce = randomBytes(16).toString('hex');
  readonly sides = new Map<string, Side>();
  #corked = false;
  constructor(
    readonly ws: WebSocket,
    readonly caller: Caller,
    private readonly socket?: Duplex,
  ) {}

  /**
   * Frames sent to one connection in one turn of the event loop leave in one write: a party serving
   * many channels (a pile operator's backend) gets them in one syscall instead of one each.
   */
  send(m: ServerMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const socket = this.socket;
    if (socket && !this.#corked) {
      this.#corked = true;
      socket.cork();
      setImmediate(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    this.ws.send(JSON.stringify(m));
  }
}

const key = (channelId: string, side: Side) => `${channelId}/${side}`;

/**
 * Acknowledges a message that asked for it with an `id`. A party that needs no answer (a proposer
 * learns of success from the relayed accept) leaves `id` out and saves a frame per message; refusals
 * are always sent.
 */
function ack(conn: Connection, id: string | undefined, body: Omit<Extract<ServerMessage, { type: 'ack' }>, 'type' | 'id'>): void {
  if (id !== undefined) conn.send({ type: 'ack', id, ...body });
}

/**
 * The channel broker: parties exchange the channel library's update messages over a WebSocket. The
 * broker authenticates each party by the channel key registered on chain, checks every co-signed
 * state (both signatures, conservation of the on-chain total, version exactly one above the last)
 * and every revocation token, writes them durably (group commit) before it acknowledges or relays
 * them, and queues messages for parties that are offline. It keeps O(1) per channel: the latest
 * co-signed state and each party's highest token.
 */
export class ChannelBroker {
  readonly wss: WebSocketServer;
  readonly commit: GroupCommit;
  readonly #slots = new Map<string, Promise<Slot>>();
  readonly #subs = new Map<string, Connection>();
  readonly #conns = new Set<Connection>();
  readonly #auth: Authenticator;
  readonly #opts: Required<BrokerOptions>;
  readonly #verifier: SignatureVerifier;

  constructor(
    private readonly deps: { store: Store; registry: ChannelRegistry; log: Logger; metrics: GatewayMetrics; auth: Authenticator; verifier?: SignatureVerifier },
    options: BrokerOptions = {},
  ) {
    this.#opts = { queueLimit: 64, preimageLimit: 64, maxChannelsPerConnection: 1024, maxPayload: 256 * 1024, ...options };
    this.#auth = deps.auth;
    this.commit = new GroupCommit(deps.store, 1, deps.metrics);
    this.#verifier = deps.verifier ?? new InlineVerifier();
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.#opts.maxPayload, perMessageDeflate: false });
  }

  /** Handles WebSocket upgrades on `server` for {@link BROKER_PATH}; other upgrades are refused. */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      if (path !== BROKER_PATH) return void refuseUpgrade(socket, 404, 'Not Found');
      const result = this.#auth.authenticate(req as unknown as Request);
      if (!result.caller) return void refuseUpgrade(socket, 401, 'Unauthorized');
      const caller = result.caller;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, caller, socket));
    });
  }

  /** Connected parties (for readiness and tests). */
  get connections(): number {
    return this.#conns.size;
  }

  /** Closes every connection (and the verifier's threads). */
  close(): void {
    for (const c of this.#conns) c.ws.terminate();
    this.wss.close();
    void this.#verifier.close();
  }

  /** The chain changed the channel (close, resize, settle): reload its record on next use. */
  forget(channelId: string): void {
    this.#slots.delete(channelId);
  }

  /** Tells the connected parties of a channel what the watchtower did. */
  notify(channelId: string, m: ServerMessage): void {
    for (const side of ['a', 'b'] as const) this.#subs.get(key(channelId, side))?.send(m);
  }

  #open(ws: WebSocket, caller: Caller, socket?: Duplex): void {
    const conn = new Connection(ws, caller, socket);
    this.#conns.add(conn);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return conn.send({ type: 'error', code: 'BAD_MESSAGE', message: 'send JSON text frames' });
      void this.#handle(conn, data.toString());
    });
    ws.on('close', () => {
      this.#conns.delete(conn);
      for (const [id, side] of conn.sides) if (this.#subs.get(key(id, side)) === conn) this.#subs.delete(key(id, side));
    });
    ws.on('error', () => ws.terminate());
    conn.send({ type: 'challenge', nonce: conn.nonce });
  }

  async #handle(conn: Connection, text: string): Promise<void> {
    let msg: ClientMessage & { id?: string; channelId?: string };
    try {
      msg = JSON.parse(text);
      if (msg === null || typeof msg !== 'object' || typeof msg.type !== 'string') throw new Error('no type');
    } catch {
      return conn.send({ type: 'error', code: 'BAD_MESSAGE', message: 'a message is one JSON object with a type' });
    }
    const id = typeof msg.id === 'string' ? msg.id.slice(0, 64) : undefined;
    try {
      switch (msg.type) {
        case 'hello':
          return await this.#hello(conn, msg, id);
        case 'propose':
          return await this.#propose(conn, msg as channels.Proposal, id);
        case 'accept':
          return await this.#accept(conn, msg as channels.Accept & { signed: channels.SignedState }, id);
        case 'revoke':
          return await this.#revoke(conn, msg as channels.Revoke, id);
        case 'preimage':
          return await this.#preimage(conn, msg as Extract<ClientMessage, { type: 'preimage' }>, id);
        case 'delivered':
          return await this.#delivered(conn, msg as Extract<ClientMessage, { type: 'delivered' }>, id);
        case 'sync':
          return await this.#sync(conn, msg as Extract<ClientMessage, { type: 'sync' }>, id);
        default:
          throw new BrokerError('BAD_MESSAGE', `unknown message type ${String((msg as { type: unknown }).type).slice(0, 32)}`);
      }
    } catch (err) {
      const code = err instanceof BrokerError || err instanceof channels.ChannelError ? err.code : 'STORE_UNAVAILABLE';
      if (!(err instanceof BrokerError || err instanceof channels.ChannelError)) this.deps.log.error('broker failure', { error: err as Error });
      conn.send({ type: 'error', ...(id ? { id } : {}), code, message: (err as Error).message, ...(typeof msg.channelId === 'string' ? { channelId: msg.channelId.slice(0, 128) } : {}) });
    }
  }

  #slot(channelId: unknown): Promise<Slot> {
    const id = channels.checkChannelId(channelId);
    let p = this.#slots.get(id);
    if (!p) {
      p = (async () => {
        const [info, stored] = await Promise.all([this.deps.registry.get(id), this.deps.store.getChannelState(id)]);
        const held = stored?.signed !== undefined && stored.version >= info.baseVersion;
        return {
          info,
          version: held ? stored!.version : info.baseVersion,
          held,
          locks: held ? ((JSON.parse(stored!.signed!) as channels.SignedState).locks ?? {}) : {},
          revBelow: { a: stored?.revocations.a?.below ?? 0, b: stored?.revocations.b?.below ?? 0 },
          tail: Promise.resolve(),
          gate: Promise.resolve(),
        };
      })();
      this.#slots.set(id, p);
      p.catch(() => this.#slots.delete(id));
    }
    return p;
  }

  #sideOf(conn: Connection, channelId: unknown): Side {
    const side = typeof channelId === 'string' ? conn.sides.get(channelId) : undefined;
    if (!side) throw new BrokerError('NOT_AUTHENTICATED', `say hello for channel ${String(channelId).slice(0, 128)} first`);
    return side;
  }

  /**
   * Runs `check` after the checks of the channel's earlier messages: a check awaits the verifier,
   * and the next message must see the slot as this one left it. It returns the message's effect,
   * which is awaited outside the gate (the next check need not wait for this one's write).
   */
  async #checked(slot: Slot, check: () => Promise<Effect>): Promise<void> {
    const run = slot.gate.then(check);
    slot.gate = run.then(
      () => undefined,
      () => undefined,
    );
    await (await run).done;
  }

  /** Runs `effect` after everything already scheduled for the channel (keeps relays in order). */
  #then(slot: Slot, effect: () => void | Promise<void>): Promise<void> {
    const run = slot.tail.then(effect);
    slot.tail = run.catch(() => undefined);
    return run;
  }

  /** Relays to the counterparty now if connected, else returns the queue entry to write durably. */
  #route(channelId: string, to: Side, message: channels.Proposal | channels.Accept | channels.Revoke): { send?: () => void; enqueue?: ChannelWriteBatch['enqueue'] } {
    const peer = this.#subs.get(key(channelId, to));
    if (peer) return { send: () => peer.send({ type: 'relay', message }) };
    return { enqueue: [{ channelId, recipient: to, body: JSON.stringify(message) }] };
  }

  async #checkQueue(channelId: string, to: Side): Promise<void> {
    if (this.#subs.has(key(channelId, to))) return;
    const n = await this.deps.store.countQueuedChannelMessages(channelId, to);
    if (n >= this.#opts.queueLimit) throw new BrokerError('QUEUE_FULL', `side ${to} is offline with ${n} messages queued; wait for it to come back`);
  }

  async #hello(conn: Connection, msg: Extract<ClientMessage, { type: 'hello' }>, id?: string): Promise<void> {
    if (!Array.isArray(msg.channels) || msg.channels.length === 0) throw new BrokerError('BAD_MESSAGE', 'hello needs a non-empty channels array');
    if (conn.sides.size + msg.channels.length > this.#opts.maxChannelsPerConnection) throw new BrokerError('BAD_MESSAGE', `at most ${this.#opts.maxChannelsPerConnection} channels per connection`);
    const nodes: NonNullable<ChannelWriteBatch['nodes']> = [];
    const proven: Array<{ channelId: string; side: Side; slot: Slot }> = [];
    for (const h of msg.channels as HelloChannel[]) {
      const channelId = channels.checkChannelId(h?.channelId);
      if (h.side !== 'a' && h.side !== 'b') throw new BrokerError('BAD_MESSAGE', 'side must be a or b');
      const slot = await this.#slot(channelId);
      if (!channels.verifyDigest(helloDigest(conn.nonce, channelId, h.side), slot.info.keys[h.side], h.signature)) {
        throw new BrokerError('BAD_SIGNATURE', `hello for ${channelId} side ${h.side} is not signed by that side's channel key`);
      }
      if (h.node !== undefined) {
        if (typeof h.node !== 'string' || !NODE.test(h.node)) throw new BrokerError('BAD_MESSAGE', 'node must be 1-64 chars of [A-Za-z0-9._:-]');
        const policy = h.policy ?? { base: '0', proportionalMillionths: 0 };
        channels.forwardFee(policy, 0n); // validates
        nodes.push({ channelId, side: h.side, node: JSON.stringify({ node: h.node, policy: { base: policy.base, proportionalMillionths: policy.proportionalMillionths } }) });
      }
      proven.push({ channelId, side: h.side, slot });
    }
    if (nodes.length) await this.commit.write({ nodes });
    for (const p of proven) {
      conn.sides.set(p.channelId, p.side);
      const previous = this.#subs.get(key(p.channelId, p.side));
      if (previous && previous !== conn) previous.sides.delete(p.channelId);
      this.#subs.set(key(p.channelId, p.side), conn);
    }
    conn.send({ type: 'welcome', ...(id ? { id } : {}), channels: proven.map((p) => ({ channelId: p.channelId, side: p.side, version: p.slot.version })) });
    // Deliver what was queued while the party was away, in order; it confirms with `delivered`.
    for (const p of proven) {
      await this.#then(p.slot, async () => {
        const queued = await this.deps.store.queuedChannelMessages(p.channelId, p.side, this.#opts.queueLimit);
        for (const q of queued) conn.send({ type: 'relay', seq: q.seq, message: JSON.parse(q.body) });
      });
    }
  }

  async #propose(conn: Connection, msg: channels.Proposal & { onward?: unknown }, id?: string): Promise<void> {
    const side = this.#sideOf(conn, msg.channelId);
    const slot = await this.#slot(msg.channelId);
    if (slot.info.status !== 'open') throw new BrokerError('CHANNEL_NOT_OPEN', `channel ${slot.info.channelId} is ${slot.info.status}`);
    const state = msg.state;
    if (state?.channelId !== slot.info.channelId) throw new channels.ChannelError('CHANNEL_MISMATCH', 'the proposed state is for another channel');
    channels.parseState(state, slot.info.total);
    this.#checkVersion(slot, state.version);
    if (!msg.op || typeof msg.op.kind !== 'string' || typeof msg.signature !== 'string') throw new BrokerError('BAD_MESSAGE', 'a proposal carries op, state, lock and signature');
    channels.checkLock(msg.lock, 'proposal lock');
    await this.#checkQueue(slot.info.channelId, other(side));
    slot.opKind = msg.op.kind;
    const relay: channels.Proposal & { onward?: unknown } = { type: 'propose', channelId: slot.info.channelId, op: msg.op, state, lock: msg.lock, signature: msg.signature };
    if (msg.onward !== undefined) relay.onward = msg.onward;
    const r = this.#route(slot.info.channelId, other(side), relay);
    const write = r.enqueue ? this.commit.write({ enqueue: r.enqueue }) : undefined;
    await this.#then(slot, async () => {
      if (write) await write;
      r.send?.();
      ack(conn, id, { channelId: slot.info.channelId, version: state.version, queued: Boolean(r.enqueue) });
    });
  }

  #checkVersion(slot: Slot, version: number): void {
    const ok = slot.held ? version === slot.version + 1 : Number.isSafeInteger(version) && version > slot.version;
    if (!ok) throw new channels.ChannelError('VERSION_NOT_INCREASING', `the broker holds version ${slot.version}; expected ${slot.held ? slot.version + 1 : `above ${slot.version}`}, got ${version}`);
  }

  async #accept(conn: Connection, msg: channels.Accept & { signed: channels.SignedState }, id?: string): Promise<void> {
    const side = this.#sideOf(conn, msg.channelId);
    const slot = await this.#slot(msg.channelId);
    const signed = msg.signed;
    const version = signed?.state?.version;
    if (signed?.state?.channelId !== slot.info.channelId || version !== msg.version) throw new BrokerError('BAD_MESSAGE', 'accept.signed must be the co-signed state of accept.version on this channel');
    if (signed.sigs?.[side] !== msg.signature) throw new BrokerError('BAD_MESSAGE', 'accept.signature must be the accepter\'s signature in accept.signed');
    // Both signatures against the keys registered on chain, each with the lock it binds, and the
    // on-chain total; the accepter's secret must open its own lock (one hash, no signature).
    channels.parseState(signed.state, slot.info.total);
    const rev = channels.checkRevocation(msg.revocation);
    if (rev.channelId !== slot.info.channelId || rev.party !== side || rev.below !== version) throw new channels.ChannelError('BAD_SIGNATURE', `the accept must carry side ${side}'s revocation below ${version}`);
    const locks = { a: channels.lockOfSide(signed, 'a'), b: channels.lockOfSide(signed, 'b') };
    if (!locks.a || !locks.b) throw new BrokerError('BAD_MESSAGE', 'an update binds a revocation lock into each signature: accept.signed.locks needs a and b');
    const okRev = channels.revocationLock(rev.secret) === locks[side];
    const d = channels.sideDigests(signed);
    const digest = `${d.a.toString('hex')}${d.b.toString('hex')}`;
    const keys = slot.info.keys;
    const checks = [
      { digest: d.a, key: keys.a, signature: signed.sigs.a },
      { digest: d.b, key: keys.b, signature: signed.sigs.b },
    ];
    await this.#checked(slot, async () => {
      if (slot.info.status === 'closed') throw new BrokerError('CHANNEL_NOT_OPEN', `channel ${slot.info.channelId} is closed`);
      const [okA, okB] = await this.#verifier.verify(checks);
      if (!okA || !okB) throw new channels.ChannelError('NOT_COSIGNED', `signature of ${okA ? 'b' : 'a'} on version ${version} does not verify`);
      if (slot.held && version === slot.version && digest === slot.digest) {
        // A retry of the last accept (e.g. after a lost ack): already durable.
        return { done: this.#then(slot, () => ack(conn, id, { channelId: slot.info.channelId, version, duplicate: true })) };
      }
      this.#checkVersion(slot, version);
      if (!okRev) throw new channels.ChannelError('BAD_SIGNATURE', `side ${side}'s revocation secret does not open its lock`);
      await this.#checkQueue(slot.info.channelId, other(side));
      slot.version = version;
      slot.held = true;
      slot.digest = digest;
      slot.locks = locks;
      slot.revBelow[side] = rev.below;
      const kind = slot.opKind ?? 'update';
      slot.opKind = undefined;
      const relay: channels.Accept = { type: 'accept', channelId: slot.info.channelId, version, signature: msg.signature, revocation: rev };
      const r = this.#route(slot.info.channelId, other(side), relay);
      const write = this.commit.write({
        states: [{ channelId: slot.info.channelId, version, signed: JSON.stringify({ state: signed.state, sigs: { a: signed.sigs.a, b: signed.sigs.b }, locks }) }],
        revocations: [{ channelId: slot.info.channelId, party: side, below: rev.below, token: JSON.stringify(rev) }],
        ...(r.enqueue ? { enqueue: r.enqueue } : {}),
      });
      const done = this.#then(slot, async () => {
        try {
          await write;
        } catch (err) {
          this.#slots.delete(slot.info.channelId); // reload what is really stored
          throw err;
        }
        this.deps.metrics.channelUpdates.inc({ kind });
        ack(conn, id, { channelId: slot.info.channelId, version, queued: Boolean(r.enqueue) });
        r.send?.();
      });
      return { done };
    });
  }

  /**
   * The proposer's secret for the version just co-signed: it must open the lock the proposer bound
   * into its signature there (one hash). One for an older version adds nothing (the latest state
   * carries the party's signature on a newer one) and is answered as a duplicate.
   */
  async #revoke(conn: Connection, msg: channels.Revoke, id?: string): Promise<void> {
    const side = this.#sideOf(conn, msg.channelId);
    const slot = await this.#slot(msg.channelId);
    const rev = channels.checkRevocation(msg.revocation);
    if (rev.channelId !== slot.info.channelId || rev.party !== side) throw new channels.ChannelError('BAD_SIGNATURE', `a revoke must carry side ${side}'s own revocation for this channel`);
    const lock = channels.revocationLock(rev.secret);
    await this.#checked(slot, async () => {
      if (rev.below > slot.version || !slot.held) throw new channels.ChannelError('UNEXPECTED_MESSAGE', `the broker holds no co-signed version ${rev.below}`);
      if (rev.below < slot.version) return { done: this.#then(slot, () => ack(conn, id, { channelId: slot.info.channelId, version: rev.below, duplicate: true })) };
      if (lock !== slot.locks[side]) throw new channels.ChannelError('BAD_SIGNATURE', `side ${side}'s revocation secret does not open its lock on version ${rev.below}`);
      const relay: channels.Revoke = { type: 'revoke', channelId: slot.info.channelId, revocation: rev };
      if (rev.below <= slot.revBelow[side]) {
        const r = this.#route(slot.info.channelId, other(side), relay);
        const done = this.#then(slot, () => {
          r.send?.();
          ack(conn, id, { channelId: slot.info.channelId, version: rev.below, duplicate: true });
        });
        return { done };
      }
      await this.#checkQueue(slot.info.channelId, other(side));
      slot.revBelow[side] = rev.below;
      const r = this.#route(slot.info.channelId, other(side), relay);
      const write = this.commit.write({ revocations: [{ channelId: slot.info.channelId, party: side, below: rev.below, token: JSON.stringify(rev) }], ...(r.enqueue ? { enqueue: r.enqueue } : {}) });
      if (r.enqueue) {
        const done = this.#then(slot, async () => {
          await write;
          ack(conn, id, { channelId: slot.info.channelId, version: rev.below, queued: true });
        });
        return { done };
      }
      // The secret adds nothing the counterparty lacks to hold its state, and the sender already holds
      // the co-signed state, so the relay does not wait for the write (the next update of the channel
      // should not either); the sender's ack does: the watchtower's copy is durable when it arrives.
      const relayed = this.#then(slot, () => r.send?.());
      const done = (async () => {
        await relayed;
        await write;
        ack(conn, id, { channelId: slot.info.channelId, version: rev.below, queued: false });
      })();
      return { done };
    });
  }

  async #preimage(conn: Connection, msg: Extract<ClientMessage, { type: 'preimage' }>, id?: string): Promise<void> {
    this.#sideOf(conn, msg.channelId);
    const slot = await this.#slot(msg.channelId);
    const hashLock = channels.hashLockOf(msg.preimage);
    if (!Number.isSafeInteger(msg.timeLock) || msg.timeLock <= 0) throw new BrokerError('BAD_MESSAGE', 'timeLock must be unix seconds');
    const held = await this.deps.store.channelPreimages(slot.info.channelId);
    if (!held.some((p) => p.hashLock === hashLock) && held.length >= this.#opts.preimageLimit) throw new BrokerError('QUEUE_FULL', `at most ${this.#opts.preimageLimit} preimages per channel`);
    await this.commit.write({ preimages: [{ channelId: slot.info.channelId, hashLock, preimage: msg.preimage, timeLock: msg.timeLock }] });
    ack(conn, id, { channelId: slot.info.channelId });
  }

  async #delivered(conn: Connection, msg: Extract<ClientMessage, { type: 'delivered' }>, id?: string): Promise<void> {
    const side = this.#sideOf(conn, msg.channelId);
    if (!Number.isSafeInteger(msg.upTo)) throw new BrokerError('BAD_MESSAGE', 'upTo must be a queue sequence number');
    await this.deps.store.deleteQueuedChannelMessages(msg.channelId, side, msg.upTo);
    ack(conn, id, { channelId: msg.channelId });
  }

  async #sync(conn: Connection, msg: Extract<ClientMessage, { type: 'sync' }>, id?: string): Promise<void> {
    this.#sideOf(conn, msg.channelId);
    const slot = await this.#slot(msg.channelId);
    await this.#then(slot, async () => {
      const view = await channelView(this.deps.store, slot.info.channelId);
      conn.send({ type: 'state', ...(id ? { id } : {}), channelId: slot.info.channelId, ...view });
    });
  }
}

/** The latest co-signed state and tokens the store holds for a channel, parsed. */
export async function channelView(store: Store, channelId: string): Promise<{ version: number; signed: channels.SignedState | null; revocations: Partial<Record<Side, channels.Revocation>>; nodes: Partial<Record<Side, { node: string; policy: channels.FeePolicy }>> }> {
  const s = await store.getChannelState(channelId);
  const revocations: Partial<Record<Side, channels.Revocation>> = {};
  const nodes: Partial<Record<Side, { node: string; policy: channels.FeePolicy }>> = {};
  for (const side of ['a', 'b'] as const) {
    const r = s?.revocations[side];
    if (r) revocations[side] = JSON.parse(r.token);
    const n = s?.nodes[side];
    if (n) nodes[side] = JSON.parse(n);
  }
  return { version: s?.signed ? s.version : 0, signed: s?.signed ? JSON.parse(s.signed) : null, revocations, nodes };
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}
