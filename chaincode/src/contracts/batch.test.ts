import {
  canonicalJson, createPoolNote, DEFAULT_LENDING_PARAMS, generateKeyPair, kgcExtract, kgcSetup, KeyPair, MARKET_ACTIONS, noteCommitment,
  provePossession, signRequest,
} from '@gridledger/core';
import { Ledger } from '../testing/ledger-stub';
import { AccountsContract } from './accounts-contract';
import { KgcContract } from './kgc-contract';
import { MarketContract } from './market-contract';
import { ParamsContract } from './params-contract';
import { MAX_DEPOSIT_BATCH, PoolContract } from './pool-contract';

const UTIL = 'UtilityMSP';
const OP = 'OperatorMSP';
const acc = new AccountsContract();
const pool = new PoolContract();
const params = new ParamsContract();
const kgc = new KgcContract();
const market = new MarketContract();
const refusalOf = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e.message);
const signed = (action: string, body: Record<string, unknown>, k: KeyPair) => {
  const s = signRequest(action, body, k.privateKey);
  return { body: s.body, signature: s.signature };
};

describe('relayer batches on a ledger stub', () => {
  let L: Ledger;
  const denom = DEFAULT_LENDING_PARAMS.poolDenominationsWh[0];

  async function fund(k: KeyPair, wh: number): Promise<void> {
    const meter = generateKeyPair();
    const meterId = `m-${k.publicKey.slice(0, 12)}`;
    await L.run(UTIL, (c) => acc.RegisterMeter(c, meterId, meter.publicKey, k.publicKey));
    const s = signRequest('meter-reading', { meterId, seq: 1, cumulativeWh: wh, readAt: L.now - 1 }, meter.privateKey);
    await L.run(UTIL, (c) => acc.MintFromMeter(c, canonicalJson(s.body), s.signature));
  }
  const energy = async (k: KeyPair) => JSON.parse(await L.run(UTIL, (c) => acc.GetAccount(c, k.publicKey))).energyWh as number;
  const deposit = (k: KeyPair, nonce: number, poolId = 'p1') =>
    signed('deposit', { poolId, commitment: noteCommitment(createPoolNote()).toString(), account: k.publicKey, nonce }, k);

  beforeEach(async () => {
    L = new Ledger();
    await L.run(UTIL, (c) => params.SetLendingParams(c, canonicalJson(DEFAULT_LENDING_PARAMS)));
    await L.run(UTIL, (c) => pool.CreatePool(c, canonicalJson({ poolId: 'p1', denominationWh: denom, targetNotes: 1, deadline: L.now + 100, maturity: L.now + 10_000 })));
  });

  it('DepositBatch applies every deposit in order: one account twice sees its own nonce and debit', async () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    await fund(a, 2 * denom);
    await fund(b, denom);
    const items = [deposit(a, 1), deposit(b, 1), deposit(a, 2)];
    await L.run(OP, (c) => pool.DepositBatch(c, JSON.stringify(items)));
    expect([await energy(a), await energy(b)]).toEqual([0, 0]);
    const ev = L.events.at(-1)!;
    expect(ev.name).toBe('PoolDeposits');
    expect((ev.payload as { deposits: Array<{ commitment: string }> }).deposits.map((d) => d.commitment)).toEqual(items.map((i) => i.body.commitment));
    // Each note is in the pool once: replaying one item alone is refused.
    expect(await refusalOf(L.run(OP, (c) => pool.Deposit(c, canonicalJson(items[1].body), items[1].signature)))).toMatch(/^REPLAY: /);
  });

  it('a refused item names its index and the batch writes nothing', async () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    await fund(a, denom);
    await fund(b, denom);
    const before = L.snapshot();
    const forged = { ...deposit(b, 1), signature: deposit(a, 1).signature };
    expect(await refusalOf(L.run(OP, (c) => pool.DepositBatch(c, JSON.stringify([deposit(a, 1), forged]))))).toMatch(/^INVALID_SIGNATURE: deposit 1: /);
    const broke = deposit(a, 2); // a holds one denomination only
    expect(await refusalOf(L.run(OP, (c) => pool.DepositBatch(c, JSON.stringify([deposit(a, 1), broke]))))).toMatch(/^FORBIDDEN_STATE: deposit 1: insufficient energy/);
    const dup = deposit(a, 1);
    expect(await refusalOf(L.run(OP, (c) => pool.DepositBatch(c, JSON.stringify([dup, { ...deposit(b, 1), body: { ...dup.body, account: b.publicKey } }]))))).toMatch(/deposit 1: /);
    expect(L.snapshot()).toBe(before);
    expect(await refusalOf(L.run(OP, (c) => pool.DepositBatch(c, '[]')))).toMatch(/^INVALID_ARGUMENT: deposits must be a list of 1 to 64/);
    expect(await refusalOf(L.run(OP, (c) => pool.DepositBatch(c, JSON.stringify(Array.from({ length: MAX_DEPOSIT_BATCH + 1 }, () => deposit(a, 1))))))).toMatch(/^INVALID_ARGUMENT/);
    expect(await refusalOf(L.run(OP, (c) => pool.DepositBatch(c, JSON.stringify([{ body: deposit(a, 1).body }]))))).toMatch(/^INVALID_ARGUMENT: deposit 0: each item must be \{body, signature\}/);
    expect(L.snapshot()).toBe(before);
  });

  describe('SubmitOrders', () => {
    async function trader(name: string, master: string) {
      const id = `user:${name}`;
      const acct = generateKeyPair();
      const ex = kgcExtract(master, { id, role: 'user', expiry: L.now + 86_400 });
      await L.run(UTIL, (c) => kgc.RegisterUser(c, JSON.stringify({ id, certificate: ex.certificate, proofOfPossession: provePossession(ex.key), account: acct.publicKey })));
      return { id, acct };
    }
    const order = (t: { id: string; acct: KeyPair }, side: 'ask' | 'bid', price: number, quantity: number, nonce: number) =>
      signed(MARKET_ACTIONS.order, { cycleId: 'c1', side, price, quantity, trader: t.id, account: t.acct.publicKey, nonce }, t.acct);

    it('gives each order its own id in list order, and refuses the whole batch for one bad order', async () => {
      const setup = kgcSetup();
      await L.run(UTIL, (c) => kgc.Setup(c, JSON.stringify(setup.params)));
      await L.run(UTIL, (c) => market.OpenCycle(c, 'c1', JSON.stringify({ lengthS: 600 })));
      const s = await trader('s', setup.master);
      const b = await trader('b', setup.master);
      const before = L.snapshot();
      const bad = { ...order(b, 'bid', 10, 5, 1), signature: order(s, 'bid', 10, 5, 1).signature };
      expect(await refusalOf(L.run(OP, (c) => market.SubmitOrders(c, JSON.stringify([order(s, 'ask', 10, 5, 1), bad]))))).toMatch(/^INVALID_SIGNATURE: order 1: /);
      expect(L.snapshot()).toBe(before);

      const list = [order(s, 'ask', 10, 5, 1), order(b, 'bid', 12, 3, 1), order(s, 'ask', 10, 2, 2)];
      const out = JSON.parse(await L.run(OP, (c) => market.SubmitOrders(c, JSON.stringify(list)))) as Array<{ orderId: string; seq: number }>;
      expect(out.map((o) => o.orderId.split('.')[1])).toEqual(['00', '01', '02']);
      expect(new Set(out.map((o) => o.seq)).size).toBe(1);
      // Ties on price and time: the book keeps the batch's order.
      const asks = JSON.parse(await L.run(OP, (c) => market.GetBook(c, 'c1', 'ask', '100'))) as Array<{ orderId: string }>;
      expect(asks.map((o) => o.orderId)).toEqual([out[0].orderId, out[2].orderId]);
      expect(L.events.at(-1)!.name).toBe('MarketOrdersSubmitted');
    });
  });
});
