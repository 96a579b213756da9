/** The charging-pile operator's view: piles, their channels, recent settlements. */
import { get } from '../api';
import { barChart } from '../charts';
import { badge, fmtInt, fmtTime, h, section, shortId, table, txLink } from '../dom';

interface Dashboard {
  piles: Array<{ id: string; powerW: number; collateral: number; collateralAccount?: string; status: string; registeredAt?: number; provenance: Array<{ txId: string; eventName: string }> }>;
  channels: Array<{ channelId: string; status: string; deposits?: { a?: string; b?: string }; identities?: { a?: string; b?: string }; openedTxId: string; lastTxId: string; lastEvent: string; settlement?: { kind?: string; payouts?: { a?: string; b?: string } } }>;
  settlements: Array<{ kind: string; txId: string; eventName: string; payload: Record<string, unknown> }>;
}

export async function operatorPage(): Promise<HTMLElement> {
  const d = await get<Dashboard>('/v1/operator/dashboard');
  const totalPower = d.piles.filter((p) => p.status === 'active').reduce((s, p) => s + p.powerW, 0);
  const totalCollateral = d.piles.filter((p) => p.status === 'active').reduce((s, p) => s + p.collateral, 0);
  const shown = d.piles.slice(0, 200);
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Charging-pile operator'),
    h(
      'dl',
      { class: 'facts big' },
      h('div', {}, h('dt', {}, 'Piles'), h('dd', { 'data-testid': 'op-piles' }, fmtInt(d.piles.length))),
      h('div', {}, h('dt', {}, 'Active power'), h('dd', {}, `${(totalPower / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} kW`)),
      h('div', {}, h('dt', {}, 'Locked collateral'), h('dd', {}, fmtInt(totalCollateral))),
      h('div', {}, h('dt', {}, 'Channels'), h('dd', { 'data-testid': 'op-channels' }, fmtInt(d.channels.length))),
    ),
    section(
      'Piles',
      'h-piles',
      barChart('Power of each pile (kW)', shown.slice(0, 16).map((p) => ({ label: p.id, value: p.powerW / 1000, href: p.provenance[0] ? `#/tx/${p.provenance[0].txId}` : undefined })), { unit: 'kW' }),
      table('Piles', ['Pile', 'Status', 'Power', 'Locked collateral', 'Registered', 'Transaction'], shown.map((p) => [p.id, badge(p.status), `${(p.powerW / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} kW`, fmtInt(p.collateral), fmtTime(p.registeredAt), txLink(p.provenance.find((x) => x.eventName === 'PileRegistered')?.txId ?? p.provenance[0]?.txId)]), 'no pile registered.'),
    ),
    section(
      'Their payment channels',
      'h-op-channels',
      table('Channels of these piles', ['Channel', 'State', 'Parties', 'Deposits', 'Latest', 'Opened'], d.channels.slice(0, 50).map((c) => [h('span', { title: c.channelId }, shortId(c.channelId, 12)), badge(c.status), `${c.identities?.a ?? '?'} ↔ ${c.identities?.b ?? '?'}`, `${c.deposits?.a ?? '?'} / ${c.deposits?.b ?? '?'}`, h('span', {}, `${c.lastEvent} `, txLink(c.lastTxId)), txLink(c.openedTxId)]), 'no channel.'),
    ),
    section(
      'Recent settlements',
      'h-settlements',
      table(
        'Settlements, newest first',
        ['Kind', 'What', 'Amounts', 'Transaction'],
        d.settlements.slice(0, 30).map((s) => {
          const p = s.payload as { channelId?: string; kind?: string; payouts?: { a?: string; b?: string }; cycleId?: string; index?: number; amount?: number; late?: boolean };
          return s.kind === 'channel'
            ? ['channel close', `${shortId(String(p.channelId), 12)} (${p.kind ?? 'settled'})`, `a ${p.payouts?.a ?? '?'} · b ${p.payouts?.b ?? '?'}`, txLink(s.txId)]
            : ['market obligation', `cycle ${p.cycleId} #${p.index}${p.late ? ' (late)' : ''}`, fmtInt(p.amount), txLink(s.txId)];
        }),
        'no settlement yet.',
      ),
    ),
  );
}
