/**
 * Lending routes of the paper's phases: accounts and meters (setup), guarantors and credentials
 * (endorsement), pools (crowdfunding, withdrawal), loans (borrow, repay, default, tracing). Every
 * submit is idempotent and asynchronous exactly as PUT /v1/params/lending.
 */
import {
  BorrowRequest, canonicalJson, credentialLeaf, createTraceShare, guarantorIdForMsp, pointEquals, pointToJson, toBabyPoint, toField,
  verifyRequest, WithdrawRequest,
} from '@gridledger/core';
import type { IdentityKind } from '../fabric/ledger';
import { defineOperation, OperationContext, OperationModule, Reply } from '../http/operation';
import { ProblemError } from '../http/problem';
import { ALL_ROLES } from '../openapi/document';
import { lendingService } from '../services/lending';
import { accountLane, ownBatchReply } from '../services/relay-batcher';
import type { TransactionRecord } from '../store/store';
import { parseResult, transactionResource } from './transactions';

const utf8 = new TextDecoder();

/** Evaluates a query and answers its JSON. */
async function query(ctx: OperationContext, fn: string, args: string[]): Promise<Reply> {
  const out = await ctx.deps.ledger.evaluate(fn, args, { identity: ctx.identity });
  return { status: 200, body: parseResult(utf8.decode(out)) };
}

/** The reply of a submit: 202 (endorsed) or, with `wait=true`, 200 once committed or rejected. */
async function settle(ctx: OperationContext, rec: TransactionRecord, extra: (body: Record<string, unknown>) => Record<string, unknown> = (b) => b): Promise<Reply> {
  if (ctx.query.wait && rec.status === 'endorsed') rec = (await ctx.deps.transactions.waitFor(rec.txId, ctx.deps.config.fabric.commitStatusTimeoutMs)) ?? rec;
  return { status: rec.status === 'endorsed' ? 202 : 200, body: extra(transactionResource(rec)), headers: { Location: `/v1/transactions/${rec.txId}` } };
}

/** Submits one chaincode function with the caller's org identity. */
async function submit(ctx: OperationContext, fn: string, args: string[], identity: IdentityKind = ctx.identity): Promise<Reply> {
  const rec = await ctx.deps.transactions.submit({ fn, args, identity, submitter: ctx.caller!.id, idempotency: ctx.idempotency });
  return settle(ctx, rec);
}

/** Checks an end user's signature at the gateway, so a forged request never reaches an endorser. */
function requireSigned(action: string, body: Record<string, unknown>, signer: unknown, signature: string): void {
  if (!verifyRequest(action, body, signer as string, signature)) {
    throw new ProblemError('invalid-argument', `INVALID_SIGNATURE: ${action}: the signature does not match the request and key`, { code: 'INVALID_SIGNATURE' });
  }
}

type Signed<B> = { body: B & Record<string, unknown>; signature: string };

const samePath = (what: string, inPath: string, inBody: string): void => {
  if (inPath !== inBody) throw new ProblemError('invalid-argument', `${what} in the path (${inPath}) and in the signed body (${inBody}) differ`);
};

// ---------------------------------------------------------------- accounts and meters

export const getAccount = defineOperation({ operationId: 'getAccount', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'accounts:GetAccount', [ctx.params.account]) });

export const issuePay = defineOperation({
  operationId: 'issuePay',
  roles: ['utility-admin'],
  handle: (ctx) => submit(ctx, 'accounts:IssuePay', [ctx.params.account, String((ctx.body as { amount: number }).amount)]),
});

export const transfer = defineOperation({
  operationId: 'transfer',
  roles: ['user-relay'],
  async handle(ctx) {
    const { body, signature } = ctx.body as Signed<{ from: string }>;
    requireSigned('transfer', body, body.from, signature);
    return submit(ctx, 'accounts:Transfer', [canonicalJson(body), signature]);
  },
});

export const redeem = defineOperation({
  operationId: 'redeem',
  roles: ['user-relay'],
  async handle(ctx) {
    const { body, signature } = ctx.body as Signed<{ account: string }>;
    requireSigned('redeem', body, body.account, signature);
    return submit(ctx, 'accounts:Redeem', [canonicalJson(body), signature]);
  },
});

export const registerMeter = defineOperation({
  operationId: 'registerMeter',
  roles: ['utility-admin'],
  async handle(ctx) {
    const b = ctx.body as { meterId: string; publicKey: string; owner: string };
    return submit(ctx, 'accounts:RegisterMeter', [b.meterId, b.publicKey, b.owner]);
  },
});

export const getMeter = defineOperation({ operationId: 'getMeter', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'accounts:GetMeter', [ctx.params.meterId]) });

export const mintFromMeter = defineOperation({
  operationId: 'mintFromMeter',
  roles: ['utility-admin'],
  async handle(ctx) {
    const { reading, signature } = ctx.body as { reading: Record<string, unknown>; signature: string };
    return submit(ctx, 'accounts:MintFromMeter', [canonicalJson(reading), signature]);
  },
});

// ---------------------------------------------------------------- guarantors and credentials

export const listGuarantors = defineOperation({ operationId: 'listGuarantors', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'guarantor:ListGuarantors', []) });
export const getGuarantor = defineOperation({ operationId: 'getGuarantor', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'guarantor:GetGuarantor', [ctx.params.msp]) });
export const getCredentialPath = defineOperation({
  operationId: 'getCredentialPath',
  roles: ALL_ROLES,
  handle: (ctx) => query(ctx, 'guarantor:GetCredentialPath', [ctx.params.msp, String(ctx.params.leafIndex)]),
});
export const getUtilityTraceKey = defineOperation({ operationId: 'getUtilityTraceKey', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'guarantor:GetUtilityTraceKey', []) });

export const registerGuarantor = defineOperation({
  operationId: 'registerGuarantor',
  roles: ['utility-admin'],
  async handle(ctx) {
    const b = ctx.body as { msp: string; name: string; score: number; tracePublicKey: [string, string]; account: string };
    return submit(ctx, 'guarantor:RegisterGuarantor', [b.msp, b.name, String(b.score), JSON.stringify(b.tracePublicKey), b.account]);
  },
});

export const setUtilityTraceKey = defineOperation({
  operationId: 'setUtilityTraceKey',
  roles: ['utility-admin'],
  async handle(ctx) {
    const given = (ctx.body as { publicKey?: [string, string] } | undefined)?.publicKey;
    const own = lendingService(ctx.deps).traceKey();
    if (!given && !own) throw new ProblemError('invalid-argument', 'Send publicKey, or configure the gateway\'s tracing key file (GRIDLEDGER_TRACE_KEY_FILE).');
    if (given && own && !pointEquals(toBabyPoint(given, 'publicKey'), own.publicKey)) {
      throw new ProblemError('invalid-argument', 'publicKey is not the public half of this gateway\'s configured tracing key.');
    }
    const pk = given ?? pointToJson(own!.publicKey);
    return submit(ctx, 'guarantor:SetUtilityTraceKey', [JSON.stringify(pk)]);
  },
});

export const issueCredential = defineOperation({
  operationId: 'issueCredential',
  roles: ['guarantor-admin'],
  async handle(ctx) {
    const b = ctx.body as { leaf?: string; identityCommitment?: string; score?: number; identity?: string };
    const svc = lendingService(ctx.deps);
    if ((b.leaf === undefined) === (b.identityCommitment === undefined || b.score === undefined)) {
      throw new ProblemError('invalid-argument', 'Give either leaf, or identityCommitment and score.');
    }
    if (b.identity !== undefined) {
      const blocked = await svc.evaluate<{ blocked: boolean }>('loan:IsBlocked', [b.identity]);
      if (blocked.blocked) throw new ProblemError('chaincode-conflict', `BLOCKED: ${b.identity} is on the blocklist; it cannot be endorsed`, { code: 'BLOCKED' });
    }
    let leaf = b.leaf;
    if (leaf === undefined) {
      let gid: number;
      try {
        gid = guarantorIdForMsp(svc.msp);
      } catch {
        throw new ProblemError('invalid-argument', `this gateway's org (${svc.msp}) is not a guarantor`);
      }
      leaf = credentialLeaf(toField(b.identityCommitment, 'identityCommitment'), b.score!, gid).toString();
    }
    return submit(ctx, 'guarantor:IssueCredential', [leaf]);
  },
});

export const revokeCredential = defineOperation({
  operationId: 'revokeCredential',
  roles: ['guarantor-admin'],
  handle: (ctx) => submit(ctx, 'guarantor:RevokeCredential', [String(ctx.params.leafIndex)]),
});

// ---------------------------------------------------------------- pools

export const listPools = defineOperation({ operationId: 'listPools', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'pool:ListPools', []) });
export const getPool = defineOperation({ operationId: 'getPool', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'pool:GetPool', [ctx.params.poolId]) });
export const getPoolLeaves = defineOperation({ operationId: 'getPoolLeaves', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'pool:GetPoolLeaves', [ctx.params.poolId]) });

export const createPool = defineOperation({
  operationId: 'createPool',
  roles: ['utility-admin'],
  handle: (ctx) => submit(ctx, 'pool:CreatePool', [canonicalJson(ctx.body)]),
});

export const deposit = defineOperation({
  operationId: 'deposit',
  roles: ['user-relay'],
  async handle(ctx) {
    const { body, signature } = ctx.body as Signed<{ poolId: string; account: string }>;
    samePath('poolId', ctx.params.poolId, body.poolId);
    requireSigned('deposit', body, body.account, signature);
    const svc = lendingService(ctx.deps);
    // One account's deposits always share a lane, so its nonces apply in order.
    const out = await svc.deposits.relay(accountLane(body.account, svc.depositLanes), { body, signature }, ctx.caller!.id, ctx.idempotency, ctx.identity);
    return settle(ctx, out.record, ownBatchReply(out));
  },
});

export const sealPool = defineOperation({ operationId: 'sealPool', roles: ALL_ROLES, handle: (ctx) => submit(ctx, 'pool:SealPool', [ctx.params.poolId]) });
export const closePool = defineOperation({ operationId: 'closePool', roles: ALL_ROLES, handle: (ctx) => submit(ctx, 'pool:ClosePool', [ctx.params.poolId]) });

export const withdraw = defineOperation({
  operationId: 'withdraw',
  roles: ['user-relay'],
  async handle(ctx) {
    const req = ctx.body as WithdrawRequest;
    samePath('poolId', ctx.params.poolId, req.poolId);
    if (!ctx.idempotency?.prior) await lendingService(ctx.deps).preverifyWithdraw(req);
    return submit(ctx, 'pool:Withdraw', [canonicalJson(req)]);
  },
});

// ---------------------------------------------------------------- loans

export const borrow = defineOperation({
  operationId: 'borrow',
  roles: ['user-relay'],
  async handle(ctx) {
    const req = ctx.body as BorrowRequest;
    const poolId = ctx.params.poolId;
    const loanId = toField(req.loanNullifier, 'loanNullifier').toString();
    const svc = lendingService(ctx.deps);
    const prior = ctx.idempotency?.prior;
    let out;
    if (prior) {
      // A retry after a crash: resubmit the batch transaction already prepared under this key.
      out = await svc.borrows.resubmit(req, ctx.caller!.id, { ...ctx.idempotency!, prior });
    } else {
      await svc.preverifyBorrow(poolId, req);
      out = await svc.borrows.enqueue(poolId, req, ctx.caller!.id, ctx.idempotency);
    }
    return settle(ctx, out.record, ownBatchReply(out, { loanId }));
  },
});

export const repay = defineOperation({
  operationId: 'repay',
  roles: ['user-relay'],
  async handle(ctx) {
    const { body, signature } = ctx.body as Signed<{ loanId: string; payer: string }>;
    samePath('loanId', ctx.params.loanId, body.loanId);
    requireSigned('repay', body, body.payer, signature);
    return submit(ctx, 'loan:Repay', [canonicalJson(body), signature]);
  },
});

export const declareDefault = defineOperation({ operationId: 'declareDefault', roles: ALL_ROLES, handle: (ctx) => submit(ctx, 'loan:DeclareDefault', [ctx.params.loanId]) });
export const penalizeMissedTrace = defineOperation({
  operationId: 'penalizeMissedTrace',
  roles: ALL_ROLES,
  handle: (ctx) => submit(ctx, 'loan:PenalizeMissedTrace', [ctx.params.loanId]),
});

export const publishTraceShare = defineOperation({
  operationId: 'publishTraceShare',
  roles: ['guarantor-admin', 'utility-admin'],
  async handle(ctx) {
    const svc = lendingService(ctx.deps);
    const key = svc.traceKey();
    if (!key) throw new ProblemError('not-ready', 'This gateway has no tracing key configured (GRIDLEDGER_TRACE_KEY_FILE); it cannot make decryption shares.');
    const loanId = ctx.params.loanId;
    const loan = await svc.evaluate<{ loanId: string; ciphertext: { c1: [string, string]; c2: [string, string] } }>('loan:GetLoan', [loanId]);
    const registered =
      svc.msp === 'UtilityMSP'
        ? (await svc.evaluate<{ publicKey: [string, string] }>('guarantor:GetUtilityTraceKey', [])).publicKey
        : (await svc.evaluate<{ tracePublicKey: [string, string] }>('guarantor:GetGuarantor', [svc.msp])).tracePublicKey;
    if (!pointEquals(toBabyPoint(registered, 'registered key'), key.publicKey)) {
      throw new ProblemError('invalid-argument', `The configured tracing key is not the one registered for ${svc.msp}; its share would be refused.`);
    }
    const ct = { c1: toBabyPoint(loan.ciphertext.c1, 'c1'), c2: toBabyPoint(loan.ciphertext.c2, 'c2') };
    const share = createTraceShare(loan.loanId, key.secretKey, ct);
    return submit(ctx, 'loan:PublishTraceShare', [loan.loanId, JSON.stringify(share)]);
  },
});

export const completeTrace = defineOperation({
  operationId: 'completeTrace',
  roles: ['guarantor-admin'],
  async handle(ctx) {
    const b = ctx.body as { identity: string; credentialIndex: number };
    return submit(ctx, 'loan:CompleteTrace', [ctx.params.loanId, b.identity, String(b.credentialIndex)]);
  },
});

export const getLoan = defineOperation({ operationId: 'getLoan', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'loan:GetLoan', [ctx.params.loanId]) });
export const listLoans = defineOperation({
  operationId: 'listLoans',
  roles: ALL_ROLES,
  async handle(ctx) {
    const f: Record<string, string> = {};
    for (const k of ['poolId', 'guarantor', 'status']) if (typeof ctx.query[k] === 'string') f[k] = ctx.query[k] as string;
    return query(ctx, 'loan:ListLoans', [canonicalJson(f)]);
  },
});
export const getBoard = defineOperation({ operationId: 'getBoard', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'loan:GetBoard', []) });
export const getBlocklist = defineOperation({ operationId: 'getBlocklist', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'loan:GetBlocklist', []) });
export const isBlocked = defineOperation({ operationId: 'isBlocked', roles: ALL_ROLES, handle: (ctx) => query(ctx, 'loan:IsBlocked', [ctx.params.identity]) });

/** Every lending route module. */
export const lendingOperations: OperationModule[] = [
  getAccount, issuePay, transfer, redeem, registerMeter, getMeter, mintFromMeter,
  listGuarantors, registerGuarantor, getGuarantor, getCredentialPath, getUtilityTraceKey, setUtilityTraceKey, issueCredential, revokeCredential,
  listPools, createPool, getPool, getPoolLeaves, deposit, sealPool, closePool, withdraw,
  borrow, repay, declareDefault, publishTraceShare, completeTrace, penalizeMissedTrace, getLoan, listLoans, getBoard, getBlocklist, isBlocked,
];
