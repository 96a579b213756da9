/**
 * Routes behind the web console (see openapi/console-paths.ts): the public board's reads, the
 * caller's session, network health, the ledger's view of a transaction, provenance, channels by
 * state, and the guarantor's and operator's own views.
 */
import { Orgs } from '@gridledger/core';
import { LedgerError } from '../fabric/ledger';
import { defineOperation, OperationContext, OperationModule } from '../http/operation';
import { ProblemError } from '../http/problem';
import { ALL_ROLES } from '../openapi/document';
import { PUBLIC_EVENT_NAMES } from '../openapi/console-paths';
import { consoleIndex, ProvenanceKind } from '../services/console-index';
import { decodeTransaction } from '../services/ledger-transaction';
import { networkHealth } from '../services/network-health';
import { streamStoreEvents } from './events';

const utf8 = new TextDecoder();

/** The MSP id of each org's gateway. */
export const ORG_MSP: Record<string, string> = {
  utility: Orgs.Utility,
  guarantora: Orgs.GuarantorA,
  guarantorb: Orgs.GuarantorB,
  operator: Orgs.Operator,
};

async function evaluate<T>(ctx: OperationContext, fn: string, args: string[] = []): Promise<T> {
  const out = await ctx.deps.ledger.evaluate(fn, args, { identity: ctx.caller ? ctx.identity : 'client' });
  return JSON.parse(utf8.decode(out)) as T;
}

/** Evaluates, answering `fallback` when the record does not exist yet (an empty ledger). */
async function evaluateOr<T>(ctx: OperationContext, fn: string, args: string[], fallback: T): Promise<T> {
  try {
    const v = await evaluate<T>(ctx, fn, args);
    // A list query answers a list; anything else (an older chaincode) counts as empty.
    if (Array.isArray(fallback) && !Array.isArray(v)) return fallback;
    return v;
  } catch (err) {
    if (err instanceof LedgerError && err.kind === 'not-found') return fallback;
    throw err;
  }
}

interface ScoreDelta {
  txId: string;
  delta: number;
  at: number;
  reason?: string;
}

/** C_g after each change, from the registered score and the deltas (never below zero, as on chain). */
function scoreHistory(baseScore: number, deltas: ScoreDelta[]): Array<ScoreDelta & { score: number }> {
  let sum = baseScore;
  return deltas.map((d) => {
    sum += d.delta;
    return { ...d, score: Math.max(0, sum) };
  });
}

interface GuarantorView {
  msp: string;
  name?: string;
  guarantorId?: number;
  baseScore: number;
  score: number;
  registeredAt?: number;
  registry?: { nextIndex?: number; root?: string };
  scoreHistory?: ScoreDelta[];
}

export const getSession = defineOperation({
  operationId: 'getSession',
  roles: ALL_ROLES,
  async handle(ctx) {
    const org = ctx.deps.config.org;
    return { status: 200, body: { callerId: ctx.caller!.id, role: ctx.caller!.role, org, msp: ORG_MSP[org] } };
  },
});

export const getPublicBoard = defineOperation({
  operationId: 'getPublicBoard',
  roles: 'public',
  handle: async (ctx) => ({ status: 200, body: await evaluateOr(ctx, 'loan:GetBoard', [], []) }),
});

export const getPublicBlocklist = defineOperation({
  operationId: 'getPublicBlocklist',
  roles: 'public',
  async handle(ctx) {
    const [list, board] = await Promise.all([
      evaluateOr<Array<{ identity: string; loanId: string; since?: number }>>(ctx, 'loan:GetBlocklist', [], []),
      evaluateOr<Array<{ loanId: string; txId: string }>>(ctx, 'loan:GetBoard', [], []),
    ]);
    const txOf = new Map(board.map((b) => [b.loanId, b.txId]));
    return { status: 200, body: list.map((b) => ({ ...b, ...(txOf.has(b.loanId) ? { txId: txOf.get(b.loanId) } : {}) })) };
  },
});

export const getPublicParams = defineOperation({
  operationId: 'getPublicParams',
  roles: 'public',
  handle: async (ctx) => ({ status: 200, body: await evaluate(ctx, 'params:GetLendingParams') }),
});

export const listPublicGuarantors = defineOperation({
  operationId: 'listPublicGuarantors',
  roles: 'public',
  async handle(ctx) {
    const list = (await evaluateOr<Array<{ msp: string }>>(ctx, 'guarantor:ListGuarantors', [], [])).filter((g) => typeof g?.msp === 'string');
    const ix = consoleIndex(ctx.deps);
    await ix.sync();
    const out = await Promise.all(
      list.map(async ({ msp }) => {
        const g = await evaluate<GuarantorView>(ctx, 'guarantor:GetGuarantor', [msp]);
        const registered = ix.provenance('guarantor', msp).find((p) => p.eventName === 'GuarantorRegistered');
        return {
          msp: g.msp,
          ...(g.name ? { name: g.name } : {}),
          ...(g.guarantorId !== undefined ? { guarantorId: g.guarantorId } : {}),
          score: g.score,
          baseScore: g.baseScore,
          ...(g.registeredAt !== undefined ? { registeredAt: g.registeredAt } : {}),
          ...(registered ? { registeredTxId: registered.txId } : {}),
          registrySize: g.registry?.nextIndex ?? 0,
          history: scoreHistory(g.baseScore ?? 0, Array.isArray(g.scoreHistory) ? g.scoreHistory : []),
        };
      }),
    );
    return { status: 200, body: out };
  },
});

const PUBLIC_EVENTS = new Set(PUBLIC_EVENT_NAMES);

/** GET /v1/public/events: the board's events only, for the open public board's live updates. */
export const streamPublicEvents = defineOperation({
  operationId: 'streamPublicEvents',
  roles: 'public',
  handle: (ctx) => streamStoreEvents(ctx, (e) => PUBLIC_EVENTS.has(e.eventName)),
});

export const getLedgerTransaction = defineOperation({
  operationId: 'getLedgerTransaction',
  roles: 'public',
  async handle(ctx) {
    const txId = ctx.params.txId;
    const read = ctx.deps.ledger.blockByTxId;
    if (!read) throw new ProblemError('not-ready', 'This gateway\'s ledger client cannot read blocks.');
    let block: Uint8Array;
    try {
      block = await read(txId);
    } catch (err) {
      if (err instanceof LedgerError && err.kind === 'not-found') throw new ProblemError('not-found', `Transaction ${txId} is not on the ledger.`);
      throw err;
    }
    const view = decodeTransaction(block, txId);
    if (!view) throw new ProblemError('not-found', `Transaction ${txId} is not in the block the ledger returned.`);
    if (view.event && !ctx.caller && !PUBLIC_EVENTS.has(view.event.name)) {
      return { status: 200, body: { ...view, event: { name: view.event.name, payloadHidden: true } } };
    }
    return { status: 200, body: view };
  },
});

export const getProvenance = defineOperation({
  operationId: 'getProvenance',
  roles: ALL_ROLES,
  async handle(ctx) {
    const ix = consoleIndex(ctx.deps);
    await ix.sync();
    return { status: 200, body: ix.provenanceOf(ctx.params.kind as ProvenanceKind) };
  },
});

export const getNetworkHealth = defineOperation({
  operationId: 'getNetworkHealth',
  roles: ['utility-admin', 'guarantor-admin', 'operator-admin'],
  handle: async (ctx) => ({ status: 200, body: await networkHealth(ctx.deps) }),
});

export const listChannels = defineOperation({
  operationId: 'listChannels',
  roles: ALL_ROLES,
  async handle(ctx) {
    const ix = consoleIndex(ctx.deps);
    await ix.sync();
    const all = ix.channels();
    const counts: Record<string, number> = { open: 0, closing: 0, closed: 0 };
    for (const c of all) counts[c.status] += 1;
    const status = ctx.query.status as string | undefined;
    const limit = (ctx.query.limit as number | undefined) ?? 200;
    const channels = all.filter((c) => !status || c.status === status).sort((a, b) => b.blockNumber - a.blockNumber).slice(0, limit);
    return { status: 200, body: { counts, channels } };
  },
});

interface LoanView {
  loanId: string;
  poolId: string;
  guarantor: string;
  amount: number;
  status: string;
  defaultedAt?: number;
  traceDeadline?: number;
  dueAt?: number;
  txId: string;
}

export const getGuarantorDashboard = defineOperation({
  operationId: 'getGuarantorDashboard',
  roles: ['guarantor-admin'],
  async handle(ctx) {
    const msp = ctx.params.msp;
    const own = ORG_MSP[ctx.deps.config.org];
    if (msp !== own) throw new ProblemError('forbidden', `This gateway serves ${own}; ${msp}'s view is only on its own gateway.`);
    const g = await evaluate<GuarantorView>(ctx, 'guarantor:GetGuarantor', [msp]);
    const loans = await evaluateOr<LoanView[]>(ctx, 'loan:ListLoans', [JSON.stringify({ guarantor: msp })], []);
    const ix = consoleIndex(ctx.deps);
    await ix.sync();
    const now = Math.floor(Date.now() / 1000);
    const awaitingShare = loans
      .filter((l) => l.status === 'defaulted' && !ix.sharePublished(l.loanId, msp))
      .map((l) => {
        const defaulted = ix.provenance('loan', l.loanId).find((p) => p.eventName === 'LoanDefaulted');
        return {
          loanId: l.loanId,
          poolId: l.poolId,
          amount: l.amount,
          ...(l.defaultedAt !== undefined ? { defaultedAt: l.defaultedAt } : {}),
          traceDeadline: l.traceDeadline ?? 0,
          secondsLeft: (l.traceDeadline ?? 0) - now,
          utilityShare: ix.sharePublished(l.loanId, Orgs.Utility),
          txId: l.txId,
          ...(defaulted ? { defaultTxId: defaulted.txId } : {}),
        };
      });
    return {
      status: 200,
      body: {
        msp,
        ...(g.name ? { name: g.name } : {}),
        score: g.score,
        registrySize: g.registry?.nextIndex ?? 0,
        ...(g.registry?.root ? { registryRoot: String(g.registry.root) } : {}),
        outstanding: loans.filter((l) => l.status === 'open' || l.status === 'defaulted'),
        awaitingShare,
        history: scoreHistory(g.baseScore ?? 0, Array.isArray(g.scoreHistory) ? g.scoreHistory : []),
        now,
      },
    };
  },
});

const MAX_MARKET_LOOKUPS = 30;

export const getOperatorDashboard = defineOperation({
  operationId: 'getOperatorDashboard',
  roles: ['operator-admin', 'utility-admin'],
  async handle(ctx) {
    const all = await evaluateOr<Array<{ id: string; powerW: number; collateral: number; collateralAccount?: string; registeredBy?: string; status: string; registeredAt?: number }>>(ctx, 'kgc:ListPiles', [], []);
    const ix = consoleIndex(ctx.deps);
    await ix.sync();
    const piles = all.filter((p) => !p.registeredBy || p.registeredBy === Orgs.Operator).map((p) => ({ ...p, provenance: ix.provenance('pile', p.id) }));
    const ids = new Set(piles.map((p) => p.id));
    const accounts = new Set(piles.map((p) => p.collateralAccount).filter((a): a is string => Boolean(a)));
    const mine = (c: { identities?: { a?: string; b?: string }; accounts?: { a?: string; b?: string } }): boolean =>
      [c.identities?.a, c.identities?.b].some((x) => x !== undefined && ids.has(x)) || [c.accounts?.a, c.accounts?.b].some((x) => x !== undefined && accounts.has(x));
    const channels = ix.channels().filter(mine).sort((a, b) => b.blockNumber - a.blockNumber).slice(0, 200);
    const channelIds = new Set(channels.map((c) => c.channelId));
    const settlements = [];
    let lookups = 0;
    for (const s of ix.settlements()) {
      if (settlements.length >= 50) break;
      if (s.kind === 'channel') {
        if (channelIds.has(String(s.payload.channelId))) settlements.push(s);
        continue;
      }
      if (lookups++ >= MAX_MARKET_LOOKUPS) continue;
      const ob = await evaluateOr<{ sellerId?: string; buyerId?: string } | null>(ctx, 'market:GetObligation', [String(s.payload.cycleId), String(s.payload.index)], null).catch(() => null);
      if (ob && ((ob.sellerId && ids.has(ob.sellerId)) || (ob.buyerId && ids.has(ob.buyerId)))) settlements.push({ ...s, payload: { ...s.payload, sellerId: ob.sellerId, buyerId: ob.buyerId } });
    }
    return { status: 200, body: { piles, channels, settlements } };
  },
});

export const consoleOperations: OperationModule[] = [
  getSession,
  getPublicBoard,
  getPublicBlocklist,
  getPublicParams,
  listPublicGuarantors,
  streamPublicEvents,
  getLedgerTransaction,
  getProvenance,
  getNetworkHealth,
  listChannels,
  getGuarantorDashboard,
  getOperatorDashboard,
];
