import {
  canonicalJson, createBorrowerIdentity, createPoolNote, createTraceShare, credentialLeaf, DEFAULT_LENDING_PARAMS, generateKeyPair,
  identityCommitment, identitySecretHash, identityToField, KeyPair, LendingParams, noteCommitment, PoolNote, proveBorrowRequest,
  proveWithdrawRequest, releaseZk, SNARK_FIELD,
} from '@gridledger/core';
import { common } from '@hyperledger/fabric-protos';
import { Connections, describeOnNetwork } from './support/network';
import { accountKey, traceKey } from './support/keystore';
import { evaluate, mintEnergy, nextNonce, refusal, signedArgs, submit, waitUntil } from './support/ledger';

jest.setTimeout(240_000);

/** Short windows so the whole paper runs in well under a minute. */
const PARAMS: LendingParams = {
  ...DEFAULT_LENDING_PARAMS,
  W_b: 60,
  W_g: 40,
  minScoreTable: [{ maxAmountWh: 5_000, maxDurationS: 3_600, minScore: 600 }],
  expiry: { graceS: 1 },
  interestBps: 1_000,
  traceWindowS: 3,
  defaultFineBps: 11_000,
  missedTraceFineBps: 5_000,
  poolDenominationsWh: [1_000, 10_000],
};

describeOnNetwork('anonymous energy lending, the whole paper on the network', () => {
  const conns = new Connections();
  const run = Date.now().toString(36);
  const utility = { params: conns.contract('utility', 'admin', 'params'), accounts: conns.contract('utility', 'admin', 'accounts'), guarantor: conns.contract('utility', 'admin', 'guarantor'), pool: conns.contract('utility', 'admin', 'pool'), loan: conns.contract('utility', 'admin', 'loan') };
  const gA = { guarantor: conns.contract('guarantora', 'admin', 'guarantor'), loan: conns.contract('guarantora', 'admin', 'loan') };
  const gB = { guarantor: conns.contract('guarantorb', 'admin', 'guarantor'), loan: conns.contract('guarantorb', 'admin', 'loan') };
  // End users act through a relay: here the Operator's client identity, which proves nothing about them.
  const relay = { accounts: conns.contract('operator', 'client', 'accounts'), pool: conns.contract('operator', 'client', 'pool'), loan: conns.contract('operator', 'client', 'loan') };
  const relayer = accountKey('operator-relayer');

  const poolId = `pool-${run}`;
  const missedPoolId = `missed-${run}`;
  const lenders: Array<{ key: KeyPair; note: PoolNote }> = [0, 1, 2].map(() => ({ key: generateKeyPair(), note: createPoolNote() }));
  const alice = { who: `alice-${run}`, id: createBorrowerIdentity(identityToField(`alice-${run}`)), score: 700, recipient: generateKeyPair() };
  const bob = { who: `bob-${run}`, id: createBorrowerIdentity(identityToField(`bob-${run}`)), score: 650, recipient: generateKeyPair() };
  let maturity = 0;
  const state: Record<string, any> = {};

  afterAll(async () => {
    conns.closeAll();
    await releaseZk(true);
  });

  it('setup: the Utility publishes the parameters and registers guarantors with tracing keys', async () => {
    await submit(utility.params, 'SetLendingParams', canonicalJson(PARAMS));
    await submit(utility.guarantor, 'SetUtilityTraceKey', JSON.stringify(traceKey('utility').publicKey));
    for (const [msp, org, score] of [['GuarantorAMSP', 'guarantora', 800], ['GuarantorBMSP', 'guarantorb', 700]] as const) {
      const existing = await evaluate(utility.guarantor, 'ListGuarantors');
      if (!existing.some((g: any) => g.msp === msp)) {
        await submit(utility.guarantor, 'RegisterGuarantor', msp, `${org} corp`, String(score), JSON.stringify(traceKey(org).publicKey), accountKey(`${org}-fines`).publicKey);
      }
      await mintEnergy(utility.accounts, accountKey(`${org}-fines`).publicKey, 5_000);
    }
    const gs = await evaluate(gA.guarantor, 'ListGuarantors');
    expect(gs.map((g: any) => g.msp).sort()).toEqual(['GuarantorAMSP', 'GuarantorBMSP']);
  });

  it('a non-Utility org cannot create a pool, and a guarantor cannot write another guarantor\'s registry', async () => {
    const now = Math.floor(Date.now() / 1000);
    const r = await refusal(gA.guarantor.submitTransaction('IssueCredential', '1').then(() => submit(conns.contract('operator', 'admin', 'pool'), 'CreatePool', canonicalJson({ poolId: `x-${run}`, denominationWh: 1000, targetNotes: 1, deadline: now + 60, maturity: now + 120 }))));
    expect(r.code).toBe('ACCESS_DENIED');
    expect((await refusal(submit(conns.contract('operator', 'admin', 'guarantor'), 'IssueCredential', '5'))).code).toBe('ACCESS_DENIED');
    expect((await refusal(submit(conns.contract('utility', 'admin', 'guarantor'), 'RevokeCredential', '0'))).code).toBe('ACCESS_DENIED');
  });

  it('three anonymous lenders crowdfund a pool; a second pool misses its target', async () => {
    const now = Math.floor(Date.now() / 1000);
    state.deadline = now + 10;
    maturity = now + 45;
    await submit(utility.pool, 'CreatePool', canonicalJson({ poolId, denominationWh: 1_000, targetNotes: 3, deadline: state.deadline, maturity }));
    await submit(utility.pool, 'CreatePool', canonicalJson({ poolId: missedPoolId, denominationWh: 1_000, targetNotes: 5, deadline: state.deadline, maturity }));
    for (const l of lenders) await mintEnergy(utility.accounts, l.key.publicKey, 2_000);
    for (const l of lenders) {
      const body = { poolId, commitment: noteCommitment(l.note).toString(), account: l.key.publicKey, nonce: await nextNonce(relay.accounts, l.key.publicKey) };
      await submit(relay.pool, 'Deposit', ...signedArgs('deposit', body, l.key));
    }
    // A replayed deposit (same signed body) is refused and moves nothing.
    const first = lenders[0];
    const replayBody = { poolId, commitment: noteCommitment(first.note).toString(), account: first.key.publicKey, nonce: 1 };
    expect((await refusal(submit(relay.pool, 'Deposit', ...signedArgs('deposit', replayBody, first.key)))).code).toBe('REPLAY');
    // The missed pool gets one note.
    state.missedNote = createPoolNote();
    const b = { poolId: missedPoolId, commitment: noteCommitment(state.missedNote).toString(), account: first.key.publicKey, nonce: await nextNonce(relay.accounts, first.key.publicKey) };
    await submit(relay.pool, 'Deposit', ...signedArgs('deposit', b, first.key));
    const acct = await evaluate(relay.accounts, 'GetAccount', first.key.publicKey);
    expect(acct.energyWh).toBe(0);
    const pool = await evaluate(relay.pool, 'GetPool', poolId);
    expect(pool).toMatchObject({ status: 'funding', deposits: 3 });
  });

  it('guarantors endorse two borrowers by inserting credential leaves', async () => {
    for (const [b, g, gid] of [[alice, gA, 1], [bob, gB, 2]] as const) {
      const leaf = credentialLeaf(identityCommitment(b.id.identity, identitySecretHash(b.id.identitySecret)), b.score, gid);
      const issued = await submit(g.guarantor, 'IssueCredential', leaf.toString());
      (b as any).leafIndex = issued.leafIndex;
    }
  });

  it('after the deadline the pools seal: one opens for lending, the missed one refunds', async () => {
    expect((await refusal(submit(relay.pool, 'SealPool', poolId))).code).toBe('FORBIDDEN_STATE');
    await waitUntil(state.deadline);
    const late = { poolId, commitment: noteCommitment(createPoolNote()).toString(), account: lenders[1].key.publicKey, nonce: await nextNonce(relay.accounts, lenders[1].key.publicKey) };
    expect((await refusal(submit(relay.pool, 'Deposit', ...signedArgs('deposit', late, lenders[1].key)))).code).toBe('EXPIRED');
    expect(await submit(relay.pool, 'SealPool', poolId)).toMatchObject({ status: 'open', noteCount: 3, balance: 3_000 });
    expect(await submit(relay.pool, 'SealPool', missedPoolId)).toMatchObject({ status: 'refunding', noteCount: 1, payoutPerNote: 1_000 });
    // The lender takes its deposit back, anonymously, to a fresh account.
    const leaves = await evaluate(relay.pool, 'GetPoolLeaves', missedPoolId);
    const to = generateKeyPair();
    const req = await proveWithdrawRequest(state.missedNote, { poolId: missedPoolId, leaves: leaves.leaves, root: leaves.root }, { recipient: to.publicKey, relayer: relayer.publicKey, fee: 10 });
    expect(await submit(relay.pool, 'Withdraw', canonicalJson(req))).toMatchObject({ kind: 'refund', paid: 990, fee: 10 });
    expect((await evaluate(relay.accounts, 'GetAccount', to.publicKey)).energyWh).toBe(990);
  });

  const qscc = conns.network('operator', 'client').getContract('qscc');
  async function chainHeight(): Promise<number> {
    const { BlockchainInfo } = common;
    return BlockchainInfo.deserializeBinary(await qscc.evaluateTransaction('GetChainInfo', 'energy')).getHeight();
  }
  async function blockBytes(n: number): Promise<Buffer> {
    return Buffer.from(await qscc.evaluateTransaction('GetBlockByNumber', 'energy', String(n)));
  }

  async function borrowContext(b: typeof alice, msp: 'GuarantorAMSP' | 'GuarantorBMSP', gid: 1 | 2) {
    const params = (await evaluate(relay.loan.constructor === undefined ? utility.params : conns.contract('operator', 'client', 'params'), 'GetLendingParams')).params;
    const g = await evaluate(conns.contract('operator', 'client', 'guarantor'), 'GetGuarantor', msp);
    const path = await evaluate(conns.contract('operator', 'client', 'guarantor'), 'GetCredentialPath', msp, String((b as any).leafIndex));
    const utilityKey = await evaluate(conns.contract('operator', 'client', 'guarantor'), 'GetUtilityTraceKey');
    return { guarantor: msp, guarantorId: gid, credential: path, W_b: params.W_b, W_g: params.W_g, guarantorScore: g.score, pkGuarantor: g.tracePublicKey, pkUtility: utilityKey.publicKey };
  }

  it('refuses a borrow whose score is below the bound, before and on the chain', async () => {
    const onLedger = await borrowContext(bob, 'GuarantorBMSP', 2);
    // The arithmetic below takes C_g <= 700. Another suite on the same network may have raised
    // GuarantorB higher (a proof may always claim a lower C_g than the ledger's), or an earlier run's
    // default lowered it.
    const ctx = { ...onLedger, guarantorScore: Math.min(700, onLedger.guarantorScore) };
    // 650*60 + 700*40 = 67000 < 70000 = 700*100: no proof exists for minScore 700.
    await expect(proveBorrowRequest(bob.id, bob.score, ctx, { amount: 1_000, durationS: 2, minScore: 700, recipient: bob.recipient.publicKey, relayer: relayer.publicKey })).rejects.toMatchObject({ code: 'WITNESS_INVALID' });
    // Claiming a lower minScore than the ledger's C(M, D) = 600 is refused by the chaincode.
    const low = await proveBorrowRequest(bob.id, bob.score, ctx, { amount: 1_000, durationS: 2, minScore: 500, recipient: bob.recipient.publicKey, relayer: relayer.publicKey });
    expect(await refusal(submit(relay.loan, 'Borrow', poolId, canonicalJson(low.request)))).toEqual({ code: 'INVALID_ARGUMENT', message: 'borrow 0: minScore 500 is below C(M, D) = 600' });
  });

  it('two borrowers borrow anonymously in one batch; the energy goes to their recipients', async () => {
    // Alice repays on time a few transactions later (12 s is room for them on a loaded machine, and
    // still well before the pool's maturity); Bob's 3 s loan is the one that defaults.
    const a = await proveBorrowRequest(alice.id, alice.score, await borrowContext(alice, 'GuarantorAMSP', 1), { amount: 1_000, durationS: 12, minScore: 600, recipient: alice.recipient.publicKey, relayer: relayer.publicKey });
    const b = await proveBorrowRequest(bob.id, bob.score, await borrowContext(bob, 'GuarantorBMSP', 2), { amount: 1_000, durationS: 3, minScore: 600, recipient: bob.recipient.publicKey, relayer: relayer.publicKey });
    state.alice = a;
    state.bob = b;
    // A proof redirected to another recipient does not verify.
    const redirected = { ...a.request, recipient: generateKeyPair().publicKey };
    expect((await refusal(submit(relay.loan, 'Borrow', poolId, canonicalJson(redirected)))).code).toBe('INVALID_PROOF');
    // A ciphertext swapped for a point of order 2 (on the curve, outside the subgroup): the proof binds
    // c1 and c2 to subgroup points, so it does not verify; an off-curve point is refused before it.
    const lowOrder = ['0', (SNARK_FIELD - 1n).toString()];
    expect((await refusal(submit(relay.loan, 'Borrow', poolId, canonicalJson({ ...a.request, c1: lowOrder })))).code).toBe('INVALID_PROOF');
    expect((await refusal(submit(relay.loan, 'Borrow', poolId, canonicalJson({ ...a.request, c2: ['1', '1'] })))).code).toBe('INVALID_ARGUMENT');
    const taken = await submit(relay.loan, 'BorrowBatch', poolId, canonicalJson([a.request, b.request]));
    expect(taken.map((l: any) => l.loanId)).toEqual([a.loanId, b.loanId]);
    expect(taken[0].repayDue).toBe(1_100);
    expect((await evaluate(relay.accounts, 'GetAccount', alice.recipient.publicKey)).energyWh).toBe(1_000);
    // The same credential cannot back a second loan.
    expect((await refusal(submit(relay.loan, 'Borrow', poolId, canonicalJson(a.request)))).code).toBe('REPLAY');
    const loan = await evaluate(relay.loan, 'GetLoan', a.loanId);
    expect(loan).toMatchObject({ status: 'open', guarantor: 'GuarantorAMSP', amount: 1_000 });
    expect(JSON.stringify(loan)).not.toContain(alice.who);
    // Not due yet: nobody can declare a default.
    expect((await refusal(submit(relay.loan, 'DeclareDefault', b.loanId))).code).toBe('FORBIDDEN_STATE');
  });

  it('a proof against a stale root is refused once the guarantor revokes a credential', async () => {
    const extra = createBorrowerIdentity(identityToField(`carol-${run}`));
    const leaf = credentialLeaf(identityCommitment(extra.identity, identitySecretHash(extra.identitySecret)), 900, 1);
    const issued = await submit(gA.guarantor, 'IssueCredential', leaf.toString());
    const ctx = await borrowContext({ ...alice, id: extra, leafIndex: issued.leafIndex } as any, 'GuarantorAMSP', 1);
    const req = await proveBorrowRequest(extra, 900, ctx, { amount: 500, durationS: 3, minScore: 600, recipient: generateKeyPair().publicKey, relayer: relayer.publicKey });
    await submit(gA.guarantor, 'RevokeCredential', String(issued.leafIndex));
    const r = await refusal(submit(relay.loan, 'Borrow', poolId, canonicalJson(req.request)));
    expect(r.code).toBe('INVALID_PROOF');
    expect(r.message).toMatch(/stale or revoked/);
  });

  it('alice repays with her secret: the loan closes and her guarantor\'s score rises', async () => {
    const before = (await evaluate(relay.loan.constructor ? conns.contract('operator', 'client', 'guarantor') : null!, 'GetGuarantor', 'GuarantorAMSP')).score;
    const payer = generateKeyPair();
    await mintEnergy(utility.accounts, payer.publicKey, 1_100);
    const wrong = { loanId: state.alice.loanId, repaySecret: '12345', payer: payer.publicKey, nonce: 1 };
    expect((await refusal(submit(relay.loan, 'Repay', ...signedArgs('repay', wrong, payer)))).code).toBe('INVALID_ARGUMENT');
    const body = { loanId: state.alice.loanId, repaySecret: state.alice.repaySecret, payer: payer.publicKey, nonce: 1 };
    const receipt = await submit(relay.loan, 'Repay', ...signedArgs('repay', body, payer));
    expect(receipt).toMatchObject({ loanId: state.alice.loanId, repaidWh: 1_100, onTime: true });
    expect((await evaluate(relay.loan, 'GetLoan', state.alice.loanId)).status).toBe('repaid');
    const after = (await evaluate(conns.contract('operator', 'client', 'guarantor'), 'GetGuarantor', 'GuarantorAMSP')).score;
    expect(after).toBe(before + 5);
    // With the receipt, the guarantor issues a new credential with a higher C_b.
    const leaf = credentialLeaf(identityCommitment(alice.id.identity, identitySecretHash(alice.id.identitySecret)), alice.score + 50, 1);
    expect((await submit(gA.guarantor, 'IssueCredential', leaf.toString())).leafIndex).toBeGreaterThan(0);
  });

  it('bob defaults: only his guarantor and the Utility can trace him, and he is published and blocklisted', async () => {
    const loanId = state.bob.loanId;
    const loan = await evaluate(relay.loan, 'GetLoan', loanId);
    // Shares before default are refused.
    const early = createTraceShare(loanId, traceKey('guarantorb').secretKey, { c1: loan.ciphertext.c1.map(BigInt), c2: loan.ciphertext.c2.map(BigInt) } as any);
    expect((await refusal(submit(gB.loan, 'PublishTraceShare', loanId, JSON.stringify(early)))).code).toBe('FORBIDDEN_STATE');
    await waitUntil(loan.dueAt);
    await submit(relay.loan, 'DeclareDefault', loanId);
    const ct = { c1: loan.ciphertext.c1.map(BigInt), c2: loan.ciphertext.c2.map(BigInt) } as any;
    // Guarantor A cannot trace guarantor B's loan, even with a well-formed share of its own key.
    const foreign = createTraceShare(loanId, traceKey('guarantora').secretKey, ct);
    expect((await refusal(submit(gA.loan, 'PublishTraceShare', loanId, JSON.stringify(foreign)))).code).toBe('ACCESS_DENIED');
    // A share made with a key that is not the registered one is refused (no framing).
    const forged = createTraceShare(loanId, traceKey('guarantora').secretKey, ct);
    expect((await refusal(submit(gB.loan, 'PublishTraceShare', loanId, JSON.stringify(forged)))).code).toBe('INVALID_PROOF');
    await submit(gB.loan, 'PublishTraceShare', loanId, JSON.stringify(createTraceShare(loanId, traceKey('guarantorb').secretKey, ct)));
    // One share alone decrypts nothing: completing needs the Utility's too.
    expect((await refusal(submit(gB.loan, 'CompleteTrace', loanId, bob.who, String((bob as any).leafIndex)))).code).toBe('FORBIDDEN_STATE');
    await submit(utility.loan, 'PublishTraceShare', loanId, JSON.stringify(createTraceShare(loanId, traceKey('utility').secretKey, ct)));
    expect((await refusal(submit(gB.loan, 'CompleteTrace', loanId, alice.who, String((bob as any).leafIndex)))).message).toMatch(/does not match/);
    expect((await refusal(submit(gA.loan, 'CompleteTrace', loanId, bob.who, String((bob as any).leafIndex)))).code).toBe('ACCESS_DENIED');
    const scoreBefore = (await evaluate(utility.guarantor, 'GetGuarantor', 'GuarantorBMSP')).score;
    state.heightBeforeTrace = await chainHeight();
    const entry = await submit(gB.loan, 'CompleteTrace', loanId, bob.who, String((bob as any).leafIndex));
    expect(entry).toMatchObject({ identity: bob.who, guarantor: 'GuarantorBMSP', fineWh: 1_100, fineCollectedWh: 1_100, debtWh: 1_100 + 100 });
    expect((await evaluate(relay.loan, 'GetBoard')).some((e: any) => e.identity === bob.who)).toBe(true);
    expect((await evaluate(relay.loan, 'IsBlocked', bob.who)).blocked).toBe(true);
    expect((await evaluate(utility.guarantor, 'GetGuarantor', 'GuarantorBMSP')).score).toBe(scoreBefore - 50);
    // Bob's credential is revoked: no proof can be built against the registry as it is now, and his
    // old root is no longer accepted.
    const ctx = await borrowContext(bob, 'GuarantorBMSP', 2);
    await expect(proveBorrowRequest(bob.id, bob.score, ctx, { amount: 1_000, durationS: 3, minScore: 600, recipient: bob.recipient.publicKey, relayer: relayer.publicKey })).rejects.toMatchObject({ code: 'WITNESS_INVALID' });
    const again = await refusal(submit(relay.loan, 'Borrow', poolId, canonicalJson({ ...state.bob.request, guarantorScore: ctx.guarantorScore, loanNullifier: '7' })));
    expect(again.code).toBe('INVALID_PROOF');
    expect(again.message).toMatch(/stale or revoked/);
  });

  it('after maturity the pool closes and each lender withdraws principal plus interest, unlinkably', async () => {
    await waitUntil(maturity);
    const closed = await submit(relay.pool, 'ClosePool', poolId);
    // 3000 deposited - 2000 lent + 1100 repaid + 1100 fine = 3200 over 3 notes.
    expect(closed).toMatchObject({ status: 'closed', payoutPerNote: 1_066 });
    const leaves = await evaluate(relay.pool, 'GetPoolLeaves', poolId);
    const paid: string[] = [];
    for (const l of lenders) {
      const to = generateKeyPair();
      const req = await proveWithdrawRequest(l.note, { poolId, leaves: leaves.leaves, root: leaves.root }, { recipient: to.publicKey, relayer: relayer.publicKey, fee: 6 });
      expect(await submit(relay.pool, 'Withdraw', canonicalJson(req))).toMatchObject({ paid: 1_060, fee: 6, kind: 'withdrawal' });
      paid.push(req.nullifierHash);
      state.withdrawals = [...(state.withdrawals ?? []), req];
      if (l === lenders[0]) {
        expect((await refusal(submit(relay.pool, 'Withdraw', canonicalJson({ ...req, recipient: generateKeyPair().publicKey })))).code).toBe('REPLAY');
      }
    }
    expect(new Set(paid).size).toBe(3);
  });

  it('no block links a lender to its note or a borrower to its loan before tracing', async () => {
    const height = await chainHeight();
    // In slices: the peer's gateway refuses more than 500 concurrent requests, and a long-lived
    // network (benches, reruns) has thousands of blocks.
    const blocks: Buffer[] = [];
    for (let from = 0; from < height; from += 64) {
      blocks.push(...(await Promise.all(Array.from({ length: Math.min(64, height - from) }, (_, i) => blockBytes(from + i)))));
    }
    const everything = Buffer.concat(blocks);
    // The notes' secrets and the borrowers' secrets never reach the ledger at all.
    for (const l of lenders) {
      expect(everything.includes(l.note.nullifier.toString())).toBe(false);
      expect(everything.includes(l.note.secret.toString())).toBe(false);
    }
    for (const b of [alice, bob]) {
      expect(everything.includes(b.id.identitySecret.toString())).toBe(false);
      expect(everything.includes(identityCommitment(b.id.identity, identitySecretHash(b.id.identitySecret)).toString())).toBe(false);
    }
    // Alice repaid: her identity appears nowhere. Bob's appears only from the trace on.
    expect(everything.includes(alice.who)).toBe(false);
    expect(everything.includes(identityToField(alice.who).toString())).toBe(false);
    const beforeTrace = Buffer.concat(blocks.slice(0, state.heightBeforeTrace));
    expect(beforeTrace.includes(bob.who)).toBe(false);
    expect(beforeTrace.includes(identityToField(bob.who).toString())).toBe(false);
    expect(everything.includes(bob.who)).toBe(true);
    // Each withdrawal names only its nullifier hash and fresh accounts: no commitment, no depositor.
    for (const w of state.withdrawals) {
      const text = canonicalJson(w);
      for (const l of lenders) {
        expect(text.includes(noteCommitment(l.note).toString())).toBe(false);
        expect(text.includes(l.key.publicKey)).toBe(false);
      }
    }
  });
});
