/**
 * The gateway as channel broker and watchtower on the real network. The gateway runs as a child
 * process (`node gateway-api/dist/main.js`: run `npm run build` first) on a free port with a
 * temporary SQLite store and a generated API key, and is killed with SIGKILL for the restart tests.
 */
import { Contract } from '@hyperledger/fabric-gateway';
import { common } from '@hyperledger/fabric-protos';
import { channels, generateKeyPair, KeyPair } from '@gridledger/core';
import { chaincodeRefusal } from '@gridledger/core/dist/fabric';
import { BrokerClient } from '../../gateway-api/src/channels/client';
import { GatewayProcess } from '../support/gateway-process';
import { Connections, describeOnNetwork, utf8 } from './support/network';

jest.setTimeout(120_000);

type Side = channels.Side;
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const POLICY = { maxHtlcs: 32, minLockDelta: 2, maxLockAhead: 3600 };
const nowS = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeOnNetwork('the gateway as channel broker and watchtower (child process, real network)', () => {
  const conns = new Connections();
  let channel: Contract;
  let accounts: Contract;
  let issuer: Contract;
  let gw: GatewayProcess;
  const clients: BrokerClient[] = [];

  const json = async (p: Promise<Uint8Array>) => JSON.parse(utf8(await p));
  const balance = async (acct: KeyPair) => (await json(accounts.evaluateTransaction('GetAccount', acct.publicKey))).pay as number;
  const getChannel = async (id: string) => json(channel.evaluateTransaction('GetChannel', id));
  const connect = async () => {
    const c = await BrokerClient.connect(gw.url, gw.keys.relay);
    clients.push(c);
    return c;
  };

  async function open(deposits: { a: number; b: number }, window: number, kinds: Record<Side, channels.ChannelKeyKind> = { a: 'ed25519', b: 'ed25519' }) {
    const acct = { a: generateKeyPair(), b: generateKeyPair() };
    for (const s of ['a', 'b'] as const) if (deposits[s] > 0) await issuer.submitTransaction('IssuePay', acct[s].publicKey, String(deposits[s]));
    const keys = { a: await channels.generateChannelKeyAsync(kinds.a), b: await channels.generateChannelKeyAsync(kinds.b) };
    const terms: channels.OpenTerms = {
      network: channels.ONCHAIN_NETWORK,
      salt: `gw-${RUN}-${Math.random().toString(36).slice(2, 10)}`,
      a: { account: acct.a.publicKey, channelKey: keys.a.publicKey, deposit: String(deposits.a) },
      b: { account: acct.b.publicKey, channelKey: keys.b.publicKey, deposit: String(deposits.b) },
      disputeWindow: window,
    };
    const req: channels.OpenRequest = { terms, auth: { a: channels.signOpen(terms, 'a', acct.a.privateKey, 1), b: channels.signOpen(terms, 'b', acct.b.privateKey, 1) } };
    const rec = await json(channel.submitTransaction('Open', JSON.stringify(req)));
    const record = channels.recordOf(terms, rec.disputeWindow);
    const end = (side: Side) => new channels.Channel({ record, side, privateKey: keys[side].privateKey, policy: POLICY });
    return { channelId: record.channelId, acct, keys, record, end };
  }
  type Opened = Awaited<ReturnType<typeof open>>;

  async function party(ch: Opened, side: Side, extra: { node?: string; policy?: channels.FeePolicy } = {}) {
    const client = await connect();
    const end = ch.end(side);
    await client.hello([{ channel: end, privateKey: ch.keys[side].privateKey, ...extra }]);
    return { client, end };
  }

  const closeAs = (ch: Opened, by: Side, signed: channels.SignedState) => channel.submitTransaction('Close', JSON.stringify(channels.signClose(signed, by, ch.keys[by].privateKey)));
  const waitForStatus = async (id: string, status: string, ms = 30_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const c = await getChannel(id);
      if (c.status === status) return c;
      if (Date.now() > until) throw new Error(`channel ${id} still ${c.status}:\n${gw.output}`);
      await sleep(300);
    }
  };

  beforeAll(async () => {
    channel = conns.contract('operator', 'client', 'channel');
    accounts = conns.contract('operator', 'client', 'accounts');
    issuer = conns.contract('utility', 'admin', 'accounts');
    const kgc = conns.contract('utility', 'admin', 'kgc');
    await kgc.submitTransaction('SetTradingParams', JSON.stringify({ collateralPerKw: 100, disputeWindowS: 3600, minDisputeWindowS: 1, maxDisputeWindowS: 86400 }));
    // Start the event log near the chain's head (the watchtower reads it from its checkpoint).
    const qscc = conns.network('operator', 'client').getContract('qscc');
    const info = common.BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', 'energy'));
    gw = new GatewayProcess('operator', { eventStartBlock: Math.max(0, info.getHeight() - 1) });
    await gw.start();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.terminate();
  });

  afterAll(async () => {
    await gw?.stop();
    conns.closeAll();
  });

  it('updates made through the gateway are stored before the ack and survive kill -9 of the gateway', async () => {
    const ch = await open({ a: 1000, b: 0 }, 3600);
    const a = await party(ch, 'a');
    const b = await party(ch, 'b');
    const t0 = Date.now();
    for (let i = 0; i < 50; i++) await a.client.update(ch.channelId, { kind: 'pay', from: 'a', amount: '7' });
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(10_000);
    expect(b.end.latest.state).toMatchObject({ version: 50, balances: { a: '650', b: '350' } });
    // The last update was acknowledged: kill the gateway at once, with no shutdown.
    await gw.kill();
    await gw.start();
    const a2 = await party(ch, 'a');
    const held = await a2.client.sync(ch.channelId);
    expect(held.version).toBe(50);
    expect(channels.verifyCoSigned(held.signed!, ch.record.keys)).toBe(true);
    expect(held.signed!.state.balances).toEqual({ a: '650', b: '350' });
    expect(held.revocations.b).toMatchObject({ party: 'b', below: 50 });
    // The parties restore from what the broker holds (as a wallet restoring a backup must) and go on.
    const state = (await (await fetch(`${gw.url}/v1/channels/${ch.channelId}/state`, { headers: { 'x-api-key': gw.keys.relay } })).json()) as { signed: channels.SignedState; revocations: Record<Side, channels.Revocation> };
    expect(state).toMatchObject({ version: 50, signed: held.signed });
    const restore = async (side: Side) => {
      const end = new channels.Channel({ record: ch.record, side, privateKey: ch.keys[side].privateKey, policy: POLICY, snapshot: { record: ch.record, side, latest: state.signed, peerRevocation: state.revocations[channels.other(side)] } });
      const client = await connect();
      await client.hello([{ channel: end, privateKey: ch.keys[side].privateKey }]);
      return { client, end };
    };
    const a3 = await restore('a');
    await restore('b');
    expect((await a3.client.update(ch.channelId, { kind: 'pay', from: 'a', amount: '1' })).state.version).toBe(51);
  });

  it('a cheater closes with a revoked state while its counterparty is offline: the watchtower answers and the honest party gets everything', async () => {
    const ch = await open({ a: 600, b: 400 }, 30);
    const a = await party(ch, 'a');
    const b = await party(ch, 'b');
    await b.client.update(ch.channelId, { kind: 'pay', from: 'b', amount: '300' });
    const old = b.end.latest; // v1: a 900, b 100
    for (let i = 0; i < 5; i++) await b.client.update(ch.channelId, { kind: 'pay', from: 'b', amount: '10' });
    await sleep(100);
    a.client.terminate(); // a's phone is off
    const before = { a: await balance(ch.acct.a), b: await balance(ch.acct.b) };
    await closeAs(ch, 'b', old);
    const closed = await waitForStatus(ch.channelId, 'closed');
    expect(closed.settlement).toMatchObject({ kind: 'breach', cheater: 'b', payouts: { a: '1000', b: '0' } });
    expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([before.a + 1000, before.b]);
  });

  it('RSA-PSS channel keys (a pile operator\'s backend) beside an Ed25519 user: updates, a resize, a breach answered by the watchtower', async () => {
    // A user's phone (Ed25519, cheap to sign) pays a pile whose key is RSA (cheap for the broker to verify).
    const ch = await open({ a: 1000, b: 0 }, 30, { a: 'ed25519', b: 'rsa-pss' });
    expect(channels.channelKeyKind(ch.record.keys.b)).toBe('rsa-pss');
    let a = await party(ch, 'a');
    let b = await party(ch, 'b');
    for (let i = 0; i < 20; i++) await a.client.update(ch.channelId, { kind: 'pay', from: 'a', amount: '10' });
    expect(b.end.latest.sigs.b).toMatch(/^[0-9a-f]{512}$/);
    const held = await a.client.sync(ch.channelId);
    expect(held).toMatchObject({ version: 20, revocations: { b: { party: 'b', below: 20 } } });
    expect(channels.verifyCoSigned(held.signed!, ch.record.keys)).toBe(true);
    // A resize: both channel keys (one RSA) consent on chain; the user tops up 200.
    await issuer.submitTransaction('IssuePay', ch.acct.a.publicKey, '200');
    const r = channels.buildResize(a.end.latest.state, { topUp: { a: '200' }, notAfter: nowS() + 60 }, { a: ch.keys.a.privateKey, b: ch.keys.b.privateKey });
    const funding = { a: channels.signTopUp(r.terms, 'a', ch.acct.a.privateKey, 2) };
    // Consent with the two keys' signatures swapped is refused, and changes nothing.
    const swapped = channel.submitTransaction('Resize', JSON.stringify({ ...r, consent: { a: r.consent.b, b: r.consent.a }, funding }));
    expect(chaincodeRefusal(await swapped.then(() => undefined, (e: unknown) => e))?.code).toBe('INVALID_SIGNATURE');
    expect(await json(channel.submitTransaction('Resize', JSON.stringify({ ...r, funding })))).toMatchObject({ total: '1200', baseVersion: 21 });
    a.client.terminate();
    b.client.terminate();
    await sleep(300); // the watchtower sees ChannelResized and reloads the record
    const record = channels.resizedRecord(ch.record, r.signed.state);
    const resume = async (side: Side) => {
      const end = new channels.Channel({ record, side, privateKey: ch.keys[side].privateKey, policy: POLICY, snapshot: { record, side, latest: r.signed } });
      const client = await connect();
      await client.hello([{ channel: end, privateKey: ch.keys[side].privateKey }]);
      return { client, end };
    };
    a = await resume('a');
    b = await resume('b');
    await a.client.update(ch.channelId, { kind: 'pay', from: 'a', amount: '100' });
    const old = b.end.latest; // v22: a 1000, b 200 (b revokes it at the next update)
    await a.client.update(ch.channelId, { kind: 'pay', from: 'a', amount: '100' });
    await sleep(100);
    a.client.terminate(); // the user walks away; the pile's operator tries an old state
    const before = { a: await balance(ch.acct.a), b: await balance(ch.acct.b) };
    await closeAs(ch, 'b', old);
    const closed = await waitForStatus(ch.channelId, 'closed');
    expect(closed.settlement).toMatchObject({ kind: 'breach', cheater: 'b', payouts: { a: '1200', b: '0' } });
    expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([before.a + 1200, before.b]);
  });

  it('a stale close made while the gateway was down is answered after its restart, within the window', async () => {
    const ch = await open({ a: 500, b: 500 }, 60);
    const a = await party(ch, 'a');
    const b = await party(ch, 'b');
    await a.client.update(ch.channelId, { kind: 'pay', from: 'a', amount: '200' });
    const stale = a.end.latest; // v1: a 300, b 700
    await b.client.update(ch.channelId, { kind: 'pay', from: 'b', amount: '50' });
    await b.client.update(ch.channelId, { kind: 'pay', from: 'b', amount: '50' }); // v3: a 400, b 600
    await sleep(100);
    a.client.terminate();
    b.client.terminate();
    await gw.kill();
    const closing = await json(closeAs(ch, 'a', stale));
    expect(closing).toMatchObject({ status: 'closing', close: { by: 'a', version: 1 } });
    await sleep(1_000);
    await gw.start();
    const closed = await waitForStatus(ch.channelId, 'closed');
    expect(nowS()).toBeLessThan(closing.deadline);
    expect(closed.settlement).toMatchObject({ kind: 'breach', cheater: 'a', payouts: { a: '0', b: '1000' } });
  });

  it('a three-hop payment routed and relayed through the gateway, then cooperative closes pay the fees', async () => {
    const [sx, xy, yt] = await Promise.all([open({ a: 3000, b: 0 }, 3600), open({ a: 3000, b: 0 }, 3600), open({ a: 3000, b: 0 }, 3600)]);
    const fee = { base: '1', proportionalMillionths: 1000 };
    const S = await party(sx, 'a', { node: `S-${RUN}` });
    const T = await party(yt, 'b', { node: `T-${RUN}` });
    const X = await connect();
    const Y = await connect();
    const xIn = sx.end('b');
    const xOut = xy.end('a');
    const yIn = xy.end('b');
    const yOut = yt.end('a');
    await X.hello([{ channel: xIn, privateKey: sx.keys.b.privateKey, node: `X-${RUN}`, policy: fee }, { channel: xOut, privateKey: xy.keys.a.privateKey, node: `X-${RUN}`, policy: fee }]);
    await Y.hello([{ channel: yIn, privateKey: xy.keys.b.privateKey, node: `Y-${RUN}`, policy: fee }, { channel: yOut, privateKey: yt.keys.a.privateKey, node: `Y-${RUN}`, policy: fee }]);
    X.enableForwarding({ fee, lockDelta: 30 });
    Y.enableForwarding({ fee, lockDelta: 30 });
    const pre = channels.newPreimage();
    T.client.expectPayment(pre.preimage);
    const res = await fetch(`${gw.url}/v1/channels/route?source=S-${RUN}&target=T-${RUN}&amount=1000&finalLockDelta=120&lockDelta=30`, { headers: { 'x-api-key': gw.keys.relay } });
    expect(res.status).toBe(200);
    const route = (await res.json()) as channels.Route;
    expect(route).toMatchObject({ totalFees: '4', hops: [{ channelId: sx.channelId }, { channelId: xy.channelId }, { channelId: yt.channelId }] });
    const t0 = Date.now();
    expect(await S.client.pay(channels.planPayment(route, pre.hashLock))).toBe(pre.preimage);
    expect(Date.now() - t0).toBeLessThan(5_000);
    // No route to a node nobody announced, and no inbound liquidity from T.
    const none = await fetch(`${gw.url}/v1/channels/route?source=S-${RUN}&target=nobody-${RUN}&amount=1`, { headers: { 'x-api-key': gw.keys.relay } });
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ type: 'urn:gridledger:problem:no-route', code: 'NO_ROUTE' });
    await sleep(200);
    // Cooperative closes through the broker, then on chain.
    for (const [c, end, client] of [[sx, S.end, S.client], [xy, xOut, X], [yt, yOut, Y]] as const) {
      await client.update(c.channelId, { kind: 'close' });
      await channel.submitTransaction('Close', JSON.stringify({ channelId: c.channelId, by: 'a', signed: end.latest }));
    }
    const payouts = await Promise.all([sx, xy, yt].map(async (c) => (await getChannel(c.channelId)).settlement.payouts));
    expect(payouts).toEqual([
      { a: '1996', b: '1004' },
      { a: '1998', b: '1002' },
      { a: '2000', b: '1000' },
    ]);
  });
});
