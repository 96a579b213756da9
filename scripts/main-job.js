#!/usr/bin/env node
// The main job on a running network and gateway: the Utility publishes the platform parameters
// through its gateway (idempotent, waiting for commit), and every org reads the result back from
// the ledger. Prints where to go next.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { DEFAULT_LENDING_PARAMS, loadConnectionProfile, CHANNEL_NAME, CHAINCODE_NAME } = require('@gridledger/core');
const { connectGateway } = require('@gridledger/core/dist/fabric');

const runDir = process.env.GRIDLEDGER_RUN_DIR || path.join(__dirname, '..', 'network', '.run');
const base = `http://127.0.0.1:${process.env.GRIDLEDGER_PORT || 3000}`;
const keys = JSON.parse(fs.readFileSync(path.join(runDir, 'gateway', 'utility-api-keys.json'), 'utf8'));

async function call(method, route, { key, body, idempotencyKey } = {}) {
  const headers = { 'x-api-key': key, accept: 'application/json' };
  if (body) headers['content-type'] = 'application/json';
  if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
  const res = await fetch(base + route, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(`${method} ${route} -> ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function main() {
  console.log(`[main] publishing the lending parameters through the Utility gateway at ${base}`);
  const tx = await call('PUT', '/v1/params/lending?wait=true', { key: keys['utility-admin'], body: DEFAULT_LENDING_PARAMS, idempotencyKey: randomUUID() });
  console.log(`[main] transaction ${tx.id}: ${tx.status} in block ${tx.blockNumber}`);
  const published = await call('GET', '/v1/params/lending', { key: keys['user-relay'] });
  console.log(`[main] version ${published.version}: W_b=${published.params.W_b} W_g=${published.params.W_g}, ${published.params.minScoreTable.length} tiers in C(M, D)`);
  for (const org of ['guarantora', 'guarantorb', 'operator']) {
    const conn = connectGateway(loadConnectionProfile(path.join(runDir, 'profiles', `${org}.json`)), 'client');
    try {
      const read = JSON.parse(Buffer.from(await conn.gateway.getNetwork(CHANNEL_NAME).getContract(CHAINCODE_NAME, 'params').evaluateTransaction('GetLendingParams')).toString());
      console.log(`[main] ${org.padEnd(10)} reads version ${read.version} from its own peer`);
    } finally {
      conn.close();
    }
  }
  console.log(`
GridLedger is up.
  gateway      ${base}  (API docs ${base}/docs, OpenAPI ${base}/openapi.json, metrics ${base}/metrics)
  API keys     ${path.join(runDir, 'gateway', 'utility-api-keys.json')}
  CLI          npx gridledger --help      e.g. npx gridledger --org guarantora params get
  network      npm run network -- status | logs <name> | down`);
}

main().catch((err) => {
  console.error(`[main] ${err.message}`);
  process.exit(1);
});
