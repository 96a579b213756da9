// Benchmark of the trading-cycle double auction (core/src/market): matchCycle on 10^4, 10^5 and
// 10^6 random orders (median of several runs), beside a baseline measured in the same run: a plain
// comparison sort of the same orders into book order (Array.prototype.sort with compareAsks /
// compareBids), i.e. what the sort step alone costs when done the obvious way.
//
// `npm run bench -- market-match` runs it alone; bench/market.js calls matchBench().
'use strict';
const { matchCycle, compareAsks, compareBids } = require('@gridledger/core');

/** mulberry32: seeded, so every run matches the same books. */
function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random lowercase hex, as a flat string (as JSON.parse or a protobuf decoder would hand it over). */
function hex(rnd, bytes) {
  const buf = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) buf[i] = Math.floor(rnd() * 256);
  return buf.toString('hex');
}

/**
 * A realistic cycle: ids are 64-hex Fabric txIds, owners 2,000 BLS public keys (96 hex), half asks
 * at 200–399 and half bids at 150–349 payment units per Wh (so about a third of the volume trades),
 * 1–20,000 Wh each, seq = microsecond timestamps in a 15-minute window, arriving out of order.
 */
function randomOrders(n, seed) {
  const rnd = prng(seed);
  const owners = Array.from({ length: 2000 }, () => hex(rnd, 48));
  const t0 = 1_700_000_000_000_000;
  const orders = new Array(n);
  for (let i = 0; i < n; i++) {
    const ask = rnd() < 0.5;
    orders[i] = {
      orderId: hex(rnd, 32),
      side: ask ? 'ask' : 'bid',
      owner: owners[Math.floor(rnd() * owners.length)],
      price: ask ? 200 + Math.floor(rnd() * 200) : 150 + Math.floor(rnd() * 200),
      quantity: 1 + Math.floor(rnd() * 20_000),
      seq: t0 + Math.floor(rnd() * 900_000_000),
      cycleId: 'bench-cycle',
    };
  }
  return orders;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function timeIt(fn, runs) {
  fn(); // warm-up, not counted
  const times = [];
  let out;
  for (let r = 0; r < runs; r++) {
    if (global.gc) global.gc();
    const t = process.hrtime.bigint();
    out = fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms: median(times), min: Math.min(...times), max: Math.max(...times), out };
}

const SIZES = [
  { n: 1e4, key: '1e4', runs: 15 },
  { n: 1e5, key: '1e5', runs: 7 },
  { n: 1e6, key: '1e6', runs: 5 },
];

const round = (x) => Math.round(x * 10) / 10;

/** Times matchCycle and the baseline; returns { figures, rows } (rows for the table). */
async function measure(options = {}) {
  const rows = [];
  const figures = {};
  for (const { n, key, runs } of SIZES) {
    let orders = randomOrders(n, 42 + n);
    const m = timeIt(() => matchCycle(orders), options.runs ?? runs);
    const asks = orders.filter((o) => o.side === 'ask');
    const bids = orders.filter((o) => o.side === 'bid');
    const b = timeIt(() => [[...asks].sort(compareAsks), [...bids].sort(compareBids)], options.runs ?? runs);
    const s = m.out.stats;
    rows.push({ orders: n, runs: options.runs ?? runs, match_ms: round(m.ms), min_ms: round(m.min), max_ms: round(m.max), baseline_sort_ms: round(b.ms), trades: s.trades, volume_wh: s.volume, vwap: s.vwap });
    figures[`match_${key}_ms`] = round(m.ms);
    figures[`baseline_sort_${key}_ms`] = round(b.ms);
    figures[`trades_${key}`] = s.trades;
    orders = null;
    await new Promise((r) => setImmediate(r));
  }
  return { figures, rows };
}

/**
 * Times matchCycle on 10^4, 10^5 and 10^6 random orders (medians, ms). Returns
 * `{match_1e4_ms, match_1e5_ms, match_1e6_ms}` plus the baseline (`baseline_sort_*_ms`) and the
 * number of trades (`trades_*`). `options.runs` overrides the number of timed runs per size.
 */
async function matchBench(options = {}) {
  return (await measure(options)).figures;
}

async function run() {
  const { rows, figures } = await measure();
  console.log('market-match: matchCycle (validate + sort + match + results) vs baseline (comparison sort only), median ms');
  console.table(rows);
  console.log(JSON.stringify({ bench: 'market-match', node: process.version, ...figures }));
  return figures;
}

module.exports = { matchBench, run, randomOrders };

if (require.main === module) run().catch((e) => {
  console.error(e);
  process.exit(1);
});
