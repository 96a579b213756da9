// npm run bench -- lending [--deposits 200] [--concurrency 50] [--deposit-batch 16] [--borrows 128] [--batch 32]
//
// Throughput of the lending transactions on the running network (started here if it is not, and then
// stopped again), each beside the trivial baseline:Write measured in the same run:
//   deposits  N signed deposits from N accounts into 4 pools, relayed as the gateway relays them:
//             DepositBatch transactions of `deposit-batch`, ceil(concurrency / deposit-batch) in flight
//             (so as many deposits in flight as baseline writes); and, for comparison, N more as
//             single Deposit transactions, `concurrency` in flight
//   borrows   M borrow proofs made before timing (one credential each), submitted as BorrowBatch
//             transactions of `batch` (batch verification on the peers), one pool per batch in flight
//   repays    M signed repayments from M payer accounts, `concurrency` in flight
// Ends with one JSON line.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const {
  loadConnectionProfile, CHANNEL_NAME, CHAINCODE_NAME, canonicalJson, generateKeyPair, signRequest, createPoolNote, noteCommitment,
  createBorrowerIdentity, identityToField, identityCommitment, identitySecretHash, credentialLeaf, proveBorrowRequest, generateTraceKeyPair,
  DEFAULT_LENDING_PARAMS, releaseZk, minScore,
} = require('@gridledger/core');
const { connectGateway, chaincodeRefusal } = require('@gridledger/core/dist/fabric');

const root = path.join(__dirname, '..');
const network = path.join(root, 'network', 'network.sh');
const runDir = process.env.GRIDLEDGER_RUN_DIR || path.join(root, 'network', '.run');

/**
 * A tracing key this bench registers on a fresh network, kept where the integration tests keep theirs
 * (tests/integration/support/keystore.ts, same file format), so tests run afterwards on the same
 * network can still trace with the registered key.
 */
function keystoreTraceKey(org) {
  const fs = require('node:fs');
  const dir = path.join(runDir, 'keystore');
  const file = path.join(dir, `${org}-trace.json`);
  if (fs.existsSync(file)) {
    const k = JSON.parse(fs.readFileSync(file, 'utf8'));
    return { publicKey: k.publicKey.map(BigInt) };
  }
  const kp = generateTraceKeyPair();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ secretKey: `${kp.secretKey}n`, publicKey: kp.publicKey.map(String) }), { mode: 0o600 });
  return kp;
}

function arg(args, name, def) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
}
const sh = (a) => spawnSync('bash', [network, ...a], { encoding: 'utf8', stdio: a[0] === 'status' ? 'pipe' : 'inherit' });
const utf8 = (b) => Buffer.from(b).toString('utf8');
const parse = (b) => (b && b.length ? JSON.parse(utf8(b)) : undefined);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs fn over items with at most `n` in flight; retries MVCC conflicts of the same item. */
async function limited(items, n, fn) {
  const out = new Array(items.length);
  let next = 0;
  let failed = 0;
  const errors = [];
  async function worker() {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i], i);
      } catch (err) {
        failed++;
        if (errors.length < 3) errors.push((chaincodeRefusal(err) || {}).message || err.message);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  if (failed) console.log(`    ${failed} failed, e.g. ${errors.join(' | ')}`);
  return { out, failed };
}

/** Times `fn` over items; returns committed transactions (or units) per second. */
async function timed(label, items, n, fn, unitsOf = () => 1) {
  const t0 = process.hrtime.bigint();
  const { out, failed } = await limited(items, n, fn);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const units = out.reduce((sum, v, i) => sum + (v === undefined ? 0 : unitsOf(v, i)), 0);
  return { label, count: units, failed, seconds: s, tps: units / s };
}

function contracts(org, role) {
  const conn = connectGateway(loadConnectionProfile(path.join(runDir, 'profiles', `${org}.json`)), role);
  const net = conn.gateway.getNetwork(CHANNEL_NAME);
  const c = (name) => net.getContract(CHAINCODE_NAME, name);
  return { conn, accounts: c('accounts'), guarantor: c('guarantor'), pool: c('pool'), loan: c('loan'), params: c('params'), baseline: c('baseline') };
}

exports.run = async function run(args = []) {
  const N = arg(args, 'deposits', 200);
  const C = arg(args, 'concurrency', 50);
  const M = arg(args, 'borrows', 128);
  const B = Math.min(32, arg(args, 'batch', 32));
  const DB = Math.min(64, arg(args, 'deposit-batch', 16));
  let started = false;
  if (sh(['status']).status !== 0) {
    console.log('network not running: starting it (and stopping it after)');
    if (sh(['up']).status !== 0) throw new Error('network up failed');
    started = true;
  }
  const u = contracts('utility', 'admin');
  const gA = contracts('guarantora', 'admin');
  const relay = contracts('operator', 'client');
  const run = Date.now().toString(36);
  const submit = async (c, fn, ...a) => parse(await c.submitTransaction(fn, ...a));
  const evaluate = async (c, fn, ...a) => parse(await c.evaluateTransaction(fn, ...a));
  try {
    // ---------------------------------------------------------------- setup (not timed)
    let params;
    try {
      params = (await evaluate(relay.params, 'GetLendingParams')).params;
    } catch {
      await submit(u.params, 'SetLendingParams', canonicalJson(DEFAULT_LENDING_PARAMS));
      params = DEFAULT_LENDING_PARAMS;
    }
    const denom = params.poolDenominationsWh[0];
    const loanWh = 100;
    const durationS = 3_600;
    const needed = minScore(params, loanWh, durationS);
    if (needed === undefined) throw new Error(`no tier of C(M, D) covers ${loanWh} Wh for ${durationS} s; publish parameters that do`);
    try {
      await evaluate(relay.guarantor, 'GetUtilityTraceKey');
    } catch {
      const k = keystoreTraceKey('utility');
      await submit(u.guarantor, 'SetUtilityTraceKey', JSON.stringify(k.publicKey.map(String)));
    }
    if (!(await evaluate(relay.guarantor, 'ListGuarantors')).some((g) => g.msp === 'GuarantorAMSP')) {
      await submit(u.guarantor, 'RegisterGuarantor', 'GuarantorAMSP', 'guarantora corp', '800', JSON.stringify(keystoreTraceKey('guarantora').publicKey.map(String)), generateKeyPair().publicKey);
    }
    console.log(`setup: ${M} credentials (GuarantorA), sequential`);
    const borrowers = Array.from({ length: M }, (_, i) => ({ who: `bench-${run}-${i}`, id: createBorrowerIdentity(identityToField(`bench-${run}-${i}`)), score: 900 }));
    for (const b of borrowers) {
      const leaf = credentialLeaf(identityCommitment(b.id.identity, identitySecretHash(b.id.identitySecret)), b.score, 1);
      b.leafIndex = (await submit(gA.guarantor, 'IssueCredential', leaf.toString())).leafIndex;
    }
    const g = await evaluate(relay.guarantor, 'GetGuarantor', 'GuarantorAMSP');
    const pkUtility = (await evaluate(relay.guarantor, 'GetUtilityTraceKey')).publicKey;
    const relayer = generateKeyPair().publicKey;
    console.log(`setup: proving ${M} borrows before timing (one credential each)`);
    const tProve = Date.now();
    for (const b of borrowers) {
      const credential = await evaluate(relay.guarantor, 'GetCredentialPath', 'GuarantorAMSP', String(b.leafIndex));
      // A lower C_g than the ledger's is still accepted (the bound it proves is stricter), so repayments or
      // defaults elsewhere during the run cannot make these proofs stale.
      const ctx = { guarantor: 'GuarantorAMSP', guarantorId: 1, credential, W_b: params.W_b, W_g: params.W_g, guarantorScore: Math.max(0, g.score - 200), pkGuarantor: g.tracePublicKey, pkUtility };
      b.recipient = generateKeyPair();
      b.proved = await proveBorrowRequest(b.id, b.score, ctx, { amount: loanWh, durationS, minScore: needed, recipient: b.recipient.publicKey, relayer });
    }
    const proveS = (Date.now() - tProve) / 1000;
    await releaseZk();
    console.log(`  ${(proveS / M).toFixed(2)} s per proof`);

    // Accounts: N depositors with one denomination each, M payers with the repayment each.
    console.log(`setup: ${N} depositor and ${M} payer accounts (meters + minting, concurrent)`);
    const mint = async (owner, wh) => {
      const meter = generateKeyPair();
      const meterId = `bm-${run}-${owner.slice(0, 10)}`;
      await submit(u.accounts, 'RegisterMeter', meterId, meter.publicKey, owner);
      const reading = { meterId, seq: 1, cumulativeWh: wh, readAt: Math.floor(Date.now() / 1000) };
      const s = signRequest('meter-reading', reading, meter.privateKey);
      // The meter's registration is committed on the gateway's peer; another endorser may be a block
      // behind for a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          return await submit(u.accounts, 'MintFromMeter', canonicalJson(s.body), s.signature);
        } catch (err) {
          if (attempt >= 5 || (chaincodeRefusal(err) || {}).code !== 'NOT_FOUND') throw err;
          await sleep(300);
        }
      }
    };
    const depositors = Array.from({ length: N }, () => generateKeyPair());
    const batchDepositors = Array.from({ length: N }, () => generateKeyPair());
    const payers = borrowers.map(() => generateKeyPair());
    const minted = await limited([...depositors, ...batchDepositors].map((k) => [k.publicKey, denom]).concat(payers.map((k) => [k.publicKey, loanWh * 2])), C, ([owner, wh]) => mint(owner, wh));
    if (minted.failed) throw new Error(`${minted.failed} accounts could not be funded`);

    // Pools: deposits spread over `pools`; one borrow batch per pool at a time.
    const pools = Math.max(1, Math.ceil(M / B));
    const now = Math.floor(Date.now() / 1000);
    const deadline = now + 30 + Math.ceil(N / 10);
    const poolIds = Array.from({ length: Math.max(pools, 4) }, (_, i) => `bench-${run}-${i}`);
    await limited(poolIds, C, (poolId) => submit(u.pool, 'CreatePool', canonicalJson({ poolId, denominationWh: denom, targetNotes: 1, deadline, maturity: deadline + durationS + params.expiry.graceS + 600 })));

    // ---------------------------------------------------------------- baseline and deposits
    const keys = (n, tag) => Array.from({ length: n }, (_, i) => `b-${run}-${tag}-${i}`);
    const signedDeposit = (k, i) => {
      const s = signRequest('deposit', { poolId: poolIds[i % poolIds.length], commitment: noteCommitment(createPoolNote()).toString(), account: k.publicKey, nonce: 1 }, k.privateKey);
      return { body: s.body, signature: s.signature };
    };
    // Signed before the clock starts, as for borrows: the figures are the network's, not the wallets'.
    const single = depositors.map(signedDeposit);
    const depositBatches = [];
    for (let i = 0; i < N; i += DB) depositBatches.push(batchDepositors.slice(i, i + DB).map((k, j) => signedDeposit(k, i + j)));
    const baseline = await timed('baseline:Write', keys(N, 'd'), C, (k) => relay.baseline.submitTransaction('Write', k, 'x'));
    const deposits = await timed(
      `pool:DepositBatch x${DB}`,
      depositBatches,
      Math.max(1, Math.ceil(C / DB)),
      (batch) => relay.pool.submitTransaction('DepositBatch', JSON.stringify(batch)),
      (_v, i) => depositBatches[i].length,
    );
    const depositsSingle = await timed('pool:Deposit', single, C, (d) => relay.pool.submitTransaction('Deposit', canonicalJson(d.body), d.signature));
    const baselineAfter = await timed('baseline:Write', keys(N, 'e'), C, (k) => relay.baseline.submitTransaction('Write', k, 'x'));
    // The two baseline runs bracket the deposits; their mean is the reference.
    const baselineTps = (baseline.tps + baselineAfter.tps) / 2;

    // ---------------------------------------------------------------- borrows
    const wait = deadline * 1000 - Date.now() + 1500;
    if (wait > 0) {
      console.log(`waiting ${(wait / 1000).toFixed(0)} s for the pools' deadline`);
      await sleep(wait);
    }
    await limited(poolIds, C, (poolId) => submit(relay.pool, 'SealPool', poolId));
    const batches = [];
    for (let i = 0; i < borrowers.length; i += B) batches.push(borrowers.slice(i, i + B));
    const baselineBatches = await timed('baseline:Write (same count)', keys(batches.length, 'b'), pools, (k) => relay.baseline.submitTransaction('Write', k, 'x'));
    if (process.env.LENDING_BENCH_DUMP) {
      require('node:fs').writeFileSync(process.env.LENDING_BENCH_DUMP, JSON.stringify(batches.map((b, i) => ({ poolId: poolIds[i % poolIds.length], requests: b.map((x) => x.proved.request) }))));
      console.log(`borrow batches written to ${process.env.LENDING_BENCH_DUMP}; not submitted`);
      return;
    }
    const borrows = await timed(`loan:BorrowBatch x${B}`, batches, pools, (batch, i) => relay.loan.submitTransaction('BorrowBatch', poolIds[i % poolIds.length], JSON.stringify(batch.map((b) => b.proved.request))), (_v, i) => batches[i].length);

    // ---------------------------------------------------------------- repays
    const baseline2 = await timed('baseline:Write', keys(M, 'r'), C, (k) => relay.baseline.submitTransaction('Write', k, 'x'));
    const repays = await timed('loan:Repay', borrowers, C, (b, i) => {
      const body = { loanId: b.proved.loanId, repaySecret: b.proved.repaySecret, payer: payers[i].publicKey, nonce: 1 };
      const s = signRequest('repay', body, payers[i].privateKey);
      return relay.loan.submitTransaction('Repay', canonicalJson(s.body), s.signature);
    });

    const rows = [
      [`deposits (${N} in batches of ${DB})`, deposits, { tps: baselineTps }],
      [`  single Deposit transactions (${N})`, depositsSingle, { tps: baselineTps }],
      [`borrows (${M} in ${batches.length} batches of ${B}, ${pools} pools)`, borrows, baselineBatches],
      [`repays (${M}, ${C} in flight)`, repays, baseline2],
    ];
    console.log('\nlending bench (committed per second; baseline:Write measured in the same run)');
    console.log('  workload                                        tps      s     failed   baseline tps   ratio');
    for (const [label, r, b] of rows) {
      console.log(`  ${label.padEnd(46)} ${r.tps.toFixed(1).padStart(6)} ${r.seconds.toFixed(1).padStart(6)} ${String(r.failed).padStart(8)} ${b.tps.toFixed(1).padStart(13)} ${(r.tps / b.tps).toFixed(2).padStart(7)}`);
    }
    console.log(`  borrow transactions: ${(batches.length / borrows.seconds).toFixed(1)} BorrowBatch/s; proving ${(proveS / M).toFixed(2)} s per proof (before timing)`);
    console.log('  targets: deposits >= 0.8x baseline; >= 60 borrows/s');
    const r2 = (x) => Number(x.toFixed(2));
    console.log(`  baseline:Write ${baseline.tps.toFixed(1)} tx/s before the deposits, ${baselineAfter.tps.toFixed(1)} after`);
    console.log(
      JSON.stringify({
        bench: 'lending', deposit_tps: r2(deposits.tps), borrow_tps: r2(borrows.tps), repay_tps: r2(repays.tps), baseline_tps: r2(baselineTps), deposit_ratio: r2(deposits.tps / baselineTps),
        deposit_single_tps: r2(depositsSingle.tps), deposit_single_ratio: r2(depositsSingle.tps / baselineTps),
      }),
    );
  } finally {
    for (const c of [u, gA, relay]) c.conn.close();
    await releaseZk(true).catch(() => undefined);
    if (started) sh(['down']);
  }
};
