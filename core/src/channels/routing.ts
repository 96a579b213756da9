import { ChannelError, check } from './errors';
import { MAX_AMOUNT, checkTime, formatAmount, parseAmount, parsePositive } from './amount';
import type { Side } from './state';

/** A node's price for forwarding over one of its channels: `base + floor(amount * ppm / 1e6)`. */
export interface FeePolicy {
  /** Flat fee per forwarded HTLC, decimal string. */
  base: string;
  /** Proportional fee in millionths of the forwarded amount (integer 0..1e6). */
  proportionalMillionths: number;
}

/** One direction of a known channel, as the router sees it. */
export interface ChannelEdge {
  channelId: string;
  /** Node ids (e.g. registered identities). */
  from: string;
  to: string;
  /** Which side of the channel `from` is, so HTLCs can be written as a->b or b->a. */
  fromSide: Side;
  /** What `from` can currently send over this channel, decimal string. */
  available: string;
  /** `from`'s fee for forwarding over this edge (ignored when `from` is the payer). */
  policy: FeePolicy;
  /** Smallest and largest HTLC `from` accepts to forward here. */
  minHtlc?: string;
  maxHtlc?: string;
  /** Off (peer offline, channel closing): never used. */
  disabled?: boolean;
}

/** A route request. Times are unix seconds; `now` comes from the caller, never from a clock here. */
export interface RouteRequest {
  source: string;
  target: string;
  /** Amount the target must receive. */
  amount: string;
  now: number;
  /** Lock of the last hop is `now + finalLockDelta`: the payee's time to reveal on chain. */
  finalLockDelta: number;
  /** Every earlier hop's lock is this much later than the next one: an intermediary's reaction time. */
  lockDelta: number;
  /** Default 20. */
  maxHops?: number;
  /** Refuse routes whose total fee exceeds this. */
  maxFee?: string;
  /** Refuse routes whose first lock is later than `now + maxLockAhead`. */
  maxLockAhead?: number;
  /** Channels to avoid (e.g. ones that just failed this payment). */
  exclude?: readonly string[];
}

/** One hop: the HTLC `from` offers `to` on `channelId`. */
export interface RouteHop {
  channelId: string;
  from: string;
  to: string;
  fromSide: Side;
  /** HTLC amount on this hop. */
  amount: string;
  /** Fee kept by `to` for forwarding onward (0 on the last hop). */
  fee: string;
  /** HTLC lock on this hop; strictly shrinking toward the target. */
  timeLock: number;
}

export interface Route {
  hops: RouteHop[];
  /** Received by the target. */
  amount: string;
  /** Sent by the source (amount + fees). */
  totalAmount: string;
  totalFees: string;
}

/** Fee a node charges to forward `amount` under `policy`. Integer, rounded down as in Lightning. */
export function forwardFee(policy: FeePolicy, amount: bigint): bigint {
  const base = parseAmount(policy.base, 'fee base');
  const ppm = policy.proportionalMillionths;
  check(Number.isSafeInteger(ppm) && ppm >= 0 && ppm <= 1_000_000, 'BAD_AMOUNT', 'proportionalMillionths must be an integer in [0, 1e6]');
  return base + (amount * BigInt(ppm)) / 1_000_000n;
}

interface Label {
  /** Amount this node must put on its outgoing edge. */
  amount: bigint;
  hops: number;
  edge: ChannelEdge;
  /** Label of the next node one layer down (undefined at the target). */
  next?: Label;
}

function better(x: Label, y: Label | undefined): boolean {
  if (!y) return true;
  if (x.amount !== y.amount) return x.amount < y.amount;
  if (x.hops !== y.hops) return x.hops < y.hops;
  return x.edge.channelId < y.edge.channelId;
}

/**
 * Cheapest route by hop-bounded Bellman-Ford, run backward from the target because each hop's
 * amount depends on the fees of the hops after it. Exact and deterministic (ties: fewer hops, then
 * channel id). `useLiquidity: false` ignores balances and HTLC limits, to explain a failure.
 */
function search(edges: readonly ChannelEdge[], req: RouteRequest, amount: bigint, maxHops: number, useLiquidity: boolean): Label | undefined {
  const excluded = new Set(req.exclude ?? []);
  const usable = edges.filter((e) => !e.disabled && !excluded.has(e.channelId) && e.from !== e.to && e.from !== req.target && e.to !== req.source);
  let best = new Map<string, Label>();
  for (let k = 1; k <= maxHops; k++) {
    const nextBest = new Map(best);
    for (const e of usable) {
      let out: bigint;
      let next: Label | undefined;
      if (e.to === req.target) out = amount;
      else {
        next = best.get(e.to);
        if (!next) continue;
        out = next.amount + forwardFee(next.edge.policy, next.amount);
      }
      if (out > MAX_AMOUNT) continue;
      if (useLiquidity) {
        if (out > parseAmount(e.available, `available on ${e.channelId}`)) continue;
        if (e.minHtlc !== undefined && out < parseAmount(e.minHtlc, 'minHtlc')) continue;
        if (e.maxHtlc !== undefined && out > parseAmount(e.maxHtlc, 'maxHtlc')) continue;
      }
      const cand: Label = { amount: out, hops: (next?.hops ?? 0) + 1, edge: e, next };
      if (better(cand, nextBest.get(e.from))) nextBest.set(e.from, cand);
    }
    best = nextBest;
  }
  return best.get(req.source);
}

/**
 * Find the cheapest route delivering `amount` to `target`. Amounts and fees are computed backward
 * from the target; locks grow by `lockDelta` per hop from `now + finalLockDelta` at the target.
 * Errors say why, so the wallet can tell the user: NO_ROUTE (no path at all), INSUFFICIENT_CAPACITY
 * (paths exist but none has the liquidity), ROUTE_TOO_LONG, FEE_LIMIT_EXCEEDED, LOCK_LIMIT_EXCEEDED.
 */
export function findRoute(edges: readonly ChannelEdge[], req: RouteRequest): Route {
  const amount = parsePositive(req.amount, 'amount');
  checkTime(req.now, 'now');
  checkTime(req.finalLockDelta, 'finalLockDelta');
  checkTime(req.lockDelta, 'lockDelta');
  check(req.lockDelta > 0 && req.finalLockDelta > 0, 'BAD_STATE', 'lock deltas must be positive');
  check(req.source !== req.target, 'NO_ROUTE', 'source and target are the same node');
  const maxHops = req.maxHops ?? 20;
  check(Number.isSafeInteger(maxHops) && maxHops >= 1, 'BAD_STATE', 'maxHops must be a positive integer');

  const found = search(edges, req, amount, maxHops, true);
  if (!found) {
    const nodes = new Set(edges.flatMap((e) => [e.from, e.to])).size;
    const unbounded = Math.max(maxHops, nodes);
    if (!search(edges, req, amount, unbounded, false)) throw new ChannelError('NO_ROUTE', `no path from ${req.source} to ${req.target}`);
    if (!search(edges, req, amount, unbounded, true)) throw new ChannelError('INSUFFICIENT_CAPACITY', `no path from ${req.source} to ${req.target} can carry ${amount}`);
    throw new ChannelError('ROUTE_TOO_LONG', `every path with enough capacity is longer than ${maxHops} hops`);
  }

  const labels: Label[] = [];
  for (let l: Label | undefined = found; l; l = l.next) labels.push(l);
  check(new Set(labels.map((l) => l.edge.from)).size === labels.length, 'NO_ROUTE', 'internal: route revisits a node');
  const n = labels.length;
  const hops: RouteHop[] = labels.map((l, i) => ({
    channelId: l.edge.channelId,
    from: l.edge.from,
    to: l.edge.to,
    fromSide: l.edge.fromSide,
    amount: formatAmount(l.amount),
    fee: formatAmount(i + 1 < n ? l.amount - labels[i + 1].amount : 0n),
    timeLock: req.now + req.finalLockDelta + (n - 1 - i) * req.lockDelta,
  }));
  const fees = found.amount - amount;
  if (req.maxFee !== undefined) {
    check(fees <= parseAmount(req.maxFee, 'maxFee'), 'FEE_LIMIT_EXCEEDED', `cheapest route costs ${fees} in fees, limit ${req.maxFee}`);
  }
  if (req.maxLockAhead !== undefined) {
    check(hops[0].timeLock <= req.now + req.maxLockAhead, 'LOCK_LIMIT_EXCEEDED', `route locks funds until ${hops[0].timeLock}`);
  }
  return { hops, amount: formatAmount(amount), totalAmount: formatAmount(found.amount), totalFees: formatAmount(fees) };
}
