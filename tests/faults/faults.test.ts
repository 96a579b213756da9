/**
 * Faults under load on the real network. A steady load of signed transfers and anonymous deposits
 * runs through a gateway process, with payment-channel updates through its broker, while in turn:
 * one peer is killed (-9), one orderer and then a second (ordering stops) and they return, the
 * chaincode server is killed, and the gateway itself is killed. Afterwards, what clients were told
 * is compared with what the ledger and the gateway store hold. Results go to docs/reliability.md.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { common, peer } from '@hyperledger/fabric-protos';
import { canonicalJson, channels, DEFAULT_LENDING_PARAMS, generateKeyPair } from '@gridledger/core';
import { BrokerClient } from '../../gateway-api/src/channels/client';
import { Connections, describeOnNetwork, ROOT } from '../integration/support/network';
import { GatewayProcess } from '../support/gateway-process';
import { depositActor, fund, newStats, openFundedChannel, transferActor } from '../support/load';

jest.setTimeout(900_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const network = (...args: string[]) => {
  const r = spawnSync('bash', [path.join(ROOT, 'network', 'network.sh'), ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`network.sh ${args.join(' ')}: ${r.stderr}`);
};
const POLICY = { maxHtlcs: 32, minLockDelta: 2, maxLockAhead: 3600 };
/** Progress on stderr as it happens (jest holds console output until the test ends). */
const phase = (text: string) => process.stderr.write(`[faults ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

/** A direct ledger client retries what the peers could not run (a chaincode restarting), like any client. */
async function retryUnavailable<T>(call: () => Promise<T>, limitMs = 60_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      const text = `${(err as Error).message} ${JSON.stringify((err as { details?: unknown }).details ?? '')}`;
      if (Date.now() > until || !/UNAVAILABLE|DEADLINE|connection refused|error in simulation|failed to execute transaction/i.test(text)) throw err;
      await sleep(500);
    }
  }
}

interface FaultResult {
  fault: string;
  downS: number;
  recoveryS: number;
  note: string;
}

describeOnNetwork('faults under load', () => {
  const conns = new Connections();
  const stats = newStats();
  const results: FaultResult[] = [];
  let gw: GatewayProcess;
  let stopping = false;
  const stop = () => stopping;
  const clients: BrokerClient[] = [];

  afterAll(async () => {
    stopping = true;
    for (const c of clients) c.terminate();
    await gw?.stop();
    conns.closeAll();
  });

  /** Waits until a request sent after `since` is committed (the recovery), and returns the seconds it took. */
  async function recovered(since: number, limitS = 120): Promise<number> {
    const until = Date.now() + limitS * 1000;
    while (stats.lastSuccess <= since) {
      if (Date.now() > until) throw new Error(`no transaction committed within ${limitS} s after the fault was repaired`);
      await sleep(100);
    }
    return Number(((Date.now() - since) / 1000).toFixed(1));
  }

  it('loses no acknowledged transaction or co-signed state, duplicates nothing, and recovers from each fault', async () => {
    const utility = { params: conns.contract('utility', 'admin', 'params'), accounts: conns.contract('utility', 'admin', 'accounts'), pool: conns.contract('utility', 'admin', 'pool'), kgc: conns.contract('utility', 'admin', 'kgc') };
    const reader = conns.network('operator', 'client');
    const accountsRO = reader.getContract('gridledger', 'accounts');
    await utility.params.submitTransaction('SetLendingParams', canonicalJson(DEFAULT_LENDING_PARAMS));
    await utility.kgc.submitTransaction('SetTradingParams', JSON.stringify({ collateralPerKw: 100, disputeWindowS: 3600, minDisputeWindowS: 1, maxDisputeWindowS: 86400 }));
    const poolId = `faults-${Date.now().toString(36)}`;
    const now = Math.floor(Date.now() / 1000);
    await utility.pool.submitTransaction('CreatePool', canonicalJson({ poolId, denominationWh: 1_000, targetNotes: 1, deadline: now + 3600, maturity: now + 7200 }));
    const senders = Array.from({ length: 6 }, generateKeyPair);
    const sinks = senders.map(() => generateKeyPair());
    const lenders = Array.from({ length: 3 }, generateKeyPair);
    await fund(utility.accounts, senders, 100_000);
    await fund(utility.accounts, lenders, 1_000_000);

    const info = common.BlockchainInfo.deserializeBinary(await reader.getContract('qscc').evaluateTransaction('GetChainInfo', 'energy'));
    gw = new GatewayProcess('utility', { eventStartBlock: Math.max(0, info.getHeight() - 1) });
    await gw.start();
    phase(`gateway up at ${gw.url}; opening channels`);

    // Payment channels updated through the broker; the last version each party had acknowledged.
    const chan = conns.contract('utility', 'client', 'channel');
    const issuer = utility.accounts;
    const channelIds: string[] = [];
    const acked = new Map<string, number>();
    const chans: Array<{ record: channels.ChannelRecord; keys: Record<'a' | 'b', channels.ChannelKeyPair>; stale?: channels.SignedState; a?: channels.Channel }> = [];
    for (let i = 0; i < 3; i++) {
      const { record, keys } = await openFundedChannel(chan, issuer, 100_000, 120, `faults-${Date.now()}-${i}`);
      chans.push({ record, keys });
      channelIds.push(record.channelId);
    }
    let channelUpdatesStopped = false;
    const channelLoad = Promise.all(
      chans.map(async (c) => {
        const a = new channels.Channel({ record: c.record, side: 'a', privateKey: c.keys.a.privateKey, policy: POLICY });
        const b = new channels.Channel({ record: c.record, side: 'b', privateKey: c.keys.b.privateKey, policy: POLICY });
        const ca = await BrokerClient.connect(gw.url, gw.keys.relay);
        const cb = await BrokerClient.connect(gw.url, gw.keys.relay);
        clients.push(ca, cb);
        await ca.hello([{ channel: a, privateKey: c.keys.a.privateKey }]);
        await cb.hello([{ channel: b, privateKey: c.keys.b.privateKey }]);
        c.a = a;
        while (!channelUpdatesStopped) {
          const out = await ca.update(c.record.channelId, { kind: 'pay', from: 'a', amount: '1' });
          acked.set(c.record.channelId, out.state.version);
          if (out.state.version === 5) c.stale = a.latest;
          await sleep(20);
        }
      }),
    ).catch((err) => ({ stoppedBy: (err as Error).message }));

    const actors = [
      ...senders.map((s, i) => transferActor(`t${i}`, () => gw, s, sinks[i].publicKey, stats, stop, 1)),
      ...lenders.map((l, i) => depositActor(`d${i}`, () => gw, l, poolId, stats, stop, 1)),
    ];
    phase('load running');
    await sleep(8_000);
    phase(`${stats.acknowledged.length} acknowledged; killing peer0.guarantorb`);
    expect(stats.acknowledged.length).toBeGreaterThan(10);

    // 1. One peer (not the gateway's own): endorsement goes on with the other three.
    let t = Date.now();
    network('kill', 'peer0.guarantorb');
    await sleep(5_000);
    const peerNote = `${stats.acknowledged.filter((a) => a.at > t).length} transactions committed while it was down`;
    t = Date.now();
    network('restart', 'peer0.guarantorb');
    results.push({ fault: 'kill -9 peer0.guarantorb (5 s down)', downS: 5, recoveryS: await recovered(t), note: peerNote });

    phase(`peer back; ${stats.acknowledged.length} acknowledged`);
    // 2. One orderer: Raft keeps a majority, ordering goes on. Then a second: ordering stops.
    t = Date.now();
    network('kill', 'orderer1');
    await sleep(5_000);
    const oneOrdererNote = `${stats.acknowledged.filter((a) => a.at > t).length} committed with 2 of 3 orderers`;
    network('kill', 'orderer2');
    await sleep(2_000);
    const haltedAt = Date.now();
    await sleep(6_000);
    const duringHalt = stats.acknowledged.filter((a) => a.at > haltedAt + 1_000).length;
    t = Date.now();
    network('restart', 'orderer2');
    const r2 = await recovered(t);
    network('restart', 'orderer1');
    results.push({ fault: 'kill -9 orderer1 (2 of 3 left)', downS: 13, recoveryS: 0, note: oneOrdererNote });
    results.push({ fault: 'then kill -9 orderer2 (1 of 3: ordering stops), restart it', downS: 8, recoveryS: r2, note: `${duringHalt} committed while ordering was stopped` });
    expect(duringHalt).toBe(0);

    phase(`orderers back; ${stats.acknowledged.length} acknowledged`);
    // 3. Every org's chaincode server at once: their supervisors start them again.
    t = Date.now();
    // The server processes alone (the pattern must not match their supervisors, whose command lines contain it).
    spawnSync('pkill', ['-9', '-f', '^node .*fabric-shim/cli.js server']);
    results.push({ fault: 'kill -9 all four chaincode servers (supervised)', downS: 0, recoveryS: await recovered(t), note: 'restarted by network/lib/supervise.sh' });

    phase(`chaincode back; stopping channel updates`);
    // 4. The gateway: clients keep retrying with their keys; a stale channel close happens meanwhile.
    channelUpdatesStopped = true;
    await Promise.race([channelLoad, sleep(20_000)]);
    for (const c of clients) c.terminate();
    const lastAcked = new Map(acked);
    phase(`killing the gateway (running: ${gw.running}${gw.exited ? `, ended ${JSON.stringify(gw.exited)}: ${gw.output.slice(-500)}` : ''})`);
    t = Date.now();
    await gw.kill();
    const cheat = chans[0];
    const closing = JSON.parse(Buffer.from(await retryUnavailable(() => chan.submitTransaction('Close', JSON.stringify(channels.signClose(cheat.stale!, 'a', cheat.keys.a.privateKey))))).toString());
    await sleep(3_000);
    await gw.start();
    results.push({ fault: 'kill -9 the gateway (3 s down), restarted on its store', downS: 3, recoveryS: await recovered(t + 3_000), note: 'a revoked channel state was posted on chain while it was down' });

    phase('gateway back; finishing the load');
    // Let the load run a little longer, then stop it and compare.
    await sleep(5_000);
    stopping = true;
    await Promise.all(actors);

    phase(`load stopped: ${stats.acknowledged.length} acknowledged, ${stats.retries} retries, ${stats.rejected} rejected; checking the ledger`);
    expect(stats.anomalies).toEqual([]);
    // Every acknowledged transaction is on the ledger, valid, once.
    const qscc = reader.getContract('qscc');
    const missing: string[] = [];
    for (const a of stats.acknowledged) {
      try {
        const p = peer.ProcessedTransaction.deserializeBinary(await qscc.evaluateTransaction('GetTransactionByID', 'energy', a.txId));
        if (p.getValidationcode() !== peer.TxValidationCode.VALID) missing.push(`${a.txId} code ${p.getValidationcode()}`);
      } catch (err) {
        missing.push(`${a.txId}: ${(err as Error).message.slice(0, 80)}`);
      }
    }
    expect(missing).toEqual([]);
    // One transaction per acknowledged transfer (listed in full if not, to trace a duplicate). Deposits
    // of different lenders may share one pool:DepositBatch transaction (the gateway's deposit batcher),
    // but one lender's deposits never do: they are sent one after another.
    const byTx = new Map<string, typeof stats.acknowledged>();
    for (const a of stats.acknowledged) byTx.set(a.txId, [...(byTx.get(a.txId) ?? []), a]);
    const shared = [...byTx.values()].filter((xs) => xs.length > 1);
    expect(shared.filter((xs) => xs.some((a) => a.kind !== 'deposit') || new Set(xs.map((a) => a.actor)).size < xs.length)).toEqual([]);
    // No duplicate effects from retries: each sink holds exactly the transfers acknowledged to it.
    for (let i = 0; i < senders.length; i++) {
      const n = stats.acknowledged.filter((a) => a.actor === `t${i}`).length;
      const sink = JSON.parse(Buffer.from(await accountsRO.evaluateTransaction('GetAccount', sinks[i].publicKey)).toString());
      const src = JSON.parse(Buffer.from(await accountsRO.evaluateTransaction('GetAccount', senders[i].publicKey)).toString());
      expect([sink.energyWh, src.energyWh, src.nonce]).toEqual([n, 100_000 - n, n]);
    }
    const leaves = JSON.parse(Buffer.from(await reader.getContract('gridledger', 'pool').evaluateTransaction('GetPoolLeaves', poolId)).toString()).leaves as string[];
    // Each acknowledged deposit is in the pool exactly once, and nothing else is.
    expect([...leaves].sort()).toEqual(stats.acknowledged.filter((a) => a.kind === 'deposit').map((a) => a.detail).sort());
    // Every co-signed state the broker acknowledged is still in the gateway store after kill -9.
    // (The cheated channel is left out: once settled, the broker drops what it held for it.)
    for (const id of channelIds.filter((c) => c !== chans[0].record.channelId)) {
      const held = await gw.call('GET', `/v1/channels/${id}/state`);
      expect(held.status).toBe(200);
      expect(held.body.version).toBeGreaterThanOrEqual(lastAcked.get(id) ?? 0);
    }
    // The watchtower answered the stale close made while the gateway was down.
    const until = Date.now() + 60_000;
    let settled: any;
    for (;;) {
      settled = JSON.parse(Buffer.from(await reader.getContract('gridledger', 'channel').evaluateTransaction('GetChannel', cheat.record.channelId)).toString());
      if (settled.status === 'closed' || Date.now() > until) break;
      await sleep(500);
    }
    expect(Math.floor(Date.now() / 1000)).toBeLessThan(closing.deadline);
    expect(settled.settlement).toMatchObject({ kind: 'breach', cheater: 'a', payouts: { a: '0', b: '100000' } });

    writeReliability(results, stats);
  });
});

function writeReliability(results: FaultResult[], stats: ReturnType<typeof newStats>): void {
  const file = path.join(ROOT, 'docs', 'reliability.md');
  const begin = '<!-- faults:begin -->';
  const end = '<!-- faults:end -->';
  const counts = { transfers: stats.acknowledged.filter((a) => a.kind === 'transfer').length, deposits: stats.acknowledged.filter((a) => a.kind === 'deposit').length };
  const table = [
    `Run of ${new Date().toISOString().slice(0, 10)}: ${counts.transfers} transfers and ${counts.deposits} deposits acknowledged, ${stats.retries} client retries (same key), ${stats.rejected} commits rejected by the peers and retried (new key).`,
    '',
    '| fault | down | recovery to the next commit | note |',
    '| --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.fault} | ${r.downS} s | ${r.recoveryS} s | ${r.note} |`),
    '',
    'Checked afterwards: every acknowledged transaction on the ledger and VALID (0 missing), no duplicate effect (every',
    'sink holds exactly its acknowledged transfers, every acknowledged deposit is in the pool once), every co-signed',
    'channel state the broker acknowledged still in the gateway store, and the stale close posted while the gateway was',
    'down answered by its watchtower within the dispute window (breach remedy).',
  ].join('\n');
  const doc = readFileSync(file, 'utf8');
  writeFileSync(file, `${doc.slice(0, doc.indexOf(begin) + begin.length)}\n${table}\n${doc.slice(doc.indexOf(end))}`);
}
