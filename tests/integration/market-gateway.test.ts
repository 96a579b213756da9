/**
 * Market orders through the REST gateway on the real network: the Operator's gateway (a relay of
 * traders' signed orders) batches concurrent orders into one `market:SubmitOrders`; each caller gets
 * its own order record and index, an order the chaincode refuses is answered alone, a forged one is
 * refused by the gateway before any endorsement.
 */
import { Contract } from '@hyperledger/fabric-gateway';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { generateKeyPair, kgcExtract, kgcSetup, KeyPair, MARKET_ACTIONS, OrderBody, provePossession, signRequest } from '@gridledger/core';
import { submit } from './support/ledger';
import { Connections, describeOnNetwork, profile } from './support/network';
import { FabricLedgerClient } from '../../gateway-api/src/fabric/fabric-ledger';
import { buildDeps } from '../../gateway-api/src/http/app';
import { hashApiKey } from '../../gateway-api/src/http/auth';
import { createLogger } from '../../gateway-api/src/http/logger';
import { GatewayMetrics } from '../../gateway-api/src/http/metrics';
import { Gateway } from '../../gateway-api/src/server';
import { accountLane } from '../../gateway-api/src/services/relay-batcher';
import { SqliteStore } from '../../gateway-api/src/store/sqlite-store';
import { testConfig } from '../../gateway-api/src/testing/harness';

jest.setTimeout(120_000);

const TIMEOUTS = { evaluateTimeoutMs: 5_000, endorseTimeoutMs: 15_000, submitTimeoutMs: 5_000, commitStatusTimeoutMs: 60_000 };
const LANES = 4;
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const nowS = () => Math.floor(Date.now() / 1000);

describeOnNetwork('market orders through the REST gateway', () => {
  const conns = new Connections();
  let gateway: Gateway;
  let url = '';
  let dir = '';
  const relay = `relay-${Math.random().toString(36).slice(2)}`;
  let kgc: Contract;
  let market: Contract;
  let master: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'gl-market-gw-'));
    const sqlitePath = path.join(dir, 'gateway.db');
    const store = new SqliteStore(sqlitePath);
    await store.init();
    const config = testConfig(
      {
        org: 'operator',
        auth: { apiKeys: [{ id: 'int-relay', role: 'user-relay', sha256: hashApiKey(relay) }], mtls: [] },
        fabric: { ...TIMEOUTS, eventStartBlock: 0 },
        // Orders wait long enough for the test's concurrent requests to meet in one batch.
        market: { orderBatch: { maxItems: 8, maxWaitMs: 300, lanes: LANES } },
      },
      sqlitePath,
    );
    const deps = buildDeps({ config, ledger: new FabricLedgerClient(profile('operator'), TIMEOUTS), store, log: createLogger('error'), metrics: new GatewayMetrics({ defaultMetrics: false }) });
    gateway = new Gateway(deps);
    await deps.events.stop();
    url = `http://127.0.0.1:${await gateway.start()}`;
    kgc = conns.contract('utility', 'admin', 'kgc');
    market = conns.contract('utility', 'admin', 'market');
    const setup = kgcSetup();
    master = setup.master;
    await submit(kgc, 'Setup', JSON.stringify(setup.params));
  });
  afterAll(async () => {
    await gateway?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    conns.closeAll();
  });

  let n = 0;
  async function post(p: string, body: unknown) {
    const res = await fetch(url + p, { method: 'POST', headers: { 'x-api-key': relay, 'content-type': 'application/json', 'idempotency-key': `mg-${RUN}-${++n}` }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  }

  /** An account key of the given lane, so the test's orders share a batch. */
  function keyInLane(lane: string): KeyPair {
    for (;;) {
      const k = generateKeyPair();
      if (accountLane(k.publicKey, LANES) === lane) return k;
    }
  }

  async function register(name: string, acct: KeyPair): Promise<string> {
    const id = `user:mg-${name}-${RUN}`;
    const ex = kgcExtract(master, { id, role: 'user', expiry: nowS() + 86_400 });
    await submit(kgc, 'RegisterUser', JSON.stringify({ id, certificate: ex.certificate, proofOfPossession: provePossession(ex.key), account: acct.publicKey }));
    return id;
  }

  it('concurrent orders meet in one SubmitOrders: each reply has its own order record and index; a refused one is answered alone', async () => {
    const lane = accountLane(generateKeyPair().publicKey, LANES);
    const keys = [keyInLane(lane), keyInLane(lane), keyInLane(lane), keyInLane(lane)];
    const ids: string[] = [];
    for (const [i, k] of keys.slice(0, 3).entries()) ids.push(await register(`t${i}`, k));
    ids.push(`user:mg-ghost-${RUN}`); // never registered: the chaincode refuses its order
    const cycleId = `c-gw-${RUN}`;
    expect(await submit(market, 'OpenCycle', cycleId, JSON.stringify({ lengthS: 300 }))).toMatchObject({ cycleId, status: 'open' });

    const order = (i: number, side: 'ask' | 'bid', price: number) => {
      const body: OrderBody = { cycleId, side, price, quantity: 5 + i, trader: ids[i], account: keys[i].publicKey, nonce: 1 };
      return signRequest(MARKET_ACTIONS.order, body, keys[i].privateKey);
    };
    const requests = [order(0, 'ask', 30), order(1, 'bid', 20), order(2, 'ask', 31), order(3, 'bid', 21)];
    const forged = { ...order(0, 'ask', 30), signature: requests[1].signature };
    const replies = await Promise.all([...requests, forged].map((r) => post('/v1/market/orders?wait=true', r)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 404, 422]);
    expect(replies[3].body).toMatchObject({ code: 'NOT_FOUND', detail: expect.stringMatching(/^NOT_FOUND: order: trader .* is not registered/) });
    expect(replies[4].body).toMatchObject({ code: 'INVALID_SIGNATURE' });

    const ok = replies.slice(0, 3).map((r) => r.body);
    expect(new Set(ok.map((b) => b.id)).size).toBe(1);
    expect(ok.map((b) => b.index).sort()).toEqual([0, 1, 2]);
    for (const [i, b] of ok.entries()) {
      expect(b).toMatchObject({ status: 'committed', function: 'market:SubmitOrders', batchSize: 3, result: { trader: ids[i], owner: keys[i].publicKey, cycleId, quantity: 5 + i } });
      expect(b.result.orderId).toBe(`${b.id}.${String(b.index).padStart(2, '0')}`);
    }
    // The book holds exactly the three committed orders.
    const book = async (side: string) => (await fetch(`${url}/v1/market/cycles/${cycleId}/book?side=${side}`, { headers: { 'x-api-key': relay } }).then((r) => r.json())) as Array<{ orderId: string }>;
    const [asks, bids] = await Promise.all([book('ask'), book('bid')]);
    expect([...asks, ...bids].map((o) => o.orderId).sort()).toEqual(ok.map((b) => b.result.orderId).sort());
  });
});
