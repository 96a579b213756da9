import { SAMPLE_PARAMS, startTestGateway, TestGateway } from '../testing/harness';

let gw: TestGateway;
beforeEach(async () => {
  gw = await startTestGateway();
});
afterEach(async () => {
  await gw.close();
});

const put = (key: string, body: unknown = SAMPLE_PARAMS, query = ''): ReturnType<TestGateway['request']> =>
  gw.request('PUT', `/v1/params/lending${query}`, { role: 'utility-admin', body, headers: { 'idempotency-key': key } });

test('GET before any publication is a 404 problem with the chaincode message', async () => {
  const r = await gw.request('GET', '/v1/params/lending', { role: 'user-relay' });
  expect(r.status).toBe(404);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ type: 'urn:gridledger:problem:chaincode-not-found', status: 404, code: 'NOT_FOUND' });
  expect((r.body as { detail: string }).detail).toContain('have not been published');
});

test('PUT answers 202 with a transaction resource that moves to committed', async () => {
  gw.ledger.holdCommits = true;
  const r = await put('k-1');
  expect(r.status).toBe(202);
  const tx = r.body as { id: string; status: string; links: { self: string } };
  expect(tx.status).toBe('endorsed');
  expect(r.headers.get('location')).toBe(`/v1/transactions/${tx.id}`);
  expect((await gw.request('GET', tx.links.self, { role: 'user-relay' })).body).toMatchObject({ status: 'endorsed' });
  gw.ledger.release();
  const waited = await gw.request('GET', `${tx.links.self}?wait=true&timeout=5`, { role: 'user-relay' });
  expect(waited.body).toMatchObject({ id: tx.id, status: 'committed', validationCode: 'VALID', function: 'params:SetLendingParams' });
  const got = await gw.request('GET', '/v1/params/lending', { role: 'guarantor-admin' });
  expect(got.status).toBe(200);
  expect(got.body).toMatchObject({ params: SAMPLE_PARAMS, version: 1, txId: tx.id });
  const history = await gw.request('GET', '/v1/params/lending/history', { role: 'operator-admin' });
  expect((history.body as unknown[]).length).toBe(1);
});

test('PUT ?wait=true answers 200 once committed', async () => {
  const r = await put('k-wait', SAMPLE_PARAMS, '?wait=true');
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ status: 'committed', blockNumber: expect.any(Number) });
});

test('a transaction rejected at validation reports the Fabric code', async () => {
  gw.ledger.rejectAtCommit.set('params:SetLendingParams', 'MVCC_READ_CONFLICT');
  const r = await put('k-mvcc', SAMPLE_PARAMS, '?wait=true');
  expect(r.status).toBe(200);
  expect(r.body).toMatchObject({ status: 'rejected', validationCode: 'MVCC_READ_CONFLICT' });
});

test('schema violations are 400 with every error listed; inconsistent values are 422', async () => {
  const bad = await put('k-bad', { ...SAMPLE_PARAMS, W_b: 'sixty', extra: 1 });
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ type: 'urn:gridledger:problem:validation' });
  const locations = (bad.body as { errors: { location: string }[] }).errors.map((e) => e.location);
  expect(locations).toEqual(expect.arrayContaining(['body.W_b', 'body.extra']));
  const sum = await put('k-sum', { ...SAMPLE_PARAMS, W_b: 70 });
  expect(sum.status).toBe(422);
  expect(sum.body).toMatchObject({ type: 'urn:gridledger:problem:invalid-argument' });
  expect(gw.ledger.submitted).toHaveLength(0);
});

test('chaincode refusals map to 4xx with the chaincode message passed through', async () => {
  gw.ledger.handlers.set('params:SetLendingParams', () => {
    throw new (require('../fabric/ledger').LedgerError)('forbidden', 'ACCESS_DENIED: only UtilityMSP may change the lending parameters');
  });
  const r = await put('k-403');
  expect(r.status).toBe(403);
  expect(r.body).toMatchObject({ type: 'urn:gridledger:problem:chaincode-forbidden', code: 'ACCESS_DENIED', detail: 'ACCESS_DENIED: only UtilityMSP may change the lending parameters' });
});

test('an unreachable peer is a 503 with Retry-After', async () => {
  gw.ledger.reachable = false;
  const r = await gw.request('GET', '/v1/params/lending', { role: 'user-relay' });
  expect(r.status).toBe(503);
  expect(r.headers.get('retry-after')).toBe('5');
  expect(r.body).toMatchObject({ type: 'urn:gridledger:problem:ledger-unavailable' });
  const ready = await gw.request('GET', '/readyz');
  expect(ready.status).toBe(503);
  expect(ready.body).toMatchObject({ status: 'not-ready', checks: { store: 'ok' } });
});
