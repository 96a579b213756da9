import type { TransactionRecord } from '../store/store';
import { ALL_ROLES } from '../openapi/document';
import { defineOperation } from '../http/operation';
import { ProblemError } from '../http/problem';

/** Parses a chaincode result as JSON when it is JSON. */
export function parseResult(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The public shape of a transaction resource. */
export function transactionResource(rec: TransactionRecord): Record<string, unknown> {
  const result = parseResult(rec.result);
  return {
    id: rec.txId,
    function: rec.fn,
    status: rec.status,
    ...(rec.validationCode ? { validationCode: rec.validationCode } : {}),
    ...(rec.blockNumber !== undefined ? { blockNumber: rec.blockNumber } : {}),
    ...(result !== undefined ? { result } : {}),
    submittedBy: rec.submitter,
    createdAt: new Date(rec.createdAt).toISOString(),
    updatedAt: new Date(rec.updatedAt).toISOString(),
    links: { self: `/v1/transactions/${rec.txId}` },
  };
}

/** GET /v1/transactions/{id}: a submitted transaction's status; `wait=true` waits for the commit. */
export const getTransaction = defineOperation({
  operationId: 'getTransaction',
  roles: ALL_ROLES,
  async handle(ctx) {
    const id = ctx.params.id;
    const rec = ctx.query.wait
      ? await ctx.deps.transactions.waitFor(id, ((ctx.query.timeout as number | undefined) ?? 30) * 1000)
      : await ctx.deps.store.getTransaction(id);
    if (!rec) throw new ProblemError('not-found', `No transaction ${id} was submitted through this gateway.`);
    return { status: 200, body: transactionResource(rec) };
  },
});
