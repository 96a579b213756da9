/** One transaction as the ledger holds it. */
import { get } from '../api';
import { badge, h, section } from '../dom';

interface TxView { txId: string; blockNumber: number; timestamp: string; validationCode: string; valid: boolean; creatorMsp: string; endorsers: string[]; chaincode?: string; function?: string; argCount: number; argBytes: number; transactionsInBlock?: number; event?: { name: string; payload?: unknown; payloadHidden?: boolean } }

export async function txPage(txId: string): Promise<HTMLElement> {
  const t = await get<TxView>(`/v1/ledger/transactions/${encodeURIComponent(txId)}`);
  const row = (k: string, v: Node | string) => h('div', {}, h('dt', {}, k), h('dd', {}, v));
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Transaction'),
    h('p', { class: 'mono wrap', 'data-testid': 'tx-id' }, t.txId),
    section(
      'As the ledger holds it',
      'h-tx',
      h(
        'dl',
        { class: 'facts' },
        row('Validation', badge(t.validationCode)),
        row('Block', String(t.blockNumber)),
        row('Time', `${t.timestamp.replace('T', ' ').slice(0, 19)} UTC`),
        row('Function', h('code', { 'data-testid': 'tx-function' }, t.function ?? '—')),
        row('Chaincode', t.chaincode ?? '—'),
        row('Submitted by', t.creatorMsp),
        row('Endorsed by', t.endorsers.join(', ') || '—'),
        row('Arguments', `${t.argCount} (${t.argBytes.toLocaleString('en-US')} bytes, not shown)`),
        row('Transactions in its block', String(t.transactionsInBlock ?? 1)),
      ),
    ),
    section(
      'Event',
      'h-tx-event',
      t.event
        ? [h('p', {}, h('code', { 'data-testid': 'tx-event' }, t.event.name)), t.event.payloadHidden ? h('p', { class: 'muted' }, 'Sign in to see this event\'s payload.') : h('pre', { class: 'json', tabindex: 0, 'aria-label': 'event payload' }, JSON.stringify(t.event.payload, null, 2))]
        : h('p', { class: 'empty' }, 'This transaction emitted no event.'),
    ),
  );
}
