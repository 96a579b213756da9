import { SAMPLE_PARAMS, startTestGateway, TEST_KEYS } from '../testing/harness';
import { RateLimiter } from './rate-limit';
import { redact } from './logger';

test('token bucket: burst, then refill at the configured rate', () => {
  let now = 0;
  const rl = new RateLimiter(60, 3, () => now);
  expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
  expect(rl.take('a')).toBe(1);
  expect(rl.take('b')).toBe(0);
  now += 1_000;
  expect(rl.take('a')).toBe(0);
  expect(rl.take('a')).toBeGreaterThan(0);
});

test('per-caller rate limit answers 429 with Retry-After; probes are not limited', async () => {
  const gw = await startTestGateway({ config: { rateLimit: { requestsPerMinute: 60, burst: 2 } } });
  try {
    const get = () => gw.request('GET', '/v1/params/lending/history', { role: 'user-relay' });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const limited = await get();
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.body).toMatchObject({ type: 'urn:gridledger:problem:rate-limited', status: 429 });
    // Another caller has its own bucket.
    expect((await gw.request('GET', '/v1/params/lending/history', { role: 'operator-admin' })).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await gw.request('GET', '/healthz')).status).toBe(200);
    expect(await (await fetch(`${gw.url}/metrics`)).text()).toMatch(/gridledger_rate_limited_total 1/);
  } finally {
    await gw.close();
  }
});

test('bodies over the limit are 413; malformed JSON 400; other media types 415', async () => {
  const gw = await startTestGateway({ config: { server: { host: '127.0.0.1', port: 0, bodyLimitBytes: 1024, trustProxy: false, shutdownGraceMs: 500 } } });
  try {
    const h = { 'idempotency-key': 'k', 'content-type': 'application/json' };
    const big = await gw.request('PUT', '/v1/params/lending', { role: 'utility-admin', rawBody: JSON.stringify({ ...SAMPLE_PARAMS, x: 'y'.repeat(2_000) }), headers: h });
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ type: 'urn:gridledger:problem:payload-too-large' });
    const broken = await gw.request('PUT', '/v1/params/lending', { role: 'utility-admin', rawBody: '{"W_b": ', headers: { ...h, 'idempotency-key': 'k2' } });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ type: 'urn:gridledger:problem:malformed-json' });
    const form = await gw.request('PUT', '/v1/params/lending', { role: 'utility-admin', rawBody: 'a=b', headers: { 'idempotency-key': 'k3', 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(gw.ledger.submitted).toHaveLength(0);
  } finally {
    await gw.close();
  }
});

test('unknown paths are 404 and wrong methods 405 with Allow, as problems', async () => {
  const gw = await startTestGateway();
  try {
    const nf = await gw.request('GET', '/v1/nothing', { role: 'user-relay' });
    expect(nf.status).toBe(404);
    expect(nf.body).toMatchObject({ type: 'urn:gridledger:problem:not-found' });
    const na = await gw.request('DELETE', '/v1/params/lending', { role: 'utility-admin' });
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toBe('GET, PUT, HEAD');
    const unknownQuery = await gw.request('GET', '/v1/params/lending/history?colour=red', { role: 'user-relay' });
    expect(unknownQuery.status).toBe(400);
  } finally {
    await gw.close();
  }
});

test('logs are JSON lines with request ids, and never hold keys or Authorization headers', async () => {
  const gw = await startTestGateway();
  try {
    const r = await gw.request('PUT', '/v1/params/lending', {
      key: TEST_KEYS['utility-admin'],
      body: SAMPLE_PARAMS,
      headers: { 'idempotency-key': 'log-1', 'x-request-id': 'req-abc-123' },
    });
    expect(r.headers.get('x-request-id')).toBe('req-abc-123');
    await gw.request('GET', '/v1/params/lending', { headers: { authorization: `Bearer ${TEST_KEYS['user-relay']}` } });
    await gw.request('GET', '/v1/params/lending', { key: 'some-wrong-secret-key' });
    const lines = gw.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = lines.find((l) => l.requestId === 'req-abc-123' && l.msg === 'request');
    expect(access).toMatchObject({ level: 'info', method: 'PUT', route: '/v1/params/lending', status: 202, caller: 'utility-admin-caller', role: 'utility-admin' });
    const all = gw.logLines.join('\n');
    for (const secret of [...Object.values(TEST_KEYS), 'some-wrong-secret-key']) expect(all).not.toContain(secret);
  } finally {
    await gw.close();
  }
});

test('redact hides secret-looking fields at any depth', () => {
  expect(redact({ a: 1, authorization: 'Bearer x', nested: { apiKey: 'k', privateKeyPem: 'p', proof: { pi_a: [] }, ok: 'yes' } })).toEqual({
    a: 1,
    authorization: '[redacted]',
    nested: { apiKey: '[redacted]', privateKeyPem: '[redacted]', proof: '[redacted]', ok: 'yes' },
  });
});

test('metrics expose request latency by route and Fabric endorse/commit latency', async () => {
  const gw = await startTestGateway();
  try {
    await gw.request('PUT', '/v1/params/lending?wait=true', { role: 'utility-admin', body: SAMPLE_PARAMS, headers: { 'idempotency-key': 'm-1' } });
    await gw.request('GET', '/v1/params/lending', { role: 'user-relay' });
    const text = (await gw.request('GET', '/metrics')).text;
    expect(text).toMatch(/gridledger_http_request_duration_seconds_count\{method="PUT",route="\/v1\/params\/lending",status="200"\} 1/);
    expect(text).toMatch(/gridledger_fabric_endorse_duration_seconds_count\{function="params:SetLendingParams",outcome="ok"\} 1/);
    expect(text).toMatch(/gridledger_fabric_commit_duration_seconds_count\{function="params:SetLendingParams",code="VALID"\} 1/);
    expect(text).toMatch(/gridledger_fabric_evaluate_duration_seconds_count\{function="params:GetLendingParams",outcome="ok"\} 1/);
    expect(text).toMatch(/# TYPE gridledger_proof_verification_duration_seconds histogram/);
    expect(text).toMatch(/# TYPE gridledger_channel_updates_total counter/);
  } finally {
    await gw.close();
  }
});
