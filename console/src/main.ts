/** The console: hash routes, sign-in, role-based navigation and live updates. */
import './style.css';
import { ApiError, auth, Session } from './api';
import { h } from './dom';
import { subscribe, Unsubscribe } from './sse';
import { boardPage } from './pages/board';
import { guarantorPage, tickCountdowns } from './pages/guarantor';
import { operatorPage } from './pages/operator';
import { txPage } from './pages/tx';
import { utilityPage } from './pages/utility';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const live = document.getElementById('live')!;

const PAGE_OF_ROLE: Record<Session['role'], string> = {
  'utility-admin': '#/utility',
  'guarantor-admin': '#/guarantor',
  'operator-admin': '#/operator',
  'user-relay': '#/',
};

function renderNav(): void {
  const session = auth.session();
  const links: Array<[string, string]> = [['#/', 'Public board']];
  if (session?.role === 'utility-admin') links.push(['#/utility', 'Utility'], ['#/operator', 'Operator']);
  if (session?.role === 'guarantor-admin') links.push(['#/guarantor', 'Guarantor']);
  if (session?.role === 'operator-admin') links.push(['#/operator', 'Operator']);
  const here = location.hash.split('/').slice(0, 2).join('/') || '#/';
  nav.replaceChildren(
    ...links.map(([href, label]) => h('li', {}, h('a', { href, 'aria-current': here === href || (href === '#/' && here === '#') ? 'page' : null }, label))),
    h('li', { class: 'who' }, session ? [h('span', { class: 'muted' }, `${session.callerId} · ${session.msp}`), ' ', h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out')] : h('a', { href: '#/login', 'aria-current': here === '#/login' ? 'page' : null }, 'Sign in')),
  );
}

function signOut(): void {
  auth.signOut();
  location.hash = '#/';
  restartLive();
}

function loginPage(message?: string): HTMLElement {
  const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'current-password', required: true, 'aria-describedby': 'api-key-help' });
  const error = h('p', { id: 'login-error', class: 'error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    {
      class: 'card login',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        try {
          const session = await auth.signIn(input.value.trim());
          renderNav();
          restartLive();
          location.hash = PAGE_OF_ROLE[session.role];
        } catch (err) {
          error.textContent = err instanceof ApiError && err.status === 401 ? 'That API key is not valid on this gateway.' : `Sign-in failed: ${(err as Error).message}`;
          input.focus();
        }
      },
    },
    h('h1', {}, 'Sign in'),
    h('p', {}, 'Operators sign in with the API key their org\'s gateway issued. The key stays in this browser tab only (session storage) and is sent in a header, never in a URL. The public board needs no key.'),
    h('div', { class: 'field' }, h('label', { for: 'api-key' }, 'API key'), input, h('p', { id: 'api-key-help', class: 'muted small' }, 'For example glk_… from the gateway\'s key file.')),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  return form;
}

function errorPage(err: unknown): HTMLElement {
  if (err instanceof ApiError && (err.status === 403 || err.status === 401)) {
    return h('div', { class: 'card denied', role: 'alert', 'data-testid': 'denied' }, h('h1', {}, err.status === 403 ? 'Access denied' : 'Sign-in needed'), h('p', {}, err.detail), h('p', {}, h('a', { href: '#/' }, 'Back to the public board')));
  }
  return h('div', { class: 'card', role: 'alert' }, h('h1', {}, 'Could not load this page'), h('p', {}, (err as Error).message));
}

let rendering = 0;

async function render(opts: { focus?: boolean } = {}): Promise<void> {
  const token = ++rendering;
  renderNav();
  const parts = (location.hash || '#/').slice(1).split('/').filter(Boolean).map(decodeURIComponent);
  const session = auth.session();
  let page: Promise<HTMLElement>;
  let title = 'Public board';
  switch (parts[0]) {
    case undefined:
      page = boardPage();
      break;
    case 'login':
      title = 'Sign in';
      page = Promise.resolve(loginPage());
      break;
    case 'tx':
      title = 'Transaction';
      page = txPage(parts[1] ?? '');
      break;
    case 'utility':
      title = 'Utility';
      page = session ? utilityPage(parts[1] === 'cycle' ? parts[2] : undefined) : Promise.resolve(loginPage('Sign in with a Utility key to see this page.'));
      break;
    case 'guarantor':
      title = 'Guarantor';
      page = session ? guarantorPage(parts[1] ?? session.msp) : Promise.resolve(loginPage('Sign in with your guarantor key to see this page.'));
      break;
    case 'operator':
      title = 'Operator';
      page = session ? operatorPage() : Promise.resolve(loginPage('Sign in with an operator key to see this page.'));
      break;
    default:
      page = Promise.resolve(h('div', { class: 'card' }, h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/' }, 'Back to the public board'))));
  }
  if (opts.focus) main.setAttribute('aria-busy', 'true');
  let el: HTMLElement;
  try {
    el = await page;
  } catch (err) {
    el = errorPage(err);
  }
  if (token !== rendering) return;
  // Keep the reader's place on a live refresh: only a navigation moves focus to the new page.
  const open = [...main.querySelectorAll('details')].map((d) => d.open);
  main.replaceChildren(el);
  main.querySelectorAll('details').forEach((d, i) => (d.open = open[i] ?? d.open));
  main.removeAttribute('aria-busy');
  main.dataset.page = parts[0] ?? 'board';
  main.dataset.rendered = String(Date.now());
  document.title = `${title} · GridLedger console`;
  if (opts.focus) main.focus({ preventScroll: false });
}

// Live updates: re-render the page (debounced) when the ledger moves.
let stopLive: Unsubscribe | undefined;
let pending: number | undefined;
function restartLive(): void {
  stopLive?.();
  stopLive = subscribe(
    auth.key(),
    (e) => {
      if (e.eventName === 'DefaulterPublished') live.textContent = `A traced defaulter was just published (${e.transactionId.slice(0, 8)}…).`;
      if (pending !== undefined) return;
      pending = window.setTimeout(() => {
        pending = undefined;
        if ((location.hash || '#/').startsWith('#/login')) return;
        void render();
      }, 400);
    },
    (state) => {
      document.body.dataset.live = state;
      const el = document.getElementById('live-state');
      if (el) el.textContent = state === 'live' ? 'Live' : 'Reconnecting…';
    },
  );
}

window.addEventListener('hashchange', () => void render({ focus: true }));
// The skip link moves focus without touching the hash (the hash is the router's).
document.querySelector<HTMLAnchorElement>('a.skip')!.addEventListener('click', (e) => {
  e.preventDefault();
  main.focus();
});
window.setInterval(() => tickCountdowns(main), 1_000);
document.querySelector('.top')!.appendChild(h('p', { class: 'live-state' }, h('span', { id: 'live-state' }, 'Connecting…')));
restartLive();
void render();
