// Starts the real network for the integration suite when none is running, and remembers that it
// did so that global-teardown stops it again. A network that was already up is used and left up.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const network = path.join(root, 'network', 'network.sh');
const stateFile = path.join(root, 'network', '.integration-state.json');

module.exports = async () => {
  const status = spawnSync('bash', [network, 'status'], { encoding: 'utf8' });
  if (status.status === 0 && fs.existsSync(path.join(root, 'network', '.run', 'ready'))) {
    fs.writeFileSync(stateFile, JSON.stringify({ available: true, startedBySuite: false }));
    return;
  }
  console.log('\n[integration] starting the Fabric network (network/network.sh up)');
  const up = spawnSync('bash', [network, 'up'], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (up.status !== 0) {
    const reason = (up.stderr || '').trim().split('\n').slice(-6).join('\n');
    process.stderr.write(up.stderr || '');
    spawnSync('bash', [network, 'down'], { stdio: 'ignore' });
    if (process.env.GRIDLEDGER_REQUIRE_NETWORK === '1') throw new Error(`network could not start:\n${reason}`);
    fs.writeFileSync(stateFile, JSON.stringify({ available: false, startedBySuite: false, reason }));
    console.log(`\n[integration] NETWORK UNAVAILABLE, integration tests are skipped:\n${reason}\n`);
    return;
  }
  fs.writeFileSync(stateFile, JSON.stringify({ available: true, startedBySuite: true }));
};
