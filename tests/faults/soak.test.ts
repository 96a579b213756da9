/**
 * Soak: a mixed load (signed transfers, anonymous deposits, channel updates through the broker) for
 * SOAK_MINUTES (10 by default), sampling the resident memory of the gateway, the peers, the orderers
 * and the chaincode server, and the gateway store's bytes per channel. Memory must level off and the
 * store per channel must stay bounded however many updates accumulate. Results go to docs/reliability.md.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { common } from '@hyperledger/fabric-protos';
import { canonicalJson, channels, DEFAULT_LENDING_PARAMS, generateKeyPair } from '@gridledger/core';
import { BrokerClient } from '../../gateway-api/src/channels/client';
import { Connections, describeOnNetwork, ROOT } from '../integration/support/network';
import { GatewayProcess } from '../support/gateway-process';
import { depositActor, fund, newStats, openFundedChannel, transferActor } from '../support/load';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
jest.setTimeout((MINUTES + 5) * 60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const POLICY = { maxHtlcs: 32, minLockDelta: 2, maxLockAhead: 3600 };

/** RSS in MB of every process whose process group is one of `groups`. */
function rssOfGroups(groups: number[]): number {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const pgid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      if (!groups.includes(pgid) && !groups.includes(Number(pid))) continue;
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return Math.round(kb / 1024);
}

function networkGroups(prefix: string): number[] {
  const dir = path.join(ROOT, 'network', '.run', 'pids');
  return readdirSync(dir).filter((f) => f.startsWith(prefix)).map((f) => Number(readFileSync(path.join(dir, f), 'utf8')));
}

interface Sample {
  minute: number;
  gateway: number;
  peers: number;
  orderers: number;
  chaincode: number;
  storeBytesPerChannel: number;
  maxVersion: number;
  committed: number;
}

describeOnNetwork(`soak: ${MINUTES} minutes of mixed load`, () => {
  const conns = new Connections();
  const stats = newStats();
  let gw: GatewayProcess;
  let stopping = false;
  afterAll(async () => {
    stopping = true;
    await gw?.stop();
    conns.closeAll();
  });

  it('memory levels off and the store per channel stays bounded', async () => {
    const utility = { params: conns.contract('utility', 'admin', 'params'), accounts: conns.contract('utility', 'admin', 'accounts'), pool: conns.contract('utility', 'admin', 'pool'), kgc: conns.contract('utility', 'admin', 'kgc') };
    const reader = conns.network('operator', 'client');
    await utility.params.submitTransaction('SetLendingParams', canonicalJson(DEFAULT_LENDING_PARAMS));
    await utility.kgc.submitTransaction('SetTradingParams', JSON.stringify({ collateralPerKw: 100, disputeWindowS: 3600, minDisputeWindowS: 1, maxDisputeWindowS: 86400 }));
    const now = Math.floor(Date.now() / 1000);
    const poolId = `soak-${Date.now().toString(36)}`;
    await utility.pool.submitTransaction('CreatePool', canonicalJson({ poolId, denominationWh: 1_000, targetNotes: 1, deadline: now + 86_400, maturity: now + 2 * 86_400 }));
    const senders = Array.from({ length: 4 }, generateKeyPair);
    const lenders = Array.from({ length: 2 }, generateKeyPair);
    await fund(utility.accounts, senders, 1_000_000);
    await fund(utility.accounts, lenders, 100_000_000);
    const info = common.BlockchainInfo.deserializeBinary(await reader.getContract('qscc').evaluateTransaction('GetChainInfo', 'energy'));
    gw = new GatewayProcess('utility', { eventStartBlock: Math.max(0, info.getHeight() - 1) });
    await gw.start();

    const chan = conns.contract('utility', 'client', 'channel');
    const versions = new Map<string, number>();
    const updaters: Promise<void>[] = [];
    const clients: BrokerClient[] = [];
    for (let i = 0; i < 4; i++) {
      const { record, keys } = await openFundedChannel(chan, utility.accounts, 1_000_000_000, 3600, `soak-${Date.now()}-${i}`);
      const a = new channels.Channel({ record, side: 'a', privateKey: keys.a.privateKey, policy: POLICY });
      const b = new channels.Channel({ record, side: 'b', privateKey: keys.b.privateKey, policy: POLICY });
      const ca = await BrokerClient.connect(gw.url, gw.keys.relay);
      const cb = await BrokerClient.connect(gw.url, gw.keys.relay);
      clients.push(ca, cb);
      await ca.hello([{ channel: a, privateKey: keys.a.privateKey }]);
      await cb.hello([{ channel: b, privateKey: keys.b.privateKey }]);
      updaters.push(
        (async () => {
          while (!stopping) {
            const out = await ca.update(record.channelId, { kind: 'pay', from: 'a', amount: '1' });
            versions.set(record.channelId, out.state.version);
            await sleep(5);
          }
        })(),
      );
    }
    const stop = () => stopping;
    const actors = [
      ...senders.map((s, i) => transferActor(`s${i}`, () => gw, s, generateKeyPair().publicKey, stats, stop, 1)),
      ...lenders.map((l, i) => depositActor(`l${i}`, () => gw, l, poolId, stats, stop, 1)),
    ];

    const samples: Sample[] = [];
    const started = Date.now();
    const storeBytesPerChannel = () => {
      const db = new Database(gw.sqlitePath, { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare('select * from channel_states').all() as Array<Record<string, unknown>>;
        const bytes = rows.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
        const queued = (db.prepare('select count(*) as n from channel_queue').get() as { n: number }).n;
        return Math.round(bytes / Math.max(1, rows.length)) + queued;
      } finally {
        db.close();
      }
    };
    for (let minute = 0; Date.now() - started < MINUTES * 60_000; ) {
      await sleep(Math.min(30_000, MINUTES * 60_000 - (Date.now() - started)));
      minute = Number(((Date.now() - started) / 60_000).toFixed(1));
      samples.push({
        minute,
        gateway: rssOfGroups([gw.pid!]),
        peers: rssOfGroups(networkGroups('peer')),
        orderers: rssOfGroups(networkGroups('orderer')),
        chaincode: rssOfGroups(networkGroups('chaincode')),
        storeBytesPerChannel: storeBytesPerChannel(),
        maxVersion: Math.max(0, ...versions.values()),
        committed: stats.acknowledged.length,
      });
    }
    stopping = true;
    await Promise.all(actors);
    await Promise.allSettled(updaters);
    for (const c of clients) c.terminate();

    expect(stats.anomalies).toEqual([]);
    const third = Math.max(1, Math.floor(samples.length / 3));
    const middle = samples.slice(third, 2 * third);
    const last = samples.slice(2 * third);
    const levels: string[] = [];
    for (const k of ['gateway', 'peers', 'orderers', 'chaincode'] as const) {
      const mid = Math.max(...middle.map((s) => s[k]));
      const end = Math.max(...last.map((s) => s[k]));
      // Levels off: the last third grows at most 25 % (plus 30 MB of allocator slack) over the middle third.
      if (end > mid * 1.25 + 30) levels.push(`${k}: ${mid} MB in the middle third, ${end} MB in the last`);
    }
    expect(levels).toEqual([]);
    const early = samples[Math.min(third, samples.length - 1)];
    const final = samples[samples.length - 1];
    expect(final.maxVersion).toBeGreaterThan(early.maxVersion);
    expect(final.storeBytesPerChannel).toBeLessThanOrEqual(early.storeBytesPerChannel * 1.1 + 200);
    writeSoak(samples, statSync(gw.sqlitePath).size);
  });
});

function writeSoak(samples: Sample[], storeFileBytes: number): void {
  const file = path.join(ROOT, 'docs', 'reliability.md');
  const begin = '<!-- soak:begin -->';
  const end = '<!-- soak:end -->';
  const last = samples[samples.length - 1];
  const table = [
    `Run of ${new Date().toISOString().slice(0, 10)}, ${MINUTES} minutes: ${last.committed} transactions committed through the gateway, ${last.maxVersion} co-signed updates on the busiest channel; gateway store file ${Math.round(storeFileBytes / 1024)} kB at the end. Resident memory (MB) and the gateway store's bytes per channel:`,
    '',
    '| minute | gateway | peers (4) | orderers (3) | chaincode | store bytes / channel | channel version | committed |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...samples.map((s) => `| ${s.minute} | ${s.gateway} | ${s.peers} | ${s.orderers} | ${s.chaincode} | ${s.storeBytesPerChannel} | ${s.maxVersion} | ${s.committed} |`),
    '',
    'Passes when every component\'s peak in the last third is within 25 % (+30 MB) of its peak in the middle third,',
    'and the bytes per channel stay flat while the versions grow: the store keeps only the latest co-signed state and',
    'the highest revocation secret per party, which is all the breach remedy needs. Longer runs: `SOAK_MINUTES=60 npm run test:soak`.',
  ].join('\n');
  const doc = readFileSync(file, 'utf8');
  writeFileSync(file, `${doc.slice(0, doc.indexOf(begin) + begin.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`);
}
