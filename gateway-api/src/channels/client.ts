import { EventEmitter } from 'node:events';
import { WebSocket } from 'ws';
import { channels } from '@gridledger/core';
import { BROKER_PATH, signHello, type ServerMessage } from './protocol';

type Side = channels.Side;

/** The hops after the current one, carried next to an HTLC add so the intermediary can forward. */
export interface OnwardHop {
  channelId: string;
  amount: string;
  timeLock: number;
}

interface Held {
  channel: channels.Channel;
  privateKey: string;
  /** Serialises our own updates on this channel (one in flight). */
  chain: Promise<unknown>;
  /** Our proposal awaiting the peer's accept. */
  waiting?: { resolve: (s: channels.SignedState) => void; reject: (e: Error) => void };
}

export interface BrokerClientOptions {
  /** Unix seconds (tests move time). */
  now?: () => number;
  /** Milliseconds to wait for an answer (default 15 s). */
  timeoutMs?: number;
  /** An incoming HTLC we neither expect nor can forward: fail it at once (default) or hold it. */
  unknownHtlc?: 'fail' | 'hold';
}

/**
 * A party's end of the broker protocol: holds its `Channel` objects, answers proposals (countersign
 * and revoke), completes its own proposals, forwards and settles multi-hop HTLCs, and gives
 * preimages to the watchtower. Used by the integration tests and the benchmark; the model for a
 * wallet. Events: `updated(channelId, signed, op)`, `watchtower(msg)`, `error(err)`.
 */
export class BrokerClient extends EventEmitter {
  readonly held = new Map<string, Held>();
  #ws!: WebSocket;
  #nonce!: string;
  #seq = 0;
  #answers = new Map<string, { resolve: (m: ServerMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  #forward?: { policy: channels.ForwardPolicy };
  /** hashLock -> where our incoming HTLC is (to settle it back once we learn the preimage). */
  #incoming = new Map<string, { channelId: string; id: string }>();
  /** hashLock -> preimage we will reveal as payee. */
  #expect = new Map<string, string>();
  /** hashLock -> waiter for our own payment. */
  #payments = new Map<string, { resolve: (preimage: string) => void; reject: (e: Error) => void }>();
  readonly now: () => number;
  readonly timeoutMs: number;
  readonly unknownHtlc: 'fail' | 'hold';

  private constructor(options: BrokerClientOptions) {
    super();
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.unknownHtlc = options.unknownHtlc ?? 'fail';
    // Failures of background work (answering the peer) are reported, never thrown at the process.
    this.on('error', (err: Error) => (this.lastError = err));
  }

  /** The last failure of background work (answering a relayed message). */
  lastError?: Error;

  /** Connects to a gateway (`http://host:port`) with an API key and waits for the challenge. */
  static async connect(url: string, apiKey: string, options: BrokerClientOptions = {}): Promise<BrokerClient> {
    const c = new BrokerClient(options);
    c.#ws = new WebSocket(url.replace(/^http/, 'ws') + BROKER_PATH, { headers: { 'x-api-key': apiKey }, perMessageDeflate: false });
    c.#nonce = await new Promise<string>((resolve, reject) => {
      c.#ws.once('error', reject);
      c.#ws.once('unexpected-response', (_req, res) => reject(new Error(`broker refused the connection: HTTP ${res.statusCode}`)));
      c.#ws.once('message', (data) => {
        const m = JSON.parse(data.toString()) as ServerMessage;
        if (m.type === 'challenge') resolve(m.nonce);
        else reject(new Error(`expected a challenge, got ${m.type}`));
      });
    });
    c.#ws.on('message', (data) => c.#onMessage(JSON.parse(data.toString()) as ServerMessage));
    c.#ws.on('close', () => {
      for (const [, a] of c.#answers) a.reject(new Error('connection closed'));
      c.#answers.clear();
      c.emit('closed');
    });
    c.#ws.on('error', () => undefined);
    return c;
  }

  close(): void {
    this.#ws.close();
  }

  /** Drops the connection without a close handshake (a phone losing its network). */
  terminate(): void {
    this.#ws.terminate();
  }

  /** Sends a raw message and waits for its `ack`, `welcome` or `state` (rejects on `error`). */
  request(msg: Record<string, unknown>): Promise<ServerMessage> {
    const id = `m${++this.#seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#answers.delete(id);
        reject(new Error(`no answer to ${String(msg.type)} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.#answers.set(id, { resolve, reject, timer });
      this.#ws.send(JSON.stringify({ ...msg, id }));
    });
  }

  /** Speaks for these channel ends on this connection; queued messages follow the welcome. */
  async hello(ends: Array<{ channel: channels.Channel; privateKey: string; node?: string; policy?: channels.FeePolicy }>): Promise<ServerMessage> {
    for (const e of ends) this.held.set(e.channel.record.channelId, { channel: e.channel, privateKey: e.privateKey, chain: Promise.resolve() });
    return this.request({
      type: 'hello',
      channels: ends.map((e) => ({
        channelId: e.channel.record.channelId,
        side: e.channel.side,
        signature: signHello(this.#nonce, e.channel.record.channelId, e.channel.side, e.privateKey),
        ...(e.node ? { node: e.node, policy: e.policy ?? { base: '0', proportionalMillionths: 0 } } : {}),
      })),
    });
  }

  /** Forward HTLCs that arrive with onward hops, under this policy (an intermediary). */
  enableForwarding(policy: channels.ForwardPolicy): void {
    this.#forward = { policy };
  }

  /** As payee: settle an incoming HTLC with this lock by revealing `preimage`. */
  expectPayment(preimage: string): string {
    const hashLock = channels.hashLockOf(preimage);
    this.#expect.set(hashLock, preimage);
    return hashLock;
  }

  /** One full update (propose, accept, revoke) on a channel; resolves with the new co-signed state. */
  update(channelId: string, op: channels.UpdateOp, extra: Record<string, unknown> = {}): Promise<channels.SignedState> {
    const h = this.#held(channelId);
    const run = h.chain.then(async () => {
      const p = h.channel.propose(op, this.now());
      const done = new Promise<channels.SignedState>((resolve, reject) => {
        h.waiting = { resolve, reject };
      });
      try {
        await this.request({ ...p, ...extra });
      } catch (err) {
        h.waiting = undefined;
        throw err;
      }
      return done;
    });
    h.chain = run.catch(() => undefined);
    return run;
  }

  /** Pays along a route: adds the first hop's HTLC with the onward hops; resolves with the preimage once settled. */
  pay(plan: channels.PaymentPlan): Promise<string> {
    const first = plan.hops[0];
    const onward: OnwardHop[] = plan.hops.slice(1).map((h) => ({ channelId: h.channelId, amount: h.htlc.amount, timeLock: h.htlc.timeLock }));
    const settled = new Promise<string>((resolve, reject) => this.#payments.set(plan.hashLock, { resolve, reject }));
    this.update(first.channelId, { kind: 'add', htlc: first.htlc }, { onward }).catch((err: Error) => this.#payments.get(plan.hashLock)?.reject(err));
    return settled;
  }

  /** Gives the watchtower a preimage to reveal on chain before `timeLock` if we are offline. */
  async givePreimage(channelId: string, preimage: string, timeLock: number): Promise<void> {
    await this.request({ type: 'preimage', channelId, preimage, timeLock });
  }

  /** What the broker holds for a channel. */
  async sync(channelId: string): Promise<Extract<ServerMessage, { type: 'state' }>> {
    return (await this.request({ type: 'sync', channelId })) as Extract<ServerMessage, { type: 'state' }>;
  }

  #held(channelId: string): Held {
    const h = this.held.get(channelId);
    if (!h) throw new Error(`not holding channel ${channelId}`);
    return h;
  }

  #onMessage(m: ServerMessage): void {
    if ((m.type === 'ack' || m.type === 'error' || m.type === 'welcome' || m.type === 'state') && m.id && this.#answers.has(m.id)) {
      const a = this.#answers.get(m.id)!;
      this.#answers.delete(m.id);
      clearTimeout(a.timer);
      if (m.type === 'error') a.reject(Object.assign(new Error(`${m.code}: ${m.message}`), { code: m.code }));
      else a.resolve(m);
      return;
    }
    if (m.type === 'relay') {
      void this.#onRelay(m.message, m.seq).catch((err: unknown) => this.emit('error', err));
      return;
    }
    if (m.type === 'watchtower') this.emit('watchtower', m);
    else if (m.type === 'error') this.emit('error', Object.assign(new Error(`${m.code}: ${m.message}`), { code: m.code }));
  }

  async #onRelay(msg: channels.Proposal | channels.Accept | channels.Revoke, seq?: number): Promise<void> {
    const h = this.#held(msg.channelId);
    if (msg.type === 'propose') {
      let acc: channels.Accept;
      try {
        acc = h.channel.receive(msg, this.now());
      } catch (err) {
        // Crossing proposals: side b drops its own (the library already did); fail its waiter.
        if (h.waiting && h.channel.side === 'b') h.waiting.reject(err as Error);
        throw err;
      }
      if (h.waiting && !h.channel.inFlight) {
        h.waiting.reject(new channels.ChannelError('CONFLICT', 'the peer proposed at the same time; retry'));
        h.waiting = undefined;
      }
      await this.request({ ...acc, signed: h.channel.latest });
      if (seq !== undefined) await this.request({ type: 'delivered', channelId: msg.channelId, upTo: seq });
      this.emit('updated', msg.channelId, h.channel.latest, msg.op);
      await this.#afterIncoming(msg);
    } else if (msg.type === 'accept') {
      const rev = h.channel.onAccept(msg);
      const waiting = h.waiting;
      h.waiting = undefined;
      // Revoke first, then report: the next update of this channel may start right after.
      await this.request({ ...rev });
      if (seq !== undefined) await this.request({ type: 'delivered', channelId: msg.channelId, upTo: seq });
      waiting?.resolve(h.channel.latest);
      this.emit('updated', msg.channelId, h.channel.latest, undefined);
    } else if (msg.type === 'revoke') {
      h.channel.onRevoke(msg);
      if (seq !== undefined) await this.request({ type: 'delivered', channelId: msg.channelId, upTo: seq });
    }
  }

  /** Multi-hop: act on an HTLC add or settle the peer just made on one of our channels. */
  async #afterIncoming(p: channels.Proposal & { onward?: OnwardHop[] }): Promise<void> {
    const h = this.#held(p.channelId);
    if (p.op.kind === 'add' && p.op.htlc.to === h.channel.side) {
      const htlc = p.op.htlc;
      const preimage = this.#expect.get(htlc.hashLock);
      if (preimage) {
        // Payee: give the watchtower the preimage first (it reveals on chain if we vanish), then settle.
        await this.givePreimage(p.channelId, preimage, htlc.timeLock);
        await this.update(p.channelId, { kind: 'settle', id: htlc.id, preimage });
        return;
      }
      const next = p.onward?.[0];
      if (!next || !this.#forward) {
        if (this.unknownHtlc === 'fail') await this.update(p.channelId, { kind: 'fail', id: htlc.id });
        return;
      }
      try {
        const out = this.#held(next.channelId).channel;
        const outgoing: channels.Htlc = { id: htlc.id, from: out.side, to: channels.other(out.side), amount: next.amount, hashLock: htlc.hashLock, timeLock: next.timeLock };
        channels.checkForward(htlc, outgoing, this.#forward.policy, this.now());
        this.#incoming.set(htlc.hashLock, { channelId: p.channelId, id: htlc.id });
        await this.update(next.channelId, { kind: 'add', htlc: outgoing }, { onward: p.onward!.slice(1) });
      } catch (err) {
        this.#incoming.delete(htlc.hashLock);
        await this.update(p.channelId, { kind: 'fail', id: htlc.id });
        this.emit('error', err);
      }
      return;
    }
    if (p.op.kind === 'settle') {
      // Our outgoing HTLC was settled downstream: we learnt the preimage; claim the incoming one.
      const hashLock = channels.hashLockOf(p.op.preimage);
      const incoming = this.#incoming.get(hashLock);
      if (incoming) {
        this.#incoming.delete(hashLock);
        const inc = this.#held(incoming.channelId).channel.latest.state.htlcs.find((x) => x.id === incoming.id);
        if (inc) await this.givePreimage(incoming.channelId, p.op.preimage, inc.timeLock);
        await this.update(incoming.channelId, { kind: 'settle', id: incoming.id, preimage: p.op.preimage });
      }
      this.#payments.get(hashLock)?.resolve(p.op.preimage);
      this.#payments.delete(hashLock);
      return;
    }
    if (p.op.kind === 'fail') {
      // Failed downstream: fail back upstream at once.
      const failed = h.channel.latest.state; // the HTLC is gone from it; find its lock from our maps
      void failed;
      for (const [hashLock, inc] of this.#incoming) {
        if (inc.id !== p.op.id) continue;
        this.#incoming.delete(hashLock);
        await this.update(inc.channelId, { kind: 'fail', id: inc.id });
      }
      for (const [hashLock, w] of this.#payments) {
        if (hashLock.slice(0, 32) === p.op.id || p.op.id === hashLock) {
          w.reject(new Error(`payment ${p.op.id} failed`));
          this.#payments.delete(hashLock);
        }
      }
    }
  }
}

export type { Side };
