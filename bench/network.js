// npm run bench -- network: time from `network.sh up` (binaries already built) to the first
// committed cross-org transaction, and the resident memory of every network process after it.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { loadConnectionProfile, CHANNEL_NAME, CHAINCODE_NAME } = require('@gridledger/core');
const { connectGateway } = require('@gridledger/core/dist/fabric');

const root = path.join(__dirname, '..');
const network = path.join(root, 'network', 'network.sh');
const runDir = process.env.GRIDLEDGER_RUN_DIR || path.join(root, 'network', '.run');

function sh(args) {
  const r = spawnSync('bash', [network, ...args], { encoding: 'utf8' });
  if (r.status !== 0 && args[0] !== 'status') throw new Error(`network.sh ${args.join(' ')} failed:\n${r.stderr}`);
  return r;
}

/** Sum of VmRSS over every process in the process groups the network recorded. */
function networkRssMb() {
  const groups = new Set(fs.readdirSync(path.join(runDir, 'pids')).map((f) => fs.readFileSync(path.join(runDir, 'pids', f), 'utf8').trim()));
  let kb = 0;
  const perProcess = {};
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const pgid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2];
      if (!groups.has(pgid)) continue;
      const rss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      const comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      kb += rss;
      perProcess[comm] = (perProcess[comm] || 0) + rss;
    } catch {
      // the process ended while we looked
    }
  }
  return { total: kb / 1024, perProcess };
}

async function firstCrossOrgTx() {
  const profile = loadConnectionProfile(path.join(runDir, 'profiles', 'operator.json'));
  const conn = connectGateway(profile, 'client');
  try {
    const contract = conn.gateway.getNetwork(CHANNEL_NAME).getContract(CHAINCODE_NAME, 'baseline');
    for (let attempt = 1; ; attempt++) {
      try {
        const started = process.hrtime.bigint();
        await contract.submitTransaction('Write', `bench-${Date.now()}`, 'first');
        return { attempts: attempt, lastTxMs: Number(process.hrtime.bigint() - started) / 1e6 };
      } catch (err) {
        if (attempt >= 60) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    conn.close();
  }
}

exports.run = async function run() {
  if (sh(['status']).status === 0) throw new Error('a network is running; stop it with `npm run network -- down` before this bench, which measures a cold start');
  const t0 = process.hrtime.bigint();
  sh(['up']);
  const tUp = process.hrtime.bigint();
  const first = await firstCrossOrgTx();
  const tTx = process.hrtime.bigint();
  // Warm latency of the same transaction on the running network: the baseline for the first one.
  const warm = await firstCrossOrgTx();
  const rss = networkRssMb();
  sh(['down']);
  const upS = Number(tUp - t0) / 1e9;
  const toTxS = Number(tTx - t0) / 1e9;
  console.log('\nnetwork bench (binaries already built)');
  console.log('  figure                       measured     target / baseline');
  console.log(`  network up (script)          ${upS.toFixed(1).padStart(7)} s`);
  console.log(`  up to first committed tx     ${toTxS.toFixed(1).padStart(7)} s    < 45 s`);
  console.log(`  first tx latency             ${first.lastTxMs.toFixed(0).padStart(7)} ms   warm tx ${warm.lastTxMs.toFixed(0)} ms (same run)`);
  console.log(`  attempts before first tx     ${String(first.attempts).padStart(7)}`);
  console.log(`  network resident memory      ${rss.total.toFixed(0).padStart(7)} MB   < 1536 MB`);
  for (const [comm, kb] of Object.entries(rss.perProcess)) console.log(`    ${comm.padEnd(26)} ${(kb / 1024).toFixed(0).padStart(7)} MB`);
  console.log(JSON.stringify({ bench: 'network', up_to_first_tx_s: Number(toTxS.toFixed(2)), network_rss_mb: Math.round(rss.total) }));
};
