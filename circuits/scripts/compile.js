#!/usr/bin/env node
// Compile every circuit with circom 2 (the WASI build in the `circom2` package) into circuits/build/.
//   node circuits/scripts/compile.js [circuit ...]
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, BUILD, CIRCUITS, COMPILER } = require('./common');

function compile(name) {
  const out = path.join(BUILD, name);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const circom = path.join(ROOT, 'node_modules', '.bin', 'circom2');
  // circom2's WASI sandbox only sees the working folder and its parents: use paths relative to ROOT.
  const args = [CIRCUITS[name].source, ...COMPILER.flags, '-o', path.relative(ROOT, out), '-l', 'node_modules/circomlib/circuits', '-l', 'circuits'];
  const t0 = Date.now();
  const stdout = execFileSync(circom, args, { cwd: ROOT, encoding: 'utf8' });
  const m = /non-linear constraints: (\d+)[\s\S]*?linear constraints: (\d+)/.exec(stdout);
  console.log(`${name}: compiled in ${Date.now() - t0} ms` + (m ? ` (${m[1]} non-linear, ${m[2]} linear constraints)` : ''));
  return stdout;
}

if (require.main === module) {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(CIRCUITS);
  for (const n of names) {
    if (!CIRCUITS[n]) {
      console.error(`unknown circuit ${n}`);
      process.exit(2);
    }
    compile(n);
  }
}
module.exports = { compile };
