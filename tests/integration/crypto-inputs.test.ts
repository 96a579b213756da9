import {
  BABYJUB_BASE8, canonicalJson, createPoolNote, DEFAULT_LENDING_PARAMS, generateKeyPair, MeterReading, noteCommitment, proveWithdrawRequest,
  releaseZk, rerandomizeGroth16Proof, loadVerificationKey, SNARK_FIELD,
} from '@gridledger/core';
import { Connections, describeOnNetwork } from './support/network';
import { accountKey } from './support/keystore';
import { evaluate, mintEnergy, nextNonce, refusal, signedArgs, submit, waitUntil } from './support/ledger';

jest.setTimeout(180_000);

describeOnNetwork('hostile cryptographic inputs are refused on the network', () => {
  const conns = new Connections();
  const utility = { params: conns.contract('utility', 'admin', 'params'), accounts: conns.contract('utility', 'admin', 'accounts'), guarantor: conns.contract('utility', 'admin', 'guarantor'), pool: conns.contract('utility', 'admin', 'pool') };
  const relay = { accounts: conns.contract('operator', 'client', 'accounts'), pool: conns.contract('operator', 'client', 'pool') };
  const run = Date.now().toString(36);
  afterAll(async () => {
    conns.closeAll();
    await releaseZk(true);
  });

  it('tracing keys off the curve, of small order or the identity are refused', async () => {
    const offCurve = [BABYJUB_BASE8[0].toString(), (BABYJUB_BASE8[1] + 1n).toString()];
    const identity = ['0', '1'];
    // (0, -1) is on the curve with order 2: a key in the small subgroup would leak the secret mod 2.
    const order2 = ['0', (SNARK_FIELD - 1n).toString()];
    for (const pk of [offCurve, identity, order2, ['1', '2', '3'], 'garbage']) {
      const r = await refusal(submit(utility.guarantor, 'SetUtilityTraceKey', JSON.stringify(pk)));
      expect(r.code).toBe('INVALID_ARGUMENT');
    }
  });

  it('a field element and its alias x + p are not two commitments; hex and decimal are one key', async () => {
    await submit(utility.params, 'SetLendingParams', canonicalJson({ ...DEFAULT_LENDING_PARAMS, poolDenominationsWh: [1_000, 10_000, 100_000] }));
    const now = Math.floor(Date.now() / 1000);
    const poolId = `crypto-${run}`;
    await submit(utility.pool, 'CreatePool', canonicalJson({ poolId, denominationWh: 1_000, targetNotes: 1, deadline: now + 8, maturity: now + 10 }));
    const lender = generateKeyPair();
    await mintEnergy(utility.accounts, lender.publicKey, 3_000);
    const note = createPoolNote();
    const c = noteCommitment(note);
    const deposit = async (commitment: string) =>
      submit(relay.pool, 'Deposit', ...signedArgs('deposit', { poolId, commitment, account: lender.publicKey, nonce: await nextNonce(relay.accounts, lender.publicKey) }, lender));
    expect((await refusal(deposit((c + SNARK_FIELD).toString()))).code).toBe('INVALID_ARGUMENT');
    await deposit(c.toString());
    expect((await refusal(deposit(`0x${c.toString(16)}`))).code).toBe('CONFLICT');
    expect((await evaluate(relay.accounts, 'GetAccount', lender.publicKey)).energyWh).toBe(2_000);

    await waitUntil(now + 10);
    await submit(relay.pool, 'SealPool', poolId);
    await submit(relay.pool, 'ClosePool', poolId);
    const leaves = await evaluate(relay.pool, 'GetPoolLeaves', poolId);
    const relayer = accountKey('operator-relayer');
    const to = generateKeyPair();
    const req = await proveWithdrawRequest(note, { poolId, leaves: leaves.leaves, root: leaves.root }, { recipient: to.publicKey, relayer: relayer.publicKey, fee: 0 });
    // A nullifier hash written as its alias + p must not open a second spend.
    expect((await refusal(submit(relay.pool, 'Withdraw', canonicalJson({ ...req, nullifierHash: (BigInt(req.nullifierHash) + SNARK_FIELD).toString() })))).code).toBe('INVALID_ARGUMENT');
    await submit(relay.pool, 'Withdraw', canonicalJson(req));
    // Groth16 proofs are malleable: a re-randomised proof of the same statement is valid, and is
    // still refused, because the nullifier, not the proof bytes, is what is spent.
    const rerandomized = await rerandomizeGroth16Proof(loadVerificationKey('withdraw'), req.proof);
    expect(rerandomized.pi_a).not.toEqual(req.proof.pi_a);
    expect((await refusal(submit(relay.pool, 'Withdraw', canonicalJson({ ...req, proof: rerandomized })))).code).toBe('REPLAY');
    // A proof point that is not on the curve is refused as a malformed proof.
    const broken = { ...req.proof, pi_a: [req.proof.pi_a[0], (BigInt(req.proof.pi_a[1]) + 1n).toString(), '1'] };
    const fresh = await proveWithdrawRequest(createPoolNote(), { poolId, leaves: [...leaves.leaves], root: leaves.root }, { recipient: to.publicKey, relayer: relayer.publicKey, fee: 0 }).catch((e) => e);
    expect(fresh).toBeInstanceOf(Error);
    expect((await refusal(submit(relay.pool, 'Withdraw', canonicalJson({ ...req, nullifierHash: '12345', proof: broken })))).code).toBe('INVALID_PROOF');
    expect((await evaluate(relay.accounts, 'GetAccount', to.publicKey)).energyWh).toBe(1_000);
  });

  it('replays of signed transfers and meter readings are refused and move nothing', async () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    await mintEnergy(utility.accounts, a.publicKey, 500);
    const body = { unit: 'energy', from: a.publicKey, to: b.publicKey, amount: 100, nonce: await nextNonce(relay.accounts, a.publicKey) };
    const args = signedArgs('transfer', body, a);
    await submit(relay.accounts, 'Transfer', ...args);
    expect((await refusal(submit(relay.accounts, 'Transfer', ...args))).code).toBe('REPLAY');
    // The same signature on another action, or on a changed body, does not verify.
    expect((await refusal(submit(relay.accounts, 'Redeem', canonicalJson({ account: a.publicKey, amountWh: 100, nonce: body.nonce + 1 }), args[1]))).code).toBe('INVALID_SIGNATURE');
    expect((await refusal(submit(relay.accounts, 'Transfer', canonicalJson({ ...body, amount: 400, nonce: body.nonce + 1 }), args[1]))).code).toBe('INVALID_SIGNATURE');
    expect((await evaluate(relay.accounts, 'GetAccount', b.publicKey)).energyWh).toBe(100);

    const meter = generateKeyPair();
    const meterId = `m-${run}`;
    await submit(utility.accounts, 'RegisterMeter', meterId, meter.publicKey, a.publicKey);
    const reading: MeterReading = { meterId, seq: 1, cumulativeWh: 50, readAt: 1 };
    const signed = signedArgs('meter-reading', reading, meter);
    await submit(utility.accounts, 'MintFromMeter', ...signed);
    expect((await refusal(submit(utility.accounts, 'MintFromMeter', ...signed))).code).toBe('REPLAY');
    const forged = signedArgs('meter-reading', { ...reading, seq: 2, cumulativeWh: 10_000 }, generateKeyPair());
    expect((await refusal(submit(utility.accounts, 'MintFromMeter', ...forged))).code).toBe('INVALID_SIGNATURE');
    expect((await evaluate(relay.accounts, 'GetAccount', a.publicKey)).energyWh).toBe(450);
  });
});
