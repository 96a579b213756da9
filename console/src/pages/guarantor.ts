/** A guarantor's own view; its gateway refuses any other guarantor's. */
import { get } from '../api';
import { stepChart } from '../charts';
import { badge, fmtInt, fmtRelative, fmtTime, fmtWh, h, section, shortenIds, shortId, table, txLink } from '../dom';

interface Dashboard {
  msp: string; name?: string; score: number; registrySize: number; registryRoot?: string; now: number;
  outstanding: Array<{ loanId: string; poolId: string; amount: number; status: string; dueAt?: number; traceDeadline?: number; txId: string }>;
  awaitingShare: Array<{ loanId: string; poolId: string; amount: number; defaultedAt?: number; traceDeadline: number; secondsLeft: number; utilityShare: boolean; txId: string; defaultTxId?: string }>;
  history: Array<{ txId: string; delta: number; at: number; reason?: string; score: number }>;
}

export async function guarantorPage(msp: string): Promise<HTMLElement> {
  const d = await get<Dashboard>(`/v1/guarantors/${encodeURIComponent(msp)}/dashboard`);
  const now = Date.now() / 1000;
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, `Guarantor ${d.name ? `${d.name} ` : ''}(${d.msp})`),
    h(
      'dl',
      { class: 'facts big' },
      h('div', {}, h('dt', {}, 'Credit score C_g'), h('dd', { 'data-testid': 'g-score' }, fmtInt(d.score))),
      h('div', {}, h('dt', {}, 'Credentials issued (registry size)'), h('dd', { 'data-testid': 'g-registry' }, fmtInt(d.registrySize))),
      h('div', {}, h('dt', {}, 'Outstanding loans'), h('dd', {}, fmtInt(d.outstanding.length))),
      h('div', {}, h('dt', {}, 'Awaiting your share'), h('dd', { 'data-testid': 'g-awaiting' }, fmtInt(d.awaitingShare.length))),
    ),
    section(
      'Defaults awaiting your decryption share',
      'h-awaiting',
      table(
        'Defaulted loans to trace',
        ['Loan', 'Amount', 'Defaulted', 'Time left', 'Utility share', 'Transaction'],
        d.awaitingShare.map((a) => [
          h('span', { title: a.loanId }, shortId(a.loanId)),
          fmtWh(a.amount),
          h('span', {}, fmtTime(a.defaultedAt), ' ', txLink(a.defaultTxId, 'default')),
          h('span', { class: a.traceDeadline - now < 0 ? 'bad-text' : '', 'data-countdown': a.traceDeadline }, a.traceDeadline - now >= 0 ? `${fmtRelative(a.traceDeadline, now).replace(/^in /, '')} left` : `window closed ${fmtRelative(a.traceDeadline, now)}`),
          a.utilityShare ? badge('published') : badge('pending'),
          txLink(a.txId, 'borrowed'),
        ]),
        'no default is waiting for your share.',
      ),
    ),
    section(
      'Outstanding loans',
      'h-outstanding',
      h('p', { class: 'muted' }, 'As the ledger shows them: anonymous until traced.'),
      table('Outstanding loans', ['Loan', 'State', 'Amount', 'Due', 'Pool', 'Transaction'], d.outstanding.map((l) => [h('span', { title: l.loanId }, shortId(l.loanId)), badge(l.status), fmtWh(l.amount), l.dueAt ? h('span', {}, fmtTime(l.dueAt), h('br', {}), h('span', { class: 'muted small' }, fmtRelative(l.dueAt, now))) : '—', l.poolId, txLink(l.txId)]), 'no outstanding loan.'),
    ),
    section(
      'Score history',
      'h-history',
      stepChart('Your C_g after each change', [{ name: d.msp, points: d.history.map((c) => ({ x: c.at, y: c.score, href: `#/tx/${c.txId}`, label: `${c.score} (${c.delta > 0 ? '+' : ''}${c.delta}, ${shortenIds(c.reason ?? '')}) at ${fmtTime(c.at)}` })) }], { yLabel: 'C_g' }),
      table(`Latest score changes (${Math.min(15, d.history.length)} of ${d.history.length})`, ['Time', 'Change', 'C_g after', 'Reason', 'Transaction'], [...d.history].reverse().slice(0, 15).map((c) => [fmtTime(c.at), `${c.delta > 0 ? '+' : ''}${c.delta}`, fmtInt(c.score), shortenIds(c.reason ?? ''), txLink(c.txId)]), 'no change yet.'),
    ),
  );
}

/** Updates the "time left" cells every second without a reload. */
export function tickCountdowns(root: HTMLElement): void {
  const now = Date.now() / 1000;
  for (const el of root.querySelectorAll<HTMLElement>('[data-countdown]')) {
    const t = Number(el.dataset.countdown);
    el.textContent = t - now >= 0 ? `${fmtRelative(t, now).replace(/^in /, '')} left` : `window closed ${fmtRelative(t, now)}`;
    el.classList.toggle('bad-text', t - now < 0);
  }
}
