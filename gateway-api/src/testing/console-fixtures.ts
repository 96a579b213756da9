/**
 * Test support for the console routes: fake chaincode answers (board, blocklist, guarantors, loans,
 * piles), events in the store's log for the console index, a real serialized block for the
 * transaction view, and a walk through every console operation.
 */
import { common, msp, peer } from '@hyperledger/fabric-protos';
import type { AppDeps } from '../http/operation';
import type { Store } from '../store/store';
import type { FakeLedger } from './fake-ledger';
import type { RequestOptions, TestResponse } from './harness';

type Call = (id: string, method: string, path: string, opts?: RequestOptions) => Promise<TestResponse>;

export const TX = {
  params: 'a'.repeat(64),
  registered: 'b'.repeat(64),
  scoreDown: 'c'.repeat(64),
  defaulted: 'd'.repeat(64),
  traced: 'e'.repeat(64),
  pile: 'f'.repeat(63) + '1',
  opened: 'f'.repeat(63) + '2',
  settled: 'f'.repeat(63) + '3',
  borrowed: 'f'.repeat(63) + '4',
};
const PILE_ACCOUNT = '1'.repeat(64);

/** A serialized block holding one endorser transaction, as qscc GetBlockByTxID answers. */
export function sampleBlock(txId: string, opts: { number?: number; event?: { name: string; payload: unknown }; fn?: string; args?: string[]; invalidCode?: number } = {}): Uint8Array {
  const identity = (mspId: string) => {
    const id = new msp.SerializedIdentity();
    id.setMspid(mspId);
    id.setIdBytes(Buffer.from('-----BEGIN CERTIFICATE-----\n'));
    return id.serializeBinary();
  };
  const ch = new common.ChannelHeader();
  ch.setType(common.HeaderType.ENDORSER_TRANSACTION);
  ch.setTxId(txId);
  ch.setChannelId('energy');
  const sh = new common.SignatureHeader();
  sh.setCreator(identity('OperatorMSP'));
  const header = new common.Header();
  header.setChannelHeader(ch.serializeBinary());
  header.setSignatureHeader(sh.serializeBinary());

  const input = new peer.ChaincodeInput();
  input.setArgsList([opts.fn ?? 'loan:CompleteTrace', ...(opts.args ?? ['1', 'bob'])].map((a) => Buffer.from(a)));
  const ccid = new peer.ChaincodeID();
  ccid.setName('gridledger');
  const spec = new peer.ChaincodeSpec();
  spec.setChaincodeId(ccid);
  spec.setInput(input);
  const cis = new peer.ChaincodeInvocationSpec();
  cis.setChaincodeSpec(spec);
  const cpp = new peer.ChaincodeProposalPayload();
  cpp.setInput(cis.serializeBinary());

  const action = new peer.ChaincodeAction();
  if (opts.event) {
    const ev = new peer.ChaincodeEvent();
    ev.setChaincodeId('gridledger');
    ev.setTxId(txId);
    ev.setEventName(opts.event.name);
    ev.setPayload(Buffer.from(JSON.stringify(opts.event.payload)));
    action.setEvents(ev.serializeBinary());
  }
  const prp = new peer.ProposalResponsePayload();
  prp.setExtension$(action.serializeBinary());
  const endorsed = new peer.ChaincodeEndorsedAction();
  endorsed.setProposalResponsePayload(prp.serializeBinary());
  endorsed.setEndorsementsList(['UtilityMSP', 'GuarantorBMSP', 'OperatorMSP'].map((m) => {
    const e = new peer.Endorsement();
    e.setEndorser(identity(m));
    return e;
  }));
  const cap = new peer.ChaincodeActionPayload();
  cap.setChaincodeProposalPayload(cpp.serializeBinary());
  cap.setAction(endorsed);
  const ta = new peer.TransactionAction();
  ta.setPayload(cap.serializeBinary());
  const tx = new peer.Transaction();
  tx.setActionsList([ta]);

  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(tx.serializeBinary());
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());

  const block = new common.Block();
  const bh = new common.BlockHeader();
  bh.setNumber(opts.number ?? 42);
  block.setHeader(bh);
  const data = new common.BlockData();
  data.setDataList([env.serializeBinary()]);
  block.setData(data);
  const meta = new common.BlockMetadata();
  meta.setMetadataList([new Uint8Array(), new Uint8Array(), Uint8Array.from([opts.invalidCode ?? 0]), new Uint8Array(), new Uint8Array()]);
  block.setMetadata(meta);
  return block.serializeBinary();
}

const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v));

/** Chaincode answers and logged events for the console routes. */
export async function installConsoleFakes(ledger: FakeLedger, store: Store): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  const board = [{ identity: 'bob', loanId: '77', poolId: 'p1', guarantor: 'GuarantorAMSP', amount: 1000, debtWh: 1200, fineWh: 1100, fineCollectedWh: 1100, tracedAt: now - 60, txId: TX.traced }];
  ledger.handlers.set('loan:GetBoard', () => board);
  ledger.handlers.set('loan:GetBlocklist', () => [{ identity: 'bob', loanId: '77', since: now - 60 }]);
  const guarantor = {
    msp: 'GuarantorAMSP', guarantorId: 1, name: 'Guarantor A', baseScore: 800, score: 750, registeredAt: now - 600, tracePublicKey: ['1', '2'], account: PILE_ACCOUNT,
    registry: { nextIndex: 3, root: '12345' }, scoreHistory: [{ txId: TX.scoreDown, delta: -50, at: now - 60, reason: 'loan 77 defaulted' }],
  };
  ledger.handlers.set('guarantor:ListGuarantors', () => [{ msp: guarantor.msp, score: guarantor.score }]);
  ledger.handlers.set('guarantor:GetGuarantor', () => guarantor);
  ledger.handlers.set('loan:ListLoans', () => [
    { loanId: '78', poolId: 'p1', guarantor: 'GuarantorAMSP', amount: 1000, status: 'defaulted', defaultedAt: now - 5, traceDeadline: now + 30, dueAt: now - 10, txId: TX.borrowed },
    { loanId: '79', poolId: 'p1', guarantor: 'GuarantorAMSP', amount: 1000, status: 'open', dueAt: now + 300, txId: TX.borrowed },
  ]);
  ledger.handlers.set('kgc:ListPiles', () => [{ id: 'pile-1', powerW: 22_000, collateral: 220, collateralAccount: PILE_ACCOUNT, registeredBy: 'OperatorMSP', registeredAt: now - 900, status: 'active' }]);
  ledger.handlers.set('market:GetObligation', () => ({ sellerId: 'pile-1', buyerId: 'ev-1' }));
  (ledger as FakeLedger & { blockByTxId?: (txId: string) => Promise<Uint8Array> }).blockByTxId = async (txId: string) => {
    if (txId === TX.traced) return sampleBlock(txId, { event: { name: 'DefaulterPublished', payload: board[0] } });
    if (txId === TX.opened) return sampleBlock(txId, { fn: 'channel:OpenChannel', event: { name: 'ChannelOpened', payload: { channelId: 'ch-1' } } });
    const { LedgerError } = await import('../fabric/ledger');
    throw new LedgerError('not-found', `transaction ${txId} is not on the ledger`);
  };
  let block = 100;
  const log = async (txId: string, eventName: string, payload: unknown) => store.appendEvent({ blockNumber: block++, txId, eventName, payload: enc(payload) }, Date.now());
  await log(TX.registered, 'GuarantorRegistered', { msp: 'GuarantorAMSP', guarantorId: 1, score: 800 });
  await log(TX.pile, 'PileRegistered', { id: 'pile-1', powerW: 22_000, collateral: 220, collateralAccount: PILE_ACCOUNT });
  await log(TX.opened, 'ChannelOpened', { channelId: 'ch-1', deposits: { a: '500', b: '500' }, disputeWindow: 10, accounts: { a: PILE_ACCOUNT, b: '2'.repeat(64) }, identities: { a: 'pile-1', b: 'ev-1' } });
  await log(TX.settled, 'ChannelSettled', { channelId: 'ch-1', kind: 'cooperative', version: 4, payouts: { a: '700', b: '300' }, accounts: { a: PILE_ACCOUNT, b: '2'.repeat(64) } });
  await log('9'.repeat(64), 'MarketObligationSettled', { cycleId: 'c1', index: 0, amount: 50, evidence: 'payee-ack', late: false });
  await log(TX.defaulted, 'LoanDefaulted', { loanId: '78', guarantor: 'GuarantorAMSP', traceDeadline: now + 30 });
  await log(TX.traced, 'DefaulterPublished', board[0]);
}

/**
 * Every console operation, with each documented 2xx and the refusals that matter. The public event
 * stream is read here directly (a stream never ends, so `call` cannot read it); the ids of what was
 * checked that way are returned.
 */
export async function walkConsole(call: Call, deps: AppDeps, url: string): Promise<string[]> {
  await call('getSession', 'GET', '/v1/session', { role: 'guarantor-admin' });
  await call('getSession', 'GET', '/v1/session'); // 401
  await call('getPublicBoard', 'GET', '/v1/public/board');
  await call('getPublicBlocklist', 'GET', '/v1/public/blocklist');
  await call('getPublicParams', 'GET', '/v1/public/params');
  await call('listPublicGuarantors', 'GET', '/v1/public/guarantors');
  await call('getLedgerTransaction', 'GET', `/v1/ledger/transactions/${TX.traced}`);
  await call('getLedgerTransaction', 'GET', `/v1/ledger/transactions/${TX.opened}`); // payload hidden from the public
  await call('getLedgerTransaction', 'GET', `/v1/ledger/transactions/${'0'.repeat(64)}`); // 404
  await call('getLedgerTransaction', 'GET', '/v1/ledger/transactions/xyz'); // 400
  await call('getProvenance', 'GET', '/v1/ledger/provenance/channel', { role: 'user-relay' });
  await call('getProvenance', 'GET', '/v1/ledger/provenance/nothing', { role: 'user-relay' }); // 400
  await call('getNetworkHealth', 'GET', '/v1/network/health', { role: 'utility-admin' });
  await call('getNetworkHealth', 'GET', '/v1/network/health', { role: 'user-relay' }); // 403
  await call('listChannels', 'GET', '/v1/channels?status=closed&limit=5', { role: 'operator-admin' });
  await call('listChannels', 'GET', '/v1/channels?status=weird', { role: 'operator-admin' }); // 400
  await call('getOperatorDashboard', 'GET', '/v1/operator/dashboard', { role: 'operator-admin' });
  await call('getGuarantorDashboard', 'GET', '/v1/guarantors/GuarantorAMSP/dashboard', { role: 'guarantor-admin' }); // 403: a Utility gateway
  const org = deps.config.org;
  deps.config.org = 'guarantora';
  try {
    await call('getGuarantorDashboard', 'GET', '/v1/guarantors/GuarantorAMSP/dashboard', { role: 'guarantor-admin' });
    await call('getGuarantorDashboard', 'GET', '/v1/guarantors/GuarantorBMSP/dashboard', { role: 'guarantor-admin' }); // 403
    await call('getGuarantorDashboard', 'GET', '/v1/guarantors/UtilityMSP/dashboard', { role: 'guarantor-admin' }); // 400
  } finally {
    deps.config.org = org;
  }
  await call('streamPublicEvents', 'GET', '/v1/public/events?after=-1'); // 400
  const ctrl = new AbortController();
  const res = await fetch(`${url}/v1/public/events?after=0`, { signal: ctrl.signal });
  if (res.status !== 200 || !/^text\/event-stream/.test(res.headers.get('content-type') ?? '')) throw new Error(`public events: ${res.status}`);
  const reader = res.body!.getReader();
  let text = '';
  while (!/event: DefaulterPublished\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
  ctrl.abort();
  // Only the board's events: the channel and pile events before it were left out.
  if (/ChannelOpened|PileRegistered|ChannelSettled/.test(text)) throw new Error('the public stream carried a private event');
  return ['streamPublicEvents 200'];
}
