import { createHash } from 'node:crypto';
import { canonicalJson } from '@gridledger/core';
import type { Store, StoredResponse } from '../store/store';
import type { GatewayMetrics } from './metrics';
import type { OperationContext, Reply } from './operation';
import { ProblemError, toProblem } from './problem';

/** SHA-256 over the method, the path with its query, and the canonical JSON of the body. */
export function requestHash(method: string, url: string, body: unknown): string {
  let canonical: string;
  try {
    canonical = body === undefined ? '' : canonicalJson(body);
  } catch {
    canonical = JSON.stringify(body) ?? '';
  }
  return createHash('sha256').update(`${method.toUpperCase()} ${url}\n${canonical}`).digest('hex');
}

/**
 * Runs a state-changing operation under its `Idempotency-Key`: claims the key in the store (scoped
 * to the caller), replays a finished response, refuses a reused key with another body (422) or a
 * key still in flight (409), and stores the outcome. Client errors are stored like successes (the
 * same request gets the same answer); server errors free the key for a retry, keeping any
 * transaction already prepared so the retry resubmits the same transaction id.
 */
export async function runIdempotent(ctx: OperationContext, store: Store, metrics: GatewayMetrics, leaseMs: number, handler: () => Promise<Reply>): Promise<Reply> {
  const key = ctx.req.get('idempotency-key');
  if (!key) throw new ProblemError('idempotency-key-missing', 'Send an Idempotency-Key header (1-128 visible ASCII characters) unique to this change.');
  const scope = ctx.caller?.id ?? 'anonymous';
  const hash = requestHash(ctx.req.method, ctx.req.originalUrl.replace(/[?&]wait=[^&]*/g, ''), ctx.body);
  const claim = await store.claimIdempotencyKey(scope, key, hash, Date.now(), leaseMs);
  switch (claim.outcome) {
    case 'mismatch':
      throw new ProblemError('idempotency-key-reused', 'This Idempotency-Key was already used with a different request; use a new key for a new change.');
    case 'in-flight':
      throw new ProblemError('idempotency-key-in-flight', 'The first request with this Idempotency-Key is still being processed; retry later.', {
        headers: { 'Retry-After': '1' },
      });
    case 'done': {
      metrics.idempotentReplays.inc();
      const r = claim.record.response as StoredResponse;
      return { status: r.status, body: r.body, headers: { ...r.headers, 'Idempotent-Replayed': 'true' }, contentType: r.headers['content-type'] };
    }
    case 'claimed':
      break;
  }
  ctx.idempotency = {
    scope,
    key,
    prior: claim.record.txId && claim.record.proposal ? { txId: claim.record.txId, proposal: claim.record.proposal } : undefined,
  };
  let reply: Reply;
  try {
    reply = await handler();
  } catch (err) {
    // A refused request changed nothing, on the ledger or here: the key is released, so the store is as
    // before and the client may send the corrected request under the same key.
    await store.releaseIdempotencyKey(scope, key).catch(() => undefined);
    throw toProblem(err);
  }
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.contentType) headers['content-type'] = reply.contentType;
  await store.completeIdempotencyKey(scope, key, { status: reply.status, headers, body: reply.body });
  return reply;
}
