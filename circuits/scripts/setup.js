#!/usr/bin/env node
// Local trusted setup for the GridLedger circuits (Groth16 on BN254).
//
//   node circuits/scripts/setup.js            phase 1 (if not done) + phase 2 for every circuit
//   node circuits/scripts/setup.js phase1     powers of tau only
//   node circuits/scripts/setup.js phase2 [circuit ...]
//
// Phase 1: powers of tau 2^14, two independent contributions, a beacon, prepare phase 2, verify.
// Phase 2: per circuit, `groth16 setup` on the compiled r1cs, two contributions, a beacon, verify,
// export the verification key. Outputs go to circuits/artifacts/ with a manifest of sha256 hashes.
//
// This is a DEVELOPMENT ceremony run by one machine: every "participant" is this process, so whoever
// ran it could keep the toxic waste. A production consortium runs its own multi-party ceremony
// (see docs/zk.md) and replaces the zkeys, verification keys and manifest.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const snarkjs = require('snarkjs');
const { CIRCUITS, ROOT, BUILD, ARTIFACTS, CEREMONY, PTAU_POWER, sha256File, logger, terminateCurve } = require('./common');

const ptauPath = (tag) => path.join(CEREMONY, `pot${PTAU_POWER}_${tag}.ptau`);
const PHASE1_RECORD = path.join(CEREMONY, 'phase1.json');
const hex = (u8) => Buffer.from(u8).toString('hex');
const entropy = () => crypto.randomBytes(64).toString('hex');
// A real ceremony takes the beacon from public randomness fixed after the last contribution (e.g. a
// future block hash of a public chain). Here: the hash of a fixed label and the current time.
const beaconHash = (label) => crypto.createHash('sha256').update(`gridledger-beacon:${label}:${new Date().toISOString()}`).digest('hex');
const BEACON_ITERATIONS_EXP = 10;

async function phase1() {
  fs.mkdirSync(CEREMONY, { recursive: true });
  const t0 = Date.now();
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  const transcript = { power: PTAU_POWER, contributions: [] };
  logger.info(`phase 1: new accumulator 2^${PTAU_POWER}`);
  await snarkjs.powersOfTau.newAccumulator(curve, PTAU_POWER, ptauPath('0000'), logger);
  const names = ['GridLedger dev contributor 1', 'GridLedger dev contributor 2'];
  let prev = ptauPath('0000');
  for (let i = 0; i < names.length; i++) {
    const next = ptauPath(String(i + 1).padStart(4, '0'));
    const h = await snarkjs.powersOfTau.contribute(prev, next, names[i], entropy(), logger);
    transcript.contributions.push({ name: names[i], responseHash: hex(h), file_sha256: sha256File(next) });
    prev = next;
  }
  const bh = beaconHash('phase1');
  const beaconOut = ptauPath('beacon');
  const h = await snarkjs.powersOfTau.beacon(prev, beaconOut, 'GridLedger dev beacon', bh, BEACON_ITERATIONS_EXP, logger);
  transcript.beacon = { beaconHash: bh, iterationsExp: BEACON_ITERATIONS_EXP, responseHash: hex(h), file_sha256: sha256File(beaconOut) };
  logger.info('phase 1: prepare phase 2 (the slow step)');
  await snarkjs.powersOfTau.preparePhase2(beaconOut, ptauPath('final'), logger);
  logger.info('phase 1: verify');
  const ok = await snarkjs.powersOfTau.verify(ptauPath('final'), logger);
  if (!ok) throw new Error('powers of tau verification failed');
  transcript.final = { file: path.basename(ptauPath('final')), sha256: sha256File(ptauPath('final')) };
  transcript.seconds = Math.round((Date.now() - t0) / 1000);
  fs.writeFileSync(PHASE1_RECORD, JSON.stringify(transcript, null, 2) + '\n');
  for (const tag of ['0000', '0001', '0002', 'beacon']) fs.rmSync(ptauPath(tag), { force: true });
  logger.info(`phase 1 done in ${transcript.seconds}s`);
}

async function phase2(name) {
  const record = JSON.parse(fs.readFileSync(PHASE1_RECORD, 'utf8'));
  const ptau = ptauPath('final');
  if (sha256File(ptau) !== record.final.sha256) throw new Error('final ptau does not match phase1.json');
  const r1cs = path.join(BUILD, name, `${name}.r1cs`);
  const wasm = path.join(BUILD, name, `${name}_js`, `${name}.wasm`);
  if (!fs.existsSync(r1cs)) throw new Error(`${r1cs} missing: run npm run circuits:compile first`);
  const info = await snarkjs.r1cs.info(r1cs);
  const need = info.nConstraints + info.nPubInputs + info.nOutputs + 1;
  if (need > 2 ** PTAU_POWER) throw new Error(`${name}: ${need} > 2^${PTAU_POWER}`);
  const work = path.join(CEREMONY, name);
  fs.mkdirSync(work, { recursive: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const z = (tag) => path.join(work, `${name}_${tag}.zkey`);
  logger.info(`phase 2 ${name}: groth16 setup (${info.nConstraints} constraints)`);
  await snarkjs.zKey.newZKey(r1cs, ptau, z('0000'), logger);
  const contributions = [];
  const names = ['GridLedger dev contributor 1', 'GridLedger dev contributor 2'];
  let prev = z('0000');
  for (let i = 0; i < names.length; i++) {
    const next = z(String(i + 1).padStart(4, '0'));
    const h = await snarkjs.zKey.contribute(prev, next, names[i], entropy(), logger);
    contributions.push({ name: names[i], contributionHash: hex(h) });
    prev = next;
  }
  const bh = beaconHash(`phase2:${name}`);
  const finalZkey = path.join(ARTIFACTS, `${name}.zkey`);
  const hb = await snarkjs.zKey.beacon(prev, finalZkey, 'GridLedger dev beacon', bh, BEACON_ITERATIONS_EXP, logger);
  const ok = await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, finalZkey, logger);
  if (!ok) throw new Error(`${name}: zkey verification failed`);
  const vkey = await snarkjs.zKey.exportVerificationKey(finalZkey, logger);
  if (JSON.stringify(vkey.vk_gamma_2) === JSON.stringify(vkey.vk_delta_2)) throw new Error(`${name}: gamma == delta`);
  const vkeyPath = path.join(ARTIFACTS, `${name}.vkey.json`);
  fs.writeFileSync(vkeyPath, JSON.stringify(vkey, null, 1) + '\n');
  fs.copyFileSync(wasm, path.join(ARTIFACTS, `${name}.wasm`));
  fs.rmSync(work, { recursive: true, force: true });
  return {
    constraints: info.nConstraints,
    publicInputs: info.nPubInputs,
    outputs: info.nOutputs,
    r1cs_sha256: sha256File(r1cs),
    wasm_sha256: sha256File(path.join(ARTIFACTS, `${name}.wasm`)),
    zkey_sha256: sha256File(finalZkey),
    vkey_sha256: sha256File(vkeyPath),
    phase2: { contributions, beacon: { beaconHash: bh, iterationsExp: BEACON_ITERATIONS_EXP, hash: hex(hb) } },
  };
}

async function main() {
  const [cmd = 'all', ...rest] = process.argv.slice(2);
  if (cmd === 'phase1' || (cmd === 'all' && !fs.existsSync(PHASE1_RECORD))) await phase1();
  if (cmd === 'phase2' || cmd === 'all') {
    const names = rest.length ? rest : Object.keys(CIRCUITS);
    const manifestPath = path.join(ARTIFACTS, 'manifest.json');
    const manifest = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : { circuits: {} };
    const phase1Record = JSON.parse(fs.readFileSync(PHASE1_RECORD, 'utf8'));
    manifest.note = 'Development ceremony run on one machine. Production deployments must run their own multi-party ceremony (docs/zk.md).';
    manifest.compiler = require('./common').COMPILER;
    manifest.ptau = phase1Record;
    for (const n of names) {
      if (!CIRCUITS[n]) throw new Error(`unknown circuit ${n}`);
      manifest.circuits[n] = { source: CIRCUITS[n].source, ...(await phase2(n)) };
      fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
    }
  }
  void ROOT;
}

main().then(
  async () => {
    await terminateCurve();
    process.exit(0);
  },
  async (err) => {
    console.error(err && err.stack ? err.stack : err);
    await terminateCurve();
    process.exit(1);
  },
);
