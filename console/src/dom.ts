/** A small DOM builder: text is always set as text, never parsed as HTML. */
export type Child = Node | string | number | null | undefined | false | Child[];
export type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG = 'http://www.w3.org/2000/svg';

export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** `abcd1234…cdef` for a long id; the full id goes in the title and the accessible name. */
export const shortId = (id: string, keep = 8): string => (id.length > keep * 2 + 1 ? `${id.slice(0, keep)}…${id.slice(-4)}` : id);

/** A link to the transaction view. */
export function txLink(txId: string | undefined, label?: string): HTMLElement {
  if (!txId) return h('span', { class: 'muted' }, '—');
  return h('a', { href: `#/tx/${txId}`, class: 'tx', title: `transaction ${txId}`, 'aria-label': `${label ? `${label}: ` : ''}transaction ${shortId(txId)}` }, label ?? shortId(txId));
}

export const fmtInt = (n: number | undefined | null): string => (n === undefined || n === null || Number.isNaN(n) ? '—' : Math.round(n).toLocaleString('en-US'));
export const fmtWh = (n: number | undefined | null): string => (n === undefined || n === null ? '—' : n >= 10_000 ? `${(n / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })} kWh` : `${fmtInt(n)} Wh`);

/** A UTC time: `2026-11-22 00:54:03 UTC` (seconds since the epoch). */
export function fmtTime(sec: number | undefined | null): string {
  if (sec === undefined || sec === null) return '—';
  return `${new Date(sec * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** `in 3 min 20 s`, `2 min ago`. */
export function fmtRelative(sec: number, now = Date.now() / 1000): string {
  const d = Math.round(sec - now);
  const a = Math.abs(d);
  const text = a < 60 ? `${a} s` : a < 3600 ? `${Math.floor(a / 60)} min ${a % 60} s` : a < 86_400 ? `${Math.floor(a / 3600)} h ${Math.floor((a % 3600) / 60)} min` : `${Math.floor(a / 86_400)} d`;
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

/** A table in a scrollable, focusable region (keyboard users can scroll it). */
export function table(caption: string, head: string[], rows: Child[][], empty = 'Nothing yet.'): HTMLElement {
  if (!rows.length) return h('p', { class: 'empty' }, `${caption}: ${empty}`);
  return h(
    'div',
    { class: 'scroll', role: 'region', 'aria-label': caption, tabindex: 0 },
    h('table', {}, h('caption', {}, caption), h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))), h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', {}, c))))))),
  );
}

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return h('section', { 'aria-labelledby': id, class: 'card' }, h('h2', { id }, title), ...children);
}

export function badge(status: string): HTMLElement {
  const kind = /^(ok|open|active|committed|valid|cleared|repaid|streaming)$/i.test(status) ? 'ok' : /^(down|defaulted|traced|closed|retired|rejected)$/i.test(status) ? 'bad' : 'warn';
  return h('span', { class: `badge ${kind}` }, status);
}

/** A ledger message with its long ids shortened (`loan 1484…1656 repaid`). */
export const shortenIds = (text: string): string => text.replace(/\b[0-9a-f]{20,}\b|\b\d{20,}\b/g, (m) => shortId(m));
