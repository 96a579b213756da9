// `npm run bench -- zk`: constraint counts, prove time and peak memory per circuit, single verify,
// and batch verification at 16 / 64 / 256 proofs against single verification in the same run.
// Proving runs in a child process per circuit so its peak RSS is its own (process.resourceUsage).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const core = () => require('@gridledger/core');

function borrowWitness(z, i) {
  const keyG = z.traceKeyFromSecret(1234567n + BigInt(i));
  const keyU = z.traceKeyFromSecret(7654321n + BigInt(i));
  const borrower = z.createBorrowerIdentity(z.identityToField(`bench-borrower-${i}`));
  const registry = new z.PoseidonMerkleTree(z.TREE_DEPTH);
  for (let k = 0; k < 5; k++) registry.insert(BigInt(1000 + k));
  const leaf = z.credentialLeaf(z.identityCommitment(borrower.identity, z.identitySecretHash(borrower.identitySecret)), 700n, 1);
  const index = registry.insert(leaf);
  return {
    borrower,
    borrowerScore: 700n,
    guarantorId: 1,
    merkleProof: registry.proof(index),
    amount: 5000n + BigInt(i),
    duration: 2592000n,
    minScore: 600n,
    weightBorrower: 60n,
    weightGuarantor: 40n,
    guarantorScore: 800n,
    pkGuarantor: keyG.publicKey,
    pkUtility: keyU.publicKey,
    recipient: z.addressToField(`0xbeef${i.toString(16).padStart(4, '0')}`),
    relayer: z.addressToField('0x00'),
    repaySecret: 42n + BigInt(i),
  };
}

function withdrawWitness(z, i) {
  const tree = new z.PoseidonMerkleTree(z.TREE_DEPTH);
  const note = z.createPoolNote();
  for (let k = 0; k < 3; k++) tree.insert(BigInt(77 + k));
  const index = tree.insert(z.noteCommitment(note));
  return { note, merkleProof: tree.proof(index), recipient: z.addressToField(`0xcafe${i}`), relayer: 0n, fee: 0n };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Child: prove `runs` times, print JSON with times, proofs and peak RSS. */
async function child(name, runs) {
  const z = core();
  const times = [];
  const proofs = [];
  for (let i = 0; i < runs; i++) {
    const w = name === 'borrow' ? borrowWitness(z, i) : withdrawWitness(z, i);
    const t0 = process.hrtime.bigint();
    const r = name === 'borrow' ? await z.proveBorrow(w) : await z.proveWithdraw(w);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    proofs.push({ proof: r.proof, publicInputs: r.publicInputs });
  }
  await z.releaseZk(true);
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify({ times, rssMb, proofs }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
}

function proveInChild(name, runs) {
  const out = execFileSync(process.execPath, [__filename, '--child', name, String(runs)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

async function timeIt(fn, n) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn(i);
    xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return xs;
}

async function run(args = []) {
  const quick = args.includes('--quick');
  const z = core();
  const snarkjs = require('snarkjs');
  const manifest = JSON.parse(fs.readFileSync(path.join(z.artifactsDir(), 'manifest.json'), 'utf8'));
  const rows = [];
  const os = require('node:os');
  const load0 = os.loadavg()[0];
  const row = (what, value, baseline = '', note = '') => rows.push([what, value, baseline, note]);

  // --- constraints
  for (const [name, m] of Object.entries(manifest.circuits)) row(`${name}: constraints`, m.constraints, '', `${m.publicInputs} public inputs, 2^${manifest.ptau.power} setup`);

  // --- proving, one child process per circuit (first run includes curve and wasm start-up)
  const runs = quick ? 2 : 4;
  const prov = {};
  for (const name of ['withdraw', 'borrow']) {
    prov[name] = proveInChild(name, runs);
    const warm = prov[name].times.slice(1);
    row(`${name}: prove (warm, median of ${warm.length})`, `${median(warm).toFixed(0)} ms`, `first: ${prov[name].times[0].toFixed(0)} ms`, `peak RSS ${prov[name].rssMb.toFixed(0)} MB`);
  }

  // --- single verification of a borrow proof
  const vk = z.loadVerificationKey('borrow');
  const pvk = await z.prepareVerificationKey(vk);
  const base = prov.borrow.proofs;
  const n1 = quick ? 16 : 64;
  await timeIt((i) => z.verifyBorrow(base[i % base.length].proof, base[i % base.length].publicInputs, pvk), 8); // warm-up
  const ours = await timeIt((i) => z.verifyBorrow(base[i % base.length].proof, base[i % base.length].publicInputs, pvk), n1);
  if (!(await z.verifyBorrow(base[0].proof, base[0].publicInputs, pvk))) throw new Error('borrow proof does not verify');
  const sigs = base.map((b) => z.borrowPublicSignals(b.publicInputs));
  await snarkjs.groth16.verify(vk, sigs[0], base[0].proof); // warm the curve
  const theirs = await timeIt((i) => snarkjs.groth16.verify(vk, sigs[i % sigs.length], base[i % base.length].proof), n1);
  const single = median(ours);
  row('borrow: single verify (this library, warm)', `${single.toFixed(1)} ms`, `snarkjs ${median(theirs).toFixed(1)} ms`, 'ours also checks B in the G2 subgroup');

  // --- batch verification: distinct proofs made by re-randomising the proven ones
  const sizes = quick ? [16, 64] : [16, 64, 256];
  const pool = [];
  for (let i = 0; pool.length < Math.max(...sizes); i++) {
    const b = base[i % base.length];
    pool.push({ proof: await z.rerandomizeGroth16Proof(vk, b.proof), publicInputs: b.publicInputs });
  }
  await z.batchVerifyBorrow(pool.slice(0, 16), pvk); // warm-up of the batch path
  // Single and batch timings are interleaved round by round so both see the same machine load
  // (other jobs share these cores); the speed-up is the median of the per-round ratios.
  const speedups = {};
  for (const n of sizes) {
    const items = pool.slice(0, n);
    const rounds = n >= 256 ? 3 : 7;
    const ratios = [];
    const perProofs = [];
    const singles = [];
    for (let r = 0; r < rounds; r++) {
      const s1 = median(await timeIt((i) => z.verifyBorrow(pool[i].proof, pool[i].publicInputs, pvk), 16));
      const t0 = process.hrtime.bigint();
      const res = await z.batchVerifyBorrow(items, pvk);
      const perProof = Number(process.hrtime.bigint() - t0) / 1e6 / n;
      if (!res.allValid) throw new Error('batch failed');
      singles.push(s1);
      perProofs.push(perProof);
      ratios.push(s1 / perProof);
    }
    speedups[n] = median(ratios);
    row(`borrow: batch of ${n}, per proof`, `${median(perProofs).toFixed(2)} ms`, `single ${median(singles).toFixed(1)} ms`, `${speedups[n].toFixed(1)}x cheaper (median of ${rounds} interleaved rounds)`);
  }

  // --- the same batch of 64 with the Miller loops on worker threads (wall clock; same CPU work)
  {
    const items = pool.slice(0, 64);
    await z.batchVerifyBorrow(items.slice(0, 16), pvk, { threads: true });
    const ratios = [];
    const perProofs = [];
    for (let r = 0; r < 5; r++) {
      const s1 = median(await timeIt((i) => z.verifyBorrow(pool[i].proof, pool[i].publicInputs, pvk), 16));
      const t0 = process.hrtime.bigint();
      const res = await z.batchVerifyBorrow(items, pvk, { threads: true });
      const perProof = Number(process.hrtime.bigint() - t0) / 1e6 / 64;
      if (!res.allValid) throw new Error('threaded batch failed');
      perProofs.push(perProof);
      ratios.push(s1 / perProof);
    }
    speedups.threads64 = median(ratios);
    row('borrow: batch of 64 on worker threads', `${median(perProofs).toFixed(2)} ms`, `single ${single.toFixed(1)} ms`, `${median(ratios).toFixed(1)}x less wall time per proof (${require('node:os').cpus().length} worker threads; gains only on idle cores)`);
  }

  // --- trace shares (Chaum-Pedersen on BabyJubJub, no circuit)
  const g = z.generateTraceKeyPair();
  const ct = z.elgamalEncrypt(z.identityToField('bench'), z.jointPublicKey(g.publicKey, z.generateTraceKeyPair().publicKey));
  const share = z.createTraceShare(1n, g.secretKey, ct);
  const tc = await timeIt(() => z.createTraceShare(1n, g.secretKey, ct), 10);
  const tv = await timeIt(() => z.verifyTraceShare(1n, g.publicKey, ct, share), 10);
  row('trace share: create / verify', `${median(tc).toFixed(1)} / ${median(tv).toFixed(1)} ms`, '', 'incl. subgroup checks');

  await z.releaseZk(true);
  await snarkjs.curves.getCurveFromName('bn128').then((c) => c.terminate()).catch(() => undefined);

  row('machine', `${os.cpus().length} cores`, '', `load average ${load0.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end (other jobs share the cores)`);
  const w = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => String(r[c]).length), 4));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
  console.log(line(['measure', 'value', 'baseline', 'note']));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(r));
  const result = {
    bench: 'zk',
    borrow_constraints: manifest.circuits.borrow.constraints,
    borrow_prove_ms: Math.round(median(prov.borrow.times.slice(1))),
    borrow_prove_rss_mb: Math.round(prov.borrow.rssMb),
    verify_ms: Number(single.toFixed(1)),
    batch64_speedup: Number(speedups[64].toFixed(2)),
  };
  console.log(JSON.stringify(result));
  return result;
}

module.exports = { run, _borrowWitness: borrowWitness };

if (require.main === module && process.argv[2] === '--child') {
  child(process.argv[3], Number(process.argv[4])).then(
    () => process.exit(0),
    (e) => {
      console.error(e && e.stack ? e.stack : e);
      process.exit(1);
    },
  );
}
