/**
 * Charts drawn as inline SVG. Each is an image with a title and a text description (for screen
 * readers), its data points link to the transactions that made them, and every chart is followed by
 * the same numbers as a table elsewhere on the page.
 */
import { h, s } from './dom';

export const SERIES_COLORS = ['#0b57d0', '#b3261e', '#146c2e', '#8a5300', '#6b2fa0'];
const DASH = ['', '6 3', '2 3', '8 3 2 3', '1 2'];

export interface Point {
  x: number;
  y: number;
  href?: string;
  label: string;
}

let uid = 0;

function frame(title: string, desc: string, w: number, hgt: number): { svg: SVGElement; id: string } {
  const id = `chart-${++uid}`;
  const svg = s('svg', { viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d`, class: 'chart', preserveAspectRatio: 'xMidYMid meet' });
  svg.appendChild(s('title', { id: `${id}-t` }, title));
  svg.appendChild(s('desc', { id: `${id}-d` }, desc));
  return { svg, id };
}

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Step lines over time (e.g. C_g after each change); points link to their transactions. */
export function stepChart(title: string, series: Array<{ name: string; points: Point[] }>, opts: { yLabel: string; xIsTime?: boolean } = { yLabel: '' }): HTMLElement {
  const W = 640, H = 260, L = 52, R = 12, T = 14, B = 40;
  const all = series.flatMap((x) => x.points);
  const desc = series.map((x) => `${x.name}: ${x.points.map((p) => p.label).join('; ') || 'no data'}`).join('. ');
  const { svg } = frame(title, desc, W, H);
  if (!all.length) return h('figure', { class: 'figure' }, svg, h('figcaption', {}, `${title}: no data yet.`));
  const minX = Math.min(...all.map((p) => p.x));
  const maxX = Math.max(...all.map((p) => p.x), minX + 1);
  const maxY = niceMax(Math.max(...all.map((p) => p.y)));
  const X = (x: number) => L + ((x - minX) / (maxX - minX)) * (W - L - R);
  const Y = (y: number) => T + (1 - y / maxY) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const v = (maxY * i) / 4;
    svg.appendChild(s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'grid' }));
    svg.appendChild(s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' }, String(Math.round(v))));
  }
  const fmt = (x: number) => (opts.xIsTime === false ? String(x) : new Date(x * 1000).toISOString().slice(5, 16).replace('T', ' '));
  svg.appendChild(s('text', { x: L, y: H - 8, class: 'axis' }, fmt(minX)));
  svg.appendChild(s('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'axis' }, fmt(maxX)));
  svg.appendChild(s('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle', class: 'axis', transform: `rotate(-90 14 ${(T + H - B) / 2})` }, opts.yLabel));
  series.forEach((ser, i) => {
    const color = SERIES_COLORS[i % SERIES_COLORS.length];
    const pts = ser.points;
    if (!pts.length) return;
    let d = `M${X(pts[0].x)},${Y(pts[0].y)}`;
    for (let k = 1; k < pts.length; k++) d += ` H${X(pts[k].x)} V${Y(pts[k].y)}`;
    d += ` H${W - R}`;
    svg.appendChild(s('path', { d, fill: 'none', stroke: color, 'stroke-width': 2.5, 'stroke-dasharray': DASH[i % DASH.length] || null }));
    for (const p of pts) {
      const dot = s('circle', { cx: X(p.x), cy: Y(p.y), r: 5, fill: color, stroke: '#fff', 'stroke-width': 1.5 }, s('title', {}, p.label));
      svg.appendChild(p.href ? s('a', { href: p.href, 'aria-label': p.label }, dot) : dot);
    }
  });
  const legend = h('ul', { class: 'legend' }, series.map((ser, i) => h('li', {}, h('span', { class: `swatch s${i % SERIES_COLORS.length}`, 'aria-hidden': 'true' }), ser.name)));
  return h('figure', { class: 'figure' }, svg, h('figcaption', {}, title), legend);
}

/** Vertical bars; each bar may link to a transaction. */
export function barChart(title: string, bars: Array<{ label: string; value: number; href?: string; color?: string; text?: string }>, opts: { unit?: string } = {}): HTMLElement {
  const W = 640, H = 240, L = 56, R = 12, T = 14, B = 64;
  const desc = bars.map((b) => `${b.label}: ${b.text ?? b.value}${opts.unit ? ` ${opts.unit}` : ''}`).join('; ');
  const { svg } = frame(title, desc || 'no data', W, H);
  if (!bars.length) return h('figure', { class: 'figure' }, svg, h('figcaption', {}, `${title}: no data yet.`));
  const maxY = niceMax(Math.max(4, ...bars.map((b) => b.value)));
  const Y = (y: number) => T + (1 - y / maxY) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const v = (maxY * i) / 4;
    svg.appendChild(s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'grid' }));
    svg.appendChild(s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' }, Number.isInteger(v) ? String(v) : v.toFixed(1)));
  }
  const slot = (W - L - R) / bars.length;
  const bw = Math.min(48, slot * 0.7);
  bars.forEach((b, i) => {
    const x = L + i * slot + (slot - bw) / 2;
    const rect = s('rect', { x, y: Y(b.value), width: bw, height: Math.max(0, Y(0) - Y(b.value)), fill: b.color ?? SERIES_COLORS[0], rx: 2 }, s('title', {}, `${b.label}: ${b.text ?? b.value}${opts.unit ? ` ${opts.unit}` : ''}`));
    svg.appendChild(b.href ? s('a', { href: b.href, 'aria-label': `${b.label}: ${b.text ?? b.value}` }, rect) : rect);
    const lx = x + bw / 2, ly = H - B + 12;
    if (bars.length <= 16) svg.appendChild(s('text', { x: lx, y: ly, 'text-anchor': 'end', class: 'axis', transform: `rotate(-30 ${lx} ${ly})` }, b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label));
  });
  return h('figure', { class: 'figure' }, svg, h('figcaption', {}, title));
}

/** An order book depth chart: cumulative bid quantity (high to low) and ask quantity (low to high) by price. */
export function depthChart(title: string, bids: Array<{ price: number; quantity: number }>, asks: Array<{ price: number; quantity: number }>, clearing?: number | null): HTMLElement {
  const W = 640, H = 260, L = 60, R = 12, T = 14, B = 40;
  const cum = (orders: Array<{ price: number; quantity: number }>, dir: 1 | -1) => {
    const sorted = [...orders].sort((a, b) => dir * (a.price - b.price));
    let q = 0;
    return sorted.map((o) => ({ price: o.price, q: (q += o.quantity) }));
  };
  const b = cum(bids, -1);
  const a = cum(asks, 1);
  const desc = `Bids: ${b.map((p) => `${p.q} Wh at ${p.price} or more`).join(', ') || 'none'}. Asks: ${a.map((p) => `${p.q} Wh at ${p.price} or less`).join(', ') || 'none'}.${clearing ? ` Clearing price ${clearing}.` : ''}`;
  const { svg } = frame(title, desc, W, H);
  const prices = [...b, ...a].map((p) => p.price);
  if (!prices.length) return h('figure', { class: 'figure' }, svg, h('figcaption', {}, `${title}: the book is empty.`));
  const minP = Math.min(...prices), maxP = Math.max(...prices, minP + 1);
  const pad = (maxP - minP) * 0.08 || 1;
  const lo = minP - pad, hi = maxP + pad;
  const maxQ = niceMax(Math.max(4, ...b.map((p) => p.q), ...a.map((p) => p.q)));
  const X = (p: number) => L + ((p - lo) / (hi - lo)) * (W - L - R);
  const Y = (q: number) => T + (1 - q / maxQ) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const v = (maxQ * i) / 4;
    svg.appendChild(s('line', { x1: L, x2: W - R, y1: Y(v), y2: Y(v), class: 'grid' }));
    svg.appendChild(s('text', { x: L - 6, y: Y(v) + 4, 'text-anchor': 'end', class: 'axis' }, String(Math.round(v))));
  }
  svg.appendChild(s('text', { x: L, y: H - 8, class: 'axis' }, `price ${Math.round(lo)}`));
  svg.appendChild(s('text', { x: W - R, y: H - 8, 'text-anchor': 'end', class: 'axis' }, `${Math.round(hi)}`));
  const area = (pts: Array<{ price: number; q: number }>, dir: 1 | -1, color: string, name: string) => {
    if (!pts.length) return;
    let d = `M${X(pts[0].price)},${Y(0)} V${Y(pts[0].q)}`;
    for (let k = 1; k < pts.length; k++) d += ` H${X(pts[k].price)} V${Y(pts[k].q)}`;
    d += ` H${dir < 0 ? L : W - R} V${Y(0)} Z`;
    svg.appendChild(s('path', { d, fill: color, 'fill-opacity': 0.18, stroke: color, 'stroke-width': 2.5 }, s('title', {}, name)));
  };
  area(b, -1, '#146c2e', 'cumulative bids');
  area(a, 1, '#b3261e', 'cumulative asks');
  if (clearing) {
    svg.appendChild(s('line', { x1: X(clearing), x2: X(clearing), y1: T, y2: H - B, stroke: '#1a1f29', 'stroke-dasharray': '4 3', 'stroke-width': 1.5 }));
    svg.appendChild(s('text', { x: X(clearing) + 4, y: T + 12, class: 'axis' }, `clearing ${clearing}`));
  }
  const legend = h('ul', { class: 'legend' }, h('li', {}, h('span', { class: 'swatch s2', 'aria-hidden': 'true' }), 'bids (cumulative Wh)'), h('li', {}, h('span', { class: 'swatch s1', 'aria-hidden': 'true' }), 'asks (cumulative Wh)'));
  return h('figure', { class: 'figure' }, svg, h('figcaption', {}, title), legend);
}

/** A labelled progress bar (native `<progress>` for assistive technology). */
export function progress(label: string, value: number, max: number): HTMLElement {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return h('div', { class: 'progress' }, h('progress', { value: Math.min(value, max), max: Math.max(1, max), 'aria-label': label }), h('span', {}, `${value} / ${max} (${pct}%)`));
}
