/**
 * The lending flow through the REST gateways on the real network: the Utility's gateway (parameters,
 * pools, meters, its tracing key from a key file) and GuarantorA's (credentials, tracing), with end
 * users relayed by user-relay keys. A garbage proof is refused with 422 by the gateway before any
 * endorsement, and a replayed Idempotency-Key answers the first result without a second borrow.
 * Concurrent deposits meet in one DepositBatch; one the chaincode refuses is answered alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  createBorrowerIdentity, createPoolNote, DEFAULT_LENDING_PARAMS, generateKeyPair, identityCommitment, identitySecretHash, identityToField,
  KeyPair, LendingParams, noteCommitment, proveBorrowRequest, releaseZk, signRequest,
} from '@gridledger/core';
import { describeOnNetwork, OrgName, profile } from './support/network';
import { accountKey, traceKey } from './support/keystore';
import { waitUntil } from './support/ledger';
import { FabricLedgerClient } from '../../gateway-api/src/fabric/fabric-ledger';
import { buildDeps } from '../../gateway-api/src/http/app';
import { hashApiKey } from '../../gateway-api/src/http/auth';
import { createLogger } from '../../gateway-api/src/http/logger';
import { GatewayMetrics } from '../../gateway-api/src/http/metrics';
import { Gateway } from '../../gateway-api/src/server';
import { SqliteStore } from '../../gateway-api/src/store/sqlite-store';
import { accountLane } from '../../gateway-api/src/services/relay-batcher';
import { testConfig } from '../../gateway-api/src/testing/harness';

jest.setTimeout(120_000);

const TIMEOUTS = { evaluateTimeoutMs: 5_000, endorseTimeoutMs: 15_000, submitTimeoutMs: 5_000, commitStatusTimeoutMs: 60_000 };
const PARAMS: LendingParams = {
  ...DEFAULT_LENDING_PARAMS, W_b: 60, W_g: 40, minScoreTable: [{ maxAmountWh: 5_000, maxDurationS: 3_600, minScore: 600 }], expiry: { graceS: 1 },
  interestBps: 1_000, traceWindowS: 3, defaultFineBps: 11_000, missedTraceFineBps: 5_000, poolDenominationsWh: [1_000, 10_000],
};

const DEPOSIT_LANES = 4;

interface Running {
  url: string;
  gateway: Gateway;
  dir: string;
  admin: string;
  relay: string;
}

async function startGateway(org: OrgName, adminRole: 'utility-admin' | 'guarantor-admin'): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), `gl-lend-gw-${org}-`));
  const sqlitePath = path.join(dir, 'gateway.db');
  const store = new SqliteStore(sqlitePath);
  await store.init();
  const k = traceKey(org);
  const traceKeyFile = path.join(dir, 'trace-key.json');
  writeFileSync(traceKeyFile, JSON.stringify({ secretKey: k.secretKey.toString(), publicKey: k.publicKey }), { mode: 0o600 });
  const admin = `admin-${Math.random().toString(36).slice(2)}`;
  const relay = `relay-${Math.random().toString(36).slice(2)}`;
  const config = testConfig(
    {
      org,
      auth: { apiKeys: [{ id: 'int-admin', role: adminRole, sha256: hashApiKey(admin) }, { id: 'int-relay', role: 'user-relay', sha256: hashApiKey(relay) }], mtls: [] },
      fabric: { ...TIMEOUTS, eventStartBlock: 0 },
      // Deposits wait long enough for a test's concurrent requests to meet in one batch.
      lending: { traceKeyFile, borrowBatch: { maxItems: 8, maxWaitMs: 30 }, depositBatch: { maxItems: 8, maxWaitMs: 300, lanes: DEPOSIT_LANES } },
    },
    sqlitePath,
  );
  const deps = buildDeps({ config, ledger: new FabricLedgerClient(profile(org), TIMEOUTS), store, log: createLogger('error'), metrics: new GatewayMetrics({ defaultMetrics: false }) });
  const gateway = new Gateway(deps);
  await deps.events.stop();
  const port = await gateway.start();
  return { url: `http://127.0.0.1:${port}`, gateway, dir, admin, relay };
}

let n = 0;
async function call(gw: Running, method: string, p: string, key: string, body?: unknown, idem?: string) {
  const res = await fetch(gw.url + p, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(method !== 'GET' ? { 'idempotency-key': idem ?? `lg-${Date.now()}-${++n}` } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : undefined };
}
/** A committed submit (wait=true); fails the test otherwise. */
async function committed(gw: Running, method: string, p: string, key: string, body?: unknown) {
  const r = await call(gw, method, `${p}${p.includes('?') ? '&' : '?'}wait=true`, key, body);
  if (r.status !== 200 || r.body?.status !== 'committed') throw new Error(`${method} ${p}: ${r.status} ${r.text.slice(0, 400)}`);
  return r.body;
}

describeOnNetwork('lending through the REST gateways', () => {
  let util: Running;
  let gA: Running;
  const run = Date.now().toString(36);
  const poolId = `gw-pool-${run}`;
  const st: Record<string, any> = {};
  const lenders: KeyPair[] = [generateKeyPair(), generateKeyPair()];
  const alice = { who: `user:gw-alice-${run}`, recipient: generateKeyPair() } as any;
  const bob = { who: `user:gw-bob-${run}`, recipient: generateKeyPair() } as any;
  alice.id = createBorrowerIdentity(identityToField(alice.who));
  bob.id = createBorrowerIdentity(identityToField(bob.who));

  beforeAll(async () => {
    util = await startGateway('utility', 'utility-admin');
    gA = await startGateway('guarantora', 'guarantor-admin');
  });
  afterAll(async () => {
    for (const gw of [util, gA]) {
      if (!gw) continue;
      await gw.gateway.stop();
      rmSync(gw.dir, { recursive: true, force: true });
    }
    await releaseZk(true);
  });

  const mint = async (owner: string, wh: number) => {
    const meter = generateKeyPair();
    // Unique per run: some owners (the guarantors' fine accounts) are the same in every run.
    const meterId = `gwm-${run}-${owner.slice(0, 10)}-${++n}`;
    await committed(util, 'POST', '/v1/meters', util.admin, { meterId, publicKey: meter.publicKey, owner });
    const s = signRequest('meter-reading', { meterId, seq: 1, cumulativeWh: wh, readAt: Math.floor(Date.now() / 1000) }, meter.privateKey);
    return committed(util, 'POST', '/v1/meters/readings', util.admin, { reading: s.body, signature: s.signature });
  };
  const deposit = async (poolIdArg: string, key: KeyPair) => {
    const nonce = (await call(util, 'GET', `/v1/accounts/${key.publicKey}`, util.relay)).body.nonce + 1;
    return signRequest('deposit', { poolId: poolIdArg, commitment: noteCommitment(createPoolNote()).toString(), account: key.publicKey, nonce }, key.privateKey);
  };

  it('setup through the Utility gateway: parameters, the Utility key from its key file, guarantors, a pool, minted energy', async () => {
    await committed(util, 'PUT', '/v1/params/lending', util.admin, PARAMS);
    const key = await committed(util, 'PUT', '/v1/utility-trace-key', util.admin);
    expect(key.function).toBe('guarantor:SetUtilityTraceKey');
    expect((await call(gA, 'GET', '/v1/utility-trace-key', gA.relay)).body.publicKey).toEqual(traceKey('utility').publicKey);
    const listed = (await call(util, 'GET', '/v1/guarantors', util.relay)).body as Array<{ msp: string }>;
    for (const [msp, org] of [['GuarantorAMSP', 'guarantora'], ['GuarantorBMSP', 'guarantorb']] as const) {
      if (!listed.some((g) => g.msp === msp)) {
        await committed(util, 'POST', '/v1/guarantors', util.admin, { msp, name: `${org} corp`, score: 800, tracePublicKey: traceKey(org).publicKey, account: accountKey(`${org}-fines`).publicKey });
      }
    }
    await mint(accountKey('guarantora-fines').publicKey, 2_000);
    // The lenders' energy first: the pool's short deadline starts counting only when it is created.
    for (const l of lenders) expect((await mint(l.publicKey, 1_000)).result).toMatchObject({ mintedWh: 1_000 });
    const now = Math.floor(Date.now() / 1000);
    st.deadline = now + 12;
    st.maturity = now + 45;
    await committed(util, 'POST', '/v1/pools', util.admin, { poolId, denominationWh: 1_000, targetNotes: 2, deadline: st.deadline, maturity: st.maturity });
    // A guarantor-admin key is refused on the Utility-only route.
    expect((await call(gA, 'POST', '/v1/pools', gA.admin, { poolId: `x-${run}`, denominationWh: 1_000, targetNotes: 1, deadline: now + 60, maturity: now + 120 })).status).toBe(403);
  });

  it('lenders deposit through the relay; GuarantorA endorses two borrowers on its own gateway', async () => {
    // Both at once, before the pool's deadline: relayed in DepositBatch transactions (one, or one per
    // lane when the two accounts fall in different lanes).
    const signed = await Promise.all(lenders.map((l) => deposit(poolId, l)));
    const done = await Promise.all(signed.map((d) => committed(util, 'POST', `/v1/pools/${poolId}/deposits`, util.relay, d)));
    for (const d of done) expect(d).toMatchObject({ function: 'pool:DepositBatch', batchSize: expect.any(Number), index: expect.any(Number) });
    expect((await call(util, 'GET', `/v1/pools/${poolId}`, util.relay)).body).toMatchObject({ status: 'funding', deposits: 2 });
    for (const b of [alice, bob]) {
      const idCommitment = identityCommitment(b.id.identity, identitySecretHash(b.id.identitySecret)).toString();
      const issued = await committed(gA, 'POST', '/v1/credentials', gA.admin, { identityCommitment: idCommitment, score: 700, identity: b.who });
      expect(issued.result).toMatchObject({ guarantor: 'GuarantorAMSP' });
      b.leafIndex = issued.result.leafIndex;
    }
  });

  async function proveBorrow(b: any, durationS: number) {
    const [params, g, credential, utilityKey] = await Promise.all([
      call(util, 'GET', '/v1/params/lending', util.relay),
      call(util, 'GET', '/v1/guarantors/GuarantorAMSP', util.relay),
      call(util, 'GET', `/v1/guarantors/GuarantorAMSP/credentials/${b.leafIndex}`, util.relay),
      call(util, 'GET', '/v1/utility-trace-key', util.relay),
    ]);
    const ctx = { guarantor: 'GuarantorAMSP', guarantorId: 1, credential: credential.body, W_b: params.body.params.W_b, W_g: params.body.params.W_g, guarantorScore: g.body.score, pkGuarantor: g.body.tracePublicKey, pkUtility: utilityKey.body.publicKey };
    return proveBorrowRequest(b.id, 700, ctx, { amount: 1_000, durationS, minScore: 600, recipient: b.recipient.publicKey, relayer: b.recipient.publicKey });
  }

  it('after the deadline: a garbage proof is refused with 422 before endorsement; borrows go through; a replayed key answers the first result', async () => {
    await waitUntil(st.deadline);
    expect(await committed(util, 'POST', `/v1/pools/${poolId}/seal`, util.relay)).toMatchObject({ result: { status: 'open', noteCount: 2, balance: 2_000 } });
    alice.proved = await proveBorrow(alice, 20);
    bob.proved = await proveBorrow(bob, 2);
    const before = (await call(util, 'GET', `/v1/pools/${poolId}`, util.relay)).body;
    const garbage = { ...alice.proved.request, proof: { ...alice.proved.request.proof, pi_a: [alice.proved.request.proof.pi_c[0], alice.proved.request.proof.pi_c[1], '1'] } };
    const refused = await call(util, 'POST', `/v1/pools/${poolId}/borrows`, util.relay, garbage);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'INVALID_PROOF', type: 'urn:gridledger:problem:invalid-argument' });
    // Nothing reached the ledger: no loan, the pool unchanged.
    expect((await call(util, 'GET', `/v1/loans/${alice.proved.loanId}`, util.relay)).status).toBe(404);
    expect((await call(util, 'GET', `/v1/pools/${poolId}`, util.relay)).body).toEqual(before);
    const metrics = await fetch(`${util.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/gridledger_proof_verification_duration_seconds_count\{circuit="borrow",outcome="invalid"\} [1-9]/);

    // Both borrows at once: the gateway sends them as one BorrowBatch.
    const key = `borrow-${run}`;
    const [a, b] = await Promise.all([
      call(util, 'POST', `/v1/pools/${poolId}/borrows?wait=true`, util.relay, alice.proved.request, key),
      call(util, 'POST', `/v1/pools/${poolId}/borrows?wait=true`, util.relay, bob.proved.request),
    ]);
    expect(a.body).toMatchObject({ status: 'committed', function: 'loan:BorrowBatch', loanId: alice.proved.loanId, result: { loanId: alice.proved.loanId, repayDue: 1_100 } });
    expect(b.body).toMatchObject({ status: 'committed', loanId: bob.proved.loanId });
    expect([a.body.batchSize, b.body.batchSize]).toEqual([2, 2]);
    expect(a.body.id).toBe(b.body.id);
    const replay = await call(util, 'POST', `/v1/pools/${poolId}/borrows?wait=true`, util.relay, alice.proved.request, key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(a.body);
    expect((await call(util, 'GET', `/v1/pools/${poolId}`, util.relay)).body).toMatchObject({ balance: 0, loansOpened: 2 });
    expect((await call(util, 'GET', `/v1/accounts/${alice.recipient.publicKey}`, util.relay)).body.energyWh).toBe(1_000);
    // Without the key, the same proof is a spent nullifier: refused at the gateway.
    expect((await call(util, 'POST', `/v1/pools/${poolId}/borrows`, util.relay, alice.proved.request)).body.code).toBe('REPLAY');
  });

  it('alice repays through the relay; bob defaults and is traced with the gateways\' key files', async () => {
    const payer = generateKeyPair();
    await mint(payer.publicKey, 1_100);
    const s = signRequest('repay', { loanId: alice.proved.loanId, repaySecret: alice.proved.repaySecret, payer: payer.publicKey, nonce: 1 }, payer.privateKey);
    expect((await committed(util, 'POST', `/v1/loans/${alice.proved.loanId}/repayment`, util.relay, s)).result).toMatchObject({ repaidWh: 1_100, onTime: true });
    expect((await call(util, 'GET', `/v1/loans/${alice.proved.loanId}`, util.relay)).body.status).toBe('repaid');

    const loan = (await call(util, 'GET', `/v1/loans/${bob.proved.loanId}`, util.relay)).body;
    await waitUntil(loan.dueAt);
    await committed(util, 'POST', `/v1/loans/${bob.proved.loanId}/default`, util.relay);
    await committed(gA, 'POST', `/v1/loans/${bob.proved.loanId}/trace-share`, gA.admin);
    await committed(util, 'POST', `/v1/loans/${bob.proved.loanId}/trace-share`, util.admin);
    const traced = await committed(gA, 'POST', `/v1/loans/${bob.proved.loanId}/trace`, gA.admin, { identity: bob.who, credentialIndex: bob.leafIndex });
    expect(traced.result).toMatchObject({ identity: bob.who, guarantor: 'GuarantorAMSP' });
    expect((await call(util, 'GET', `/v1/blocklist/${encodeURIComponent(bob.who)}`, util.relay)).body.blocked).toBe(true);
    expect((await call(util, 'GET', '/v1/board', util.relay)).body.some((e: any) => e.identity === bob.who)).toBe(true);
    // The guarantor's gateway now refuses to endorse him.
    const again = await call(gA, 'POST', '/v1/credentials', gA.admin, { identityCommitment: '5', score: 900, identity: bob.who });
    expect([again.status, again.body.code]).toEqual([409, 'BLOCKED']);
  });

  it('concurrent deposits meet in one DepositBatch, each reply with its index; an overdrawn one is refused alone, a forged one at the gateway', async () => {
    // Accounts of one lane, so their deposits share a batch (accounts of other lanes go in their own).
    const lane = accountLane(lenders[0].publicKey, DEPOSIT_LANES);
    const sameLane = (): KeyPair => {
      for (;;) {
        const k = generateKeyPair();
        if (accountLane(k.publicKey, DEPOSIT_LANES) === lane) return k;
      }
    };
    const funded = [sameLane(), sameLane(), sameLane()];
    const broke = sameLane(); // never minted: nothing to deposit
    const batchPool = `gw-batch-${run}`;
    const now = Math.floor(Date.now() / 1000);
    await committed(util, 'POST', '/v1/pools', util.admin, { poolId: batchPool, denominationWh: 1_000, targetNotes: 10, deadline: now + 600, maturity: now + 1_200 });
    await Promise.all(funded.map((k) => mint(k.publicKey, 1_000)));
    const signed = await Promise.all([...funded, broke].map((k) => deposit(batchPool, k)));
    const forged = await deposit(batchPool, funded[0]);
    forged.body = { ...forged.body, commitment: noteCommitment(createPoolNote()).toString() };

    const replies = await Promise.all([...signed, forged].map((s) => call(util, 'POST', `/v1/pools/${batchPool}/deposits?wait=true`, util.relay, s)));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 409, 422]);
    expect(replies[3].body).toMatchObject({ code: 'FORBIDDEN_STATE', detail: expect.stringMatching(/^FORBIDDEN_STATE: deposit: insufficient energy/) });
    expect(replies[4].body).toMatchObject({ code: 'INVALID_SIGNATURE' });
    const ok = replies.slice(0, 3).map((r) => r.body);
    for (const b of ok) expect(b).toMatchObject({ status: 'committed', function: 'pool:DepositBatch', batchSize: 3 });
    expect(new Set(ok.map((b) => b.id)).size).toBe(1);
    expect(ok.map((b) => b.index).sort()).toEqual([0, 1, 2]);
    // The ledger agrees: three notes, the three funded accounts paid, the overdrawn one untouched.
    expect((await call(util, 'GET', `/v1/pools/${batchPool}`, util.relay)).body).toMatchObject({ status: 'funding', deposits: 3 });
    for (const k of funded) expect((await call(util, 'GET', `/v1/accounts/${k.publicKey}`, util.relay)).body).toMatchObject({ energyWh: 0, nonce: 1 });
    expect((await call(util, 'GET', `/v1/accounts/${broke.publicKey}`, util.relay)).body.nonce ?? 0).toBe(0);
    // The batch's transaction resource lists nothing else: one transaction for the three callers.
    const tx = await call(util, 'GET', `/v1/transactions/${ok[0].id}`, util.relay);
    expect(tx.body).toMatchObject({ id: ok[0].id, function: 'pool:DepositBatch', status: 'committed' });
  });
});
