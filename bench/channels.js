// npm run bench -- channels: off-chain channel updates through the gateway broker versus the same
// payments as on-chain transactions, in one run on the running network.
//
// 1. Channels are opened on chain (the broker checks every signature against the keys registered
//    there), then the operator's gateway is started as a child process with a fresh SQLite store
//    (WAL, synchronous=FULL, group commit).
// 2. Broker throughput: CHANNELS channels x UPDATES updates, all channels at once, each update the
//    full three-message protocol (propose -> accept -> revoke) over local WebSockets. The broker
//    checks both signatures of every co-signed state and that every revocation secret opens the
//    lock its party signed, and writes them durably before it relays the countersignature. The parties' own signatures are computed before
//    the clock starts ("pre-signed": the figure is the broker's, not the clients'); latency is from
//    sending the proposal to receiving the durable, relayed countersignature. The parties send no
//    message ids, so the broker sends no acks (the relayed accept and revoke say what an ack would).
//    The headline run uses RSA-PSS-2048 channel keys (CHANNELS_BENCH_KEY), then the same with
//    Ed25519 keys beside it.
// 3. The same with live wallets (BrokerClient: every party signs and verifies as it goes).
//    Then the headline run again with fewer channels in flight (CHANNELS_BENCH_LIGHT): the latency at a
//    lighter load, for an operator sizing against a latency goal.
// 4. A three-hop payment S -> X -> Y -> T (3 HTLC adds forward, 3 settles back, 6 updates).
// 5. On chain: accounts:Transfer signed transfers, CONCURRENCY in flight, each waiting for commit.
//
// Env: CHANNELS_BENCH_CHANNELS (50), CHANNELS_BENCH_UPDATES (200), CHANNELS_BENCH_WALLET_UPDATES (20),
// CHANNELS_BENCH_HOPS (30), CHANNELS_BENCH_ONCHAIN_TXS (300), CHANNELS_BENCH_CONCURRENCY (50),
// CHANNELS_BENCH_LIGHT (16 channels in flight for the lighter-load run),
// CHANNELS_BENCH_KEY (rsa-pss | ed25519), CHANNELS_BENCH_NODE_ARGS (extra node flags for the gateway,
// e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
'use strict';
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { WebSocket } = require('ws');
const { CHANNEL_NAME, CHAINCODE_NAME, canonicalJson, channels, generateKeyPair, loadConnectionProfile, signRequest } = require('@gridledger/core');
const { connectGateway } = require('@gridledger/core/dist/fabric');
const { BrokerClient } = require('../gateway-api/dist/channels/client');
const { BROKER_PATH, signHello } = require('../gateway-api/dist/channels/protocol');
const { hashApiKey } = require('../gateway-api/dist/http/auth');

const root = path.join(__dirname, '..');
const runDir = process.env.GRIDLEDGER_RUN_DIR || path.join(root, 'network', '.run');
const env = (k, d) => Number(process.env[k] || d);
const CHANNELS = env('CHANNELS_BENCH_CHANNELS', 50);
const UPDATES = env('CHANNELS_BENCH_UPDATES', 200);
const WALLET_UPDATES = env('CHANNELS_BENCH_WALLET_UPDATES', 20);
const HOPS = env('CHANNELS_BENCH_HOPS', 30);
const ONCHAIN_TXS = env('CHANNELS_BENCH_ONCHAIN_TXS', 300);
const CONCURRENCY = env('CHANNELS_BENCH_CONCURRENCY', 50);
const LIGHT = env('CHANNELS_BENCH_LIGHT', 16);
/** Channel keys of the headline broker run: RSA-PSS, the kind to pick for volume (cheap to verify). */
const KEY_KIND = process.env.CHANNELS_BENCH_KEY || 'rsa-pss';
const KEY = `glk_${randomBytes(18).toString('base64url')}`;
const POLICY = { maxHtlcs: 32, minLockDelta: 2, maxLockAhead: 3600 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

function contract(org, role, name) {
  const conn = connectGateway(loadConnectionProfile(path.join(runDir, 'profiles', `${org}.json`)), role);
  return { conn, contract: conn.gateway.getNetwork(CHANNEL_NAME).getContract(CHAINCODE_NAME, name), network: conn.gateway.getNetwork(CHANNEL_NAME) };
}

/** Retries a setup submission refused at endorsement by a transient outage (a chaincode reload). */
async function retry(fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 8 || !/ABORTED|UNAVAILABLE|DEADLINE/.test(String(err?.message))) throw err;
      await sleep(1000 * attempt);
    }
  }
}

/** Runs async thunks with at most `n` in flight. */
async function limited(n, thunks) {
  const out = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, thunks.length) }, async () => {
      while (next < thunks.length) {
        const i = next++;
        out[i] = await thunks[i]();
      }
    }),
  );
  return out;
}

/** CPU time (user + system) of a process, in ms, from /proc. */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks of 10 ms
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startGateway(dir) {
  const port = await freePort();
  const config = path.join(dir, 'gateway.json');
  fs.writeFileSync(
    config,
    JSON.stringify({
      profile: path.join(runDir, 'profiles', 'operator.json'),
      org: 'operator',
      store: { kind: 'sqlite', sqlitePath: path.join(dir, 'gateway.db') },
      rateLimit: { requestsPerMinute: 1000000, burst: 100000 },
      fabric: { eventStartBlock: 1e9 },
    }),
  );
  const child = spawn(process.execPath, [...(process.env.CHANNELS_BENCH_NODE_ARGS ? process.env.CHANNELS_BENCH_NODE_ARGS.split(' ') : []), path.join(root, 'gateway-api', 'dist', 'main.js'), '--config', config], {
    env: { ...process.env, GRIDLEDGER_PORT: String(port), GRIDLEDGER_HOST: '127.0.0.1', GRIDLEDGER_API_KEYS: `bench:user-relay:${hashApiKey(KEY)}`, GRIDLEDGER_LOG_LEVEL: 'error' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) return { child, url };
    } catch {
      // not yet
    }
    await sleep(200);
  }
  throw new Error('gateway not ready in 30 s');
}

/** The broker's group-commit counters from /metrics. */
async function commitStats(url) {
  const text = await (await fetch(`${url}/metrics`, { headers: { 'x-api-key': KEY } })).text();
  const num = (name) => Number((new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text) ?? [])[1] ?? 0);
  return { count: num('gridledger_channel_commit_duration_seconds_count'), sum: num('gridledger_channel_commit_duration_seconds_sum'), writes: num('gridledger_channel_commit_writes_total') };
}

/** Opens `n` channels a->b with `deposit` on a's side; returns their records and keys. */
async function openChannels(n, deposit, channel, issuer, tag, kind = 'ed25519') {
  return limited(
    25,
    Array.from({ length: n }, (_, i) => async () => {
      const acct = { a: generateKeyPair(), b: generateKeyPair() };
      await retry(() => issuer.submitTransaction('IssuePay', acct.a.publicKey, String(deposit)));
      const keys = { a: await channels.generateChannelKeyAsync(kind), b: await channels.generateChannelKeyAsync(kind) };
      const terms = {
        network: channels.ONCHAIN_NETWORK,
        salt: `bench-${tag}-${process.pid}-${i}-${randomBytes(4).toString('hex')}`,
        a: { account: acct.a.publicKey, channelKey: keys.a.publicKey, deposit: String(deposit) },
        b: { account: acct.b.publicKey, channelKey: keys.b.publicKey, deposit: '0' },
        disputeWindow: 3600,
      };
      const req = { terms, auth: { a: channels.signOpen(terms, 'a', acct.a.privateKey, 1), b: channels.signOpen(terms, 'b', acct.b.privateKey, 1) } };
      await retry(() => channel.submitTransaction('Open', JSON.stringify(req)));
      return { record: channels.recordOf(terms, 3600), keys };
    }),
  );
}

/** A raw broker connection for the pre-signed run. */
async function rawConnect(url) {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + BROKER_PATH, { headers: { 'x-api-key': KEY }, perMessageDeflate: false });
  const nonce = await new Promise((resolve, reject) => {
    ws.once('error', reject);
    ws.once('message', (d) => resolve(JSON.parse(d.toString()).nonce));
  });
  return { ws, nonce };
}

/** Says hello for each `{channelId, side, privateKey}` on one connection. */
async function rawHello(conn, list) {
  conn.ws.send(JSON.stringify({ type: 'hello', id: 'h', channels: list.map((h) => ({ channelId: h.channelId, side: h.side, signature: signHello(conn.nonce, h.channelId, h.side, h.privateKey) })) }));
  await new Promise((resolve, reject) =>
    conn.ws.once('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'welcome') resolve();
      else reject(new Error(`hello refused: ${d}`));
    }),
  );
}

/** Every message of `n` updates (a pays b 1 each), signed in advance. */
function presign(ch, n) {
  const id = ch.record.channelId;
  const privs = { a: ch.keys.a.privateKey, b: ch.keys.b.privateKey };
  let state = channels.openingState(id, ch.record.deposits);
  const msgs = [];
  for (let v = 1; v <= n; v++) {
    state = channels.pay(state, 'a', '1');
    const { signed, revocations } = channels.coSignUpdate(state, privs);
    msgs.push({
      propose: JSON.stringify({ type: 'propose', channelId: id, op: { kind: 'pay', from: 'a', amount: '1' }, state, lock: signed.locks.a, signature: signed.sigs.a }),
      accept: JSON.stringify({ type: 'accept', channelId: id, version: v, signature: signed.sigs.b, revocation: revocations.b, signed }),
      revoke: JSON.stringify({ type: 'revoke', channelId: id, revocation: revocations.a }),
    });
  }
  return msgs;
}

/**
 * Sends on a connection, coalescing everything sent in one turn of the event loop into one write
 * (as a party serving many channels on one connection does).
 */
function coalescedSend(conn, text) {
  if (!conn.corked) {
    conn.corked = true;
    conn.ws._socket.cork();
    setImmediate(() => {
      conn.corked = false;
      conn.ws._socket.uncork();
    });
  }
  conn.ws.send(text);
}

/**
 * Broker throughput with pre-signed parties: every channel at once. Side a of each channel is its
 * own connection (a phone). Side b is its own connection too, or with `hub` one connection for every
 * channel's side b (a pile operator's backend serving all its piles).
 */
async function presignedRun(url, chans, n, { hub = false } = {}) {
  const t0p = process.hrtime.bigint();
  const msgs = chans.map((c) => presign(c, n));
  const presignMs = ms(t0p);
  const index = new Map(chans.map((c, i) => [c.record.channelId, i]));
  const pairs = [];
  const hubConn = hub ? await rawConnect(url) : undefined;
  for (const c of chans) {
    const a = await rawConnect(url);
    await rawHello(a, [{ channelId: c.record.channelId, side: 'a', privateKey: c.keys.a.privateKey }]);
    let b = hubConn;
    if (!b) {
      b = await rawConnect(url);
      await rawHello(b, [{ channelId: c.record.channelId, side: 'b', privateKey: c.keys.b.privateKey }]);
    }
    pairs.push({ a, b });
  }
  if (hubConn) await rawHello(hubConn, chans.map((c) => ({ channelId: c.record.channelId, side: 'b', privateKey: c.keys.b.privateKey })));
  const latencies = [];
  let errors = 0;
  let firstError;
  const onError = (x) => {
    errors++;
    firstError ??= x;
  };
  // Side b answers every relayed proposal with its pre-signed accept.
  for (const b of hubConn ? [hubConn] : pairs.map((p) => p.b)) {
    b.ws.on('message', (d) => {
      const x = JSON.parse(d.toString());
      if (x.type === 'relay' && x.message.type === 'propose') coalescedSend(b, msgs[index.get(x.message.channelId)][x.message.state.version - 1].accept);
      else if (x.type === 'error') onError(x);
    });
  }
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    pairs.map(
      ({ a }, ci) =>
        new Promise((resolve) => {
          const m = msgs[ci];
          let v = 1;
          let sentAt = 0n;
          a.ws.on('message', (d) => {
            const x = JSON.parse(d.toString());
            if (x.type === 'relay' && x.message.type === 'accept') {
              latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
              a.ws.send(m[v - 1].revoke);
              if (v === n) return resolve();
              v++;
              sentAt = process.hrtime.bigint();
              a.ws.send(m[v - 1].propose);
            } else if (x.type === 'error') onError(x);
          });
          sentAt = process.hrtime.bigint();
          a.ws.send(m[0].propose);
        }),
    ),
  );
  const wall = ms(t0);
  const cpu = process.cpuUsage(c0);
  await sleep(200); // last revokes
  for (const { a, b } of pairs) {
    a.ws.terminate();
    b.ws.terminate();
  }
  if (errors) console.error('broker errors:', errors, JSON.stringify(firstError));
  const total = pairs.length * n;
  return { total, wall, rate: (total / wall) * 1000, p50: pct(latencies, 50), p99: pct(latencies, 99), presignMs, errors, clientCpuUs: (cpu.user + cpu.system) / total };
}

/** The same with live wallets: every party signs and verifies. */
async function walletRun(url, chans, n) {
  const ends = [];
  for (const c of chans) {
    const pair = {};
    for (const side of ['a', 'b']) {
      const client = await BrokerClient.connect(url, KEY);
      const end = new channels.Channel({ record: c.record, side, privateKey: c.keys[side].privateKey, policy: POLICY });
      await client.hello([{ channel: end, privateKey: c.keys[side].privateKey }]);
      pair[side] = { client, end };
    }
    ends.push({ id: c.record.channelId, ...pair });
  }
  const latencies = [];
  const t0 = process.hrtime.bigint();
  await Promise.all(
    ends.map(async (e) => {
      for (let i = 0; i < n; i++) {
        const t = process.hrtime.bigint();
        await e.a.client.update(e.id, { kind: 'pay', from: 'a', amount: '1' });
        latencies.push(ms(t));
      }
    }),
  );
  const wall = ms(t0);
  for (const e of ends) {
    e.a.client.terminate();
    e.b.client.terminate();
  }
  return { total: ends.length * n, wall, rate: ((ends.length * n) / wall) * 1000, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

/** Three-hop payments S -> X -> Y -> T through the broker; latency of each whole payment. */
async function hopRun(url, hop, runs) {
  const [sx, xy, yt] = hop;
  const fee = { base: '1', proportionalMillionths: 1000 };
  const end = (c, side) => new channels.Channel({ record: c.record, side, privateKey: c.keys[side].privateKey, policy: POLICY });
  const tag = randomBytes(3).toString('hex');
  const node = (n) => `${n}-${tag}`;
  const S = await BrokerClient.connect(url, KEY);
  const X = await BrokerClient.connect(url, KEY);
  const Y = await BrokerClient.connect(url, KEY);
  const T = await BrokerClient.connect(url, KEY);
  await S.hello([{ channel: end(sx, 'a'), privateKey: sx.keys.a.privateKey, node: node('S') }]);
  await X.hello([{ channel: end(sx, 'b'), privateKey: sx.keys.b.privateKey, node: node('X'), policy: fee }, { channel: end(xy, 'a'), privateKey: xy.keys.a.privateKey, node: node('X'), policy: fee }]);
  await Y.hello([{ channel: end(xy, 'b'), privateKey: xy.keys.b.privateKey, node: node('Y'), policy: fee }, { channel: end(yt, 'a'), privateKey: yt.keys.a.privateKey, node: node('Y'), policy: fee }]);
  await T.hello([{ channel: end(yt, 'b'), privateKey: yt.keys.b.privateKey, node: node('T') }]);
  X.enableForwarding({ fee, lockDelta: 30 });
  Y.enableForwarding({ fee, lockDelta: 30 });
  const latencies = [];
  const routeMs = [];
  for (let i = 0; i < runs; i++) {
    const pre = channels.newPreimage();
    T.expectPayment(pre.preimage);
    const tr = process.hrtime.bigint();
    const res = await fetch(`${url}/v1/channels/route?source=${node('S')}&target=${node('T')}&amount=10&finalLockDelta=600&lockDelta=30`, { headers: { 'x-api-key': KEY } });
    if (res.status !== 200) throw new Error(`route: ${res.status} ${await res.text()}`);
    const route = await res.json();
    routeMs.push(ms(tr));
    const t = process.hrtime.bigint();
    const got = await S.pay(channels.planPayment(route, pre.hashLock));
    latencies.push(ms(t));
    if (got !== pre.preimage) throw new Error('wrong preimage');
    await sleep(20); // let the last revokes land before the next payment
  }
  for (const c of [S, X, Y, T]) c.terminate();
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), routeP50: pct(routeMs, 50) };
}

/** accounts:Transfer signed transfers, CONCURRENCY workers, each waiting for commit. */
async function onchainRun(issuer, accounts, txs, concurrency) {
  const workers = Array.from({ length: concurrency }, () => ({ from: generateKeyPair(), to: generateKeyPair().publicKey, nonce: 0 }));
  await limited(25, workers.map((w) => () => retry(() => issuer.submitTransaction('IssuePay', w.from.publicKey, '1000000'))));
  const per = Math.ceil(txs / concurrency);
  let ok = 0;
  let failed = 0;
  let firstError;
  const latencies = [];
  const t0 = process.hrtime.bigint();
  await Promise.all(
    workers.map(async (w) => {
      for (let i = 0; i < per; i++) {
        const body = { unit: 'pay', from: w.from.publicKey, to: w.to, amount: 1, nonce: ++w.nonce };
        const sig = signRequest('transfer', body, w.from.privateKey).signature;
        const t = process.hrtime.bigint();
        try {
          await accounts.submitTransaction('Transfer', canonicalJson(body), sig);
          ok++;
          latencies.push(ms(t));
        } catch (err) {
          failed++;
          firstError ??= err;
        }
      }
    }),
  );
  const wall = ms(t0);
  if (failed) console.error(`on-chain: ${failed} failed, first: ${firstError?.message}`);
  return { ok, failed, wall, tps: (ok / wall) * 1000, p50: pct(latencies, 50) };
}

exports.run = async function run() {
  const op = contract('operator', 'client', 'channel');
  const acc = contract('operator', 'client', 'accounts');
  const iss = contract('utility', 'admin', 'accounts');
  const kgc = contract('utility', 'admin', 'kgc');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gl-bench-channels-'));
  let gw;
  try {
    await retry(() => kgc.contract.submitTransaction('SetTradingParams', JSON.stringify({ collateralPerKw: 100, disputeWindowS: 3600, minDisputeWindowS: 1, maxDisputeWindowS: 86400 })));
    const deposit = Math.max(UPDATES, WALLET_UPDATES) + 10;
    console.log(`opening ${(KEY_KIND === 'ed25519' ? 3 : 4) * CHANNELS + LIGHT + 3} channels on chain (${KEY_KIND} keys for the broker runs)...`);
    const t0 = process.hrtime.bigint();
    const main = await openChannels(CHANNELS, deposit, op.contract, iss.contract, 'p', KEY_KIND);
    const edMain = KEY_KIND === 'ed25519' ? undefined : await openChannels(CHANNELS, deposit, op.contract, iss.contract, 'e');
    const hubChans = await openChannels(CHANNELS, deposit, op.contract, iss.contract, 'o', KEY_KIND);
    const lightChans = await openChannels(LIGHT, deposit, op.contract, iss.contract, 'l', KEY_KIND);
    const wallets = await openChannels(CHANNELS, deposit, op.contract, iss.contract, 'w');
    const hop = await openChannels(3, 1_000_000, op.contract, iss.contract, 'h');
    console.log(`  done in ${(ms(t0) / 1000).toFixed(1)} s`);
    gw = await startGateway(dir);

    console.log(`broker, pre-signed parties (${KEY_KIND} keys): ${CHANNELS} channels x ${UPDATES} updates...`);
    const m0 = await commitStats(gw.url);
    const cpu0 = cpuMs(gw.child.pid);
    const pre = await presignedRun(gw.url, main, UPDATES);
    const gatewayCpuUs = ((cpuMs(gw.child.pid) - cpu0) * 1000) / pre.total;
    const clientCpuUs = pre.clientCpuUs;
    const m1 = await commitStats(gw.url);
    const commits = m1.count - m0.count;
    const perCommit = (m1.writes - m0.writes) / commits;
    const commitMs = ((m1.sum - m0.sum) / commits) * 1000;
    let ed;
    if (edMain) {
      console.log(`broker, pre-signed parties (ed25519 keys): ${CHANNELS} channels x ${UPDATES} updates...`);
      ed = await presignedRun(gw.url, edMain, UPDATES);
    }
    console.log(`broker, pre-signed parties (${KEY_KIND} keys), side b of every channel on one connection: ${CHANNELS} channels x ${UPDATES} updates...`);
    const hub = await presignedRun(gw.url, hubChans, UPDATES, { hub: true });
    console.log(`broker, pre-signed parties (${KEY_KIND} keys), lighter load: ${LIGHT} channels x ${UPDATES} updates...`);
    const light = await presignedRun(gw.url, lightChans, UPDATES);
    console.log(`broker, live wallets (ed25519 keys): ${CHANNELS} channels x ${WALLET_UPDATES} updates...`);
    const wal = await walletRun(gw.url, wallets, WALLET_UPDATES);
    console.log(`three-hop payments: ${HOPS}...`);
    const hops = await hopRun(gw.url, hop, HOPS);
    console.log(`on chain: ${ONCHAIN_TXS} accounts:Transfer, concurrency ${CONCURRENCY}...`);
    const chain = await onchainRun(iss.contract, acc.contract, ONCHAIN_TXS, CONCURRENCY);

    const ratio = pre.rate / chain.tps;
    const row = (name, value, unit, target) => console.log(`  ${name.padEnd(44)} ${value.padStart(10)} ${unit.padEnd(10)} ${target}`);
    console.log('\nchannels bench (2 cores shared by network, gateway and clients)');
    console.log(`  ${'figure'.padEnd(44)} ${'measured'.padStart(10)} ${''.padEnd(10)} target / baseline`);
    row(`broker updates/s (pre-signed, ${KEY_KIND} keys)`, pre.rate.toFixed(0), 'updates/s', '>= 5000');
    row('  update latency p50', pre.p50.toFixed(2), 'ms', '');
    row('  update latency p99', pre.p99.toFixed(2), 'ms', '< 25 ms');
    if (ed) row('broker updates/s (pre-signed, ed25519 keys)', ed.rate.toFixed(0), 'updates/s', `p50 ${ed.p50.toFixed(1)} ms, p99 ${ed.p99.toFixed(1)} ms; same broker, Ed25519 costs ~3x RSA to verify`);
    row('  side b on one connection (operator backend)', hub.rate.toFixed(0), 'updates/s', `p50 ${hub.p50.toFixed(1)} ms, p99 ${hub.p99.toFixed(1)} ms; clients ${hub.clientCpuUs.toFixed(0)} us CPU per update`);
    row(`  lighter load: ${LIGHT} channels in flight`, light.rate.toFixed(0), 'updates/s', `p50 ${light.p50.toFixed(1)} ms, p99 ${light.p99.toFixed(1)} ms`);
    row('broker updates/s (live wallets sign+verify)', wal.rate.toFixed(0), 'updates/s', `p50 ${wal.p50.toFixed(1)} ms, p99 ${wal.p99.toFixed(1)} ms`);
    row('on-chain accounts:Transfer', chain.tps.toFixed(1), 'tx/s', `same run; commit p50 ${chain.p50.toFixed(0)} ms`);
    row('ratio broker / on chain', ratio.toFixed(0), 'x', '>= 50x');
    row('three-hop payment p50 (6 updates)', hops.p50.toFixed(1), 'ms', `< 50 ms; p99 ${hops.p99.toFixed(1)} ms; route lookup p50 ${hops.routeP50.toFixed(1)} ms`);
    row('gateway CPU per update (pre-signed run)', gatewayCpuUs.toFixed(0), 'us', `one free core would carry ~${Math.round(1e6 / gatewayCpuUs)} updates/s; load avg ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    row('bench clients CPU per update (same run)', clientCpuUs.toFixed(0), 'us', 'the parties\' side of the sockets, on the same 2 cores');
    row('durable group commits (pre-signed run)', String(commits), 'commits', `${perCommit.toFixed(1)} writes each, ${commitMs.toFixed(2)} ms each on average`);
    row('pre-signing time (clients, not timed)', (pre.presignMs / 1000).toFixed(1), 's', `${pre.total} updates`);
    console.log(
      JSON.stringify({
        bench: 'channels',
        updates_per_s: Math.round(pre.rate),
        p50_ms: Number(pre.p50.toFixed(2)),
        p99_ms: Number(pre.p99.toFixed(2)),
        onchain_tps: Number(chain.tps.toFixed(1)),
        ratio: Number(ratio.toFixed(1)),
        hop3_p50_ms: Number(hops.p50.toFixed(1)),
        keys: KEY_KIND,
        hub_updates_per_s: Math.round(hub.rate),
        hub_p99_ms: Number(hub.p99.toFixed(2)),
        light_channels: LIGHT,
        light_updates_per_s: Math.round(light.rate),
        light_p99_ms: Number(light.p99.toFixed(2)),
        ...(ed ? { ed25519_updates_per_s: Math.round(ed.rate), ed25519_p99_ms: Number(ed.p99.toFixed(2)) } : {}),
        gateway_cpu_us: Math.round(gatewayCpuUs),
      }),
    );
  } finally {
    if (gw) {
      gw.child.kill('SIGTERM');
      await new Promise((r) => gw.child.once('exit', r));
    }
    for (const c of [op, acc, iss, kgc]) c.conn.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
