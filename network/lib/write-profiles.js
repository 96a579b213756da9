// write-profiles.js <nodes.tsv> <crypto-dir> <out-dir> <channel> <chaincode>
// Writes one connection profile per peer org from the node table and the generated crypto material.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [nodesFile, crypto, outDir, channel, chaincode] = process.argv.slice(2);
const rows = fs.readFileSync(nodesFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
const domain = (org) => `${org}.gridledger.local`;

// Peers are named peer0.<org> in nodes.tsv, orderers by host alone; both live under their org's domain.
const fqdn = (kind, name, org) => (kind === 'peer' ? `${name}.gridledger.local` : `${name}.${domain(org)}`);
const endpoint = ([kind, name, org, , port, , ops]) => {
  const host = fqdn(kind, name, org);
  const base = path.join(crypto, kind === 'peer' ? 'peerOrganizations' : 'ordererOrganizations', domain(org), kind === 'peer' ? 'peers' : 'orderers', host);
  return { name, endpoint: `127.0.0.1:${port}`, hostAlias: host, tlsCaCertPath: path.join(base, 'tls', 'ca.crt'), operationsEndpoint: `127.0.0.1:${ops}` };
};
const identity = (org, user) => {
  const msp = path.join(crypto, 'peerOrganizations', domain(org), 'users', `${user}@${domain(org)}`, 'msp');
  const certDir = path.join(msp, 'signcerts');
  const keyDir = path.join(msp, 'keystore');
  return { certPath: path.join(certDir, fs.readdirSync(certDir)[0]), keyPath: path.join(keyDir, fs.readdirSync(keyDir)[0]) };
};

const peers = rows.filter((r) => r[0] === 'peer');
const orderers = rows.filter((r) => r[0] === 'orderer').map(endpoint);
for (const row of peers) {
  const org = row[2];
  const profile = {
    org, mspId: row[3], channel, chaincode,
    peer: endpoint(row),
    identities: { admin: identity(org, 'Admin'), client: identity(org, 'User1') },
    peers: peers.map(endpoint), orderers,
  };
  fs.writeFileSync(path.join(outDir, `${org}.json`), JSON.stringify(profile, null, 2) + '\n');
}
