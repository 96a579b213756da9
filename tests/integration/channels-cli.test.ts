import { copyFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gridledger } from './support/cli';
import { Connections, describeOnNetwork } from './support/network';

jest.setTimeout(60_000);

const dir = mkdtempSync(path.join(tmpdir(), 'gridledger-wallets-'));
const f = (name: string) => path.join(dir, name);

const relay = ['--org', 'operator', '--identity', 'client', '--json'];

describeOnNetwork('gridledger kgc, pile and wallet commands on the network', () => {
  const conns = new Connections();
  afterAll(() => conns.closeAll());
  const run = `${process.pid}`;

  it('KGC setup and user registration (Utility); refused to the operator', () => {
    expect(gridledger('--org', 'utility', '--json', 'kgc', 'setup', '--kgc-file', f('kgc.json')).code).toBe(0);
    expect(statSync(f('kgc.json')).mode & 0o777).toBe(0o600);
    expect(gridledger('--org', 'utility', 'kgc', 'set-trading', '--collateral-per-kw', '100', '--dispute-window', '3600', '--min-window', '1', '--max-window', '86400').code).toBe(0);
    const kg = gridledger('--json', 'wallet', '--wallet', f('alice.json'), 'keygen', '--id', `user:cli-alice-${run}`, '--request-out', f('alice-req.json'));
    expect(kg.code).toBe(0);
    expect(statSync(f('alice.json')).mode & 0o777).toBe(0o600);
    expect(kg.stdout).not.toContain(JSON.parse(readFileSync(f('alice.json'), 'utf8')).account.privateKey);
    const denied = gridledger('--org', 'operator', '--json', 'kgc', 'register-user', '--id', `user:cli-alice-${run}`, '--request', f('alice-req.json'), '--kgc-file', f('kgc.json'));
    expect([denied.code, denied.json.error.code]).toEqual([3, 'ACCESS_DENIED']);
    const reg = gridledger('--org', 'utility', '--json', 'kgc', 'register-user', '--id', `user:cli-alice-${run}`, '--request', f('alice-req.json'), '--kgc-file', f('kgc.json'));
    expect(reg.json).toMatchObject({ id: `user:cli-alice-${run}`, mode: 'certified' });
    const esc = gridledger('--org', 'utility', '--json', 'kgc', 'register-user', '--id', `user:cli-bob-${run}`, '--mode', 'escrow', '--out', f('bob-key.json'), '--kgc-file', f('kgc.json'));
    expect(esc.json.mode).toBe('escrow');
    expect(gridledger('--json', 'wallet', '--wallet', f('bob.json'), 'keygen').code).toBe(0);
    expect(gridledger('--json', 'wallet', '--wallet', f('bob.json'), 'import-key', f('bob-key.json')).json).toEqual({ id: `user:cli-bob-${run}`, certified: true });
    // Carol loses her phone: the Utility revokes her identity (only the Utility may).
    const carol = `user:cli-carol-${run}`;
    gridledger('--org', 'utility', '--json', 'kgc', 'register-user', '--id', carol, '--mode', 'escrow', '--out', f('carol-key.json'), '--kgc-file', f('kgc.json'));
    expect(gridledger('--org', 'operator', '--json', 'kgc', 'revoke', carol, '--reason', 'phone stolen').json.error.code).toBe('ACCESS_DENIED');
    expect(gridledger('--org', 'utility', '--json', 'kgc', 'revoke', carol, '--reason', 'phone stolen').json).toMatchObject({ id: carol, status: 'revoked', revocationReason: 'phone stolen' });
    expect(gridledger('--org', 'utility', 'kgc', 'show', carol).stdout).toMatch(/revoked.*phone stolen/);
  });

  it('pile: keygen, KGC certificate, registration with collateral by the operator only, list, retire', async () => {
    gridledger('wallet', '--wallet', f('operator.json'), 'keygen');
    const op = JSON.parse(readFileSync(f('operator.json'), 'utf8')).account.publicKey;
    await conns.contract('utility', 'admin', 'accounts').submitTransaction('IssuePay', op, '5000');
    expect(gridledger('pile', 'keygen', '--id', `pile:cli-${run}`, '--out', f('pile.json'), '--request-out', f('pile-req.json')).code).toBe(0);
    expect(gridledger('--org', 'utility', 'kgc', 'certify', '--request', f('pile-req.json'), '--out', f('pile-cert.json'), '--kgc-file', f('kgc.json')).code).toBe(0);
    const args = ['pile', 'register', '--key', f('pile.json'), '--cert', f('pile-cert.json'), '--power-w', '7000', '--wallet', f('operator.json')];
    expect(gridledger('--org', 'utility', '--json', ...args).json.error.code).toBe('ACCESS_DENIED');
    const reg = gridledger('--org', 'operator', '--json', ...args);
    expect(reg.json.pile).toMatchObject({ powerW: 7000, collateral: 700 });
    expect(gridledger(...relay, 'wallet', '--wallet', f('operator.json'), 'balance').json.pay).toBe(4300);
    expect(gridledger('--org', 'guarantora', 'pile', 'list').stdout).toContain(`pile:cli-${run}`);
    expect(gridledger('--org', 'operator', '--json', 'pile', 'retire', `pile:cli-${run}`).json.status).toBe('retired');
    expect(gridledger(...relay, 'wallet', '--wallet', f('operator.json'), 'balance').json.pay).toBe(5000);
  });

  it('wallet: open with identity-bound keys, pay off chain, close cooperatively; then a unilateral close settled after the window', async () => {
    const alice = JSON.parse(readFileSync(f('alice.json'), 'utf8')).account.publicKey;
    await conns.contract('utility', 'admin', 'accounts').submitTransaction('IssuePay', alice, '1000');
    const open = gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'open', '--peer-wallet', f('bob.json'), '--deposit', '600', '--window', '1', '--bind');
    expect(open.code).toBe(0);
    const id = open.json.channelId;
    expect(open.json.identities).toEqual({ a: `user:cli-alice-${run}`, b: `user:cli-bob-${run}` });
    for (let i = 0; i < 5; i++) expect(gridledger('--json', 'wallet', '--wallet', f('alice.json'), 'pay', '--channel', id, '--amount', '20').code).toBe(0);
    expect(gridledger('--json', 'wallet', '--wallet', f('bob.json'), 'pay', '--channel', id, '--amount', '5').json).toMatchObject({ version: 6, balances: { a: '505', b: '95' } });
    const closed = gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'close', '--channel', id);
    expect(closed.json.settlement.payouts).toEqual({ a: '505', b: '95' });
    expect(gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'balance').json.pay).toBe(905);

    expect(gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'open', '--peer-wallet', f('bob.json'), '--deposit', '100', '--key-type', 'rsa').json.error.code).toBe('USAGE');
    // Bob's side holds an RSA-PSS channel key: his payments and his unilateral close are signed with it.
    const open2 = gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'open', '--peer-wallet', f('bob.json'), '--deposit', '100', '--window', '5', '--peer-key-type', 'rsa-pss');
    const id2 = open2.json.channelId;
    expect(open2.json.keys.b).toMatch(/^30[0-9a-f]{580,}$/);
    gridledger('wallet', '--wallet', f('alice.json'), 'pay', '--channel', id2, '--amount', '40');
    const closing = gridledger(...relay, 'wallet', '--wallet', f('bob.json'), 'close', '--channel', id2, '--unilateral');
    expect(closing.json.status).toBe('closing');
    expect(gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'dispute', '--channel', id2).json.action).toBe('none');
    expect(gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'settle', '--channel', id2).code).toBe(3); // window still open
    while (Date.now() / 1000 <= closing.json.deadline + 0.5) await new Promise((r) => setTimeout(r, 200));
    expect(gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'settle', '--channel', id2).json.settlement.payouts).toEqual({ a: '60', b: '40' });
    expect(gridledger('wallet', '--wallet', f('alice.json'), 'channels').stdout).toMatch(/closed/);
  });

  it('dispute: bob closes from an old backup one version behind; after the window alice proves the breach with his secret', async () => {
    const open = gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'open', '--peer-wallet', f('bob.json'), '--deposit', '100', '--window', '3');
    const id = open.json.channelId;
    gridledger('wallet', '--wallet', f('alice.json'), 'pay', '--channel', id, '--amount', '30');
    copyFileSync(f('bob.json'), f('bob-backup.json')); // v1
    gridledger('wallet', '--wallet', f('bob.json'), 'pay', '--channel', id, '--amount', '10'); // v2: bob proposed, then revealed his secret
    const before = gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'balance').json.pay;
    const closing = gridledger(...relay, 'wallet', '--wallet', f('bob-backup.json'), 'close', '--channel', id, '--unilateral');
    expect(closing.json).toMatchObject({ status: 'closing', close: { version: 1 } });
    while (Date.now() / 1000 <= closing.json.deadline + 0.5) await new Promise((r) => setTimeout(r, 200));
    const disputed = gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'dispute', '--channel', id);
    expect(disputed.json).toMatchObject({ action: 'breach', result: { status: 'closed', settlement: { kind: 'breach', cheater: 'b', payouts: { a: '100', b: '0' } } } });
    expect(gridledger(...relay, 'wallet', '--wallet', f('alice.json'), 'balance').json.pay).toBe(before + 100);
  });
});
