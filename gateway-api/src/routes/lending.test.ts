import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, generateTraceKeyPair, KeyPair, pointToJson, signRequest } from '@gridledger/core';
import { ROLES, Role } from '../config/roles';
import { documentedOperations } from '../openapi/document';
import { lendingTags } from '../openapi/lending';
import { requestHash } from '../http/idempotency';
import { readTraceKeyFile } from '../services/lending';
import { accountLane } from '../services/relay-batcher';
import { FakeLending, GARBAGE_PROOF, installLendingFakes, LENDING_USER, sampleBorrow, signedBy } from '../testing/lending-fixtures';
import { startTestGateway, TestGateway } from '../testing/harness';

let gw: TestGateway;
let fake: FakeLending;
beforeEach(async () => {
  gw = await startTestGateway({ ingest: false });
  fake = installLendingFakes(gw.ledger, gw.deps, { batchWaitMs: 40 });
});
afterEach(async () => {
  await gw.close();
});

let k = 0;
const post = (path: string, body: unknown, role: Role = 'user-relay', key = `k-${++k}`) =>
  gw.request('POST', path, { role, body, headers: { 'idempotency-key': key } });

test('role matrix: every lending operation refuses every role outside its x-roles with 403, before any ledger call', async () => {
  const tags = new Set(lendingTags.map((t) => t.name));
  const ops = documentedOperations().filter((o) => (o.spec.tags as string[]).some((t) => tags.has(t)));
  expect(ops.length).toBeGreaterThan(30);
  const before = [gw.ledger.evaluated.length, gw.ledger.submitted.length];
  let checked = 0;
  for (const op of ops) {
    const path = op.path.replace(/\{[^}]+\}/g, (m) => ({ '{account}': LENDING_USER.publicKey, '{msp}': 'GuarantorAMSP', '{poolId}': 'p1', '{loanId}': '42', '{leafIndex}': '1', '{meterId}': 'm', '{identity}': 'x' })[m] ?? 'x');
    for (const role of ROLES.filter((r) => !op.roles.includes(r))) {
      const r = await gw.request(op.method.toUpperCase(), path, { role, headers: { 'idempotency-key': `rm-${++k}` } });
      expect([op.operationId, role, r.status]).toEqual([op.operationId, role, 403]);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(40);
  expect([gw.ledger.evaluated.length, gw.ledger.submitted.length]).toEqual(before);
});

test('a garbage borrow proof is refused with 422 before any endorsement, and the verification histogram is fed', async () => {
  const r = await post('/v1/pools/p1/borrows', sampleBorrow('9001', GARBAGE_PROOF));
  expect(r.status).toBe(422);
  expect(r.body).toMatchObject({ code: 'INVALID_PROOF', type: 'urn:gridledger:problem:invalid-argument' });
  expect(gw.ledger.submitted).toHaveLength(0);
  const metrics = await gw.request('GET', '/metrics');
  expect(metrics.text).toMatch(/gridledger_proof_verification_duration_seconds_count\{circuit="borrow",outcome="invalid"\} 1/);
});

test('borrows the chaincode would refuse are refused at the gateway: stale root, low minScore, spent nullifier, closed pool', async () => {
  const cases: Array<[unknown, number, string]> = [
    [{ ...sampleBorrow('9002'), root: '1' }, 422, 'INVALID_PROOF'],
    [{ ...sampleBorrow('9003'), minScore: 400 }, 422, 'INVALID_ARGUMENT'],
    [{ ...sampleBorrow('9004'), guarantorScore: 900 }, 422, 'INVALID_ARGUMENT'],
    [sampleBorrow('42'), 409, 'REPLAY'],
  ];
  for (const [body, status, code] of cases) {
    const r = await post('/v1/pools/p1/borrows', body);
    expect([r.status, (r.body as { code: string }).code]).toEqual([status, code]);
  }
  const closed = await post('/v1/pools/p2/borrows', sampleBorrow('9005'));
  expect([closed.status, (closed.body as { code: string }).code]).toEqual([409, 'FORBIDDEN_STATE']);
  expect(gw.ledger.submitted).toHaveLength(0);
});

test('concurrent borrows for one pool go out as one BorrowBatch; a bad one in the middle never reaches it', async () => {
  const ids = ['8001', '8002', '8003', '8004', '8005'];
  const replies = await Promise.all([
    ...ids.map((id) => post('/v1/pools/p1/borrows?wait=true', sampleBorrow(id))),
    post('/v1/pools/p1/borrows', sampleBorrow('8006', GARBAGE_PROOF)),
  ]);
  expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 422]);
  expect(fake.batches.map((b) => b.length)).toEqual([5]);
  const txIds = new Set(replies.slice(0, 5).map((r) => (r.body as { id: string }).id));
  expect(txIds.size).toBe(1);
  for (const [i, r] of replies.slice(0, 5).entries()) {
    expect(r.body).toMatchObject({ status: 'committed', function: 'loan:BorrowBatch', loanId: ids[i], batchSize: 5, index: i, result: { loanId: ids[i], amount: 1_000 } });
  }
});

test('a batch the chaincode refuses for one borrow is resubmitted without it', async () => {
  // Two requests with the same nullifier pass the pre-check (neither is on the ledger yet); the
  // fake chaincode refuses the batch naming the second, which alone gets the refusal.
  const [a, b, c] = await Promise.all([post('/v1/pools/p1/borrows?wait=true', sampleBorrow('8101')), post('/v1/pools/p1/borrows', sampleBorrow('8102')), post('/v1/pools/p1/borrows', { ...sampleBorrow('8102'), repayCommitment: '98' })]);
  expect([a.status, b.status < 300 || c.status < 300, b.status >= 400 || c.status >= 400]).toEqual([200, true, true]);
  expect(fake.batches.length).toBe(2);
  expect(fake.batches[1]).toHaveLength(2);
});

test('a replayed Idempotency-Key returns the first borrow result without a second transaction', async () => {
  const first = await post('/v1/pools/p1/borrows?wait=true', sampleBorrow('8201'), 'user-relay', 'same-key');
  const again = await post('/v1/pools/p1/borrows?wait=true', sampleBorrow('8201'), 'user-relay', 'same-key');
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body).toEqual(first.body);
  expect(gw.ledger.submitted).toHaveLength(1);
});

test('signed requests are checked at the gateway; the path and the signed body must agree', async () => {
  const u = LENDING_USER.publicKey;
  const forged = { ...signedBy('transfer', { unit: 'energy', from: u, to: generateKeyPair().publicKey, amount: 5, nonce: 1 }) };
  forged.body = { ...forged.body, amount: 500 };
  const r = await post('/v1/transfers', forged);
  expect([r.status, (r.body as { code: string }).code]).toEqual([422, 'INVALID_SIGNATURE']);
  const dep = await post('/v1/pools/p2/deposits', signedBy('deposit', { poolId: 'p1', commitment: '5', account: u, nonce: 1 }));
  expect(dep.status).toBe(422);
  const ok = await post('/v1/pools/p1/deposits?wait=true', signedBy('deposit', { poolId: 'p1', commitment: '5', account: u, nonce: 1 }));
  expect(ok.body).toMatchObject({ status: 'committed', function: 'pool:DepositBatch', batchSize: 1, index: 0 });
});

/** A key pair whose account falls in the same deposit lane (of 4, as the fixture sets) as LENDING_USER's. */
function sameLaneAccount(): KeyPair {
  for (;;) {
    const k = generateKeyPair();
    if (accountLane(k.publicKey, 4) === accountLane(LENDING_USER.publicKey, 4)) return k;
  }
}

test('concurrent deposits go out as one DepositBatch; one refused by the chaincode is answered alone, a forged one never reaches it', async () => {
  const u = LENDING_USER.publicKey;
  const broke = sameLaneAccount();
  fake.broke.add(broke.publicKey);
  const forged = signedBy('deposit', { poolId: 'p1', commitment: '304', account: u, nonce: 4 });
  forged.body = { ...forged.body, commitment: '305' };
  const replies = await Promise.all([
    post('/v1/pools/p1/deposits?wait=true', signedBy('deposit', { poolId: 'p1', commitment: '301', account: u, nonce: 1 })),
    post('/v1/pools/p1/deposits?wait=true', signRequest('deposit', { poolId: 'p1', commitment: '399', account: broke.publicKey, nonce: 1 }, broke.privateKey)),
    post('/v1/pools/p1/deposits?wait=true', signedBy('deposit', { poolId: 'p1', commitment: '302', account: u, nonce: 2 })),
    post('/v1/pools/p1/deposits?wait=true', signedBy('deposit', { poolId: 'p1', commitment: '303', account: u, nonce: 3 })),
    post('/v1/pools/p1/deposits?wait=true', forged),
  ]);
  expect(replies.map((r) => r.status)).toEqual([200, 409, 200, 200, 422]);
  expect(replies[1].body).toMatchObject({ code: 'FORBIDDEN_STATE', detail: expect.stringMatching(/^FORBIDDEN_STATE: deposit: insufficient energy/) });
  expect(replies[4].body).toMatchObject({ code: 'INVALID_SIGNATURE' });
  // The batch with the refused deposit, then the same without it; the forged one in neither. (The
  // requests race over separate connections, so the order within a batch is the arrival order.)
  const batches = fake.depositBatches.map((b) => b.map((d) => d.body.commitment));
  expect(batches.map((b) => [...b].sort())).toEqual([['301', '302', '303', '399'], ['301', '302', '303']]);
  const ok = [replies[0], replies[2], replies[3]].map((r) => r.body as { id: string; function: string; batchSize: number; index: number });
  expect(new Set(ok.map((b) => b.id)).size).toBe(1);
  expect(ok.map((b) => [b.function, b.batchSize])).toEqual([['pool:DepositBatch', 3], ['pool:DepositBatch', 3], ['pool:DepositBatch', 3]]);
  // Each caller's index is its deposit's place in the committed batch.
  expect(ok.map((b) => batches[1][b.index])).toEqual(['301', '302', '303']);
  expect(gw.ledger.events.at(-1)).toMatchObject({ eventName: 'PoolDeposits', txId: ok[0].id });
});

test('deposits with batching off (maxItems 1) are each their own pool:Deposit, as without a batcher', async () => {
  const gw2 = await startTestGateway({ ingest: false });
  try {
    installLendingFakes(gw2.ledger, gw2.deps, { depositBatch: { maxItems: 1, maxWaitMs: 50, lanes: 4 } });
    const u = LENDING_USER.publicKey;
    const replies = await Promise.all([1, 2].map((nonce) => gw2.request('POST', '/v1/pools/p1/deposits?wait=true', {
      role: 'user-relay', body: signedBy('deposit', { poolId: 'p1', commitment: String(400 + nonce), account: u, nonce }), headers: { 'idempotency-key': `off-${nonce}` },
    })));
    expect(replies.map((r) => r.body)).toEqual([0, 1].map(() => expect.objectContaining({ status: 'committed', function: 'pool:Deposit', batchSize: 1, index: 0 })));
    expect(new Set(replies.map((r) => (r.body as { id: string }).id)).size).toBe(2);
  } finally {
    await gw2.close();
  }
});

test('after a crash mid-batch, a deposit\'s retry resubmits the batch already prepared under its key and finds its own place in it', async () => {
  const u = LENDING_USER.publicKey;
  const items = [1, 2, 3].map((nonce) => signedBy('deposit', { poolId: 'p1', commitment: String(500 + nonce), account: u, nonce }));
  // The crashed gateway: claimed the key, prepared the batch of three and attached it, then died.
  const scope = 'user-relay-caller';
  const hash = requestHash('POST', '/v1/pools/p1/deposits', items[1]);
  await gw.store.claimIdempotencyKey(scope, 'crash-dep', hash, Date.now() - 120_000, 1_000);
  const prepared = gw.ledger.prepare('pool:DepositBatch', [JSON.stringify(items)]);
  await gw.store.attachIdempotencyTransaction(scope, 'crash-dep', prepared.txId, prepared.proposal);
  const r = await post('/v1/pools/p1/deposits?wait=true', items[1], 'user-relay', 'crash-dep');
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ id: prepared.txId, status: 'committed', function: 'pool:DepositBatch', batchSize: 3, index: 1 });
  expect(fake.depositBatches).toHaveLength(1);
  // The same again answers the stored result, without another transaction.
  const again = await post('/v1/pools/p1/deposits?wait=true', items[1], 'user-relay', 'crash-dep');
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(gw.ledger.submitted).toEqual([prepared.txId]);
});

test('a garbage withdrawal proof is refused with 422; a good one is relayed', async () => {
  const base = { poolId: 'p2', nullifierHash: '3', recipient: LENDING_USER.publicKey, relayer: LENDING_USER.publicKey, fee: 6 };
  const bad = await post('/v1/pools/p2/withdrawals', { ...base, proof: GARBAGE_PROOF });
  expect([bad.status, (bad.body as { code: string }).code]).toEqual([422, 'INVALID_PROOF']);
  const early = await post('/v1/pools/p1/withdrawals', { ...base, poolId: 'p1', proof: GARBAGE_PROOF });
  expect(early.status).toBe(409);
  expect(gw.ledger.submitted).toHaveLength(0);
});

test('endorse refuses a blocklisted identity; computes the leaf from commitment and score on a guarantor gateway', async () => {
  const blocked = await post('/v1/credentials', { leaf: '77', identity: 'user:mallory' }, 'guarantor-admin');
  expect([blocked.status, (blocked.body as { code: string }).code]).toEqual([409, 'BLOCKED']);
  // This test gateway is the Utility's: it has no registry of its own.
  const notGuarantor = await post('/v1/credentials', { identityCommitment: '5', score: 700 }, 'guarantor-admin');
  expect(notGuarantor.status).toBe(422);
  const both = await post('/v1/credentials', { leaf: '1', identityCommitment: '5', score: 700 }, 'guarantor-admin');
  expect(both.status).toBe(422);
});

test('trace shares are made with the configured key; a key that is not the registered one is refused', async () => {
  const ok = await post('/v1/loans/42/trace-share?wait=true', undefined, 'utility-admin');
  expect(ok.body).toMatchObject({ status: 'committed', function: 'loan:PublishTraceShare' });
  // The secret never appears in the logs.
  const secret = readTraceKeyFile(gw.deps.config.lending!.traceKeyFile!).secretKey.toString();
  expect(gw.logLines.join('\n')).not.toContain(secret);
  // Another key in the file: refused before any submit.
  const dir = mkdtempSync(join(tmpdir(), 'gl-trace2-'));
  const other = generateTraceKeyPair();
  writeFileSync(join(dir, 'k.json'), JSON.stringify({ secretKey: other.secretKey.toString(), publicKey: pointToJson(other.publicKey) }));
  const gw2 = await startTestGateway({ ingest: false });
  try {
    installLendingFakes(gw2.ledger, gw2.deps);
    gw2.deps.config.lending = { traceKeyFile: join(dir, 'k.json'), borrowBatch: { maxItems: 4, maxWaitMs: 0 } };
    const r = await gw2.request('POST', '/v1/loans/42/trace-share', { role: 'utility-admin', headers: { 'idempotency-key': 'x' } });
    expect(r.status).toBe(422);
    expect(gw2.ledger.submitted).toHaveLength(0);
  } finally {
    await gw2.close();
  }
});

test('a tracing key file whose public key does not match its secret is refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gl-trace3-'));
  const a = generateTraceKeyPair();
  const b = generateTraceKeyPair();
  writeFileSync(join(dir, 'k.json'), JSON.stringify({ secretKey: a.secretKey.toString(), publicKey: pointToJson(b.publicKey) }));
  expect(() => readTraceKeyFile(join(dir, 'k.json'))).toThrow(/does not match/);
});
