import { Contract } from '@hyperledger/fabric-gateway';
import { canonicalJson, createPoolNote, DEFAULT_LENDING_PARAMS, generateKeyPair, KeyPair, noteCommitment, signRequest } from '@gridledger/core';
import { evaluate, mintEnergy, refusal, submit } from './support/ledger';
import { Connections, describeOnNetwork } from './support/network';

jest.setTimeout(90_000);

const RUN = `${process.pid}-${Date.now().toString(36)}`;

/** A relayer's DepositBatch on the real network: all of it commits, or none of it. */
describeOnNetwork('relayer deposit batches on the network', () => {
  const conns = new Connections();
  let relay: { pool: Contract; accounts: Contract };
  let utility: { pool: Contract; accounts: Contract; params: Contract };
  const poolId = `rb-${RUN}`;
  let denom: number;

  beforeAll(async () => {
    utility = { pool: conns.contract('utility', 'admin', 'pool'), accounts: conns.contract('utility', 'admin', 'accounts'), params: conns.contract('utility', 'admin', 'params') };
    relay = { pool: conns.contract('operator', 'client', 'pool'), accounts: conns.contract('operator', 'client', 'accounts') };
    let params = DEFAULT_LENDING_PARAMS;
    try {
      params = (await evaluate(conns.contract('operator', 'client', 'params'), 'GetLendingParams')).params;
    } catch {
      await submit(utility.params, 'SetLendingParams', canonicalJson(DEFAULT_LENDING_PARAMS)); // a fresh network
    }
    denom = params.poolDenominationsWh[0];
    const now = Math.floor(Date.now() / 1000);
    await submit(utility.pool, 'CreatePool', canonicalJson({ poolId, denominationWh: denom, targetNotes: 1, deadline: now + 600, maturity: now + 1200 }));
  });
  afterAll(() => conns.closeAll());

  const item = (k: KeyPair, nonce: number) => {
    const s = signRequest('deposit', { poolId, commitment: noteCommitment(createPoolNote()).toString(), account: k.publicKey, nonce }, k.privateKey);
    return { body: s.body, signature: s.signature };
  };
  const energy = async (k: KeyPair) => (await evaluate(relay.accounts, 'GetAccount', k.publicKey)).energyWh as number;

  it('commits every deposit of a batch in one transaction, one account twice in order', async () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    await mintEnergy(utility.accounts, a.publicKey, 2 * denom);
    await mintEnergy(utility.accounts, b.publicKey, denom);
    const before = (await evaluate(relay.pool, 'GetPool', poolId)).deposits as number;
    const items = [item(a, 1), item(b, 1), item(a, 2)];
    await submit(relay.pool, 'DepositBatch', JSON.stringify(items));
    expect([await energy(a), await energy(b)]).toEqual([0, 0]);
    expect((await evaluate(relay.pool, 'GetPool', poolId)).deposits).toBe(before + 3);
    const { leaves } = await evaluate(relay.pool, 'GetPoolLeaves', poolId);
    for (const i of items) expect(leaves).toContain(i.body.commitment);
  });

  it('refuses the whole batch for one bad deposit, naming it, and moves nothing', async () => {
    const [a, b] = [generateKeyPair(), generateKeyPair()];
    await mintEnergy(utility.accounts, a.publicKey, denom);
    await mintEnergy(utility.accounts, b.publicKey, denom);
    const before = (await evaluate(relay.pool, 'GetPool', poolId)).deposits as number;
    const forged = { ...item(b, 1), signature: item(a, 1).signature };
    const r = await refusal(submit(relay.pool, 'DepositBatch', JSON.stringify([item(a, 1), forged])));
    expect(r.code).toBe('INVALID_SIGNATURE');
    expect(r.message).toMatch(/deposit 1: /);
    const overdrawn = await refusal(submit(relay.pool, 'DepositBatch', JSON.stringify([item(a, 1), item(a, 2)])));
    expect(overdrawn.code).toBe('FORBIDDEN_STATE');
    expect(overdrawn.message).toMatch(/deposit 1: insufficient energy/);
    expect([await energy(a), await energy(b)]).toEqual([denom, denom]);
    expect((await evaluate(relay.pool, 'GetPool', poolId)).deposits).toBe(before);
    // The same deposits, fixed, then go through.
    await submit(relay.pool, 'DepositBatch', JSON.stringify([item(a, 1), item(b, 1)]));
    expect((await evaluate(relay.pool, 'GetPool', poolId)).deposits).toBe(before + 2);
  });
});
