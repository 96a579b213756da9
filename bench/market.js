// npm run bench -- market: the trading-cycle double auction.
//
// 1. Matching time of the pure function (bench/market-match.js): 10^4, 10^5, 10^6 orders.
// 2. On the running network, in the same run and the same way (fabric-gateway submits, waiting for
//    commit): signed orders accepted per second beside the trivial key write (baseline.Write,
//    CONCURRENCY in flight). Orders are relayed as the gateway relays them: market.SubmitOrders
//    batches of BATCH orders (each order: Ed25519 check, KGC registration lookup, nonce, own key),
//    with as many orders in flight as baseline writes; traders are split into lanes, one batch per
//    lane in flight, so one trader's nonces are applied in order. For comparison the same count of
//    single SubmitOrder transactions, CONCURRENCY in flight. Rounds alternate baseline / batched /
//    single so that load from elsewhere hits all alike; the figures are the medians over rounds.
//    Then the cycle is closed and cleared on chain (pages).
//
// Env: MARKET_BENCH_TXS (orders per round, default 400), MARKET_BENCH_CONCURRENCY (50),
// MARKET_BENCH_BATCH (16), MARKET_BENCH_ROUNDS (5), MARKET_BENCH_MATCH_RUNS (timed runs per size for
// the pure matching).
'use strict';
const path = require('node:path');
const {
  CHANNEL_NAME,
  CHAINCODE_NAME,
  MARKET_ACTIONS,
  canonicalJson,
  generateKeyPair,
  kgcExtract,
  kgcSetup,
  loadConnectionProfile,
  provePossession,
  signRequest,
} = require('@gridledger/core');
const { connectGateway } = require('@gridledger/core/dist/fabric');
const { matchBench } = require('./market-match');

const root = path.join(__dirname, '..');
const runDir = process.env.GRIDLEDGER_RUN_DIR || path.join(root, 'network', '.run');
const TXS = Number(process.env.MARKET_BENCH_TXS || 400);
const CONCURRENCY = Number(process.env.MARKET_BENCH_CONCURRENCY || 50);
const ROUNDS = Number(process.env.MARKET_BENCH_ROUNDS || 5);
const BATCH = Math.min(64, Number(process.env.MARKET_BENCH_BATCH || 16));

function contract(org, role, name) {
  const conn = connectGateway(loadConnectionProfile(path.join(runDir, 'profiles', `${org}.json`)), role);
  return { conn, contract: conn.gateway.getNetwork(CHANNEL_NAME).getContract(CHAINCODE_NAME, name) };
}

/**
 * Retries a setup call through transient failures (another engineer reloading the chaincode, a peer
 * briefly unavailable); a refusal by the chaincode itself is final.
 */
async function retry(what, fn) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const details = JSON.stringify(err.details ?? '');
      const refused = /chaincode response 500/.test(details) && !/UNAVAILABLE|connection|reloading/i.test(details);
      if (refused || attempt >= 8) throw Object.assign(err, { message: `${what}: ${err.message} ${details}` });
      await new Promise((r) => setTimeout(r, 1500));
    }
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Runs `jobs` (arrays of thunks, one array per worker, each worker sequential) and returns the
 * committed orders (a thunk may answer how many it committed) or transactions per second.
 */
async function drive(jobsPerWorker) {
  let ok = 0;
  let failed = 0;
  let firstError;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    jobsPerWorker.map(async (jobs) => {
      for (const job of jobs) {
        try {
          const units = await job();
          ok += typeof units === 'number' ? units : 1;
        } catch (err) {
          failed++;
          firstError ??= err;
        }
      }
    }),
  );
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (firstError) console.error(`  ${failed} failed, first: ${firstError.message} ${JSON.stringify(firstError.details ?? '')}`);
  return { tps: ok / s, ok, failed, seconds: s };
}

exports.run = async function run() {
  console.log('market bench: pure matching');
  const match = await matchBench(process.env.MARKET_BENCH_MATCH_RUNS ? { runs: Number(process.env.MARKET_BENCH_MATCH_RUNS) } : {});
  console.log(`  matchCycle 10^4: ${match.match_1e4_ms} ms, 10^5: ${match.match_1e5_ms} ms, 10^6: ${match.match_1e6_ms} ms (target 10^6 < 2000 ms)`);

  const opened = [];
  const open = (org, role, name) => {
    const c = contract(org, role, name);
    opened.push(c.conn);
    return c.contract;
  };
  try {
    const kgc = open('utility', 'admin', 'kgc');
    const admin = open('utility', 'admin', 'market');
    const relay = open('operator', 'client', 'market');
    const baseline = open('operator', 'client', 'baseline');
    const run = `${process.pid}-${Date.now().toString(36)}`;

    // Traders: one registered identity (with its Ed25519 account) per worker, as in production
    // where each user signs its own orders with its own nonce sequence.
    const setup = kgcSetup();
    await retry('kgc.Setup', () => kgc.submitTransaction('Setup', JSON.stringify(setup.params)));
    const expiry = Math.floor(Date.now() / 1000) + 86400;
    const traders = Array.from({ length: CONCURRENCY }, (_, i) => ({ id: `user:bench-${run}-${i}`, acct: generateKeyPair(), nonce: 0 }));
    // Registration verifies two pairings on every endorser: a few at a time, retried.
    const queue = [...traders];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let t = queue.shift(); t; t = queue.shift()) {
          const ex = kgcExtract(setup.master, { id: t.id, role: 'user', expiry });
          const reg = JSON.stringify({ id: t.id, certificate: ex.certificate, proofOfPossession: provePossession(ex.key), account: t.acct.publicKey });
          await retry('kgc.RegisterUser', () => kgc.submitTransaction('RegisterUser', reg));
        }
      }),
    );
    // The clearing pages and cycle length of a real deployment (tests may have left others).
    await retry('SetMarketParams', () => admin.submitTransaction('SetMarketParams', JSON.stringify({ cycleLengthS: 900, settlementWindowS: 3600, pageSize: 200, maxTradesPerTx: 200 })));
    const cycleId = `bench-${run}`;
    await retry('OpenCycle', () => admin.submitTransaction('OpenCycle', cycleId, JSON.stringify({ lengthS: 3600 })));

    // Warm-up (connections, chaincode paths) for both, not timed.
    await drive([[() => baseline.submitTransaction('Write', `warm-${run}`, 'x')]]);

    const perWorker = Math.ceil(TXS / CONCURRENCY);
    let seed = 1;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const baselineJobs = (round) =>
      Array.from({ length: CONCURRENCY }, (_, w) => Array.from({ length: perWorker }, (_, k) => () => baseline.submitTransaction('Write', `b-${run}-${round}-${w}-${k}`, 'order-sized-value')));
    // An order is signed when it is sent, with the trader's next nonce; the nonce advances only once
    // the order is committed, so a failed transaction never leaves a gap that refuses the next ones.
    const orderBody = (t, k) => {
      const ask = rnd() < 0.5;
      return { cycleId, side: ask ? 'ask' : 'bid', price: ask ? 200 + Math.floor(rnd() * 200) : 150 + Math.floor(rnd() * 200), quantity: 1 + Math.floor(rnd() * 20000), trader: t.id, account: t.acct.publicKey, nonce: t.nonce + k };
    };
    const signed = (body, t) => {
      const req = signRequest(MARKET_ACTIONS.order, body, t.acct.privateKey);
      return { body: req.body, signature: req.signature };
    };
    const singleJobs = () =>
      traders.map((t) =>
        Array.from({ length: perWorker }, () => async () => {
          const o = signed(orderBody(t, 1), t);
          await relay.submitTransaction('SubmitOrder', canonicalJson(o.body), o.signature);
          t.nonce++;
        }),
      );
    // Lanes: trader i in lane i % lanes. A batch takes BATCH orders round-robin over its lane's traders.
    const lanes = Math.max(1, Math.ceil(CONCURRENCY / BATCH));
    const batchJobs = () =>
      Array.from({ length: lanes }, (_, l) => {
        const mine = traders.filter((_, i) => i % lanes === l);
        const total = perWorker * mine.length;
        return Array.from({ length: Math.ceil(total / BATCH) }, (_, b) => async () => {
          const count = Math.min(BATCH, total - b * BATCH);
          const used = new Map();
          const items = Array.from({ length: count }, (_, j) => {
            const t = mine[(b * BATCH + j) % mine.length];
            used.set(t, (used.get(t) ?? 0) + 1);
            return signed(orderBody(t, used.get(t)), t);
          });
          await relay.submitTransaction('SubmitOrders', JSON.stringify(items));
          for (const [t, n] of used) t.nonce += n;
          return count;
        });
      });

    const base = [];
    const batched = [];
    const single = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = await drive(baselineJobs(r));
      const o = await drive(batchJobs());
      const s1 = await drive(singleJobs());
      console.log(
        `  round ${r + 1}: baseline ${b.tps.toFixed(1)} tx/s (${b.failed} failed), orders in batches of ${BATCH} ${o.tps.toFixed(1)}/s (${o.failed} failed), single SubmitOrder ${s1.tps.toFixed(1)} tx/s (${s1.failed} failed)`,
      );
      base.push(b.tps);
      batched.push(o.tps);
      single.push(s1.tps);
    }
    const baselineTps = median(base);
    const ordersTps = median(batched);
    const singleTps = median(single);

    // Clear the bench cycle on chain, in pages.
    await retry('CloseCycle', () => admin.submitTransaction('CloseCycle', cycleId));
    const c0 = process.hrtime.bigint();
    let summary;
    let clearTxs = 0;
    do {
      // A failed clearing transaction changes nothing (the cursor is unchanged): retry it.
      summary = JSON.parse(Buffer.from(await retry('ClearCycle', () => admin.submitTransaction('ClearCycle', cycleId))).toString('utf8'));
      clearTxs++;
    } while (summary.status !== 'done');
    const clearMs = Number(process.hrtime.bigint() - c0) / 1e6;

    const ratio = ordersTps / baselineTps;
    console.log('\n  figure                              measured        target / baseline');
    console.log(`  matchCycle, 10^6 orders             ${String(match.match_1e6_ms).padStart(8)} ms     < 2000 ms`);
    console.log(`  orders accepted (SubmitOrders x${String(BATCH).padEnd(2)})  ${ordersTps.toFixed(1).padStart(8)} /s     baseline.Write ${baselineTps.toFixed(1)} tx/s (same run)`);
    console.log(`    single SubmitOrder transactions   ${singleTps.toFixed(1).padStart(8)} tx/s   ratio ${(singleTps / baselineTps).toFixed(2)}`);
    console.log(`  ratio orders / baseline             ${ratio.toFixed(2).padStart(8)}          >= 0.8`);
    console.log(`  on-chain clearing of ${2 * ROUNDS * perWorker * CONCURRENCY} orders     ${clearMs.toFixed(0).padStart(8)} ms     ${clearTxs} transactions, ${summary.stats.trades} trades`);
    console.log(
      JSON.stringify({
        bench: 'market',
        match_1e6_ms: match.match_1e6_ms,
        orders_tps: Number(ordersTps.toFixed(1)),
        baseline_tps: Number(baselineTps.toFixed(1)),
        ratio: Number(ratio.toFixed(3)),
        single_orders_tps: Number(singleTps.toFixed(1)),
        single_ratio: Number((singleTps / baselineTps).toFixed(3)),
      }),
    );
  } finally {
    for (const c of opened) c.close();
  }
};
