import { defineOperation } from '../http/operation';
import { renderHtml } from '../openapi/render';

/** GET /healthz: the process is up. */
export const getHealth = defineOperation({
  operationId: 'getHealth',
  roles: 'public',
  async handle(ctx) {
    return { status: 200, body: { status: 'ok', uptimeSeconds: Math.round((Date.now() - ctx.deps.startedAt) / 1000) } };
  },
});

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

/** GET /readyz: the org's peer answers and the store accepts a write. */
export const getReadiness = defineOperation({
  operationId: 'getReadiness',
  roles: 'public',
  async handle(ctx) {
    const { ledger, store, events } = ctx.deps;
    const [peer, st] = await Promise.all([
      withTimeout(ledger.ping(2_000), 2_500).then(() => 'ok', (e: Error) => `unreachable: ${e.message}`),
      withTimeout(store.ping(), 2_500).then(() => 'ok', (e: Error) => `not writable: ${e.message}`),
    ]);
    const ready = peer === 'ok' && st === 'ok';
    const eventState = events.connected ? 'streaming' : events.lastError ? `reconnecting: ${events.lastError}` : 'idle';
    return { status: ready ? 200 : 503, body: { status: ready ? 'ready' : 'not-ready', checks: { peer, store: st, events: eventState } } };
  },
});

/** GET /metrics: Prometheus text format. */
export const getMetrics = defineOperation({
  operationId: 'getMetrics',
  roles: 'public',
  async handle(ctx) {
    const text = await ctx.deps.metrics.registry.metrics();
    return { status: 200, body: text, contentType: ctx.deps.metrics.registry.contentType };
  },
});

/** GET /openapi.json: the document. */
export const getOpenApi = defineOperation({
  operationId: 'getOpenApi',
  roles: 'public',
  async handle(ctx) {
    return { status: 200, body: ctx.deps.document };
  },
});

let cachedHtml: { doc: unknown; html: string } | undefined;

/** GET /docs: a self-contained page rendered from the document (no scripts, no outside requests). */
export const getDocs = defineOperation({
  operationId: 'getDocs',
  roles: 'public',
  async handle(ctx) {
    if (cachedHtml?.doc !== ctx.deps.document) cachedHtml = { doc: ctx.deps.document, html: renderHtml(ctx.deps.document) };
    ctx.res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    return { status: 200, body: cachedHtml.html, contentType: 'text/html; charset=utf-8' };
  },
});
