/**
 * The channel broker and watchtower on a fake ledger: authentication by channel key, both
 * signatures checked against the keys on chain, versions, revocations, durable write before the
 * acknowledgement, the offline queue, a restart, routing errors, and the watchtower's answer to a
 * stale close (breach remedy) and its preimage reveal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, channels } from '@gridledger/core';
import { LedgerError } from '../fabric/ledger';
import { FakeLedger } from '../testing/fake-ledger';
import { startTestGateway, TEST_KEYS, TestGateway } from '../testing/harness';
import { BrokerClient } from './client';
import type { ChannelWriteBatch } from '../store/store';

jest.setTimeout(30_000);

type Side = channels.Side;
const KEY = TEST_KEYS['user-relay'];
const POLICY = { maxHtlcs: 32, minLockDelta: 2, maxLockAhead: 3600 };
const nowS = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FakeChannel {
  record: channels.ChannelRecord;
  keys: Record<Side, channels.ChannelKeyPair>;
  onChain: Record<string, unknown>;
}

/** A fake `channel` contract: GetChannel from a map, Close/Counter/RevealPreimage recorded and emitted. */
function channelLedger() {
  const ledger = new FakeLedger();
  const chans = new Map<string, FakeChannel>();
  const calls: Array<{ fn: string; args: string[] }> = [];
  ledger.handlers.set('channel:GetChannel', (call) => {
    const c = chans.get(call.args[0]);
    if (!c) throw new LedgerError('not-found', `NOT_FOUND: channel ${call.args[0]} does not exist`);
    return canonicalJson(c.onChain);
  });
  for (const fn of ['channel:Counter', 'channel:PostRevocations', 'channel:RevealPreimage']) {
    ledger.handlers.set(fn, (call) => {
      calls.push({ fn, args: call.args });
      if (fn === 'channel:Counter') {
        const req = JSON.parse(call.args[0]);
        const c = chans.get(req.channelId)!;
        const close = c.onChain.closePost as channels.Post;
        const s = channels.settle({ record: c.record, close, counter: { by: req.by, postedAt: close.postedAt + 1, signed: req.signed }, revocations: req.revocations ?? [], now: close.postedAt + 1 });
        c.onChain = { ...c.onChain, status: s.status === 'settled' ? 'closed' : 'closing', settlement: s };
        call.emit(s.status === 'settled' ? 'ChannelSettled' : 'ChannelCountered', { channelId: req.channelId, kind: s.kind });
        return canonicalJson(s);
      }
      if (fn === 'channel:PostRevocations') {
        // As the chaincode: evidence until payout, also after the window.
        const c = chans.get(call.args[0])!;
        const ev = JSON.parse(call.args[1]) as { revocations: channels.Revocation[]; states?: channels.SignedState[] };
        const close = c.onChain.closePost as channels.Post;
        const s = channels.settle({ record: c.record, close, revocations: ev.revocations, evidence: ev.states ?? [], now: close.postedAt + c.record.disputeWindow + 1 });
        c.onChain = { ...c.onChain, status: s.status === 'settled' ? 'closed' : 'closing', settlement: s };
        call.emit(s.status === 'settled' ? 'ChannelSettled' : 'RevocationsPosted', { channelId: call.args[0], kind: s.kind });
        return canonicalJson(s);
      }
      if (fn === 'channel:RevealPreimage') call.emit('PreimageRevealed', { hashLock: channels.hashLockOf(call.args[0]), preimage: call.args[0], revealedAt: nowS() });
      return '{}';
    });
  }
  const open = (deposits = { a: '1000', b: '500' }): FakeChannel => {
    const keys = { a: channels.generateChannelKey(), b: channels.generateChannelKey() };
    const channelId = channels.deriveChannelId({ network: 'test', a: keys.a.publicKey, b: keys.b.publicKey, nonce: String(Math.random()) });
    const record: channels.ChannelRecord = { channelId, keys: { a: keys.a.publicKey, b: keys.b.publicKey }, deposits, disputeWindow: 60 };
    const total = String(BigInt(deposits.a) + BigInt(deposits.b));
    const c = { record, keys, onChain: { channelId, keys: record.keys, deposits, total, disputeWindow: 60, baseVersion: 0, status: 'open', close: null, counter: null } };
    chans.set(channelId, c);
    return c;
  };
  /** A unilateral close posted on chain (as the chaincode does), with its event. */
  const close = (c: FakeChannel, by: Side, signed: channels.SignedState, postedAt = nowS()) => {
    const post: channels.Post = { by, postedAt, signed };
    c.onChain = { ...c.onChain, status: 'closing', deadline: postedAt + c.record.disputeWindow, closePost: post, close: { by, postedAt, version: signed.state.version, htlcs: signed.state.htlcs } };
    ledger.emitEvent('ChannelClosing', { channelId: c.record.channelId, by, version: signed.state.version, deadline: postedAt + c.record.disputeWindow, htlcs: signed.state.htlcs.length });
  };
  return { ledger, chans, calls, open, close };
}

const end = (c: FakeChannel, side: Side) => new channels.Channel({ record: c.record, side, privateKey: c.keys[side].privateKey, policy: POLICY });

async function party(gw: TestGateway, c: FakeChannel, side: Side, extra: { node?: string; policy?: channels.FeePolicy; hold?: boolean } = {}) {
  const client = await BrokerClient.connect(gw.url, KEY, extra.hold ? { unknownHtlc: 'hold' } : {});
  const ch = end(c, side);
  await client.hello([{ channel: ch, privateKey: c.keys[side].privateKey, node: extra.node, policy: extra.policy }]);
  return { client, ch };
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: { code?: string }) => e.code,
  );
}

describe('channel broker', () => {
  let fake: ReturnType<typeof channelLedger>;
  let gw: TestGateway;
  const clients: BrokerClient[] = [];
  beforeEach(async () => {
    fake = channelLedger();
    gw = await startTestGateway({ ledger: fake.ledger });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await gw.close();
  });
  const track = <T extends { client: BrokerClient }>(p: T) => (clients.push(p.client), p);

  test('relays an update and stores the co-signed state and both tokens before acknowledging', async () => {
    const c = fake.open();
    const a = track(await party(gw, c, 'a'));
    const b = track(await party(gw, c, 'b'));
    const s1 = await a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '100' });
    expect(s1.state).toMatchObject({ version: 1, balances: { a: '900', b: '600' } });
    await a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '1' });
    await sleep(50); // a's revoke
    const held = await gw.store.getChannelState(c.record.channelId);
    expect(held).toMatchObject({ version: 2, revocations: { a: { below: 2 }, b: { below: 2 } } });
    expect(channels.verifyCoSigned(JSON.parse(held!.signed!), c.record.keys)).toBe(true);
    expect(b.ch.latest.state.version).toBe(2);
    const r = await gw.request('GET', `/v1/channels/${c.record.channelId}/state`, { role: 'user-relay' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ version: 2, signed: { state: { version: 2 } }, revocations: { a: { party: 'a', below: 2 }, b: { party: 'b', below: 2 } } });
    const metrics = await gw.request('GET', '/metrics');
    expect(metrics.text).toMatch(/gridledger_channel_updates_total\{kind="pay"\} 2/);
  });

  test('acknowledges an accept only after the durable write', async () => {
    const c = fake.open();
    const a = track(await party(gw, c, 'a'));
    const b = track(await party(gw, c, 'b'));
    const store = gw.store as unknown as { writeChannelBatch: (b: ChannelWriteBatch, now: number) => Promise<void> };
    const real = store.writeChannelBatch.bind(gw.store);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let writes = 0;
    store.writeChannelBatch = async (batch, now) => {
      if (batch.states?.length) {
        await gate;
        writes++;
      }
      return real(batch, now);
    };
    // b accepts a's proposal by hand so we can watch its ack.
    const p = a.ch.propose({ kind: 'pay', from: 'a', amount: '10' }, nowS());
    const acc = b.ch.receive(p, nowS());
    let acked = false;
    const ack = b.client.request({ ...acc, signed: b.ch.latest }).then((m) => ((acked = true), m));
    await sleep(200);
    expect(acked).toBe(false);
    expect(await gw.store.getChannelState(c.record.channelId)).toBeUndefined();
    release();
    expect(await ack).toMatchObject({ type: 'ack', version: 1 });
    expect(writes).toBe(1);
    expect((await gw.store.getChannelState(c.record.channelId))!.version).toBe(1);
  });

  test('refuses forged, tampered, replayed and out-of-order messages, storing nothing', async () => {
    const c = fake.open();
    const other = fake.open();
    const a = track(await party(gw, c, 'a'));
    const b = track(await party(gw, c, 'b'));
    const id = c.record.channelId;
    // Not said hello for: refused.
    expect(await codeOf(a.client.request({ type: 'sync', channelId: other.record.channelId }))).toBe('NOT_AUTHENTICATED');
    // A hello signed with another key.
    const intruder = await BrokerClient.connect(gw.url, KEY);
    clients.push(intruder);
    const fakeEnd = new channels.Channel({ record: { ...c.record, keys: { a: c.record.keys.a, b: other.record.keys.b } }, side: 'b', privateKey: other.keys.b.privateKey, policy: POLICY });
    expect(await codeOf(intruder.hello([{ channel: fakeEnd, privateKey: other.keys.b.privateKey }]))).toBe('BAD_SIGNATURE');
    // Unknown channel.
    const ghost = fake.open();
    fake.chans.delete(ghost.record.channelId);
    expect(await codeOf(intruder.hello([{ channel: end(ghost, 'a'), privateKey: ghost.keys.a.privateKey }]))).toBe('UNKNOWN_CHANNEL');

    const p = a.ch.propose({ kind: 'pay', from: 'a', amount: '10' }, nowS());
    const acc = b.ch.receive(p, nowS());
    const signed = b.ch.latest;
    // Tampered balances under the same signatures.
    const tampered = { ...signed, state: { ...signed.state, balances: { a: '980', b: '520' } } };
    expect(await codeOf(b.client.request({ ...acc, signed: tampered }))).toBe('NOT_COSIGNED');
    // Signatures swapped, a forged signature, a wrong total.
    expect(await codeOf(b.client.request({ ...acc, signed: { ...signed, sigs: { a: signed.sigs.b, b: signed.sigs.a } }, signature: signed.sigs.a }))).toBe('NOT_COSIGNED');
    expect(await codeOf(b.client.request({ ...acc, signed: { ...signed, sigs: { ...signed.sigs, a: '00'.repeat(64) } } }))).toBe('NOT_COSIGNED');
    const inflated = channels.coSignUpdate({ ...signed.state, balances: { a: '990', b: '1510' } }, { a: c.keys.a.privateKey, b: c.keys.b.privateKey });
    expect(await codeOf(b.client.request({ ...acc, signature: inflated.signed.sigs.b, signed: inflated.signed, revocation: inflated.revocations.b }))).toBe('CONSERVATION_VIOLATED');
    // A secret that does not open b's lock (derived from another key), or for another version.
    const badRev = channels.makeRevocation(id, 'b', 1, c.keys.a.privateKey);
    expect(await codeOf(b.client.request({ ...acc, signed, revocation: badRev }))).toBe('BAD_SIGNATURE');
    expect(await codeOf(b.client.request({ ...acc, signed, revocation: channels.makeRevocation(id, 'b', 0 + 2, c.keys.b.privateKey) }))).toBe('BAD_SIGNATURE');
    // An update without both locks (the proposer's secret could not be checked later), or a lock swapped.
    expect(await codeOf(b.client.request({ ...acc, signed: { ...signed, locks: { b: signed.locks!.b } } }))).toBe('BAD_MESSAGE');
    expect(await codeOf(b.client.request({ ...acc, signed: { ...signed, locks: { a: signed.locks!.b, b: signed.locks!.a } } }))).toBe('NOT_COSIGNED');
    // The accept sent by the wrong side (a cannot deliver b's accept as its own).
    expect(await codeOf(a.client.request({ ...acc, signed }))).toBe('BAD_MESSAGE');
    expect(await gw.store.getChannelState(id)).toBeUndefined();

    // The real one, then a replay (idempotent), then an older version and a jump.
    expect(await b.client.request({ ...acc, signed })).toMatchObject({ type: 'ack', version: 1 });
    expect(await b.client.request({ ...acc, signed })).toMatchObject({ type: 'ack', version: 1, duplicate: true });
    const keys = { a: c.keys.a.privateKey, b: c.keys.b.privateKey };
    const v2 = channels.coSignUpdate(channels.pay(signed.state, 'a', '5'), keys).signed;
    const v3 = channels.coSignUpdate(channels.pay(v2.state, 'a', '5'), keys).signed;
    const acceptOf = (s: channels.SignedState) => ({ type: 'accept', channelId: id, version: s.state.version, signature: s.sigs.b, revocation: channels.makeRevocation(id, 'b', s.state.version, c.keys.b.privateKey), signed: s });
    expect(await codeOf(b.client.request(acceptOf(v3)))).toBe('VERSION_NOT_INCREASING');
    const v1other = channels.coSignUpdate(channels.pay(channels.openingState(id, c.record.deposits), 'a', '7'), keys).signed;
    expect(await codeOf(b.client.request(acceptOf(v1other)))).toBe('VERSION_NOT_INCREASING');
    expect(await codeOf(a.client.request({ type: 'propose', channelId: id, op: { kind: 'pay', from: 'a', amount: '5' }, state: v3.state, lock: v3.locks!.a, signature: v3.sigs.a }))).toBe('VERSION_NOT_INCREASING');
    // a's secret for v1: one that opens another lock is refused; an older one is a harmless duplicate.
    expect(await codeOf(a.client.request({ type: 'revoke', channelId: id, revocation: channels.makeRevocation(id, 'a', 1, c.keys.b.privateKey) }))).toBe('BAD_SIGNATURE');
    expect(await codeOf(a.client.request({ type: 'revoke', channelId: id, revocation: channels.makeRevocation(id, 'a', 2, c.keys.a.privateKey) }))).toBe('UNEXPECTED_MESSAGE');
    // What is stored for a is its real secret (its wallet revealed it when the accept reached it).
    await sleep(100);
    expect(JSON.parse((await gw.store.getChannelState(id))!.revocations.a!.token)).toEqual(channels.makeRevocation(id, 'a', 1, c.keys.a.privateKey));
    expect((await gw.store.getChannelState(id))!.version).toBe(1);
    // Junk frames.
    expect(await codeOf(a.client.request({ type: 'nonsense' }))).toBe('BAD_MESSAGE');
  });

  test('queues messages for an offline party durably and delivers them when it says hello', async () => {
    const c = fake.open();
    const a = track(await party(gw, c, 'a'));
    const paid = a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '250' });
    await sleep(100);
    expect(await gw.store.countQueuedChannelMessages(c.record.channelId, 'b')).toBe(1);
    // b comes online: it gets the proposal, accepts; a completes.
    const b = track(await party(gw, c, 'b'));
    expect((await paid).state.balances).toEqual({ a: '750', b: '750' });
    await sleep(100);
    expect(b.ch.latest.state.version).toBe(1);
    expect(await gw.store.countQueuedChannelMessages(c.record.channelId, 'b')).toBe(0);
  });

  test('what was acknowledged survives a gateway restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gl-broker-'));
    const sqlitePath = join(dir, 'gw.db');
    const gw1 = await startTestGateway({ ledger: fake.ledger, sqlitePath });
    try {
      const c = fake.open();
      const a = await party(gw1, c, 'a');
      const b = await party(gw1, c, 'b');
      for (let i = 0; i < 5; i++) await a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '10' });
      await sleep(50);
      a.client.terminate();
      b.client.terminate();
      await gw1.close();
      const gw2 = await startTestGateway({ ledger: fake.ledger, sqlitePath });
      try {
        const a2 = await party(gw2, c, 'a');
        const held = await a2.client.sync(c.record.channelId);
        expect(held.version).toBe(5);
        expect(held.signed!.state.balances).toEqual({ a: '950', b: '550' });
        expect(held.revocations.b!.below).toBe(5);
        a2.client.close();
      } finally {
        await gw2.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('routes over announced channels; explicit routing errors as problem+json; 426 without an upgrade', async () => {
    // S -> X -> T, X charges 1 + 0.1 %.
    const sx = fake.open({ a: '5000', b: '0' });
    const xt = fake.open({ a: '5000', b: '0' });
    const fee = { base: '1', proportionalMillionths: 1000 };
    track(await party(gw, sx, 'a', { node: 'S' }));
    track(await party(gw, sx, 'b', { node: 'X', policy: fee }));
    track(await party(gw, xt, 'a', { node: 'X', policy: fee }));
    track(await party(gw, xt, 'b', { node: 'T' }));
    const ok = await gw.request('GET', '/v1/channels/route?source=S&target=T&amount=1000', { role: 'user-relay' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ amount: '1000', totalFees: '2', hops: [{ channelId: sx.record.channelId, amount: '1002' }, { channelId: xt.record.channelId, amount: '1000', fee: '0' }] });
    const none = await gw.request('GET', '/v1/channels/route?source=S&target=Z&amount=10', { role: 'user-relay' });
    expect(none.status).toBe(404);
    expect(none.headers.get('content-type')).toMatch(/problem\+json/);
    expect(none.body).toMatchObject({ type: 'urn:gridledger:problem:no-route', code: 'NO_ROUTE' });
    const big = await gw.request('GET', '/v1/channels/route?source=S&target=T&amount=4999', { role: 'user-relay' });
    expect(big.body).toMatchObject({ status: 422, type: 'urn:gridledger:problem:insufficient-capacity', code: 'INSUFFICIENT_CAPACITY' });
    // Inbound liquidity: T cannot pay S (nothing on T's side).
    const back = await gw.request('GET', '/v1/channels/route?source=T&target=S&amount=1', { role: 'user-relay' });
    expect(back.body).toMatchObject({ code: 'INSUFFICIENT_CAPACITY' });
    const fees = await gw.request('GET', '/v1/channels/route?source=S&target=T&amount=1000&maxFee=1', { role: 'user-relay' });
    expect(fees.body).toMatchObject({ type: 'urn:gridledger:problem:fee-limit-exceeded' });
    const bad = await gw.request('GET', '/v1/channels/route?source=S&target=T&amount=01', { role: 'user-relay' });
    expect(bad.status).toBe(400);
    const plain = await gw.request('GET', '/v1/channels/broker', { role: 'user-relay' });
    expect(plain.status).toBe(426);
    expect((await gw.request('GET', '/v1/channels/ch-nothing/state', { role: 'user-relay' })).status).toBe(404);
    // The WebSocket needs an API key too.
    await expect(BrokerClient.connect(gw.url, 'wrong-key')).rejects.toThrow(/401/);
  });

  test('a three-hop payment relayed through the broker: HTLC adds forward, settles flow back', async () => {
    const [sx, xy, yt] = [fake.open({ a: '3000', b: '0' }), fake.open({ a: '3000', b: '0' }), fake.open({ a: '3000', b: '0' })];
    const fee = { base: '1', proportionalMillionths: 1000 };
    const S = track(await party(gw, sx, 'a', { node: 'S' }));
    const X = await BrokerClient.connect(gw.url, KEY);
    const Y = await BrokerClient.connect(gw.url, KEY);
    const T = track(await party(gw, yt, 'b', { node: 'T' }));
    clients.push(X, Y);
    const xEnds = { in: end(sx, 'b'), out: end(xy, 'a') };
    const yEnds = { in: end(xy, 'b'), out: end(yt, 'a') };
    await X.hello([{ channel: xEnds.in, privateKey: sx.keys.b.privateKey, node: 'X', policy: fee }, { channel: xEnds.out, privateKey: xy.keys.a.privateKey, node: 'X', policy: fee }]);
    await Y.hello([{ channel: yEnds.in, privateKey: xy.keys.b.privateKey, node: 'Y', policy: fee }, { channel: yEnds.out, privateKey: yt.keys.a.privateKey, node: 'Y', policy: fee }]);
    X.enableForwarding({ fee, lockDelta: 5 });
    Y.enableForwarding({ fee, lockDelta: 5 });
    const pre = channels.newPreimage();
    T.client.expectPayment(pre.preimage);
    const r = await gw.request('GET', '/v1/channels/route?source=S&target=T&amount=1000&finalLockDelta=20&lockDelta=5', { role: 'user-relay' });
    const route = r.body as channels.Route;
    expect(route.hops.map((h) => h.channelId)).toEqual([sx, xy, yt].map((c) => c.record.channelId));
    const preimage = await S.client.pay(channels.planPayment(route, pre.hashLock));
    expect(preimage).toBe(pre.preimage);
    await sleep(200);
    expect(S.ch.latest.state).toMatchObject({ balances: { a: '1996', b: '1004' }, htlcs: [] });
    expect(xEnds.out.latest.state).toMatchObject({ balances: { a: '1998', b: '1002' }, htlcs: [] });
    expect(T.ch.latest.state).toMatchObject({ balances: { a: '2000', b: '1000' }, htlcs: [] });
    // The payee and each intermediary gave the watchtower the preimage before settling upstream.
    expect((await gw.store.channelPreimages(yt.record.channelId)).map((p) => p.hashLock)).toEqual([pre.hashLock]);
    expect((await gw.store.channelPreimages(sx.record.channelId)).map((p) => p.hashLock)).toEqual([pre.hashLock]);
  });
});

describe('watchtower', () => {
  let fake: ReturnType<typeof channelLedger>;
  let gw: TestGateway;
  beforeEach(async () => {
    fake = channelLedger();
    gw = await startTestGateway({ ledger: fake.ledger });
  });
  afterEach(async () => {
    await gw.close();
  });
  const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 5_000) => {
    const until = Date.now() + ms;
    while (!(await cond())) {
      if (Date.now() > until) throw new Error('timed out');
      await sleep(25);
    }
  };

  test('answers a close with a revoked state by posting breach evidence: the honest party gets everything', async () => {
    const c = fake.open({ a: '600', b: '400' });
    const a = await party(gw, c, 'a');
    const b = await party(gw, c, 'b');
    await b.client.update(c.record.channelId, { kind: 'pay', from: 'b', amount: '300' });
    const old = b.ch.latest;
    for (let i = 0; i < 3; i++) await b.client.update(c.record.channelId, { kind: 'pay', from: 'b', amount: '10' });
    await sleep(50);
    a.client.terminate(); // a goes offline
    b.client.close();
    fake.close(c, 'b', old);
    await waitFor(() => fake.calls.some((x) => x.fn === 'channel:Counter'));
    const req = JSON.parse(fake.calls.find((x) => x.fn === 'channel:Counter')!.args[0]);
    expect(req).toMatchObject({ by: 'a', signed: { state: { version: 4 } } });
    expect((c.onChain.settlement as channels.Settlement)).toMatchObject({ status: 'settled', kind: 'breach', cheater: 'b', payouts: { a: '1000', b: '0' } });
    await waitFor(async () => (await gw.store.getChannelState(c.record.channelId)) === undefined); // settled: forgotten
    expect(await gw.store.getCheckpoint('watchtower')).toBeGreaterThan(0);
  });

  test('answers a close one version behind with the newer state (and the closer\'s secret)', async () => {
    const c = fake.open();
    const a = await party(gw, c, 'a');
    await party(gw, c, 'b').then((b) => b);
    await a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '100' });
    const v1 = a.ch.latest;
    await a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '100' });
    await sleep(50);
    fake.close(c, 'a', v1);
    await waitFor(() => fake.calls.some((x) => x.fn === 'channel:Counter'));
    const req = JSON.parse(fake.calls.find((x) => x.fn === 'channel:Counter')!.args[0]);
    expect(req.signed.state.version).toBe(2);
    expect(req.revocations).toEqual([expect.objectContaining({ party: 'a', below: 2 })]);
    expect(c.onChain.settlement).toMatchObject({ kind: 'breach', cheater: 'a' });
  });

  test('after the window, proves a close one version behind with the closer\'s secret and the state it opens', async () => {
    const c = fake.open();
    const a = await party(gw, c, 'a');
    await party(gw, c, 'b');
    await a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '100' });
    const v1 = a.ch.latest;
    await a.client.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '100' });
    await sleep(50);
    fake.close(c, 'a', v1, nowS() - 2 * c.record.disputeWindow); // the window is over: no counter possible
    await waitFor(() => fake.calls.some((x) => x.fn === 'channel:PostRevocations'));
    expect(fake.calls.some((x) => x.fn === 'channel:Counter')).toBe(false);
    const [channelId, evidence] = fake.calls.find((x) => x.fn === 'channel:PostRevocations')!.args;
    expect(channelId).toBe(c.record.channelId);
    const ev = JSON.parse(evidence);
    expect(ev.revocations).toEqual([expect.objectContaining({ party: 'a', below: 2 })]);
    expect(ev.states.map((s: channels.SignedState) => s.state.version)).toEqual([2]);
    expect(c.onChain.settlement).toMatchObject({ kind: 'breach', cheater: 'a', payouts: { a: '0', b: '1500' } });
  });

  test('stays quiet for an honest close with the latest state, and reveals held preimages of its HTLCs', async () => {
    const c = fake.open();
    const a = await party(gw, c, 'a');
    const b = await party(gw, c, 'b', { hold: true });
    const pre = channels.newPreimage();
    const lock = nowS() + 600;
    await a.client.update(c.record.channelId, { kind: 'add', htlc: { id: 'h1', from: 'a', to: 'b', amount: '50', hashLock: pre.hashLock, timeLock: lock } });
    await b.client.givePreimage(c.record.channelId, pre.preimage, lock);
    await sleep(50);
    fake.close(c, 'b', b.ch.latest);
    await waitFor(() => fake.calls.some((x) => x.fn === 'channel:RevealPreimage')).catch((e) => {
      throw new Error(`${e.message}\n${JSON.stringify(gw.deps.channels.watchtower!.actions)} ${JSON.stringify(fake.calls)} ${gw.logLines.slice(-5).join('\n')}`);
    });
    expect(fake.calls.find((x) => x.fn === 'channel:RevealPreimage')!.args).toEqual([pre.preimage]);
    expect(fake.calls.some((x) => x.fn === 'channel:Counter')).toBe(false);
    await waitFor(async () => (await gw.store.channelPreimages(c.record.channelId))[0]?.revealedAt !== undefined);
    a.client.close();
    b.client.close();
  });

  test('a close logged while the watchtower was stopped is answered from the checkpoint after a restart', async () => {
    const c = fake.open({ a: '600', b: '400' });
    const a = await party(gw, c, 'a');
    const b = await party(gw, c, 'b');
    await b.client.update(c.record.channelId, { kind: 'pay', from: 'b', amount: '100' });
    const old = b.ch.latest;
    await b.client.update(c.record.channelId, { kind: 'pay', from: 'b', amount: '100' });
    await b.client.update(c.record.channelId, { kind: 'pay', from: 'b', amount: '100' });
    await sleep(50);
    a.client.close();
    b.client.close();
    await gw.deps.channels.watchtower!.stop();
    fake.close(c, 'b', old);
    await sleep(300);
    expect(fake.calls).toEqual([]);
    gw.deps.channels.watchtower!.start();
    await waitFor(() => fake.calls.some((x) => x.fn === 'channel:Counter'));
    expect(c.onChain.settlement).toMatchObject({ kind: 'breach', payouts: { a: '1000', b: '0' } });
  });
});
