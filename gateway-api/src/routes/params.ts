import { canonicalJson, validateLendingParams } from '@gridledger/core';
import { defineOperation } from '../http/operation';
import { ProblemError } from '../http/problem';
import { ALL_ROLES } from '../openapi/document';
import { parseResult, transactionResource } from './transactions';

const utf8 = new TextDecoder();

/** GET /v1/params/lending: evaluates params:GetLendingParams. */
export const getLendingParams = defineOperation({
  operationId: 'getLendingParams',
  roles: ALL_ROLES,
  async handle(ctx) {
    const out = await ctx.deps.ledger.evaluate('params:GetLendingParams', [], { identity: ctx.identity });
    return { status: 200, body: parseResult(utf8.decode(out)) };
  },
});

/** GET /v1/params/lending/history: evaluates params:GetLendingParamsHistory. */
export const getLendingParamsHistory = defineOperation({
  operationId: 'getLendingParamsHistory',
  roles: ALL_ROLES,
  async handle(ctx) {
    const out = await ctx.deps.ledger.evaluate('params:GetLendingParamsHistory', [], { identity: ctx.identity });
    return { status: 200, body: parseResult(utf8.decode(out)) ?? [] };
  },
});

/** PUT /v1/params/lending: submits params:SetLendingParams asynchronously (Utility admin). */
export const setLendingParams = defineOperation({
  operationId: 'setLendingParams',
  roles: ['utility-admin'],
  async handle(ctx) {
    let params;
    try {
      // The schema checked the shape; this checks what a schema cannot (W_b + W_g = 100, ...).
      params = validateLendingParams(ctx.body);
    } catch (err) {
      throw new ProblemError('invalid-argument', (err as Error).message);
    }
    let rec = await ctx.deps.transactions.submit({
      fn: 'params:SetLendingParams',
      args: [canonicalJson(params)],
      identity: ctx.identity,
      submitter: ctx.caller!.id,
      idempotency: ctx.idempotency,
    });
    if (ctx.query.wait && rec.status === 'endorsed') rec = (await ctx.deps.transactions.waitFor(rec.txId, ctx.deps.config.fabric.commitStatusTimeoutMs)) ?? rec;
    const location = `/v1/transactions/${rec.txId}`;
    return { status: rec.status === 'endorsed' ? 202 : 200, body: transactionResource(rec), headers: { Location: location } };
  },
});
