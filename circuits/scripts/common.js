'use strict';
// Shared paths and helpers for compile.js, setup.js and check.js.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const ROOT = path.resolve(__dirname, '..', '..');
const CIRCUITS_DIR = path.join(ROOT, 'circuits');
const BUILD = path.join(CIRCUITS_DIR, 'build');
const ARTIFACTS = path.join(CIRCUITS_DIR, 'artifacts');
const CEREMONY = path.join(CIRCUITS_DIR, '.ceremony');
const PTAU_POWER = 14;
const COMPILER = { name: 'circom2 (circom 2.2.3 as WASI)', flags: ['--r1cs', '--wasm', '--sym', '--O2'] };

/** The circuits with a trusted setup, by name: main source file relative to the repo root. */
const CIRCUITS = {
  withdraw: { source: 'circuits/withdraw.circom' },
  borrow: { source: 'circuits/borrow.circom' },
};

function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

const stamp = () => new Date().toISOString().slice(11, 19);
const logger = {
  info: (...a) => console.log(stamp(), ...a),
  warn: (...a) => console.warn(stamp(), 'WARN', ...a),
  error: (...a) => console.error(stamp(), 'ERROR', ...a),
  debug: () => {},
};

async function terminateCurve() {
  if (globalThis.curve_bn128) {
    await globalThis.curve_bn128.terminate();
    globalThis.curve_bn128 = null;
  }
}

module.exports = { ROOT, CIRCUITS_DIR, BUILD, ARTIFACTS, CEREMONY, PTAU_POWER, COMPILER, CIRCUITS, sha256File, logger, terminateCurve };
