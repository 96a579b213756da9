#!/usr/bin/env node
// CI check: recompile every circuit into circuits/build and compare with circuits/artifacts/manifest.json
// (r1cs sha256), check the committed wasm / zkey / vkey hashes, and refuse a verification key whose
// gamma equals delta. Does not redo the ceremony. Exit code 1 on any mismatch.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { ARTIFACTS, BUILD, CIRCUITS, sha256File } = require('./common');
const { compile } = require('./compile');

function main() {
  const manifestPath = path.join(ARTIFACTS, 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new Error(`${manifestPath} missing: run npm run circuits:setup`);
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const failures = [];
  const fail = (m) => {
    failures.push(m);
    console.error(`FAIL ${m}`);
  };
  for (const name of Object.keys(CIRCUITS)) {
    const entry = manifest.circuits && manifest.circuits[name];
    if (!entry) {
      fail(`${name}: not in the manifest`);
      continue;
    }
    compile(name);
    const r1cs = sha256File(path.join(BUILD, name, `${name}.r1cs`));
    if (r1cs !== entry.r1cs_sha256) fail(`${name}: r1cs ${r1cs} != manifest ${entry.r1cs_sha256} (circuit changed: rerun the ceremony for it)`);
    const files = { wasm: `${name}.wasm`, zkey: `${name}.zkey`, vkey: `${name}.vkey.json` };
    for (const [kind, file] of Object.entries(files)) {
      const f = path.join(ARTIFACTS, file);
      if (!fs.existsSync(f)) {
        fail(`${name}: ${file} missing`);
        continue;
      }
      const h = sha256File(f);
      if (h !== entry[`${kind}_sha256`]) fail(`${name}: ${file} sha256 ${h} != manifest ${entry[`${kind}_sha256`]}`);
    }
    const built = sha256File(path.join(BUILD, name, `${name}_js`, `${name}.wasm`));
    if (built !== entry.wasm_sha256) fail(`${name}: rebuilt wasm differs from the committed one`);
    const vkFile = path.join(ARTIFACTS, files.vkey);
    if (fs.existsSync(vkFile)) {
      const vk = JSON.parse(fs.readFileSync(vkFile, 'utf8'));
      if (JSON.stringify(vk.vk_gamma_2) === JSON.stringify(vk.vk_delta_2)) fail(`${name}: vk_gamma_2 == vk_delta_2 (no phase-2 contribution)`);
      if (vk.nPublic !== entry.publicInputs + entry.outputs) fail(`${name}: vkey nPublic ${vk.nPublic} != manifest`);
    }
    if (!entry.phase2 || !Array.isArray(entry.phase2.contributions) || entry.phase2.contributions.length < 1 || !entry.phase2.beacon) {
      fail(`${name}: manifest records no phase-2 contributions and beacon`);
    }
    console.log(`${name}: ${failures.length ? 'checked' : 'ok'} (${entry.constraints} constraints)`);
  }
  const ptau = manifest.ptau;
  if (!ptau || !ptau.contributions || ptau.contributions.length < 2 || !ptau.beacon || !ptau.final || !ptau.final.sha256) {
    fail('manifest: powers of tau needs >= 2 contributions, a beacon and the final hash');
  }
  if (failures.length) {
    console.error(`${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('circuits match the manifest');
}

main();
