/**
 * Test support for the lending routes: fake `accounts`, `guarantor`, `pool` and `loan` functions
 * answering like the chaincode (with just enough state for the gateway's pre-checks), a fake proof
 * verifier, signed sample requests, and a walk through every lending operation with each documented
 * 2xx (used by the contract test and routes/lending.test.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BorrowRequest, canonicalJson, elgamalEncrypt, generateKeyPair, generateTraceKeyPair, identityToField, jointPublicKey, pointToJson, signRequest,
} from '@gridledger/core';
import type { RelayBatchConfig } from '../config/config';
import { LedgerError } from '../fabric/ledger';
import type { AppDeps } from '../http/operation';
import { lendingService } from '../services/lending';
import type { FakeLedger } from './fake-ledger';
import type { RequestOptions, TestResponse } from './harness';
import { SAMPLE_PARAMS } from './harness';

export const LENDING_USER = generateKeyPair();
export const RELAYER = generateKeyPair();
/** The tracing keys of the fake Utility and GuarantorA. */
export const UTILITY_TRACE = generateTraceKeyPair();
export const GUARANTOR_A_TRACE = generateTraceKeyPair();
const pk = (k: { publicKey: readonly [bigint, bigint] }) => pointToJson(k.publicKey) as [string, string];

/** A proof the fake verifier rejects: `pi_a[0] === '0'`. */
export const FAKE_PROOF = { pi_a: ['1', '2', '1'], pi_b: [['1', '2'], ['3', '4'], ['1', '0']], pi_c: ['5', '6', '1'], protocol: 'groth16', curve: 'bn128' };
export const GARBAGE_PROOF = { ...FAKE_PROOF, pi_a: ['0', '2', '1'] };

const ct = elgamalEncrypt(identityToField('user:dave'), jointPublicKey(GUARANTOR_A_TRACE.publicKey, UTILITY_TRACE.publicKey));
const ciphertext = { c1: pointToJson(ct.c1) as [string, string], c2: pointToJson(ct.c2) as [string, string] };

/** The fake ledger's lending state, which tests may change. */
export interface FakeLending {
  guarantors: Record<string, { msp: string; guarantorId: number; name: string; score: number; tracePublicKey: [string, string]; account: string; registry: { root: string; recentRoots: string[]; nextIndex: number } }>;
  pools: Record<string, Record<string, unknown> & { poolId: string; status: string }>;
  loans: Record<string, Record<string, unknown> & { loanId: string; status: string }>;
  blocked: Set<string>;
  /** Every BorrowBatch the fake chaincode ran, refused ones included. */
  batches: unknown[][];
  /** Every DepositBatch the fake chaincode ran (its `{body, signature}` items), refused ones included. */
  depositBatches: Array<Array<{ body: { poolId: string; commitment: string; account: string; nonce: number }; signature: string }>>;
  /** Accounts whose deposits the fake chaincode refuses for insufficient energy. */
  broke: Set<string>;
}

/** A borrow request with the given nullifier (and a fake proof). */
export function sampleBorrow(loanNullifier: string, proof: unknown = FAKE_PROOF): BorrowRequest {
  return {
    guarantor: 'GuarantorAMSP', amount: 1_000, durationS: 3_600, minScore: 500, guarantorScore: 800, root: '123', loanNullifier,
    c1: ciphertext.c1, c2: ciphertext.c2, repayCommitment: '99', recipient: LENDING_USER.publicKey, relayer: RELAYER.publicKey, proof: proof as BorrowRequest['proof'],
  };
}

/**
 * Installs the fakes on the ledger and, on the app, a tracing key file (the Utility's key, or
 * GuarantorA's with `org: 'guarantora'`) and a verifier that accepts every proof but GARBAGE_PROOF.
 */
export function installLendingFakes(ledger: FakeLedger, deps: AppDeps, opts: { batchWaitMs?: number; depositBatch?: RelayBatchConfig } = {}): FakeLending {
  const dir = mkdtempSync(join(tmpdir(), 'gl-trace-'));
  const keyFile = join(dir, 'trace-key.json');
  const own = deps.config.org === 'guarantora' ? GUARANTOR_A_TRACE : UTILITY_TRACE;
  writeFileSync(keyFile, JSON.stringify({ secretKey: own.secretKey.toString(), publicKey: pk(own) }), { mode: 0o600 });
  deps.config.lending = {
    traceKeyFile: keyFile,
    borrowBatch: { maxItems: 8, maxWaitMs: opts.batchWaitMs ?? 0 },
    depositBatch: opts.depositBatch ?? { maxItems: 8, maxWaitMs: opts.batchWaitMs ?? 0, lanes: 4 },
  };
  const svc = lendingService(deps);
  svc.verifier = {
    borrow: async (proof) => (proof as { pi_a: string[] }).pi_a[0] !== '0',
    withdraw: async (proof) => (proof as { pi_a: string[] }).pi_a[0] !== '0',
  };
  if (!ledger.state.get('params~lending')) ledger.state.set('params~lending', { params: SAMPLE_PARAMS, version: 1, updatedAt: 1, updatedBy: 'UtilityMSP', txId: 'x' });

  const state: FakeLending = {
    guarantors: {
      GuarantorAMSP: { msp: 'GuarantorAMSP', guarantorId: 1, name: 'A corp', score: 800, tracePublicKey: pk(GUARANTOR_A_TRACE), account: RELAYER.publicKey, registry: { root: '123', recentRoots: ['122', '123'], nextIndex: 2 } },
    },
    pools: {
      p1: { poolId: 'p1', status: 'open', denominationWh: 1_000, targetNotes: 1, deadline: 10, maturity: 100_000, noteCount: 3, balance: 3_000, root: '55' },
      p2: { poolId: 'p2', status: 'closed', denominationWh: 1_000, targetNotes: 1, deadline: 10, maturity: 100, noteCount: 3, balance: 3_200, root: '77', payoutPerNote: 1_066 },
    },
    loans: {
      '42': { loanId: '42', poolId: 'p1', guarantor: 'GuarantorAMSP', amount: 1_000, durationS: 3_600, dueAt: 5, repayDue: 1_050, status: 'defaulted', ciphertext, repayCommitment: '9', recipient: LENDING_USER.publicKey },
    },
    blocked: new Set(['user:mallory']),
    batches: [],
    depositBatches: [],
    broke: new Set(),
  };
  const notFound = (what: string): never => {
    throw new LedgerError('not-found', `NOT_FOUND: ${what} does not exist`);
  };
  const h = ledger.handlers;
  const echo = (call: { fn: string; args: string[] }) => canonicalJson({ fn: call.fn, args: call.args.map((a) => a.slice(0, 80)) });
  h.set('accounts:GetAccount', (c) => canonicalJson({ account: c.args[0], energyWh: 2_000, pay: 10, nonce: 0 }));
  h.set('accounts:GetMeter', (c) => canonicalJson({ meterId: c.args[0], publicKey: LENDING_USER.publicKey, owner: LENDING_USER.publicKey, lastSeq: 1, lastCumulativeWh: 10 }));
  for (const fn of ['accounts:IssuePay', 'accounts:Transfer', 'accounts:Redeem', 'accounts:RegisterMeter', 'accounts:MintFromMeter', 'guarantor:RegisterGuarantor', 'guarantor:SetUtilityTraceKey', 'pool:CreatePool', 'pool:Deposit']) h.set(fn, echo);
  h.set('guarantor:ListGuarantors', () => canonicalJson(Object.values(state.guarantors)));
  h.set('guarantor:GetGuarantor', (c) => canonicalJson(state.guarantors[c.args[0]] ?? notFound(`guarantor ${c.args[0]}`)));
  h.set('guarantor:GetCredentialPath', (c) => canonicalJson({ guarantor: c.args[0], leafIndex: Number(c.args[1]), leaf: '5', siblings: Array(20).fill('0'), root: '123' }));
  h.set('guarantor:GetUtilityTraceKey', () => canonicalJson({ publicKey: pk(UTILITY_TRACE), setAt: 1 }));
  h.set('guarantor:IssueCredential', (c) => canonicalJson({ guarantor: 'GuarantorAMSP', leafIndex: 2, root: '124', leaf: c.args[0] }));
  h.set('guarantor:RevokeCredential', (c) => canonicalJson({ guarantor: 'GuarantorAMSP', leafIndex: Number(c.args[0]), root: '125' }));
  h.set('pool:ListPools', () => canonicalJson(Object.values(state.pools)));
  h.set('pool:GetPool', (c) => canonicalJson(state.pools[c.args[0]] ?? notFound(`pool ${c.args[0]}`)));
  h.set('pool:GetPoolLeaves', (c) => canonicalJson({ poolId: c.args[0], sealed: true, root: '55', leaves: ['1', '2', '3'] }));
  h.set('pool:SealPool', (c) => canonicalJson({ ...(state.pools[c.args[0]] ?? notFound(`pool ${c.args[0]}`)), status: 'open' }));
  h.set('pool:ClosePool', (c) => canonicalJson({ ...(state.pools[c.args[0]] ?? notFound(`pool ${c.args[0]}`)), status: 'closed', payoutPerNote: 1_066 }));
  h.set('pool:Withdraw', (c) => {
    const r = JSON.parse(c.args[0]);
    return canonicalJson({ poolId: r.poolId, nullifierHash: r.nullifierHash, paid: 1_066 - r.fee, fee: r.fee, kind: 'withdrawal' });
  });
  // As the chaincode: every deposit checked in order, a refusal names its item, nothing is written.
  const deposited = new Set<string>();
  h.set('pool:DepositBatch', (c) => {
    const items = JSON.parse(c.args[0]) as FakeLending['depositBatches'][number];
    state.depositBatches.push(items);
    const seen = new Set<string>();
    const deposits = items.map(({ body }, i) => {
      const k = `${body.poolId}~${body.commitment}`;
      if (!state.pools[body.poolId]) throw new LedgerError('not-found', `NOT_FOUND: deposit ${i}: pool ${body.poolId} does not exist`);
      if (seen.has(k) || deposited.has(k)) throw new LedgerError('conflict', `CONFLICT: deposit ${i}: this note commitment is already in the pool`);
      if (state.broke.has(body.account)) throw new LedgerError('conflict', `FORBIDDEN_STATE: deposit ${i}: insufficient energy in ${body.account.slice(0, 16)}...`);
      seen.add(k);
      return { poolId: body.poolId, commitment: body.commitment };
    });
    for (const k of seen) deposited.add(k);
    c.emit('PoolDeposits', { deposits });
    return '';
  });
  h.set('loan:BorrowBatch', (c) => {
    const reqs = JSON.parse(c.args[1]) as BorrowRequest[];
    state.batches.push(reqs);
    const seen = new Set<string>();
    const out = reqs.map((r, i) => {
      if (seen.has(r.loanNullifier) || state.loans[r.loanNullifier]) throw new LedgerError('conflict', `REPLAY: borrow ${i}: this credential already backs a loan (nullifier spent)`);
      seen.add(r.loanNullifier);
      return { loanId: r.loanNullifier, poolId: c.args[0], guarantor: r.guarantor, amount: r.amount, dueAt: 4_000, repayDue: 1_050 };
    });
    for (const [i, r] of reqs.entries()) state.loans[r.loanNullifier] = { ...out[i], durationS: r.durationS, status: 'open', ciphertext, repayCommitment: r.repayCommitment, recipient: r.recipient };
    return canonicalJson(out);
  });
  h.set('loan:Repay', (c) => canonicalJson({ loanId: JSON.parse(c.args[0]).loanId, repaidWh: 1_050, onTime: true }));
  h.set('loan:DeclareDefault', (c) => canonicalJson({ ...(state.loans[c.args[0]] ?? notFound(`loan ${c.args[0]}`)), status: 'defaulted' }));
  h.set('loan:PublishTraceShare', () => '');
  h.set('loan:CompleteTrace', (c) => canonicalJson({ identity: c.args[1], loanId: c.args[0], guarantor: 'GuarantorAMSP', fineWh: 1_000 }));
  h.set('loan:PenalizeMissedTrace', (c) => canonicalJson({ loanId: c.args[0], guarantor: 'GuarantorAMSP', fineWh: 1_200, collectedWh: 1_200 }));
  h.set('loan:GetLoan', (c) => canonicalJson(state.loans[c.args[0]] ?? notFound(`loan ${c.args[0]}`)));
  h.set('loan:ListLoans', (c) => {
    const f = JSON.parse(c.args[0] || '{}');
    return canonicalJson(Object.values(state.loans).filter((l) => !f.status || l.status === f.status));
  });
  h.set('loan:GetBoard', () => canonicalJson([{ identity: 'user:mallory', loanId: '41', guarantor: 'GuarantorAMSP', amount: 1_000, debtWh: 1_150 }]));
  h.set('loan:GetBlocklist', () => canonicalJson([...state.blocked].map((identity) => ({ identity, loanId: '41', since: 1 }))));
  h.set('loan:IsBlocked', (c) => canonicalJson({ identity: c.args[0], blocked: state.blocked.has(c.args[0]), entry: state.blocked.has(c.args[0]) ? { loanId: '41' } : null }));
  return state;
}

let nonce = 0;
/** `{ body, signature }` signed by LENDING_USER. */
export function signedBy(action: string, body: Record<string, unknown>, key = LENDING_USER): { body: Record<string, unknown>; signature: string } {
  return signRequest(action, body, key.privateKey);
}

type Call = (id: string, method: string, path: string, opts?: RequestOptions) => Promise<TestResponse>;

/** Calls every lending read once, and every submit once with `wait=true` (200) and once without (202). */
export async function walkLending(call: Call): Promise<void> {
  const u = LENDING_USER.publicKey;
  const relay = { role: 'user-relay' as const };
  await call('getAccount', 'GET', `/v1/accounts/${u}`, relay);
  await call('getMeter', 'GET', '/v1/meters/m-1', relay);
  await call('listGuarantors', 'GET', '/v1/guarantors', relay);
  await call('getGuarantor', 'GET', '/v1/guarantors/GuarantorAMSP', relay);
  await call('getCredentialPath', 'GET', '/v1/guarantors/GuarantorAMSP/credentials/1', relay);
  await call('getUtilityTraceKey', 'GET', '/v1/utility-trace-key', relay);
  await call('listPools', 'GET', '/v1/pools', relay);
  await call('getPool', 'GET', '/v1/pools/p1', relay);
  await call('getPoolLeaves', 'GET', '/v1/pools/p1/leaves', relay);
  await call('listLoans', 'GET', '/v1/loans?status=open', relay);
  await call('getLoan', 'GET', '/v1/loans/42', relay);
  await call('getBoard', 'GET', '/v1/board', relay);
  await call('getBlocklist', 'GET', '/v1/blocklist', relay);
  await call('isBlocked', 'GET', '/v1/blocklist/user%3Amallory', relay);
  const n = () => ++nonce;
  const submits: Array<[string, string, RequestOptions['role'], () => unknown]> = [
    ['issuePay', `POST /v1/accounts/${u}/pay`, 'utility-admin', () => ({ amount: 10 })],
    ['transfer', 'POST /v1/transfers', 'user-relay', () => signedBy('transfer', { unit: 'energy', from: u, to: RELAYER.publicKey, amount: 5, nonce: n() })],
    ['redeem', 'POST /v1/redemptions', 'user-relay', () => signedBy('redeem', { account: u, amountWh: 5, nonce: n() })],
    ['registerMeter', 'POST /v1/meters', 'utility-admin', () => ({ meterId: `m-${n()}`, publicKey: u, owner: u })],
    ['mintFromMeter', 'POST /v1/meters/readings', 'utility-admin', () => {
      const s = signedBy('meter-reading', { meterId: 'm-1', seq: n(), cumulativeWh: 100, readAt: 1 });
      return { reading: s.body, signature: s.signature };
    }],
    ['registerGuarantor', 'POST /v1/guarantors', 'utility-admin', () => ({ msp: 'GuarantorBMSP', name: `B ${n()}`, score: 700, tracePublicKey: pk(UTILITY_TRACE), account: u })],
    ['setUtilityTraceKey', 'PUT /v1/utility-trace-key', 'utility-admin', () => (n() % 2 ? undefined : { publicKey: pk(UTILITY_TRACE) })],
    ['issueCredential', 'POST /v1/credentials', 'guarantor-admin', () => ({ leaf: String(1000 + n()), identity: 'user:carol' })],
    ['revokeCredential', 'POST /v1/credentials/1/revocation', 'guarantor-admin', () => undefined],
    ['createPool', 'POST /v1/pools', 'utility-admin', () => ({ poolId: `pool-${n()}`, denominationWh: 1_000, targetNotes: 3, deadline: 10, maturity: 20 })],
    ['deposit', 'POST /v1/pools/p1/deposits', 'user-relay', () => signedBy('deposit', { poolId: 'p1', commitment: String(n()), account: u, nonce: nonce })],
    ['sealPool', 'POST /v1/pools/p1/seal', 'operator-admin', () => undefined],
    ['closePool', 'POST /v1/pools/p1/close', 'user-relay', () => undefined],
    ['withdraw', 'POST /v1/pools/p2/withdrawals', 'user-relay', () => ({ poolId: 'p2', nullifierHash: String(n()), recipient: u, relayer: RELAYER.publicKey, fee: 6, proof: FAKE_PROOF })],
    ['borrow', 'POST /v1/pools/p1/borrows', 'user-relay', () => sampleBorrow(String(7_000 + n()))],
    ['repay', 'POST /v1/loans/42/repayment', 'user-relay', () => signedBy('repay', { loanId: '42', repaySecret: '5', payer: u, nonce: n() })],
    ['declareDefault', 'POST /v1/loans/42/default', 'guarantor-admin', () => undefined],
    ['publishTraceShare', 'POST /v1/loans/42/trace-share', 'utility-admin', () => undefined],
    ['completeTrace', 'POST /v1/loans/42/trace', 'guarantor-admin', () => ({ identity: 'user:dave', credentialIndex: 1 })],
    ['penalizeMissedTrace', 'POST /v1/loans/42/missed-trace-penalty', 'user-relay', () => undefined],
  ];
  for (const [id, route, role, body] of submits) {
    const [method, path] = route.split(' ');
    for (const wait of ['?wait=true', '']) {
      const b = body();
      const r = await call(id, method, path + wait, { role, ...(b === undefined ? {} : { body: b }), headers: { 'idempotency-key': `l-${id}-${wait}-${n()}` } });
      if (r.status >= 300) throw new Error(`${id}${wait}: ${r.status} ${r.text.slice(0, 300)}`);
    }
  }
}
