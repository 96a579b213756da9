/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser)
/**
 * The web console end to end: headless Chromium (Debian's package, driven by playwright-core)
 * against gateways of four orgs running in this process on the real network. Each page renders
 * ledger data; a default traced during the test reaches the public board within seconds through
 * the live event stream; a guarantor cannot see another guarantor's page (in the browser and at
 * the API); labels, keyboard order and contrast; a phone-sized viewport. Screenshots of each page go
 * to docs/console/ with GRIDLEDGER_CONSOLE_SCREENSHOTS=1 (else to a temporary folder).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  canonicalJson, createBorrowerIdentity, createPoolNote, createTraceShare, credentialLeaf, DEFAULT_LENDING_PARAMS, generateKeyPair, identityCommitment,
  identitySecretHash, identityToField, LendingParams, noteCommitment, proveBorrowRequest, releaseZk,
} from '@gridledger/core';
import { Connections, networkAvailable, OrgName, profile, ROOT } from '../integration/support/network';
import { accountKey, traceKey } from '../integration/support/keystore';
import { evaluate, mintEnergy, nextNonce, signedArgs, submit, waitUntil } from '../integration/support/ledger';
import { FabricLedgerClient } from '../../gateway-api/src/fabric/fabric-ledger';
import { buildDeps } from '../../gateway-api/src/http/app';
import { hashApiKey } from '../../gateway-api/src/http/auth';
import { createLogger } from '../../gateway-api/src/http/logger';
import { GatewayMetrics } from '../../gateway-api/src/http/metrics';
import { Gateway } from '../../gateway-api/src/server';
import { SqliteStore } from '../../gateway-api/src/store/sqlite-store';
import { testConfig } from '../../gateway-api/src/testing/harness';
import type { Role } from '../../gateway-api/src/config/roles';

jest.setTimeout(300_000);

const CHROMIUM = process.env.GRIDLEDGER_CHROMIUM ?? '/usr/bin/chromium';
const CONSOLE_DIST = path.join(ROOT, 'console', 'dist', 'index.html');
const SHOTS = process.env.GRIDLEDGER_CONSOLE_SCREENSHOTS === '1' ? path.join(ROOT, 'docs', 'console') : mkdtempSync(path.join(tmpdir(), 'gl-console-shots-'));
const TIMEOUTS = { evaluateTimeoutMs: 5_000, endorseTimeoutMs: 15_000, submitTimeoutMs: 5_000, commitStatusTimeoutMs: 60_000 };
const LAUNCH_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Used only when the network has no lending parameters yet (the lending suite's short windows). */
const PARAMS: LendingParams = {
  ...DEFAULT_LENDING_PARAMS, W_b: 60, W_g: 40, minScoreTable: [{ maxAmountWh: 5_000, maxDurationS: 3_600, minScore: 600 }], expiry: { graceS: 1 },
  interestBps: 1_000, traceWindowS: 3, defaultFineBps: 11_000, missedTraceFineBps: 5_000, poolDenominationsWh: [1_000, 10_000],
};

const skipReason = !networkAvailable()
  ? 'needs the Fabric network (see the integration setup message)'
  : !existsSync(CHROMIUM)
    ? `needs Chromium at ${CHROMIUM} (apt-get install -y chromium; scripts/install.sh does it as root)`
    : !existsSync(CONSOLE_DIST)
      ? 'needs the console build (npm run build)'
      : undefined;

interface Running {
  org: OrgName;
  url: string;
  key: string;
  gateway: Gateway;
  dir: string;
}

async function startGateway(org: OrgName, role: Role): Promise<Running> {
  const dir = mkdtempSync(path.join(tmpdir(), `gl-e2e-gw-${org}-`));
  const sqlitePath = path.join(dir, 'gateway.db');
  const store = new SqliteStore(sqlitePath);
  await store.init();
  const key = `e2e-${org}-${Math.random().toString(36).slice(2)}-key`;
  const config = testConfig(
    {
      org,
      profilePath: path.join(ROOT, 'network', '.run', 'profiles', `${org}.json`),
      auth: { apiKeys: [{ id: `e2e-${org}`, role, sha256: hashApiKey(key) }], mtls: [] },
      fabric: { ...TIMEOUTS, eventStartBlock: 0 },
      log: { level: 'error' },
    },
    sqlitePath,
  );
  const deps = buildDeps({ config, ledger: new FabricLedgerClient(profile(org), TIMEOUTS), store, log: createLogger('error'), metrics: new GatewayMetrics({ defaultMetrics: false }) });
  const gateway = new Gateway(deps);
  const port = await gateway.start();
  return { org, url: `http://127.0.0.1:${port}`, key, gateway, dir };
}

async function api(gw: Running, p: string, key: string | null = gw.key): Promise<{ status: number; body: any }> {
  const res = await fetch(gw.url + p, { headers: key ? { 'x-api-key': key } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Waits until the gateway's event log has caught up with the chain (it ingests from block 0). */
async function caughtUp(gw: Running, height: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const last = await gw.gateway.deps.store.lastEvent();
    if (last && last.blockNumber >= height - 2) return;
    if (Date.now() > deadline) throw new Error(`${gw.org} gateway did not catch up with block ${height}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** WCAG relative-luminance contrast of every sampled element's text against its background. */
async function contrastProblems(page: Page, selectors: string[]): Promise<string[]> {
  return page.evaluate((sels) => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const f = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bg = (el: Element | null): number[] => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out: string[] = [];
    for (const sel of sels) {
      for (const el of Array.from(document.querySelectorAll(sel)).slice(0, 20)) {
        if (!(el as HTMLElement).offsetParent && getComputedStyle(el).position !== 'fixed') continue;
        const fg = parse(getComputedStyle(el).color).slice(0, 3);
        const [a, b] = [lum(fg), lum(bg(el))].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        if (ratio < 4.5) out.push(`${sel} "${(el.textContent ?? '').trim().slice(0, 30)}": ${ratio.toFixed(2)}:1`);
      }
    }
    return out;
  }, selectors);
}

/** Form controls without a label. */
async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('input, select, textarea'))
      .filter((el) => {
        const id = el.getAttribute('id');
        return !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !(id && document.querySelector(`label[for="${id}"]`)) && !el.closest('label');
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
}

/** The page is no wider than the viewport (tables scroll inside their own regions). */
async function overflowX(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

const d = skipReason ? describe.skip : describe;
if (skipReason) {
  // eslint-disable-next-line no-console
  console.log(`[e2e] console tests skipped: ${skipReason}`);
}

d('web console in headless Chromium on the real network', () => {
  let browser: Browser;
  const gw: Partial<Record<OrgName, Running>> = {};
  const conns = new Connections();
  const run = Date.now().toString(36);
  const state: Record<string, any> = {};

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    gw.utility = await startGateway('utility', 'utility-admin');
    gw.guarantora = await startGateway('guarantora', 'guarantor-admin');
    gw.guarantorb = await startGateway('guarantorb', 'guarantor-admin');
    gw.operator = await startGateway('operator', 'operator-admin');
    // What the pages show must exist on a fresh network too: the parameters (this also puts a chaincode
    // event at the head for the gateways' event logs to catch up to), the Utility's tracing key, and both
    // guarantors with their tracing keys and funded fine accounts.
    await conns.contract('utility', 'admin', 'params').submitTransaction('SetLendingParams', canonicalJson(PARAMS));
    const ug = conns.contract('utility', 'admin', 'guarantor');
    await ug.submitTransaction('SetUtilityTraceKey', JSON.stringify(traceKey('utility').publicKey));
    const registered = (await evaluate(ug, 'ListGuarantors')).map((x: { msp: string }) => x.msp);
    for (const [msp, org, score] of [['GuarantorAMSP', 'guarantora', 800], ['GuarantorBMSP', 'guarantorb', 700]] as const) {
      if (!registered.includes(msp)) await ug.submitTransaction('RegisterGuarantor', msp, `${org} corp`, String(score), JSON.stringify(traceKey(org).publicKey), accountKey(`${org}-fines`).publicKey);
      await mintEnergy(conns.contract('utility', 'admin', 'accounts'), accountKey(`${org}-fines`).publicKey, 5_000);
    }
    const height = await chainHeight();
    for (const g of Object.values(gw)) await caughtUp(g!, height);
  });

  afterAll(async () => {
    await browser?.close();
    for (const g of Object.values(gw)) {
      await g!.gateway.stop();
      rmSync(g!.dir, { recursive: true, force: true });
    }
    conns.closeAll();
    await releaseZk(true);
  });

  async function chainHeight(): Promise<number> {
    const { common } = await import('@hyperledger/fabric-protos');
    const qscc = conns.network('operator', 'client').getContract('qscc');
    return common.BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', 'energy')).getHeight();
  }

  async function open(g: Running, hash: string, opts: { key?: string | null; viewport?: { width: number; height: number } } = {}): Promise<Page> {
    const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 900 } });
    page.on('pageerror', (e) => {
      throw e;
    });
    const key = opts.key === undefined ? g.key : opts.key;
    if (key) {
      await page.goto(`${g.url}/console/#/login`);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForFunction(() => !location.hash.startsWith('#/login'));
    }
    await page.goto(`${g.url}/console/${hash}`);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  it('the public board renders the ledger\'s parameters, board, blocklist and guarantor scores without signing in', async () => {
    const relay = conns.contract('utility', 'admin', 'params');
    let params = await evaluate(relay, 'GetLendingParams').catch(() => undefined);
    if (!params) {
      await submit(relay, 'SetLendingParams', canonicalJson(PARAMS));
      params = await evaluate(relay, 'GetLendingParams');
    }
    state.params = params.params;
    const page = await open(gw.utility!, '#/', { key: null });
    await page.waitForSelector('[data-testid=param-wb]');
    expect(await page.textContent('[data-testid=param-wb]')).toBe(`${params.params.W_b} %`);
    expect(await page.textContent('[data-testid=param-wg]')).toBe(`${params.params.W_g} %`);
    const board = await evaluate(conns.contract('operator', 'client', 'loan'), 'GetBoard');
    expect(Number(await page.textContent('[data-testid=defaulter-count]'))).toBe(board.length);
    // Every published figure links to its transaction; the transaction page reads it from the ledger.
    expect(await page.locator(`a[href="#/tx/${params.txId}"]`).count()).toBeGreaterThanOrEqual(1);
    const guarantors = await evaluate(conns.contract('operator', 'client', 'guarantor'), 'ListGuarantors');
    for (const g of guarantors) expect(await page.locator('table', { hasText: g.msp }).count()).toBeGreaterThan(0);
    expect(await page.locator('svg[role=img] title', { hasText: 'C_g' }).count()).toBeGreaterThan(0);
    // Accessibility: labelled controls, the palette's contrast, keyboard order from the skip link.
    expect(await unlabelled(page)).toEqual([]);
    expect(await contrastProblems(page, ['body', 'p', 'th', 'td', 'a', '.badge', '.top nav a', '.muted', 'caption', 'dt', 'figcaption'])).toEqual([]);
    // Keyboard: from the top, the skip link, then the navigation in reading order.
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => (document.activeElement?.textContent ?? '').trim()));
    }
    expect(order).toEqual(['Skip to content', 'Public board', 'Sign in']);
    // The skip link moves focus to the content; the next Tab lands inside it, with a visible outline.
    await page.reload();
    await page.waitForSelector('[data-testid=param-wb]');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('Tab');
    const firstInMain = await page.evaluate(() => ({ inMain: Boolean(document.activeElement?.closest('main')), outline: getComputedStyle(document.activeElement!).outlineStyle }));
    expect(firstInMain.inMain).toBe(true);
    expect(firstInMain.outline).not.toBe('none');
    await shot(page, 'public-board');
    // The transaction behind the parameters, as the ledger holds it.
    await page.click(`a[href="#/tx/${params.txId}"]`);
    await page.waitForSelector('[data-testid=tx-function]');
    expect(await page.textContent('[data-testid=tx-function]')).toBe('params:SetLendingParams');
    expect(await page.textContent('[data-testid=tx-event]')).toBe('LendingParamsChanged');
    await shot(page, 'transaction');
    await page.close();
  });

  it('a borrower defaults; its guarantor sees the default awaiting its share, and the trace reaches the open public board within seconds', async () => {
    const utility = { accounts: conns.contract('utility', 'admin', 'accounts'), pool: conns.contract('utility', 'admin', 'pool'), loan: conns.contract('utility', 'admin', 'loan') };
    const gA = { guarantor: conns.contract('guarantora', 'admin', 'guarantor'), loan: conns.contract('guarantora', 'admin', 'loan') };
    const relay = { accounts: conns.contract('operator', 'client', 'accounts'), pool: conns.contract('operator', 'client', 'pool'), loan: conns.contract('operator', 'client', 'loan'), guarantor: conns.contract('operator', 'client', 'guarantor') };
    const poolId = `e2e-${run}`;
    const who = `e2e-carol-${run}`;
    const carol = { id: createBorrowerIdentity(identityToField(who)), score: 700, recipient: generateKeyPair() };
    // A pool with one note, the borrower's credential from guarantor A.
    const deadline = Math.floor(Date.now() / 1000) + 8;
    await submit(utility.pool, 'CreatePool', canonicalJson({ poolId, denominationWh: 1_000, targetNotes: 1, deadline, maturity: deadline + 600 }));
    const lender = generateKeyPair();
    await mintEnergy(utility.accounts, lender.publicKey, 1_000);
    const body = { poolId, commitment: noteCommitment(createPoolNote()).toString(), account: lender.publicKey, nonce: await nextNonce(relay.accounts, lender.publicKey) };
    await submit(relay.pool, 'Deposit', ...signedArgs('deposit', body, lender));
    const leaf = credentialLeaf(identityCommitment(carol.id.identity, identitySecretHash(carol.id.identitySecret)), carol.score, 1);
    const issued = await submit(gA.guarantor, 'IssueCredential', leaf.toString());
    await waitUntil(deadline);
    await submit(relay.pool, 'SealPool', poolId);
    const p = (await evaluate(conns.contract('operator', 'client', 'params'), 'GetLendingParams')).params;
    const g = await evaluate(relay.guarantor, 'GetGuarantor', 'GuarantorAMSP');
    const credential = await evaluate(relay.guarantor, 'GetCredentialPath', 'GuarantorAMSP', String(issued.leafIndex));
    const utilityKey = await evaluate(relay.guarantor, 'GetUtilityTraceKey');
    const tier = p.minScoreTable.find((t: any) => t.maxAmountWh >= 1_000 && t.maxDurationS >= 2);
    const ctx = { guarantor: 'GuarantorAMSP', guarantorId: 1, credential, W_b: p.W_b, W_g: p.W_g, guarantorScore: g.score, pkGuarantor: g.tracePublicKey, pkUtility: utilityKey.publicKey };
    const req = await proveBorrowRequest(carol.id, carol.score, ctx, { amount: 1_000, durationS: 2, minScore: tier.minScore, recipient: carol.recipient.publicKey, relayer: accountKey('operator-relayer').publicKey });
    await submit(relay.loan, 'Borrow', poolId, canonicalJson(req.request));
    const loan = await evaluate(relay.loan, 'GetLoan', req.loanId);
    await waitUntil(loan.dueAt);
    await submit(relay.loan, 'DeclareDefault', req.loanId);

    // Guarantor A's own page (its own gateway) lists the default awaiting its share, with the time left.
    const gPage = await open(gw.guarantora!, '#/guarantor');
    await gPage.waitForSelector('[data-testid=g-awaiting]');
    await gPage.waitForFunction((id) => document.querySelector(`main span[title="${id}"]`) !== null, req.loanId, { timeout: 15_000 });
    expect(Number(await gPage.textContent('[data-testid=g-awaiting]'))).toBeGreaterThanOrEqual(1);
    expect(await gPage.locator('[data-countdown]').count()).toBeGreaterThanOrEqual(1);
    expect(Number(await gPage.textContent('[data-testid=g-registry]'))).toBeGreaterThan(issued.leafIndex);
    expect(await unlabelled(gPage)).toEqual([]);
    await shot(gPage, 'guarantor');

    // The public board is open (no key) while the trace completes.
    const board = await open(gw.utility!, '#/', { key: null });
    await board.waitForSelector('[data-testid=defaulter-count]');
    await board.waitForFunction(() => document.body.dataset.live === 'live');
    expect(await board.locator('[data-testid=defaulter]', { hasText: who }).count()).toBe(0);
    const ct = { c1: loan.ciphertext.c1.map(BigInt), c2: loan.ciphertext.c2.map(BigInt) } as any;
    await submit(gA.loan, 'PublishTraceShare', req.loanId, JSON.stringify(createTraceShare(req.loanId, traceKey('guarantora').secretKey, ct)));
    await submit(utility.loan, 'PublishTraceShare', req.loanId, JSON.stringify(createTraceShare(req.loanId, traceKey('utility').secretKey, ct)));
    const entry = await submit(gA.loan, 'CompleteTrace', req.loanId, who, String(issued.leafIndex));
    const committedAt = Date.now();
    await board.locator('[data-testid=defaulter]', { hasText: who }).waitFor({ timeout: 10_000 });
    const seconds = (Date.now() - committedAt) / 1000;
    expect(seconds).toBeLessThan(10);
    // Its row links to the transaction that published it, and the blocklist has it too.
    expect(await board.locator(`a[href="#/tx/${entry.txId}"]`).count()).toBeGreaterThanOrEqual(1);
    expect(await board.locator('table', { hasText: 'Blocklisted' }).locator('td, th', { hasText: who }).count()).toBeGreaterThanOrEqual(1);
    expect(await board.textContent('#live')).toMatch(/traced defaulter was just published/);
    state.defaultSeconds = seconds;
    // eslint-disable-next-line no-console
    console.log(`[e2e] the traced defaulter reached the open public board ${seconds.toFixed(2)} s after CompleteTrace returned`);
    await board.close();
    await gPage.close();
  });

  it('a guarantor cannot see another guarantor\'s page: the browser shows access denied and the API answers 403 (and 401 for a foreign key)', async () => {
    const a = gw.guarantora!;
    const b = gw.guarantorb!;
    expect((await api(a, '/v1/guarantors/GuarantorAMSP/dashboard')).status).toBe(200);
    expect((await api(a, '/v1/guarantors/GuarantorBMSP/dashboard')).status).toBe(403);
    expect((await api(a, '/v1/guarantors/GuarantorBMSP/dashboard', b.key)).status).toBe(401);
    expect((await api(b, '/v1/guarantors/GuarantorBMSP/dashboard')).status).toBe(200);
    expect((await api(b, '/v1/guarantors/GuarantorAMSP/dashboard')).status).toBe(403);
    expect((await api(gw.utility!, '/v1/guarantors/GuarantorAMSP/dashboard')).status).toBe(403);
    const page = await open(a, '#/guarantor/GuarantorBMSP');
    await page.waitForSelector('[data-testid=denied]');
    expect(await page.textContent('[data-testid=denied]')).toMatch(/Access denied/);
    expect(await page.locator('[data-testid=g-score]').count()).toBe(0);
    await shot(page, 'guarantor-denied');
    await page.close();
  });

  it('the Utility page renders health of every node, pools, loans by state, market cycles with depth, and channels', async () => {
    const page = await open(gw.utility!, '#/utility');
    await page.waitForSelector('[data-testid=health]', { timeout: 30_000 });
    const tiles = await page.locator('[data-testid=health] li').allTextContents();
    const notOk = ['peer0.utility', 'peer0.guarantora', 'peer0.guarantorb', 'peer0.operator', 'orderer0', 'orderer1', 'orderer2', 'gridledger', 'gateway (utility)'].filter(
      (name) => !tiles.some((t) => t.startsWith(`${name}ok `)),
    );
    expect({ notOk, tiles: notOk.length ? tiles : [] }).toEqual({ notOk: [], tiles: [] });
    expect(await page.locator('table', { hasText: `e2e-${run}` }).count()).toBeGreaterThan(0);
    const loans = await evaluate(conns.contract('operator', 'client', 'loan'), 'ListLoans', '{}');
    const traced = loans.filter((l: any) => l.status === 'traced').length;
    expect(await page.locator('svg[role=img] desc', { hasText: `traced: ${traced}` }).count()).toBe(1);
    const cycles = await evaluate(conns.contract('operator', 'client', 'market'), 'ListCycles');
    if (cycles.length) {
      expect(await page.locator('select#cycle-select option').count()).toBe(Math.min(50, cycles.length));
      expect(await page.locator('svg[role=img] title', { hasText: 'Order book depth' }).count()).toBe(1);
    }
    const channels = (await api(gw.utility!, '/v1/channels')).body;
    expect(Number(await page.textContent('[data-testid=channels-open]'))).toBe(channels.counts.open);
    expect(await unlabelled(page)).toEqual([]);
    expect(await contrastProblems(page, ['td', 'th', 'a', '.badge', '.tile p', 'caption'])).toEqual([]);
    await shot(page, 'utility');
    // Phone-sized: nothing wider than the screen; tables scroll inside their own regions.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(200);
    expect(await overflowX(page)).toBeLessThanOrEqual(1);
    await page.screenshot({ path: path.join(SHOTS, 'utility-phone.png') });
    await page.close();
  });

  it('the operator page renders its piles with power and collateral, linked to the transactions that registered them', async () => {
    const piles = (await evaluate(conns.contract('operator', 'admin', 'kgc'), 'ListPiles')).filter((p: any) => p.registeredBy === 'OperatorMSP');
    const page = await open(gw.operator!, '#/operator');
    await page.waitForSelector('[data-testid=op-piles]');
    expect(Number(await page.textContent('[data-testid=op-piles]'))).toBe(piles.length);
    if (piles.length) {
      const link = page.locator('table', { hasText: piles[0].id }).locator('a.tx').first();
      await link.click();
      await page.waitForSelector('[data-testid=tx-function]');
      expect(await page.textContent('[data-testid=tx-function]')).toMatch(/^kgc:(RegisterPile|RetirePile)$/);
      await page.goBack();
      await page.waitForSelector('[data-testid=op-piles]');
    }
    expect(await unlabelled(page)).toEqual([]);
    await shot(page, 'operator');
    await page.close();
  });

  it('every page fits a phone-sized screen (390 x 844)', async () => {
    const phone = { width: 390, height: 844 };
    for (const [g, hash, ready, name] of [
      [gw.utility!, '#/', '[data-testid=defaulter-count]', 'public-board-phone'],
      [gw.guarantora!, '#/guarantor', '[data-testid=g-score]', 'guarantor-phone'],
      [gw.operator!, '#/operator', '[data-testid=op-piles]', 'operator-phone'],
      [gw.utility!, '#/login', '#api-key', 'sign-in-phone'],
    ] as const) {
      const page = await open(g, hash, { key: hash === '#/' || hash === '#/login' ? null : undefined, viewport: phone });
      await page.waitForSelector(ready);
      expect({ name, overflow: Math.max(0, await overflowX(page)) }).toEqual({ name, overflow: 0 });
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
      await page.close();
    }
  });
});
