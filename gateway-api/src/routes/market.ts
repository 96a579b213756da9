/**
 * Market routes (trading paper): the Utility opens, closes and clears trading cycles; relays submit
 * and cancel orders signed by the traders' registered accounts; sellers invoice and acknowledge
 * obligations; anyone proves a payment or reports an unpaid one; everyone reads books and results.
 * Every submit is idempotent and asynchronous exactly as PUT /v1/params/lending; orders go through
 * the order batcher (`market:SubmitOrders`).
 */
import { canonicalJson, MARKET_ACTIONS, validateMarketParams, verifyRequest } from '@gridledger/core';
import { defineOperation, OperationContext, OperationModule, Reply } from '../http/operation';
import { ProblemError } from '../http/problem';
import { ALL_ROLES } from '../openapi/document';
import { marketService } from '../services/market';
import { accountLane, ownBatchReply } from '../services/relay-batcher';
import type { TransactionRecord } from '../store/store';
import { parseResult, transactionResource } from './transactions';

const utf8 = new TextDecoder();
const RELAYS = ['user-relay', 'operator-admin'] as const;

async function query(ctx: OperationContext, fn: string, args: string[]): Promise<Reply> {
  const out = await ctx.deps.ledger.evaluate(`market:${fn}`, args, { identity: ctx.identity });
  return { status: 200, body: parseResult(utf8.decode(out)) };
}

/** The reply of a submit: 202 (endorsed) or, with `wait=true`, 200 once committed or rejected. */
async function settle(ctx: OperationContext, rec: TransactionRecord, extra: (body: Record<string, unknown>) => Record<string, unknown> = (b) => b): Promise<Reply> {
  if (ctx.query.wait && rec.status === 'endorsed') rec = (await ctx.deps.transactions.waitFor(rec.txId, ctx.deps.config.fabric.commitStatusTimeoutMs)) ?? rec;
  return { status: rec.status === 'endorsed' ? 202 : 200, body: extra(transactionResource(rec)), headers: { Location: `/v1/transactions/${rec.txId}` } };
}

async function submit(ctx: OperationContext, fn: string, args: string[]): Promise<Reply> {
  return settle(ctx, await ctx.deps.transactions.submit({ fn: `market:${fn}`, args, identity: ctx.identity, submitter: ctx.caller!.id, idempotency: ctx.idempotency }));
}

type Signed = { body: Record<string, unknown> & { account: string }; signature: string };

/** Checks the end user's signature at the edge, so a forged request never reaches an endorser. */
function verified(ctx: OperationContext, action: string): Signed {
  const s = ctx.body as Signed;
  if (!verifyRequest(action, s.body, s.body.account, s.signature)) {
    throw new ProblemError('invalid-argument', `INVALID_SIGNATURE: ${action}: the signature does not match the request and account`, { code: 'INVALID_SIGNATURE' });
  }
  return s;
}

/** A verified request as the chaincode's single functions take it: canonical body, signature. */
function signedArgs(ctx: OperationContext, action: string): [string, string] {
  const s = verified(ctx, action);
  return [canonicalJson(s.body), s.signature];
}

/**
 * Relays a verified order through the order batcher: one account's orders always share a lane, so
 * its nonces apply in order; the reply is the batch's transaction with the caller's own order
 * record as `result`, `batchSize` and `index`.
 */
async function submitOrder(ctx: OperationContext): Promise<Reply> {
  const { body, signature } = verified(ctx, MARKET_ACTIONS.order);
  const svc = marketService(ctx.deps);
  const out = await svc.orders.relay(accountLane(body.account, svc.orderLanes), { body, signature }, ctx.caller!.id, ctx.idempotency, ctx.identity);
  return settle(ctx, out.record, ownBatchReply(out));
}

/** The signed body must name the obligation of the path. */
function samePath(ctx: OperationContext): void {
  const b = (ctx.body as Signed).body;
  if (b.cycleId !== ctx.params.cycleId || String(b.index) !== String(ctx.params.index)) {
    throw new ProblemError('invalid-argument', `the signed body names obligation ${String(b.cycleId)}/${String(b.index)}, the path ${ctx.params.cycleId}/${ctx.params.index}`);
  }
}

const q = (ctx: OperationContext, name: string): string => (ctx.query[name] === undefined ? '' : String(ctx.query[name]));

export const marketOperations: OperationModule[] = [
  defineOperation({ operationId: 'getMarketParams', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'GetMarketParams', []) }),
  defineOperation({
    operationId: 'setMarketParams',
    roles: ['utility-admin'],
    handle: (ctx) => {
      try {
        validateMarketParams(ctx.body);
      } catch (err) {
        throw new ProblemError('invalid-argument', (err as Error).message);
      }
      return submit(ctx, 'SetMarketParams', [canonicalJson(ctx.body)]);
    },
  }),
  defineOperation({ operationId: 'listMarketCycles', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'ListCycles', []) }),
  defineOperation({
    operationId: 'openMarketCycle',
    roles: ['utility-admin'],
    handle: (ctx) => {
      const b = ctx.body as { cycleId: string; lengthS?: number };
      return submit(ctx, 'OpenCycle', [b.cycleId, canonicalJson(b.lengthS === undefined ? {} : { lengthS: b.lengthS })]);
    },
  }),
  defineOperation({ operationId: 'getMarketCycle', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'GetCycle', [ctx.params.cycleId]) }),
  defineOperation({ operationId: 'closeMarketCycle', roles: ['utility-admin'], handle: (ctx) => submit(ctx, 'CloseCycle', [ctx.params.cycleId]) }),
  defineOperation({ operationId: 'clearMarketCycle', roles: ['utility-admin'], handle: (ctx) => submit(ctx, 'ClearCycle', [ctx.params.cycleId]) }),
  defineOperation({ operationId: 'getMarketBook', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'GetBook', [ctx.params.cycleId, q(ctx, 'side'), q(ctx, 'limit')]) }),
  defineOperation({ operationId: 'getMarketTrades', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'GetTrades', [ctx.params.cycleId, q(ctx, 'from'), q(ctx, 'limit')]) }),
  defineOperation({ operationId: 'submitMarketOrder', roles: [...RELAYS], handle: submitOrder }),
  defineOperation({ operationId: 'cancelMarketOrder', roles: [...RELAYS], handle: (ctx) => submit(ctx, 'CancelOrder', signedArgs(ctx, MARKET_ACTIONS.cancel)) }),
  defineOperation({ operationId: 'getMarketObligation', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'GetObligation', [ctx.params.cycleId, ctx.params.index]) }),
  defineOperation({
    operationId: 'invoiceMarketObligation',
    roles: [...RELAYS],
    handle: (ctx) => {
      samePath(ctx);
      return submit(ctx, 'InvoiceObligation', signedArgs(ctx, MARKET_ACTIONS.invoice));
    },
  }),
  defineOperation({
    operationId: 'acknowledgeMarketPayment',
    roles: [...RELAYS],
    handle: (ctx) => {
      samePath(ctx);
      return submit(ctx, 'AcknowledgePayment', signedArgs(ctx, MARKET_ACTIONS.ack));
    },
  }),
  defineOperation({
    operationId: 'proveMarketPayment',
    roles: ALL_ROLES,
    handle: (ctx) => submit(ctx, 'ProvePayment', [ctx.params.cycleId, ctx.params.index, (ctx.body as { preimage: string }).preimage]),
  }),
  defineOperation({ operationId: 'reportMarketDefault', roles: ALL_ROLES, handle: (ctx) => submit(ctx, 'ReportUnpaid', [ctx.params.cycleId, ctx.params.index]) }),
  defineOperation({ operationId: 'listMarketDefaults', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'ListDefaults', [q(ctx, 'account')]) }),
];
