/** The Utility's view: network health, pools, loans, market cycles, channels. */
import { get, getOr } from '../api';
import { barChart, depthChart, progress, SERIES_COLORS } from '../charts';
import { badge, fmtInt, fmtRelative, fmtTime, fmtWh, h, section, shortId, table, txLink } from '../dom';

interface NodeHealth { name: string; kind: string; endpoint?: string; status: string; latencyMs?: number; detail?: string }
interface Pool { poolId: string; createdAt?: number; status: string; denominationWh: number; targetNotes: number; deadline: number; maturity?: number; noteCount: number; balance?: number; lentWh?: number; repaidWh?: number; finesWh?: number; loansOpened?: number; loansClosed?: number }
interface Loan { loanId: string; poolId: string; guarantor: string; amount: number; status: string; dueAt?: number; repayDue?: number; traceDeadline?: number; txId: string }
interface Cycle { cycleId: string; status: string; openedAt: number; closesAt: number; clearedAt?: number; stats?: { trades: number; volume: number; value: number; vwap: number | null; minPrice: number | null; maxPrice: number | null } | null }
interface Order { price: number; quantity: number; remaining?: number }
interface Prov { txId: string; eventName: string; blockNumber: number }
interface Channels { counts: Record<string, number>; channels: Array<{ channelId: string; status: string; deposits?: { a?: string; b?: string }; identities?: { a?: string; b?: string }; openedTxId: string; lastTxId: string; lastEvent: string }> }

const first = (list: Prov[] | undefined, name?: string) => (list ?? []).find((p) => !name || p.eventName === name) ?? list?.[0];
const last = (list: Prov[] | undefined, name: string) => [...(list ?? [])].reverse().find((p) => p.eventName === name);

export async function utilityPage(selectedCycle?: string): Promise<HTMLElement> {
  const [health, pools, loans, cycles, channels, poolProv, cycleProv, params] = await Promise.all([
    get<{ status: string; checkedAt: string; nodes: NodeHealth[] }>('/v1/network/health'),
    get<Pool[]>('/v1/pools'),
    get<Loan[]>('/v1/loans'),
    get<Cycle[]>('/v1/market/cycles'),
    get<Channels>('/v1/channels?limit=50'),
    get<Record<string, Prov[]>>('/v1/ledger/provenance/pool'),
    get<Record<string, Prov[]>>('/v1/ledger/provenance/cycle'),
    getOr<{ params: { interestBps: number } } | null>('/v1/params/lending', null),
  ]);
  const now = Date.now() / 1000;
  const states = ['open', 'defaulted', 'traced', 'repaid'];
  const loanCounts = states.map((st) => loans.filter((l) => l.status === st).length);
  const recentCycles = [...cycles].sort((a, b) => b.openedAt - a.openedAt);
  const cleared = recentCycles.filter((c) => c.stats && c.stats.trades > 0).slice(0, 12).reverse();
  let chosen = recentCycles.find((c) => c.cycleId === selectedCycle) ?? recentCycles.find((c) => (c.stats?.trades ?? 0) > 0) ?? recentCycles[0];
  const book = (c: Cycle) => Promise.all([get<Order[]>(`/v1/market/cycles/${encodeURIComponent(c.cycleId)}/book?side=bid&limit=500`), get<Order[]>(`/v1/market/cycles/${encodeURIComponent(c.cycleId)}/book?side=ask&limit=500`)]);
  let [bids, asks]: Order[][] = chosen ? await book(chosen) : [[], []];
  // Unless one was asked for, prefer a recent cycle whose book still holds orders (a cleared book is empty).
  if (chosen && !selectedCycle && !bids.length && !asks.length) {
    for (const c of recentCycles.filter((x) => x !== chosen).slice(0, 6)) {
      const [b, a] = await book(c);
      if (b.length || a.length) {
        [chosen, bids, asks] = [c, b, a];
        break;
      }
    }
  }
  const depth = (o: Order) => ({ price: o.price, quantity: o.remaining ?? o.quantity });
  const cycleSelect = h(
    'select',
    { id: 'cycle-select', onchange: (e: Event) => { location.hash = `#/utility/cycle/${encodeURIComponent((e.target as HTMLSelectElement).value)}`; } },
    recentCycles.slice(0, 50).map((c) => h('option', { value: c.cycleId, selected: c === chosen }, `${c.cycleId} (${c.status})`)),
  );
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Utility'),
    section(
      'Network health',
      'h-health',
      h('p', {}, 'Overall: ', badge(health.status), ` checked ${health.checkedAt.replace('T', ' ').slice(0, 19)} UTC`),
      h('ul', { class: 'tiles', 'data-testid': 'health' }, health.nodes.map((n) => h('li', { class: `tile ${n.status}` }, h('p', { class: 'tile-title' }, n.name), h('p', {}, badge(n.status), ` ${n.kind}`), h('p', { class: 'muted small' }, `${n.endpoint ?? ''}${n.latencyMs !== undefined ? ` · ${n.latencyMs} ms` : ''}`), n.detail ? h('p', { class: 'small' }, n.detail) : null))),
    ),
    section(
      'Crowdfunding pools',
      'h-pools',
      table(
        `Pools (latest ${Math.min(12, pools.length)} of ${pools.length})`,
        ['Pool', 'Status', 'Target', 'Progress', 'Deadline', 'Lent / repaid', 'Interest', 'Created'],
        [...pools].sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0)).slice(0, 12).map((p) => {
          const prov = poolProv[p.poolId];
          return [
            p.poolId,
            badge(p.status),
            `${p.targetNotes} × ${fmtWh(p.denominationWh)}`,
            progress(`${p.poolId} notes deposited`, p.noteCount, p.targetNotes),
            h('span', {}, fmtTime(p.deadline), h('br', {}), h('span', { class: 'muted small' }, fmtRelative(p.deadline, now))),
            `${fmtWh(p.lentWh)} / ${fmtWh(p.repaidWh)}`,
            h('span', {}, params ? `${(params.params.interestBps / 100).toFixed(2)} %` : '—', p.repaidWh !== undefined && p.lentWh ? h('span', { class: 'muted small' }, ` (${fmtWh(Math.max(0, (p.repaidWh ?? 0) - (p.lentWh ?? 0)))} earned)`) : null),
            txLink(first(prov, 'PoolCreated')?.txId),
          ];
        }),
        'no pool yet.',
      ),
    ),
    section(
      'Loans by state',
      'h-loans',
      barChart('Loans by state', states.map((st, i) => ({ label: st, value: loanCounts[i], color: SERIES_COLORS[i] })), { unit: 'loans' }),
      table(
        `Loans, open first (${Math.min(25, loans.length)} of ${loans.length}; anonymous until traced)`,
        ['Loan', 'State', 'Guarantor', 'Amount', 'Due', 'Pool', 'Borrowed'],
        [...loans].sort((a, b) => states.indexOf(a.status) - states.indexOf(b.status) || (a.dueAt ?? 0) - (b.dueAt ?? 0)).slice(0, 25).map((l) => [
          h('span', { title: l.loanId }, shortId(l.loanId)),
          badge(l.status),
          l.guarantor,
          fmtWh(l.amount),
          l.status === 'open' && l.dueAt ? h('span', {}, fmtTime(l.dueAt), h('br', {}), h('span', { class: 'muted small' }, fmtRelative(l.dueAt, now))) : l.status === 'defaulted' && l.traceDeadline ? `trace by ${fmtTime(l.traceDeadline)}` : fmtTime(l.dueAt),
          l.poolId,
          txLink(l.txId),
        ]),
        'no loan yet.',
      ),
    ),
    section(
      'Market',
      'h-market',
      barChart('Clearing price (VWAP) of recent cleared cycles', cleared.map((c) => ({ label: c.cycleId, value: c.stats!.vwap ?? 0, href: last(cycleProv[c.cycleId], 'MarketCycleCleared') ? `#/tx/${last(cycleProv[c.cycleId], 'MarketCycleCleared')!.txId}` : undefined })), { unit: 'payment units per Wh' }),
      barChart('Volume of recent cleared cycles (kWh)', cleared.map((c) => ({ label: c.cycleId, value: c.stats!.volume / 1000, color: SERIES_COLORS[2], text: fmtWh(c.stats!.volume), href: last(cycleProv[c.cycleId], 'MarketCycleCleared') ? `#/tx/${last(cycleProv[c.cycleId], 'MarketCycleCleared')!.txId}` : undefined }))),
      chosen
        ? [
            h('div', { class: 'field' }, h('label', { for: 'cycle-select' }, 'Order book of cycle'), cycleSelect),
            depthChart(`Order book depth of cycle ${chosen.cycleId} (${chosen.status})`, bids.map(depth), asks.map(depth), chosen.stats?.vwap ?? null),
          ]
        : null,
      table(
        'Trading cycles',
        ['Cycle', 'Status', 'Opened', 'Clearing price', 'Volume', 'Trades', 'Transaction'],
        recentCycles.slice(0, 15).map((c) => [
          c.cycleId,
          badge(c.status),
          fmtTime(c.openedAt),
          c.stats?.vwap !== undefined && c.stats?.vwap !== null ? fmtInt(c.stats.vwap) : '—',
          c.stats ? fmtWh(c.stats.volume) : '—',
          c.stats ? String(c.stats.trades) : '—',
          txLink((last(cycleProv[c.cycleId], 'MarketCycleCleared') ?? first(cycleProv[c.cycleId]))?.txId),
        ]),
        'no cycle yet.',
      ),
    ),
    section(
      'Payment channels',
      'h-channels',
      h('ul', { class: 'counts' }, ['open', 'closing', 'closed'].map((st) => h('li', {}, badge(st), ' ', h('strong', { 'data-testid': `channels-${st}` }, String(channels.counts[st] ?? 0))))),
      table(
        'Latest channels',
        ['Channel', 'State', 'Parties', 'Deposits', 'Latest', 'Opened'],
        channels.channels.slice(0, 15).map((c) => [h('span', { title: c.channelId }, shortId(c.channelId, 12)), badge(c.status), `${c.identities?.a ?? '?'} ↔ ${c.identities?.b ?? '?'}`, `${c.deposits?.a ?? '?'} / ${c.deposits?.b ?? '?'}`, h('span', {}, `${c.lastEvent} `, txLink(c.lastTxId)), txLink(c.openedTxId)]),
        'no channel yet.',
      ),
    ),
  );
}
