import { channels } from '@gridledger/core';
import { channelView } from '../channels/broker';
import type { ChannelInfo } from '../channels/registry';
import { defineOperation, type AppDeps, type OperationModule } from '../http/operation';
import { ProblemError, type ProblemSlug } from '../http/problem';
import { ALL_ROLES } from '../openapi/document';

const ROUTE_ERRORS: Partial<Record<channels.ChannelErrorCode, ProblemSlug>> = {
  NO_ROUTE: 'no-route',
  INSUFFICIENT_CAPACITY: 'insufficient-capacity',
  ROUTE_TOO_LONG: 'route-too-long',
  FEE_LIMIT_EXCEEDED: 'fee-limit-exceeded',
  LOCK_LIMIT_EXCEEDED: 'lock-limit-exceeded',
};

const MAX_GRAPH = 100_000;

/**
 * The channel graph the broker knows: channels whose two parties announced a node, open on chain,
 * with the liquidity of the latest co-signed state held (or the base deposits).
 */
export async function channelGraph(deps: Pick<AppDeps, 'store' | 'channels'>): Promise<channels.ChannelEdge[]> {
  const edges: channels.ChannelEdge[] = [];
  let after = '';
  for (let seen = 0; seen < MAX_GRAPH; ) {
    const page = await deps.store.listChannelStates(after, 1000);
    if (page.length === 0) break;
    seen += page.length;
    after = page[page.length - 1].channelId;
    for (const c of page) {
      if (!c.nodes.a || !c.nodes.b) continue;
      let info: ChannelInfo;
      try {
        info = await deps.channels.registry.get(c.channelId);
      } catch {
        continue;
      }
      if (info.status !== 'open') continue;
      const signed = c.signed && c.version >= info.baseVersion ? (JSON.parse(c.signed) as channels.SignedState) : undefined;
      const balances = signed?.state.balances ?? info.deposits;
      const node = { a: JSON.parse(c.nodes.a), b: JSON.parse(c.nodes.b) } as Record<channels.Side, { node: string; policy: channels.FeePolicy }>;
      for (const from of ['a', 'b'] as const) {
        const to = channels.other(from);
        edges.push({ channelId: c.channelId, from: node[from].node, to: node[to].node, fromSide: from, available: balances[from], policy: node[from].policy });
      }
    }
  }
  return edges;
}

/** GET /v1/channels/broker without an upgrade: the broker is a WebSocket. */
export const openChannelBroker = defineOperation({
  operationId: 'openChannelBroker',
  roles: ALL_ROLES,
  async handle() {
    throw new ProblemError('upgrade-required', 'Connect with a WebSocket client (Upgrade: websocket); see docs/channels.md, "Broker protocol".', {
      headers: { Upgrade: 'websocket', Connection: 'Upgrade' },
    });
  },
});

/** GET /v1/channels/route: findRoute over the known channel graph. */
export const findChannelRoute = defineOperation({
  operationId: 'findChannelRoute',
  roles: ALL_ROLES,
  async handle(ctx) {
    const q = ctx.query as { source: string; target: string; amount: string; finalLockDelta?: number; lockDelta?: number; maxHops?: number; maxFee?: string; exclude?: string };
    const edges = await channelGraph(ctx.deps);
    try {
      const route = channels.findRoute(edges, {
        source: q.source,
        target: q.target,
        amount: q.amount,
        now: Math.floor(Date.now() / 1000),
        finalLockDelta: q.finalLockDelta ?? 3600,
        lockDelta: q.lockDelta ?? 600,
        maxHops: q.maxHops ?? 20,
        ...(q.maxFee !== undefined ? { maxFee: q.maxFee } : {}),
        ...(q.exclude ? { exclude: q.exclude.split(',').filter(Boolean) } : {}),
      });
      return { status: 200, body: route };
    } catch (err) {
      if (err instanceof channels.ChannelError) {
        throw new ProblemError(ROUTE_ERRORS[err.code] ?? 'invalid-argument', err.message, { code: err.code });
      }
      throw err;
    }
  },
});

/** GET /v1/channels/{channelId}/state: the latest co-signed state and tokens the broker holds. */
export const getChannelState = defineOperation({
  operationId: 'getChannelState',
  roles: ALL_ROLES,
  async handle(ctx) {
    const channelId = ctx.params.channelId;
    const view = await channelView(ctx.deps.store, channelId);
    if (!view.signed && Object.keys(view.nodes).length === 0) throw new ProblemError('not-found', `the broker holds nothing for channel ${channelId}`);
    return { status: 200, body: { channelId, ...view } };
  },
});

export const channelOperations: OperationModule[] = [openChannelBroker, findChannelRoute, getChannelState];
