/**
 * The OpenAPI document and the routes agree: every route is documented, every documented operation
 * is mounted, and every response a route gives (status, content type, body) is the documented one.
 */
import { ValidateFunction } from 'ajv/dist/2020';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineOperation } from './operation';
import { documentedOperations, openApiDocument, DocumentedOperation } from '../openapi/document';
import { renderHtml, renderMarkdown } from '../openapi/render';
import { allOperations } from '../routes';
import { SAMPLE_PARAMS, startTestGateway, TestGateway, TestResponse } from '../testing/harness';
import { installMarketFakes, walkMarket } from '../testing/market-fixtures';
import { installLendingFakes, walkLending } from '../testing/lending-fixtures';
import { installChannelFakes, walkChannels } from '../testing/channel-fixtures';
import { installConsoleFakes, walkConsole } from '../testing/console-fixtures';
import { pairOperations, expressPath, RouteContractError } from './router';
import { compileSchema, createAjv, resolveRef } from './validation';

const doc = openApiDocument;
const ops = documentedOperations(doc);
const ajv = createAjv(doc);

test('the document is OpenAPI 3.1 with unique operation ids, each with x-roles', () => {
  expect(doc.openapi).toBe('3.1.0');
  const ids = ops.map((o) => o.operationId);
  expect(new Set(ids).size).toBe(ids.length);
  for (const o of ops) expect(o.roles.length).toBeGreaterThan(0);
});

test('every documented operation has a route module and every module is documented', () => {
  expect(() => pairOperations(ops, allOperations)).not.toThrow();
  expect(new Set(allOperations.map((m) => m.operationId))).toEqual(new Set(ops.map((o) => o.operationId)));
});

test('the router refuses an undocumented route, a missing route, and roles that differ from x-roles', () => {
  const undocumented = defineOperation({ operationId: 'sneaky', roles: ['user-relay'], handle: async () => ({ status: 200 }) });
  expect(() => pairOperations(ops, [...allOperations, undocumented])).toThrow(/sneaky is not in the OpenAPI document/);
  expect(() => pairOperations(ops, allOperations.filter((m) => m.operationId !== 'getTransaction'))).toThrow(/getTransaction .* has no route module/);
  const wrongRoles = allOperations.map((m) => (m.operationId === 'setLendingParams' ? { ...m, roles: ['utility-admin', 'user-relay'] as const } : m));
  expect(() => pairOperations(ops, wrongRoles)).toThrow(RouteContractError);
});

describe('mounted routes', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  test('the Express routes are exactly the documented paths and methods', () => {
    const router = (gw.gateway.app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router;
    const mounted = new Set<string>();
    for (const layer of router.stack) {
      if (!layer.route || layer.route.methods.unsubscribe) continue; // the 405 catch-alls (app.all)
      for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') mounted.add(`${m} ${layer.route.path}`);
    }
    expect(mounted).toEqual(new Set(ops.map((o) => `${o.method} ${expressPath(o.path)}`)));
  });

  test('/openapi.json serves the document and /docs renders it without any outside resource', async () => {
    const j = await gw.request('GET', '/openapi.json');
    expect(j.body).toEqual(JSON.parse(JSON.stringify(doc)));
    const h = await gw.request('GET', '/docs');
    expect(h.headers.get('content-type')).toMatch(/^text\/html/);
    for (const o of ops) expect(h.text).toContain(o.operationId);
    expect(h.text).not.toMatch(/<script|<link|src=|https?:\/\//i);
  });

  test('docs/api.md is generated from the document and up to date (npm run docs:api -w gateway-api)', () => {
    const file = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'api.md'), 'utf8');
    expect(file).toBe(renderMarkdown(doc));
    expect(renderHtml(doc)).toContain('<!doctype html>');
  });

  /** Checks one response against the document; returns the `operationId status` it covers. */
  function checkResponse(op: DocumentedOperation, r: TestResponse): string {
    const responses = op.spec.responses as Record<string, unknown>;
    const documented = responses[String(r.status)];
    if (!documented) throw new Error(`${op.operationId} answered ${r.status}, which is not documented (${r.text.slice(0, 200)})`);
    const resp = resolveRef<{ content?: Record<string, { schema?: unknown }> }>(doc, documented);
    const type = (r.headers.get('content-type') ?? '').split(';')[0];
    const content = resp.content ?? {};
    if (!content[type]) throw new Error(`${op.operationId} ${r.status}: content type ${type} not documented (${Object.keys(content).join(', ')})`);
    const schema = content[type].schema;
    if (schema && /json/.test(type)) {
      const validate: ValidateFunction = compileSchema(ajv, schema);
      if (!validate(r.body)) throw new Error(`${op.operationId} ${r.status} body does not match its schema: ${ajv.errorsText(validate.errors)}\n${r.text.slice(0, 500)}`);
    }
    return `${op.operationId} ${r.status}`;
  }

  test('every response of a walk through all operations is documented and matches its schema', async () => {
    const byId = new Map(ops.map((o) => [o.operationId, o]));
    const seen = new Set<string>();
    const call = async (id: string, method: string, path: string, opts: Parameters<TestGateway['request']>[2] = {}): Promise<TestResponse> => {
      const r = await gw.request(method, path, opts);
      seen.add(checkResponse(byId.get(id)!, r));
      return r;
    };
    await call('getHealth', 'GET', '/healthz');
    await call('getReadiness', 'GET', '/readyz');
    await call('getMetrics', 'GET', '/metrics');
    await call('getOpenApi', 'GET', '/openapi.json');
    await call('getDocs', 'GET', '/docs');
    await call('getLendingParams', 'GET', '/v1/params/lending', { role: 'user-relay' }); // 404
    await call('getLendingParams', 'GET', '/v1/params/lending'); // 401
    await call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'user-relay', body: SAMPLE_PARAMS, headers: { 'idempotency-key': 'a' } }); // 403
    await call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'utility-admin', body: SAMPLE_PARAMS }); // 400 missing key
    await call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'utility-admin', rawBody: 'x=1', headers: { 'idempotency-key': 'b', 'content-type': 'text/plain' } }); // 415
    await call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'utility-admin', rawBody: JSON.stringify({ ...SAMPLE_PARAMS, pad: 'x'.repeat(70_000) }), headers: { 'idempotency-key': 'c', 'content-type': 'application/json' } }); // 413
    await call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'utility-admin', body: { ...SAMPLE_PARAMS, W_b: 10 }, headers: { 'idempotency-key': 'd' } }); // 422
    gw.ledger.holdCommits = true;
    const accepted = await call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'utility-admin', body: SAMPLE_PARAMS, headers: { 'idempotency-key': 'e' } }); // 202
    gw.ledger.holdCommits = false;
    gw.ledger.release();
    await call('setLendingParams', 'PUT', '/v1/params/lending?wait=true', { role: 'utility-admin', body: { ...SAMPLE_PARAMS, interestBps: 1 }, headers: { 'idempotency-key': 'f' } }); // 200
    gw.ledger.submitDelayMs = 300;
    const slow = call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'utility-admin', body: { ...SAMPLE_PARAMS, interestBps: 2 }, headers: { 'idempotency-key': 'g' } });
    await new Promise((r) => setTimeout(r, 100));
    await call('setLendingParams', 'PUT', '/v1/params/lending', { role: 'utility-admin', body: { ...SAMPLE_PARAMS, interestBps: 2 }, headers: { 'idempotency-key': 'g' } }); // 409
    await slow;
    gw.ledger.submitDelayMs = 0;
    await call('getLendingParams', 'GET', '/v1/params/lending', { role: 'user-relay' }); // 200
    await call('getLendingParamsHistory', 'GET', '/v1/params/lending/history', { role: 'guarantor-admin' });
    const txId = (accepted.body as { id: string }).id;
    await call('getTransaction', 'GET', `/v1/transactions/${txId}?wait=true&timeout=2`, { role: 'operator-admin' });
    await call('getTransaction', 'GET', `/v1/transactions/${'0'.repeat(64)}`, { role: 'operator-admin' }); // 404
    await call('getTransaction', 'GET', '/v1/transactions/not-hex', { role: 'operator-admin' }); // 400
    await call('streamEvents', 'GET', '/v1/events?after=-1', { role: 'user-relay' }); // 400
    installMarketFakes(gw.ledger);
    await walkMarket(call);
    installLendingFakes(gw.ledger, gw.deps);
    await walkLending(call);
    await walkChannels(call, await installChannelFakes(gw.ledger, gw.store));
    await installConsoleFakes(gw.ledger, gw.store);
    for (const covered of await walkConsole(call, gw.deps, gw.url)) seen.add(covered);
    gw.ledger.reachable = false;
    await call('getReadiness', 'GET', '/readyz'); // 503
    await call('getLendingParamsHistory', 'GET', '/v1/params/lending/history', { role: 'user-relay' }); // 503
    gw.ledger.reachable = true;
    // The event stream: read the head of the response and check its framing and Event schema.
    const ctrl = new AbortController();
    const res = await fetch(`${gw.url}/v1/events?after=0`, { headers: { 'x-api-key': 'test-key-user-relay-0123456789' }, signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    while (!/\n\n(?:.|\n)*data: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    const data = JSON.parse(/data: (.*)\n/.exec(text)![1]);
    const eventSchema = compileSchema(ajv, { $ref: '#/components/schemas/Event' });
    expect(eventSchema(data)).toBe(true);
    seen.add('streamEvents 200');

    // Every 2xx documented anywhere was produced by the walk.
    for (const o of ops) for (const status of Object.keys(o.spec.responses as object)) if (status.startsWith('2')) expect(seen).toContain(`${o.operationId} ${status}`);
    expect(seen.size).toBeGreaterThan(20);
  });
});
