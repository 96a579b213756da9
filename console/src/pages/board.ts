/** The public board: no sign-in. Traced defaulters, the blocklist, the parameters, and C_g over time. */
import { get, getOr } from '../api';
import { stepChart } from '../charts';
import { fmtInt, fmtTime, fmtWh, h, section, shortenIds, shortId, table, txLink } from '../dom';

interface BoardEntry { identity: string; loanId: string; poolId?: string; guarantor: string; amount?: number; debtWh?: number; fineWh?: number; fineCollectedWh?: number; tracedAt: number; txId: string }
interface Blocked { identity: string; loanId: string; since?: number; txId?: string }
interface Params { params: { W_b: number; W_g: number; minScoreTable: Array<{ maxAmountWh: number; maxDurationS: number; minScore: number }>; expiry: { graceS: number }; interestBps: number; latePenaltyBps: number; defaultFineBps: number; traceWindowS: number }; version: number; updatedAt: number; updatedBy: string; txId: string }
interface Guarantor { msp: string; name?: string; score: number; baseScore: number; registeredAt?: number; registeredTxId?: string; registrySize?: number; history: Array<{ txId: string; delta: number; at: number; reason?: string; score: number }> }

const pct = (bps: number) => `${(bps / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} %`;
const dur = (s: number) => (s % 86_400 === 0 ? `${s / 86_400} d` : s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);

export async function boardPage(): Promise<HTMLElement> {
  const [board, blocklist, params, guarantors] = await Promise.all([
    get<BoardEntry[]>('/v1/public/board', null),
    get<Blocked[]>('/v1/public/blocklist', null),
    getOr<Params | null>('/v1/public/params', null).catch(() => null),
    get<Guarantor[]>('/v1/public/guarantors', null),
  ]);
  const p = params?.params;
  const sorted = [...board].sort((a, b) => b.tracedAt - a.tracedAt);
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Public board'),
    h('p', { class: 'lead' }, 'Borrowers who defaulted and were traced by their guarantor and the Utility, as the ledger publishes them. Loans stay anonymous unless they are traced.'),
    section(
      'Traced defaulters',
      'h-defaulters',
      h('p', { class: 'stat' }, h('strong', { 'data-testid': 'defaulter-count' }, String(board.length)), ' traced ', board.length === 1 ? 'defaulter' : 'defaulters'),
      table(
        'Traced defaulters, newest first',
        ['Identity', 'Loan', 'Guarantor', 'Traced', 'Fine', 'Debt', 'Transaction'],
        sorted.map((b) => [
          h('span', { class: 'identity', 'data-testid': 'defaulter' }, b.identity),
          h('span', { title: b.loanId }, shortId(b.loanId)),
          b.guarantor,
          fmtTime(b.tracedAt),
          h('span', {}, fmtWh(b.fineWh), b.fineCollectedWh !== undefined && b.fineWh !== undefined && b.fineCollectedWh < b.fineWh ? h('span', { class: 'muted' }, ` (${fmtWh(b.fineCollectedWh)} collected)`) : null),
          fmtWh(b.debtWh),
          txLink(b.txId),
        ]),
        'nobody has been traced.',
      ),
    ),
    section(
      'Blocklist',
      'h-blocklist',
      table('Blocklisted identities', ['Identity', 'Loan', 'Since', 'Transaction'], blocklist.map((b) => [b.identity, h('span', { title: b.loanId }, shortId(b.loanId)), fmtTime(b.since), txLink(b.txId)]), 'nobody is blocklisted.'),
    ),
    section(
      'Platform parameters',
      'h-params',
      p && params
        ? [
            h('p', {}, `Version ${params.version}, published by ${params.updatedBy} at ${fmtTime(params.updatedAt)} `, txLink(params.txId, 'published')),
            h(
              'dl',
              { class: 'facts' },
              h('div', {}, h('dt', {}, 'W_b (borrower weight)'), h('dd', { 'data-testid': 'param-wb' }, `${p.W_b} %`)),
              h('div', {}, h('dt', {}, 'W_g (guarantor weight)'), h('dd', { 'data-testid': 'param-wg' }, `${p.W_g} %`)),
              h('div', {}, h('dt', {}, 'Expiry rule E(D)'), h('dd', {}, `borrow time + D + ${dur(p.expiry.graceS)}`)),
              h('div', {}, h('dt', {}, 'Interest'), h('dd', {}, pct(p.interestBps))),
              h('div', {}, h('dt', {}, 'Default fine'), h('dd', {}, pct(p.defaultFineBps))),
              h('div', {}, h('dt', {}, 'Late penalty'), h('dd', {}, pct(p.latePenaltyBps))),
              h('div', {}, h('dt', {}, 'Trace window'), h('dd', {}, dur(p.traceWindowS))),
            ),
            h('p', {}, 'A borrower may borrow M Wh for D seconds when C(M, D) ≤ C_b × W_b + C_g × W_g (weights in percent).'),
            table('Minimum score C(M, D)', ['Amount M up to', 'Duration D up to', 'Minimum score'], p.minScoreTable.map((t) => [fmtWh(t.maxAmountWh), dur(t.maxDurationS), fmtInt(t.minScore)])),
          ]
        : h('p', { class: 'empty' }, 'The Utility has not published the lending parameters yet.'),
    ),
    section(
      'Guarantor scores C_g over time',
      'h-scores',
      stepChart(
        'Guarantor credit score C_g after each change',
        guarantors.map((g) => ({
          name: `${g.name ?? g.msp} (${g.msp})`,
          points: [
            ...(g.registeredAt !== undefined ? [{ x: g.registeredAt, y: g.baseScore, href: g.registeredTxId ? `#/tx/${g.registeredTxId}` : undefined, label: `${g.msp} registered with ${g.baseScore} at ${fmtTime(g.registeredAt)}` }] : []),
            ...g.history.map((c) => ({ x: c.at, y: c.score, href: `#/tx/${c.txId}`, label: `${g.msp}: ${c.score} (${c.delta > 0 ? '+' : ''}${c.delta}, ${shortenIds(c.reason ?? '')}) at ${fmtTime(c.at)}` })),
          ],
        })),
        { yLabel: 'C_g' },
      ),
      table(
        'Guarantors',
        ['Guarantor', 'C_g now', 'Registered with', 'Registry size', 'Changes', 'Latest change'],
        guarantors.map((g) => {
          const last = g.history[g.history.length - 1];
          return [`${g.name ?? g.msp} (${g.msp})`, h('strong', {}, fmtInt(g.score)), fmtInt(g.baseScore), fmtInt(g.registrySize), String(g.history.length), last ? h('span', {}, `${last.delta > 0 ? '+' : ''}${last.delta} `, txLink(last.txId)) : txLink(g.registeredTxId, 'registered')];
        }),
        'no guarantor is registered.',
      ),
      h('details', {}, h('summary', {}, 'Every score change as a table'),
        table('Score changes', ['Guarantor', 'Time', 'Change', 'C_g after', 'Reason', 'Transaction'], guarantors.flatMap((g) => g.history.map((c) => [g.msp, fmtTime(c.at), `${c.delta > 0 ? '+' : ''}${c.delta}`, fmtInt(c.score), shortenIds(c.reason ?? ''), txLink(c.txId)])), 'no change yet.')),
    ),
  );
}
