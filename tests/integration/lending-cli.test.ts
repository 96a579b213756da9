/**
 * The lending duties through the CLI, as each party would run them: the Utility creates and seals a
 * pool, lenders deposit and withdraw from their lending wallets, guarantors review, endorse, revoke
 * and trace, borrowers prove and repay. Short windows via the parameters, as lending.test.ts does.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { canonicalJson, DEFAULT_LENDING_PARAMS, LendingParams, releaseZk } from '@gridledger/core';
import { gridledgerAsync } from './support/cli';
import { Connections, describeOnNetwork } from './support/network';
import { accountKey, traceKey } from './support/keystore';
import { evaluate, mintEnergy, submit, waitUntil } from './support/ledger';

jest.setTimeout(120_000);

const PARAMS: LendingParams = {
  ...DEFAULT_LENDING_PARAMS, W_b: 60, W_g: 40, minScoreTable: [{ maxAmountWh: 5_000, maxDurationS: 3_600, minScore: 600 }], expiry: { graceS: 1 },
  interestBps: 1_000, traceWindowS: 3, defaultFineBps: 11_000, missedTraceFineBps: 5_000, poolDenominationsWh: [1_000, 10_000],
};

const dir = mkdtempSync(path.join(tmpdir(), 'gridledger-lend-cli-'));
const f = (name: string) => path.join(dir, name);

const gridledger = gridledgerAsync;
const ok = async (...args: string[]) => {
  const r = await gridledger(...args);
  if (r.code !== 0) throw new Error(`gridledger ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.json;
};
const utility = ['--org', 'utility', '--json'];
const gA = ['--org', 'guarantora', '--json'];
const gB = ['--org', 'guarantorb', '--json'];
const relay = ['--org', 'operator', '--identity', 'client', '--json'];
const lend = (wallet: string) => [...relay, 'lend', '--wallet', f(wallet)];

function keystore(org: string): string {
  const k = traceKey(org);
  const file = f(`${org}-trace.json`);
  writeFileSync(file, JSON.stringify({ secretKey: k.secretKey.toString(), publicKey: k.publicKey }), { mode: 0o600 });
  return file;
}

describeOnNetwork('lending duties through the gridledger CLI', () => {
  const conns = new Connections();
  const run = `${Date.now().toString(36)}`;
  const poolId = `cli-pool-${run}`;
  const alice = `user:cli-alice-${run}`;
  const bob = `user:cli-bob-${run}`;
  const st: Record<string, any> = {};
  afterAll(async () => {
    conns.closeAll();
    await releaseZk(true);
  });

  it('setup: parameters, guarantors and the Utility key are in place; the Utility creates a pool', async () => {
    const u = { params: conns.contract('utility', 'admin', 'params'), guarantor: conns.contract('utility', 'admin', 'guarantor'), accounts: conns.contract('utility', 'admin', 'accounts') };
    await submit(u.params, 'SetLendingParams', canonicalJson(PARAMS));
    expect((await ok(...utility, 'guarantor', 'set-utility-key', '--keystore', keystore('utility'))).publicKey).toEqual(traceKey('utility').publicKey);
    const existing = await evaluate(u.guarantor, 'ListGuarantors');
    for (const [msp, org] of [['GuarantorAMSP', 'guarantora'], ['GuarantorBMSP', 'guarantorb']] as const) {
      if (!existing.some((g: any) => g.msp === msp)) {
        await ok(...utility, 'guarantor', 'register', '--msp', msp, '--name', `${org} corp`, '--score', '800', '--trace-key', keystore(org), '--account', accountKey(`${org}-fines`).publicKey);
      }
      await mintEnergy(u.accounts, accountKey(`${org}-fines`).publicKey, 3_000);
    }
    // Only the Utility creates pools.
    const denied = await gridledger(...gA, 'pool', 'create', `x-${run}`, '--denomination', '1000', '--target', '1', '--deadline', '+60', '--maturity', '+120');
    expect([denied.code, denied.json?.error?.code]).toEqual([3, 'ACCESS_DENIED']);
    st.created = await ok(...utility, 'pool', 'create', poolId, '--denomination', '1000', '--target', '2', '--deadline', '+14', '--maturity', '+50');
    for (const w of ['lender1', 'lender2', 'alice', 'bob']) {
      const init = await ok('--json', 'lend', '--wallet', f(`${w}.json`), 'init');
      st[w] = init.account;
      expect(statSync(f(`${w}.json`)).mode & 0o777).toBe(0o600);
    }
    for (const w of ['lender1', 'lender2']) await mintEnergy(u.accounts, st[w], 1_000);
    await mintEnergy(u.accounts, st.alice, 200);
  });

  it('lenders deposit notes; borrowers make identities; guarantors review and endorse them', async () => {
    for (const w of ['lender1', 'lender2']) expect(await ok(...lend(`${w}.json`), 'deposit', poolId)).toMatchObject({ poolId, denominationWh: 1_000 });
    const wallet = readFileSync(f('lender1.json'), 'utf8');
    const show = await gridledger(...lend('lender1.json'), 'show');
    expect(show.stdout).not.toContain(JSON.parse(wallet).notes[0].note);
    expect((await ok(...lend('lender1.json'), 'show', '--show-secrets')).notes[0].note).toBe(JSON.parse(wallet).notes[0].note);

    for (const [who, name, g, org] of [['alice', alice, gA, 'GuarantorAMSP'], ['bob', bob, gB, 'GuarantorBMSP']] as const) {
      const id = await ok('--json', 'lend', '--wallet', f(`${who}.json`), 'identity', name);
      const review = await ok(...g, 'guarantor', 'review', name);
      expect(review).toMatchObject({ identity: name, blocked: false, verdict: 'endorse' });
      const issued = await ok(...g, 'guarantor', 'endorse', '--borrower', name, '--commitment', id.identityCommitment, '--score', '700');
      expect(issued).toMatchObject({ guarantor: org, score: 700 });
      await ok('--json', 'lend', '--wallet', f(`${who}.json`), 'identity', name, '--add-credential', '--guarantor', org, '--index', String(issued.leafIndex), '--score', '700');
      st[`${who}Index`] = issued.leafIndex;
    }
    // A credential issued by mistake is revoked.
    const extra = await ok(...gA, 'guarantor', 'endorse', '--borrower', `user:cli-carol-${run}`, '--commitment', '12345', '--score', '650');
    expect(await ok(...gA, 'guarantor', 'revoke', String(extra.leafIndex))).toMatchObject({ leafIndex: extra.leafIndex, guarantor: 'GuarantorAMSP' });
    // A guarantor cannot revoke from another's registry... by construction: its own only.
    expect((await gridledger(...utility, 'guarantor', 'revoke', '0')).json.error.code).toBe('ACCESS_DENIED');
  });

  it('after the deadline the pool is sealed; alice and bob borrow with proofs', async () => {
    await waitUntil(st.created.deadline);
    expect(await ok(...relay, 'pool', 'seal', poolId)).toMatchObject({ status: 'open', noteCount: 2, balance: 2_000 });
    st.aliceLoan = await ok(...lend('alice.json'), 'borrow', poolId, '--amount', '1000', '--duration', '15');
    st.bobLoan = await ok(...lend('bob.json'), 'borrow', poolId, '--amount', '1000', '--duration', '2');
    expect(st.aliceLoan).toMatchObject({ poolId, amount: 1_000, repayDue: 1_100 });
    expect((await ok(...relay, 'loan', 'show', st.aliceLoan.loanId)).status).toBe('open');
    // The same credential cannot back a second loan: the wallet knows it is used.
    expect((await gridledger(...lend('alice.json'), 'borrow', poolId, '--amount', '500', '--duration', '3')).json.error.code).toBe('NO_CREDENTIAL');
  });

  it('alice repays; bob defaults and is traced by his guarantor and the Utility, then refused endorsement', async () => {
    expect(await ok(...lend('alice.json'), 'repay', st.aliceLoan.loanId)).toMatchObject({ loanId: st.aliceLoan.loanId, repaidWh: 1_100, onTime: true });
    await waitUntil(st.bobLoan.dueAt);
    expect(await ok(...relay, 'loan', 'default', st.bobLoan.loanId)).toMatchObject({ status: 'defaulted' });
    // Guarantor A cannot trace guarantor B's loan.
    expect((await gridledger(...gA, 'guarantor', 'trace', st.bobLoan.loanId, '--keystore', keystore('guarantora'))).json.error.code).toBe('ACCESS_DENIED');
    expect(await ok(...gB, 'guarantor', 'trace', st.bobLoan.loanId, '--keystore', keystore('guarantorb'))).toMatchObject({ sharePublished: true });
    expect(await ok(...utility, 'guarantor', 'trace', st.bobLoan.loanId, '--keystore', keystore('utility'))).toMatchObject({ sharePublished: true });
    const traced = await ok(...gB, 'guarantor', 'trace', st.bobLoan.loanId, '--complete', '--defaulter', bob, '--index', String(st.bobIndex));
    expect(traced.entry).toMatchObject({ identity: bob, guarantor: 'GuarantorBMSP', fineWh: 1_100 });
    expect((await ok(...relay, 'loan', 'board')).some((e: any) => e.identity === bob)).toBe(true);
    expect((await ok(...relay, 'loan', 'blocklist')).some((e: any) => e.identity === bob)).toBe(true);
    expect(await ok(...gA, 'guarantor', 'review', bob)).toMatchObject({ blocked: true, verdict: 'refuse' });
    const refused = await gridledger(...gA, 'guarantor', 'endorse', '--borrower', bob, '--commitment', '777', '--score', '900');
    expect([refused.code, refused.json.error.code]).toEqual([3, 'BLOCKED']);
  });

  it('after maturity the pool closes and a lender withdraws to a fresh account', async () => {
    await waitUntil(st.created.maturity);
    // 2000 - 2000 lent + 1100 repaid + 1100 fine = 2200 over 2 notes.
    expect(await ok(...relay, 'pool', 'close', poolId)).toMatchObject({ status: 'closed', payoutPerNote: 1_100 });
    const paid = await ok(...lend('lender1.json'), 'withdraw', poolId);
    expect(paid).toMatchObject({ kind: 'withdrawal', paid: 1_100, fee: 0 });
    const again = await gridledger(...lend('lender1.json'), 'withdraw', poolId);
    expect([again.code, again.json.error.code]).toEqual([5, 'NOT_FOUND']);
    expect((await ok(...relay, 'pool', 'show', poolId)).status).toBe('closed');
  });
});
