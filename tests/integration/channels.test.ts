import { Contract } from '@hyperledger/fabric-gateway';
import { bls12_381 } from '@noble/curves/bls12-381';
import { canonicalJson, channels, CURVE_ORDER, generateKeyPair, idScalar, kgcCertify, kgcExtract, kgcSetup, KeyPair, provePossession, signRequest, userKeyGen } from '@gridledger/core';
import { chaincodeRefusal } from '@gridledger/core/dist/fabric';
import { DST, hashToG1 } from '@gridledger/core/dist/identity/hash';
import { Connections, describeOnNetwork, OrgName, utf8 } from './support/network';

jest.setTimeout(60_000);

type Side = channels.Side;
const RUN = `${process.pid}-${Date.now().toString(36)}`;
const WINDOW = 2;
const POLICY = { maxHtlcs: 32, minLockDelta: 2, maxLockAhead: 3600 };
const nowS = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const untilChainTime = async (t: number) => {
  while (nowS() <= t) await sleep(200);
};

describeOnNetwork('payment channels and KGC registration on the network', () => {
  const conns = new Connections();
  let kgc: Contract; // Utility (the KGC)
  let kgcAsOperator: Contract;
  let channel: Contract; // relayed by the operator's client identity
  let accounts: Contract;
  let issuer: Contract;
  let master: string;
  const nonces = new Map<string, number>();

  afterAll(() => conns.closeAll());

  const json = async (p: Promise<Uint8Array>) => JSON.parse(utf8(await p));
  const refusalOf = async (p: Promise<unknown>) => chaincodeRefusal(await p.then(() => undefined, (e) => e))?.code;
  const nextNonce = (acct: KeyPair) => {
    const n = (nonces.get(acct.publicKey) ?? 0) + 1;
    nonces.set(acct.publicKey, n);
    return n;
  };
  const balance = async (acct: KeyPair) => (await json(accounts.evaluateTransaction('GetAccount', acct.publicKey))).pay as number;
  const funded = async (amount: number) => {
    const acct = generateKeyPair();
    if (amount > 0) await issuer.submitTransaction('IssuePay', acct.publicKey, String(amount));
    return acct;
  };
  const getChannel = async (id: string) => json(channel.evaluateTransaction('GetChannel', id));

  /** Open a channel on chain and give each side its off-chain Channel. */
  async function open(deposits: { a: number; b: number }, opts: { window?: number; identity?: Partial<Record<Side, { id: string; key: { id: string; secretKey: string; publicKey: string } }>> } = {}) {
    const acct = { a: await funded(deposits.a), b: await funded(deposits.b) };
    const keys = { a: channels.generateChannelKey(), b: channels.generateChannelKey() };
    const terms: channels.OpenTerms = {
      network: channels.ONCHAIN_NETWORK,
      salt: `t-${RUN}-${Math.random().toString(36).slice(2, 10)}`,
      a: { account: acct.a.publicKey, channelKey: keys.a.publicKey, deposit: String(deposits.a) },
      b: { account: acct.b.publicKey, channelKey: keys.b.publicKey, deposit: String(deposits.b) },
      disputeWindow: opts.window ?? WINDOW,
    };
    const channelId = channels.channelIdOf(terms);
    for (const s of ['a', 'b'] as const) {
      const ident = opts.identity?.[s];
      if (ident) terms[s].identity = { id: ident.id, binding: channels.bindChannelKey(ident.key, keys[s].publicKey, channels.bindingScope(channelId)) };
    }
    const req: channels.OpenRequest = { terms, auth: { a: channels.signOpen(terms, 'a', acct.a.privateKey, nextNonce(acct.a)), b: channels.signOpen(terms, 'b', acct.b.privateKey, nextNonce(acct.b)) } };
    const rec = await json(channel.submitTransaction('Open', JSON.stringify(req)));
    expect(rec.channelId).toBe(channelId);
    const record = channels.recordOf(terms, rec.disputeWindow);
    const ends = {
      a: new channels.Channel({ record, side: 'a', privateKey: keys.a.privateKey, policy: POLICY }),
      b: new channels.Channel({ record, side: 'b', privateKey: keys.b.privateKey, policy: POLICY }),
    };
    return { channelId, acct, keys, terms, record, ends, req };
  }
  type Open = Awaited<ReturnType<typeof open>>;

  /** One full update (propose, accept, revoke) between the two ends. */
  function update(ch: Open, proposer: Side, op: channels.UpdateOp, now = nowS()) {
    const peer = channels.other(proposer);
    const p = ch.ends[proposer].propose(op, now);
    const acc = ch.ends[peer].receive(p, now);
    ch.ends[peer].onRevoke(ch.ends[proposer].onAccept(acc));
  }
  const pay = (ch: Open, from: Side, amount: number) => update(ch, from, { kind: 'pay', from, amount: String(amount) });
  const closeReq = (ch: Open, by: Side, signed = ch.ends[by].latest) => JSON.stringify(channels.signClose(signed, by, ch.keys[by].privateKey));

  beforeAll(async () => {
    kgc = conns.contract('utility', 'admin', 'kgc');
    kgcAsOperator = conns.contract('operator', 'admin', 'kgc');
    channel = conns.contract('operator', 'client', 'channel');
    accounts = conns.contract('operator', 'client', 'accounts');
    issuer = conns.contract('utility', 'admin', 'accounts');
    await kgc.submitTransaction('SetTradingParams', JSON.stringify({ collateralPerKw: 100, disputeWindowS: 3600, minDisputeWindowS: 1, maxDisputeWindowS: 86400 }));
    const setup = kgcSetup();
    master = setup.master;
    const published = await json(kgc.submitTransaction('Setup', JSON.stringify(setup.params)));
    expect(published.params.pPub).toBe(setup.params.pPub);
  });

  describe('KGC registration', () => {
    const expiry = nowS() + 86400;

    it.each<OrgName>(['operator', 'guarantora'])('refuses KGC operations to %s and changes nothing', async (org) => {
      const other = conns.contract(org, 'admin', 'kgc');
      const before = utf8(await kgc.evaluateTransaction('GetParams'));
      expect(await refusalOf(other.submitTransaction('Setup', JSON.stringify(kgcSetup().params)))).toBe('ACCESS_DENIED');
      expect(await refusalOf(other.submitTransaction('SetTradingParams', JSON.stringify({ collateralPerKw: 1, disputeWindowS: 5, minDisputeWindowS: 1, maxDisputeWindowS: 10 })))).toBe('ACCESS_DENIED');
      const u = userKeyGen(`user:${org}-${RUN}`);
      const cert = kgcCertify(master, { id: u.key.id, role: 'user', expiry, publicKey: u.key.publicKey, proofOfPossession: u.proofOfPossession });
      expect(await refusalOf(other.submitTransaction('RegisterUser', JSON.stringify({ id: u.key.id, certificate: cert, proofOfPossession: u.proofOfPossession })))).toBe('ACCESS_DENIED');
      expect(utf8(await kgc.evaluateTransaction('GetParams'))).toBe(before);
      expect(await refusalOf(kgc.evaluateTransaction('GetIdentity', u.key.id))).toBe('NOT_FOUND');
    });

    it('registers users in escrow and certified mode; refuses duplicates, foreign KGCs, expired and rogue keys', async () => {
      const escrowId = `user:escrow-${RUN}`;
      const ex = kgcExtract(master, { id: escrowId, role: 'user', expiry });
      const reg1 = await json(kgc.submitTransaction('RegisterUser', JSON.stringify({ id: escrowId, certificate: ex.certificate, proofOfPossession: provePossession(ex.key) })));
      expect(reg1).toMatchObject({ id: escrowId, kind: 'user', mode: 'escrow', status: 'active' });

      const certId = `user:cert-${RUN}`;
      const u = userKeyGen(certId);
      const cert = kgcCertify(master, { id: certId, role: 'user', expiry, publicKey: u.key.publicKey, proofOfPossession: u.proofOfPossession });
      const reg = { id: certId, certificate: cert, proofOfPossession: u.proofOfPossession, account: generateKeyPair().publicKey };
      expect(await json(kgc.submitTransaction('RegisterUser', JSON.stringify(reg)))).toMatchObject({ id: certId, mode: 'certified' });
      expect(await refusalOf(kgc.submitTransaction('RegisterUser', JSON.stringify(reg)))).toBe('CONFLICT');
      // The same key under another ID: certificate valid, but the key is already registered.
      const dupKeyCert = kgcCertify(master, { id: `${certId}-2`, role: 'user', expiry, publicKey: u.key.publicKey, proofOfPossession: provePossession({ ...u.key, id: `${certId}-2` }) });
      expect(await refusalOf(kgc.submitTransaction('RegisterUser', JSON.stringify({ id: `${certId}-2`, certificate: dupKeyCert, proofOfPossession: provePossession({ ...u.key, id: `${certId}-2` }) })))).toBe('CONFLICT');

      // Signed by another KGC.
      const other = userKeyGen(`user:foreign-${RUN}`);
      const foreign = kgcCertify(kgcSetup().master, { id: other.key.id, role: 'user', expiry, publicKey: other.key.publicKey, proofOfPossession: other.proofOfPossession });
      expect(await refusalOf(kgc.submitTransaction('RegisterUser', JSON.stringify({ id: other.key.id, certificate: foreign, proofOfPossession: other.proofOfPossession })))).toBe('INVALID_SIGNATURE');
      // Expired.
      const old = kgcCertify(master, { id: other.key.id, role: 'user', expiry: nowS() - 10, publicKey: other.key.publicKey, proofOfPossession: other.proofOfPossession });
      expect(await refusalOf(kgc.submitTransaction('RegisterUser', JSON.stringify({ id: other.key.id, certificate: old, proofOfPossession: other.proofOfPossession })))).toBe('EXPIRED');

      // A rogue key y_M = (a*P - ID_V*y_V) / ID_M that a careless KGC certified anyway: nobody knows
      // its discrete log, so no proof of possession exists and the chaincode refuses it.
      const mallory = `user:mallory-${RUN}`;
      const G2 = bls12_381.G2.ProjectivePoint;
      const inv = (x: bigint) => {
        let [r, nr, t, nt] = [CURVE_ORDER, x % CURVE_ORDER, 0n, 1n];
        while (nr !== 0n) {
          const q = r / nr;
          [t, nt] = [nt, t - q * nt];
          [r, nr] = [nr, r - q * nr];
        }
        return ((t % CURVE_ORDER) + CURVE_ORDER) % CURVE_ORDER;
      };
      const rogue = G2.BASE.multiply(987654321n).subtract(G2.fromHex(u.key.publicKey).multiply(idScalar(certId))).multiply(inv(idScalar(mallory))).toHex(true);
      const body = { scheme: cert.scheme, mode: 'escrow' as const, id: mallory, role: 'user', publicKey: rogue, expiry };
      const careless = { ...body, kgcSignature: hashToG1(new TextEncoder().encode(canonicalJson(body)), DST.CERT).multiply(BigInt(`0x${master}`)).toHex(true) };
      const fakePop = hashToG1(new TextEncoder().encode('anything'), DST.POP).multiply(987654321n).toHex(true);
      expect(await refusalOf(kgc.submitTransaction('RegisterUser', JSON.stringify({ id: mallory, certificate: careless, proofOfPossession: fakePop })))).toBe('INVALID_PROOF');
      expect(await refusalOf(kgc.evaluateTransaction('GetIdentity', mallory))).toBe('NOT_FOUND');
    });

    it('registers a charging pile only from the operator, locks collateral by power and releases it on retirement', async () => {
      const operatorAcct = await funded(10_000);
      const pileId = `pile:${RUN}`;
      const ex = kgcExtract(master, { id: pileId, role: 'pile', expiry });
      const body = { id: pileId, certificate: ex.certificate, proofOfPossession: provePossession(ex.key), powerW: 22_000, collateralAccount: operatorAcct.publicKey, nonce: 1 };
      const sig = signRequest('pile-register', body, operatorAcct.privateKey).signature;
      for (const org of ['utility', 'guarantorb'] as OrgName[]) {
        expect(await refusalOf(conns.contract(org, 'admin', 'kgc').submitTransaction('RegisterPile', JSON.stringify(body), sig))).toBe('ACCESS_DENIED');
      }
      // A forged account signature is refused before anything is written.
      expect(await refusalOf(kgcAsOperator.submitTransaction('RegisterPile', JSON.stringify({ ...body, powerW: 1 }), sig))).toBe('INVALID_SIGNATURE');
      const out = await json(kgcAsOperator.submitTransaction('RegisterPile', JSON.stringify(body), sig));
      expect(out.pile).toMatchObject({ id: pileId, powerW: 22_000, collateral: 2200, status: 'active' });
      expect(await balance(operatorAcct)).toBe(10_000 - 2200);
      expect(await refusalOf(kgcAsOperator.submitTransaction('RegisterPile', JSON.stringify(body), sig))).toBe('CONFLICT');
      const list = await json(kgcAsOperator.evaluateTransaction('ListPiles'));
      expect(list.map((p: { id: string }) => p.id)).toContain(pileId);
      expect(await refusalOf(kgc.submitTransaction('RetirePile', pileId))).toBe('ACCESS_DENIED');
      expect((await json(kgcAsOperator.submitTransaction('RetirePile', pileId))).status).toBe('retired');
      expect(await balance(operatorAcct)).toBe(10_000);
      expect(await refusalOf(kgcAsOperator.submitTransaction('RetirePile', pileId))).toBe('FORBIDDEN_STATE');
    });
  });

  describe('channels', () => {
    it('a charging session: 200 small payments off chain, identity-bound keys, then a cooperative close', async () => {
      const expiry = nowS() + 86400;
      const driver = userKeyGen(`user:driver-${RUN}`);
      const dcert = kgcCertify(master, { id: driver.key.id, role: 'user', expiry, publicKey: driver.key.publicKey, proofOfPossession: driver.proofOfPossession });
      await kgc.submitTransaction('RegisterUser', JSON.stringify({ id: driver.key.id, certificate: dcert, proofOfPossession: driver.proofOfPossession }));
      const ch = await open({ a: 1000, b: 0 }, { identity: { a: { id: driver.key.id, key: driver.key } } });
      expect((await getChannel(ch.channelId)).identities).toEqual({ a: driver.key.id });
      const t0 = Date.now();
      for (let i = 0; i < 200; i++) pay(ch, 'a', 3);
      expect(Date.now() - t0).toBeLessThan(5000);
      update(ch, 'a', { kind: 'close' });
      const final = ch.ends.b.latest;
      expect(final.state).toMatchObject({ version: 201, final: true, balances: { a: '400', b: '600' } });
      const closed = await json(channel.submitTransaction('Close', JSON.stringify({ channelId: ch.channelId, by: 'b', signed: final })));
      expect(closed).toMatchObject({ status: 'closed', settlement: { kind: 'cooperative', payouts: { a: '400', b: '600' } } });
      expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([400, 600]);
      // A second close, or a replay of the same one, changes nothing.
      expect(await refusalOf(channel.submitTransaction('Close', JSON.stringify({ channelId: ch.channelId, by: 'b', signed: final })))).toBe('FORBIDDEN_STATE');
      expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([400, 600]);
    });

    it('refuses an open whose channel key is bound to someone else\'s identity', async () => {
      const expiry = nowS() + 86400;
      const victim = userKeyGen(`user:victim-${RUN}`);
      const vc = kgcCertify(master, { id: victim.key.id, role: 'user', expiry, publicKey: victim.key.publicKey, proofOfPossession: victim.proofOfPossession });
      await kgc.submitTransaction('RegisterUser', JSON.stringify({ id: victim.key.id, certificate: vc, proofOfPossession: victim.proofOfPossession }));
      const thief = userKeyGen(victim.key.id); // claims the victim's id with its own BLS key
      expect(await refusalOf(open({ a: 10, b: 0 }, { identity: { a: { id: victim.key.id, key: thief.key } } }))).toBe('INVALID_SIGNATURE');
    });

    it('a revoked identity binds no new channel; its open channel still closes; only the Utility revokes, once', async () => {
      const expiry = nowS() + 86400;
      const lost = userKeyGen(`user:lost-phone-${RUN}`);
      const lc = kgcCertify(master, { id: lost.key.id, role: 'user', expiry, publicKey: lost.key.publicKey, proofOfPossession: lost.proofOfPossession });
      const reg = { id: lost.key.id, certificate: lc, proofOfPossession: lost.proofOfPossession };
      await kgc.submitTransaction('RegisterUser', JSON.stringify(reg));
      const ch = await open({ a: 100, b: 0 }, { identity: { a: { id: lost.key.id, key: lost.key } } });
      pay(ch, 'a', 30);
      expect(await refusalOf(conns.contract('operator', 'admin', 'kgc').submitTransaction('RevokeIdentity', lost.key.id, 'phone stolen'))).toBe('ACCESS_DENIED');
      expect(await refusalOf(kgc.submitTransaction('RevokeIdentity', lost.key.id, ''))).toBe('INVALID_ARGUMENT');
      expect(await refusalOf(kgc.submitTransaction('RevokeIdentity', `user:nobody-${RUN}`, 'phone stolen'))).toBe('NOT_FOUND');
      expect((await json(kgc.evaluateTransaction('GetIdentity', lost.key.id))).status).toBe('active');
      const revoked = await json(kgc.submitTransaction('RevokeIdentity', lost.key.id, 'phone stolen'));
      expect(revoked).toMatchObject({ id: lost.key.id, status: 'revoked', revocationReason: 'phone stolen' });
      expect(await refusalOf(kgc.submitTransaction('RevokeIdentity', lost.key.id, 'again'))).toBe('FORBIDDEN_STATE');
      // No new binding, no registering the ID again.
      expect(await refusalOf(open({ a: 10, b: 0 }, { identity: { a: { id: lost.key.id, key: lost.key } } }))).toBe('FORBIDDEN_STATE');
      expect(await refusalOf(kgc.submitTransaction('RegisterUser', JSON.stringify(reg)))).toBe('CONFLICT');
      // The channel opened before the revocation closes as usual.
      update(ch, 'b', { kind: 'close' });
      const closed = await json(channel.submitTransaction('Close', JSON.stringify({ channelId: ch.channelId, by: 'a', signed: ch.ends.a.latest })));
      expect(closed.settlement.payouts).toEqual({ a: '70', b: '30' });
    });

    it('top-up and partial withdrawal without closing; older states are refused afterwards', async () => {
      const ch = await open({ a: 500, b: 100 });
      pay(ch, 'a', 50);
      const beforeResize = ch.ends.a.latest;
      await issuer.submitTransaction('IssuePay', ch.acct.a.publicKey, '300');
      const r = channels.buildResize(ch.ends.a.latest.state, { topUp: { a: '300' }, withdraw: { b: '100' }, notAfter: nowS() + 60 }, { a: ch.keys.a.privateKey, b: ch.keys.b.privateKey });
      const req: channels.ResizeRequest = { ...r, funding: { a: channels.signTopUp(r.terms, 'a', ch.acct.a.privateKey, nextNonce(ch.acct.a)) } };
      const resized = await json(channel.submitTransaction('Resize', JSON.stringify(req)));
      expect(resized).toMatchObject({ total: '800', baseVersion: 2, deposits: { a: '750', b: '50' } });
      expect(await balance(ch.acct.b)).toBe(100); // withdrawn
      expect(await refusalOf(channel.submitTransaction('Resize', JSON.stringify(req)))).toBe('REPLAY');
      // Both ends continue from the resize state with the new record.
      const record = channels.resizedRecord(ch.record, r.signed.state);
      for (const s of ['a', 'b'] as const) {
        ch.ends[s] = new channels.Channel({ record, side: s, privateKey: ch.keys[s].privateKey, policy: POLICY, snapshot: { record, side: s, latest: r.signed } });
      }
      pay(ch, 'a', 25);
      // A state from before the resize no longer closes the channel.
      expect(await refusalOf(channel.submitTransaction('Close', closeReq(ch, 'a', beforeResize)))).toBe('REPLAY');
      update(ch, 'b', { kind: 'close' });
      const closed = await json(channel.submitTransaction('Close', JSON.stringify({ channelId: ch.channelId, by: 'a', signed: ch.ends.a.latest })));
      expect(closed.settlement.payouts).toEqual({ a: '725', b: '75' });
      expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([725, 175]);
    });

    it('unilateral close answered with a newer state; settles only after the window', async () => {
      const ch = await open({ a: 1000, b: 1000 });
      pay(ch, 'a', 100);
      pay(ch, 'b', 30);
      // b proposes v3; a countersigns, but b goes offline before it receives the countersignature.
      const p = ch.ends.b.propose({ kind: 'pay', from: 'b', amount: '500' }, nowS());
      ch.ends.a.receive(p, nowS());
      expect(ch.ends.b.latest.state.version).toBe(2);
      // b, honestly holding v2, closes with it; a answers with v3 (b's own signature on it).
      const closing = await json(channel.submitTransaction('Close', closeReq(ch, 'b')));
      expect(closing).toMatchObject({ status: 'closing', close: { by: 'b', version: 2 } });
      const countered = await json(channel.submitTransaction('Counter', JSON.stringify({ channelId: ch.channelId, by: 'a', signed: ch.ends.a.latest })));
      expect(countered.settlement).toMatchObject({ status: 'pending', version: 3 });
      expect(await refusalOf(channel.submitTransaction('Counter', JSON.stringify({ channelId: ch.channelId, by: 'a', signed: ch.ends.a.latest })))).toBe('REPLAY');
      expect(await refusalOf(channel.submitTransaction('Settle', ch.channelId))).toBe('FORBIDDEN_STATE');
      await untilChainTime(closing.deadline);
      const settled = await json(channel.submitTransaction('Settle', ch.channelId));
      expect(settled.settlement).toMatchObject({ kind: 'unilateral', version: 3, payouts: { a: '1430', b: '570' } });
      expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([1430, 570]);
      expect(await refusalOf(channel.submitTransaction('Settle', ch.channelId))).toBe('FORBIDDEN_STATE');
    });

    it('a cheater posting a revoked state loses everything (the watchtower answers for the offline victim)', async () => {
      const ch = await open({ a: 600, b: 400 }, { window: 30 });
      pay(ch, 'b', 300); // v1: b gave 300 to a
      const old = ch.ends.b.latest;
      for (let i = 0; i < 5; i++) pay(ch, 'b', 10); // v6
      // a goes offline; its watchtower keeps the bounded watch record.
      const watch = ch.ends.a.watchRecord();
      const before = { a: await balance(ch.acct.a), b: await balance(ch.acct.b) };
      const closing = await json(channel.submitTransaction('Close', closeReq(ch, 'b', old)));
      expect(closing.close.version).toBe(1);
      const answer = channels.watchResponse(watch, 'b', 1, ch.record.keys);
      expect(answer.kind).toBe('breach');
      if (answer.kind !== 'breach') return;
      const settled = await json(channel.submitTransaction('Counter', JSON.stringify({ channelId: ch.channelId, by: 'a', signed: answer.signed, revocations: answer.revocations })));
      expect(settled).toMatchObject({ status: 'closed', settlement: { kind: 'breach', cheater: 'b', payouts: { a: '1000', b: '0' } } });
      expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([before.a + 1000, before.b]);
    });

    it('a close one version behind is proven a breach by the closer\'s revealed secret, even after the window', async () => {
      const ch = await open({ a: 500, b: 500 }, { window: 5 });
      for (let i = 0; i < 3; i++) pay(ch, 'b', 10); // v3
      const oneBehind = ch.ends.b.latest;
      pay(ch, 'b', 10); // v4: b proposed it, then revealed its secret for it
      // a goes offline with its bounded watch record: v4 and b's secret for it.
      const watch = ch.ends.a.watchRecord();
      expect(watch.peerRevocation).toMatchObject({ party: 'b', below: 4 });
      const before = { a: await balance(ch.acct.a), b: await balance(ch.acct.b) };
      // b closes with v3: only b's secret proves it had given v3 up; nobody answers within the window.
      const closing = await json(channel.submitTransaction('Close', closeReq(ch, 'b', oneBehind)));
      expect(closing.close.version).toBe(3);
      await untilChainTime(closing.deadline);
      const answer = channels.watchResponse(watch, 'b', 3, ch.record.keys);
      expect(answer.kind).toBe('breach');
      if (answer.kind !== 'breach') return;
      expect(await refusalOf(channel.submitTransaction('Counter', JSON.stringify({ channelId: ch.channelId, by: 'a', signed: answer.signed, revocations: answer.revocations })))).toBe('EXPIRED');
      // The secret alone proves nothing; with the state whose lock it opens (evidence, not a counter) it convicts.
      expect(await refusalOf(channel.submitTransaction('PostRevocations', ch.channelId, JSON.stringify(answer.revocations)))).toBe('INVALID_SIGNATURE');
      const settled = await json(channel.submitTransaction('PostRevocations', ch.channelId, JSON.stringify({ revocations: answer.revocations, states: [answer.signed] })));
      expect(settled).toMatchObject({ status: 'closed', settlement: { kind: 'breach', cheater: 'b', payouts: { a: '1000', b: '0' } } });
      expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([before.a + 1000, before.b]);
    });

    it('a three-hop payment with fees succeeds, another times out and is failed back, off chain', async () => {
      // S -> X -> Y -> T over channels sx (S=a), xy (X=a), yt (Y=a).
      const [sx, xy, yt] = await Promise.all([open({ a: 3000, b: 0 }), open({ a: 3000, b: 0 }), open({ a: 3000, b: 0 })]);
      const chans: Record<string, Open> = { [sx.channelId]: sx, [xy.channelId]: xy, [yt.channelId]: yt };
      const fee = { base: '1', proportionalMillionths: 1000 };
      const edges: channels.ChannelEdge[] = [
        { channelId: sx.channelId, from: 'S', to: 'X', fromSide: 'a', available: '3000', policy: { base: '0', proportionalMillionths: 0 } },
        { channelId: xy.channelId, from: 'X', to: 'Y', fromSide: 'a', available: '3000', policy: fee },
        { channelId: yt.channelId, from: 'Y', to: 'T', fromSide: 'a', available: '3000', policy: fee },
      ];
      const sendVia = (amount: string, lockBase: number) => {
        const pre = channels.newPreimage();
        const route = channels.findRoute(edges, { source: 'S', target: 'T', amount, now: lockBase, finalLockDelta: 10, lockDelta: 5 });
        const plan = channels.planPayment(route, pre.hashLock);
        let prevIncoming: channels.Htlc | undefined;
        for (const hop of plan.hops) {
          if (prevIncoming) channels.checkForward(prevIncoming, hop.htlc, { fee, lockDelta: 5 }, lockBase);
          update(chans[hop.channelId], hop.htlc.from, { kind: 'add', htlc: hop.htlc }, lockBase);
          prevIncoming = hop.htlc;
        }
        return { pre, plan };
      };
      const now = nowS();
      // Payment 1: T never reveals; once yt's lock passes, Y fails it and everyone fails back at once.
      const lost = sendVia('500', now);
      const ytLock = lost.plan.hops[2].htlc.timeLock;
      const later = ytLock + 1;
      update(yt, 'a', { kind: 'fail', id: lost.plan.hops[2].htlc.id }, later); // sender after its lock
      expect(channels.nextActions({ incoming: { htlc: lost.plan.hops[1].htlc, status: 'pending' }, outgoing: { htlc: lost.plan.hops[2].htlc, status: 'failed' } }, later, 1)[0].kind).toBe('fail-incoming');
      update(xy, 'b', { kind: 'fail', id: lost.plan.hops[1].htlc.id }, later); // receiver fails back
      update(sx, 'b', { kind: 'fail', id: lost.plan.hops[0].htlc.id }, later);
      for (const c of [sx, xy, yt]) expect(c.ends.a.latest.state).toMatchObject({ balances: { a: '3000', b: '0' }, htlcs: [] });
      // Payment 2: T reveals R to Y, Y to X, X to S.
      const ok = sendVia('1000', nowS());
      expect(ok.plan.totalFees).toBe('4'); // Y: 1 + floor(1000 * 1000 / 1e6) = 2; X: 1 + floor(1002 * 1000 / 1e6) = 2
      for (const hop of [...ok.plan.hops].reverse()) update(chans[hop.channelId], hop.htlc.to, { kind: 'settle', id: hop.htlc.id, preimage: ok.pre.preimage });
      for (const c of [sx, xy, yt]) update(c, 'a', { kind: 'close' });
      const results = await Promise.all([sx, xy, yt].map((c) => json(channel.submitTransaction('Close', JSON.stringify({ channelId: c.channelId, by: 'a', signed: c.ends.a.latest })))));
      expect(results.map((r) => r.settlement.payouts)).toEqual([
        { a: '1996', b: '1004' }, // S paid 1004
        { a: '1998', b: '1002' }, // X forwarded 1002, kept 2
        { a: '2000', b: '1000' }, // Y forwarded 1000, kept 2; T received 1000
      ]);
    });

    it('a close with pending HTLCs: revealed before its lock pays the receiver, otherwise the sender', async () => {
      const ch = await open({ a: 1000, b: 0 });
      const r1 = channels.newPreimage();
      const r2 = channels.newPreimage();
      const t = nowS();
      update(ch, 'a', { kind: 'add', htlc: { id: 'h1', from: 'a', to: 'b', amount: '100', hashLock: r1.hashLock, timeLock: t + 8 } }, t);
      update(ch, 'a', { kind: 'add', htlc: { id: 'h2', from: 'a', to: 'b', amount: '50', hashLock: r2.hashLock, timeLock: t + 3 } }, t);
      // a stops answering; b closes with the state holding both HTLCs and claims h1 on chain in time.
      const closing = await json(channel.submitTransaction('Close', closeReq(ch, 'b')));
      expect(closing.close.version).toBe(2);
      const reveal = await json(channel.submitTransaction('RevealPreimage', r1.preimage));
      expect(reveal).toMatchObject({ hashLock: r1.hashLock, first: true });
      expect((await json(channel.submitTransaction('RevealPreimage', r1.preimage))).revealedAt).toBe(reveal.revealedAt);
      expect(await refusalOf(channel.submitTransaction('RevealPreimage', 'zz'))).toBe('INVALID_ARGUMENT');
      // h2's preimage shows up only after its lock: too late, it goes back to a.
      await untilChainTime(t + 3);
      await channel.submitTransaction('RevealPreimage', r2.preimage);
      await untilChainTime(closing.deadline);
      const settled = await json(channel.submitTransaction('Settle', ch.channelId));
      expect(settled.settlement).toMatchObject({ kind: 'unilateral', payouts: { a: '900', b: '100' } });
      expect(settled.settlement.htlcs).toEqual([
        { id: 'h1', outcome: 'receiver' },
        { id: 'h2', outcome: 'sender' },
      ]);
      expect([await balance(ch.acct.a), await balance(ch.acct.b)]).toEqual([900, 100]);
    });

    it('refuses replayed and forged signatures, versions and nonces, with nothing changed', async () => {
      const ch = await open({ a: 500, b: 500 });
      const snapshot = async () => canonicalJson({ c: { ...(await getChannel(ch.channelId)), preview: null }, a: await balance(ch.acct.a), b: await balance(ch.acct.b) });
      // Replaying the open (same terms and nonces), and new terms with a used nonce.
      expect(await refusalOf(channel.submitTransaction('Open', JSON.stringify(ch.req)))).toBe('CONFLICT');
      const terms2 = { ...ch.terms, salt: `${ch.terms.salt}-2` };
      const replayNonce = { terms: terms2, auth: { a: channels.signOpen(terms2, 'a', ch.acct.a.privateKey, 1), b: channels.signOpen(terms2, 'b', ch.acct.b.privateKey, 1) } };
      expect(await refusalOf(channel.submitTransaction('Open', JSON.stringify(replayNonce)))).toBe('REPLAY');
      const forgedOpen = { terms: terms2, auth: { ...ch.req.auth, a: { nonce: 2, signature: ch.req.auth.a.signature } } };
      expect(await refusalOf(channel.submitTransaction('Open', JSON.stringify(forgedOpen)))).toBe('INVALID_SIGNATURE');
      pay(ch, 'a', 100);
      pay(ch, 'b', 20);
      const before = await snapshot();
      const latest = ch.ends.a.latest;
      // A tampered state (signatures over another balance).
      const tampered = { ...latest, state: { ...latest.state, balances: { a: '480', b: '520' } } };
      expect(await refusalOf(channel.submitTransaction('Close', closeReq(ch, 'a', tampered)))).toBe('INVALID_SIGNATURE');
      // A unilateral close without, or with a forged, closer signature (anyone posting "as a").
      expect(await refusalOf(channel.submitTransaction('Close', JSON.stringify({ channelId: ch.channelId, by: 'a', signed: latest })))).toBe('INVALID_SIGNATURE');
      expect(await refusalOf(channel.submitTransaction('Close', JSON.stringify({ ...channels.signClose(latest, 'b', ch.keys.b.privateKey), by: 'a' })))).toBe('INVALID_SIGNATURE');
      // Signatures swapped between the sides.
      const otherSig = { ...latest, sigs: { a: latest.sigs.b, b: latest.sigs.a } };
      expect(await refusalOf(channel.submitTransaction('Close', closeReq(ch, 'a', otherSig)))).toBe('INVALID_SIGNATURE');
      // Counter and settle on an open channel; unknown channel.
      expect(await refusalOf(channel.submitTransaction('Counter', JSON.stringify({ channelId: ch.channelId, signed: latest })))).toBe('FORBIDDEN_STATE');
      expect(await refusalOf(channel.submitTransaction('Settle', ch.channelId))).toBe('FORBIDDEN_STATE');
      expect(await refusalOf(channel.submitTransaction('Settle', 'ch-nope'))).toBe('NOT_FOUND');
      expect(await snapshot()).toBe(before);
      // Now a real close; then an older counter, a same-version counter, a forged revocation, a late counter.
      const closing = await json(channel.submitTransaction('Close', closeReq(ch, 'a')));
      const mid = await snapshot();
      const v1 = { ...latest }; // version 2 is the close; any counter must be newer
      expect(await refusalOf(channel.submitTransaction('Counter', JSON.stringify({ channelId: ch.channelId, signed: v1 })))).toBe('REPLAY');
      // A secret that opens no lock of a's signature on the posted state; one for a version nobody
      // posted, without the state it opens; and one whose evidence state carries a re-signed lock.
      const forgedRev = { channelId: ch.channelId, party: 'a', below: 2, secret: '00'.repeat(32) };
      expect(await refusalOf(channel.submitTransaction('PostRevocations', ch.channelId, JSON.stringify([forgedRev])))).toBe('INVALID_SIGNATURE');
      const unpaired = channels.makeRevocation(ch.channelId, 'a', 5, ch.keys.a.privateKey);
      expect(await refusalOf(channel.submitTransaction('PostRevocations', ch.channelId, JSON.stringify([unpaired])))).toBe('INVALID_SIGNATURE');
      const relocked = { ...latest, locks: { ...latest.locks, a: channels.revocationLock(forgedRev.secret) } };
      expect(await refusalOf(channel.submitTransaction('PostRevocations', ch.channelId, JSON.stringify({ revocations: [forgedRev], states: [relocked] })))).toBe('INVALID_SIGNATURE');
      expect(await snapshot()).toBe(mid);
      pay(ch, 'a', 1); // v3 exists off chain, but arrives after the window
      await untilChainTime(closing.deadline);
      expect(await refusalOf(channel.submitTransaction('Counter', JSON.stringify({ channelId: ch.channelId, signed: ch.ends.b.latest })))).toBe('EXPIRED');
      expect(await snapshot()).toBe(mid);
      expect((await json(channel.submitTransaction('Settle', ch.channelId))).settlement.payouts).toEqual({ a: '420', b: '580' });
    });
  });
});
