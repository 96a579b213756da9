// Stops the network if global-setup started it, so the suite leaves none behind.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const stateFile = path.join(root, 'network', '.integration-state.json');

module.exports = async () => {
  let state = {};
  try {
    state = JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return;
  }
  fs.rmSync(stateFile, { force: true });
  if (state.startedBySuite && process.env.GRIDLEDGER_KEEP_NETWORK !== '1') {
    spawnSync('bash', [path.join(root, 'network', 'network.sh'), 'down'], { stdio: 'inherit' });
  }
};
