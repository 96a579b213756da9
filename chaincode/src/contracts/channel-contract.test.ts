import { channels, generateKeyPair, kgcExtract, kgcSetup, KeyPair, provePossession, signRequest } from '@gridledger/core';
import { ChannelContract } from './channel-contract';
import { KgcContract } from './kgc-contract';
import { AccountsContract } from './accounts-contract';
import { Ledger } from '../testing/ledger-stub';

const kgc = new KgcContract();
const ch = new ChannelContract();
const acc = new AccountsContract();
const UTIL = 'UtilityMSP';
const OP = 'OperatorMSP';
const parse = (s: string) => JSON.parse(s);
const codeOf = async (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e.message.split(':')[0]);

describe('channel and kgc contracts on a ledger stub', () => {
  let L: Ledger;
  const nonces = new Map<string, number>();
  const next = (k: KeyPair) => {
    nonces.set(k.publicKey, (nonces.get(k.publicKey) ?? 0) + 1);
    return nonces.get(k.publicKey)!;
  };
  const balance = async (k: KeyPair) => parse(await L.run(UTIL, (c) => acc.GetAccount(c, k.publicKey))).pay as number;
  const issue = (k: KeyPair, n: number) => L.run(UTIL, (c) => acc.IssuePay(c, k.publicKey, String(n)));

  async function open(deposits: { a: number; b: number }, window = 10) {
    const acct = { a: generateKeyPair(), b: generateKeyPair() };
    for (const s of ['a', 'b'] as const) if (deposits[s] > 0) await issue(acct[s], deposits[s]);
    const keys = { a: channels.generateChannelKey(), b: channels.generateChannelKey() };
    const terms: channels.OpenTerms = {
      network: channels.ONCHAIN_NETWORK,
      salt: 's1',
      a: { account: acct.a.publicKey, channelKey: keys.a.publicKey, deposit: String(deposits.a) },
      b: { account: acct.b.publicKey, channelKey: keys.b.publicKey, deposit: String(deposits.b) },
      disputeWindow: window,
    };
    const req = { terms, auth: { a: channels.signOpen(terms, 'a', acct.a.privateKey, next(acct.a)), b: channels.signOpen(terms, 'b', acct.b.privateKey, next(acct.b)) } };
    await L.run(OP, (c) => ch.Open(c, JSON.stringify(req)));
    const record = channels.recordOf(terms, window);
    const ends = { a: new channels.Channel({ record, side: 'a', privateKey: keys.a.privateKey }), b: new channels.Channel({ record, side: 'b', privateKey: keys.b.privateKey }) };
    const update = (from: channels.Side, op: channels.UpdateOp) => {
      const to = channels.other(from);
      ends[from].onAccept(ends[to].receive(ends[from].propose(op, L.now), L.now));
    };
    return { acct, keys, record, ends, update, id: record.channelId, req };
  }

  beforeEach(async () => {
    L = new Ledger();
    nonces.clear();
    await L.run(UTIL, (c) => kgc.SetTradingParams(c, JSON.stringify({ collateralPerKw: 100, disputeWindowS: 10, minDisputeWindowS: 1, maxDisputeWindowS: 100 })));
  });

  it('opens, pays off chain and closes cooperatively; a replayed open or close writes nothing', async () => {
    const c = await open({ a: 100, b: 50 });
    expect([await balance(c.acct.a), await balance(c.acct.b)]).toEqual([0, 0]);
    c.update('a', { kind: 'pay', from: 'a', amount: '30' });
    c.update('b', { kind: 'close' });
    const before = L.snapshot();
    expect(await codeOf(L.run(OP, (x) => ch.Open(x, JSON.stringify(c.req))))).toBe('CONFLICT');
    expect(L.snapshot()).toBe(before);
    const out = parse(await L.run(OP, (x) => ch.Close(x, JSON.stringify({ channelId: c.id, by: 'a', signed: c.ends.a.latest }))));
    expect(out.settlement).toMatchObject({ kind: 'cooperative', payouts: { a: '70', b: '80' } });
    expect([await balance(c.acct.a), await balance(c.acct.b)]).toEqual([70, 80]);
    expect(L.events.map((e) => e.name)).toEqual(['TradingParamsChanged', 'PayIssued', 'PayIssued', 'ChannelOpened', 'ChannelSettled']);
    const after = L.snapshot();
    expect(await codeOf(L.run(OP, (x) => ch.Close(x, JSON.stringify({ channelId: c.id, by: 'a', signed: c.ends.a.latest }))))).toBe('FORBIDDEN_STATE');
    expect(L.snapshot()).toBe(after);
  });

  it('unilateral close: early settle refused, newer counter wins after the window', async () => {
    const c = await open({ a: 100, b: 0 });
    c.update('a', { kind: 'pay', from: 'a', amount: '10' });
    const v1 = c.ends.b.latest;
    const p = c.ends.a.propose({ kind: 'pay', from: 'a', amount: '10' }, L.now);
    c.ends.b.receive(p, L.now); // a never gets the countersignature
    await L.run(OP, (x) => ch.Close(x, JSON.stringify(channels.signClose(c.ends.a.latest, 'a', c.keys.a.privateKey))));
    expect(c.ends.a.latest.state.version).toBe(1);
    expect(await codeOf(L.run(OP, (x) => ch.Settle(x, c.id)))).toBe('FORBIDDEN_STATE');
    expect(await codeOf(L.run(OP, (x) => ch.Counter(x, JSON.stringify({ channelId: c.id, signed: v1 }))))).toBe('REPLAY');
    await L.run(OP, (x) => ch.Counter(x, JSON.stringify({ channelId: c.id, signed: c.ends.b.latest })));
    L.now += 10;
    const out = parse(await L.run(OP, (x) => ch.Settle(x, c.id)));
    expect(out.settlement).toMatchObject({ kind: 'unilateral', version: 2, payouts: { a: '80', b: '20' } });
  });

  it('breach: a revoked state posted by b pays everything to a at once', async () => {
    const c = await open({ a: 100, b: 100 });
    c.update('b', { kind: 'pay', from: 'b', amount: '50' });
    const old = c.ends.b.latest;
    c.update('a', { kind: 'pay', from: 'a', amount: '1' });
    // complete the revocation exchange of the last update
    const watch = c.ends.a.watchRecord();
    await L.run(OP, (x) => ch.Close(x, JSON.stringify(channels.signClose(old, 'b', c.keys.b.privateKey))));
    const answer = channels.watchResponse(watch, 'b', 1, c.record.keys);
    if (answer.kind !== 'breach') throw new Error(`expected a breach answer, got ${answer.kind}`);
    const out = parse(await L.run(OP, (x) => ch.Counter(x, JSON.stringify({ channelId: c.id, by: 'a', signed: answer.signed, revocations: answer.revocations }))));
    expect(out.settlement).toMatchObject({ kind: 'breach', cheater: 'b', payouts: { a: '200', b: '0' } });
  });

  it('after the window, a signed state alone is still breach evidence until payout', async () => {
    const c = await open({ a: 100, b: 100 });
    c.update('b', { kind: 'pay', from: 'b', amount: '50' }); // v1
    const old = c.ends.b.latest;
    c.update('b', { kind: 'pay', from: 'b', amount: '1' }); // v2
    c.update('a', { kind: 'pay', from: 'a', amount: '1' }); // v3: b countersigned it
    await L.run(OP, (x) => ch.Close(x, JSON.stringify(channels.signClose(old, 'b', c.keys.b.privateKey))));
    L.now += 11; // the window (10 s) is over: no counter any more
    const latest = c.ends.a.latest;
    expect(await codeOf(L.run(OP, (x) => ch.Counter(x, JSON.stringify({ channelId: c.id, by: 'a', signed: latest }))))).toBe('EXPIRED');
    const before = L.snapshot();
    // Nothing, a state for another channel, and a state whose signatures do not verify: refused, nothing changes.
    expect(await codeOf(L.run(OP, (x) => ch.PostRevocations(x, c.id, JSON.stringify({ revocations: [], states: [] }))))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(L.run(OP, (x) => ch.PostRevocations(x, c.id, JSON.stringify({ states: [{ ...latest, state: { ...latest.state, channelId: 'ch-other' } }] }))))).toBe('INVALID_ARGUMENT');
    const forged = { ...latest, sigs: { a: latest.sigs.b, b: latest.sigs.a } };
    expect(await codeOf(L.run(OP, (x) => ch.PostRevocations(x, c.id, JSON.stringify({ states: [forged] }))))).toBe('INVALID_SIGNATURE');
    expect(L.snapshot()).toBe(before);
    // b's own signature on v3 proves it gave up everything below 2: its close with v1 is a breach.
    const out = parse(await L.run(OP, (x) => ch.PostRevocations(x, c.id, JSON.stringify({ states: [latest] }))));
    expect(out.settlement).toMatchObject({ kind: 'breach', cheater: 'b', payouts: { a: '200', b: '0' } });
    expect([await balance(c.acct.a), await balance(c.acct.b)]).toEqual([200, 0]);
  });

  it('resize: top-up and withdrawal move the base; older states and a replayed resize are refused', async () => {
    const c = await open({ a: 100, b: 100 });
    c.update('a', { kind: 'pay', from: 'a', amount: '10' });
    const pre = c.ends.a.latest;
    await issue(c.acct.b, 40);
    const r = channels.buildResize(pre.state, { topUp: { b: '40' }, withdraw: { a: '90' }, notAfter: L.now + 5 }, { a: c.keys.a.privateKey, b: c.keys.b.privateKey });
    const req = { ...r, funding: { b: channels.signTopUp(r.terms, 'b', c.acct.b.privateKey, next(c.acct.b)) } };
    const bad = { ...req, consent: { ...req.consent, a: req.consent.b } };
    expect(await codeOf(L.run(OP, (x) => ch.Resize(x, JSON.stringify(bad))))).toBe('INVALID_SIGNATURE');
    const out = parse(await L.run(OP, (x) => ch.Resize(x, JSON.stringify(req))));
    expect(out).toMatchObject({ total: '150', baseVersion: 2, deposits: { a: '0', b: '150' } });
    expect([await balance(c.acct.a), await balance(c.acct.b)]).toEqual([90, 0]);
    expect(await codeOf(L.run(OP, (x) => ch.Resize(x, JSON.stringify(req))))).toBe('REPLAY');
    expect(await codeOf(L.run(OP, (x) => ch.Close(x, JSON.stringify(channels.signClose(pre, 'a', c.keys.a.privateKey)))))).toBe('REPLAY');
    L.now += 10;
    const late = channels.buildResize(r.signed.state, { withdraw: { b: '1' }, notAfter: L.now - 1 }, { a: c.keys.a.privateKey, b: c.keys.b.privateKey });
    expect(await codeOf(L.run(OP, (x) => ch.Resize(x, JSON.stringify(late))))).toBe('EXPIRED');
  });

  it('piles: operator only, collateral by power, released on retirement; KGC setup Utility only', async () => {
    const { master, params } = kgcSetup();
    expect(await codeOf(L.run(OP, (x) => kgc.Setup(x, JSON.stringify(params))))).toBe('ACCESS_DENIED');
    await L.run(UTIL, (x) => kgc.Setup(x, JSON.stringify(params)));
    const op = generateKeyPair();
    await issue(op, 1000);
    const ex = kgcExtract(master, { id: 'pile:1', role: 'pile', expiry: L.now + 1000 });
    const body = { id: 'pile:1', certificate: ex.certificate, proofOfPossession: provePossession(ex.key), powerW: 7001, collateralAccount: op.publicKey, nonce: 1 };
    const sig = signRequest('pile-register', body, op.privateKey).signature;
    expect(await codeOf(L.run(UTIL, (x) => kgc.RegisterPile(x, JSON.stringify(body), sig)))).toBe('ACCESS_DENIED');
    const out = parse(await L.run(OP, (x) => kgc.RegisterPile(x, JSON.stringify(body), sig)));
    expect(out.pile.collateral).toBe(701);
    expect(await balance(op)).toBe(299);
    // A channel whose key the pile's identity vouches for: the pile cannot retire while it is open.
    const driver = generateKeyPair();
    const pileAcct = generateKeyPair();
    await issue(driver, 50);
    const keys = { a: channels.generateChannelKey(), b: channels.generateChannelKey() };
    const base: channels.OpenTerms = {
      network: channels.ONCHAIN_NETWORK,
      salt: 'pile-ch',
      a: { account: driver.publicKey, channelKey: keys.a.publicKey, deposit: '50' },
      b: { account: pileAcct.publicKey, channelKey: keys.b.publicKey, deposit: '0' },
      disputeWindow: 10,
    };
    const channelId = channels.channelIdOf(base);
    const terms = { ...base, b: { ...base.b, identity: { id: 'pile:1', binding: channels.bindChannelKey(ex.key, keys.b.publicKey, channels.bindingScope(channelId)) } } };
    await L.run(OP, (x) => ch.Open(x, JSON.stringify({ terms, auth: { a: channels.signOpen(terms, 'a', driver.privateKey, next(driver)), b: channels.signOpen(terms, 'b', pileAcct.privateKey, next(pileAcct)) } })));
    const before = L.snapshot();
    expect(await codeOf(L.run(OP, (x) => kgc.RetirePile(x, 'pile:1')))).toBe('FORBIDDEN_STATE');
    expect(L.snapshot()).toBe(before);
    // Closed cooperatively (version 1 pays 20 to the pile), then it retires and its collateral returns.
    const record = channels.recordOf(terms, 10);
    const ends = { a: new channels.Channel({ record, side: 'a', privateKey: keys.a.privateKey }), b: new channels.Channel({ record, side: 'b', privateKey: keys.b.privateKey }) };
    ends.a.onAccept(ends.b.receive(ends.a.propose({ kind: 'pay', from: 'a', amount: '20' }, L.now), L.now));
    ends.b.onAccept(ends.a.receive(ends.b.propose({ kind: 'close' }, L.now), L.now));
    await L.run(OP, (x) => ch.Close(x, JSON.stringify({ channelId, by: 'a', signed: ends.a.latest })));
    expect(await balance(pileAcct)).toBe(20);
    await L.run(OP, (x) => kgc.RetirePile(x, 'pile:1'));
    expect(await balance(op)).toBe(1000);
    // A user certificate cannot register a pile, and a missing proof of possession is refused.
    const user = kgcExtract(master, { id: 'user:1', role: 'user', expiry: L.now + 1000 });
    expect(await codeOf(L.run(UTIL, (x) => kgc.RegisterUser(x, JSON.stringify({ id: 'user:1', certificate: user.certificate, proofOfPossession: provePossession(ex.key) }))))).toBe('INVALID_PROOF');
  });
});
