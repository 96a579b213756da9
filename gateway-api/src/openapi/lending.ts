/**
 * The lending part of the OpenAPI document (accounts, meters, guarantors, pools, loans), merged into
 * `document.ts`. Every state-changing operation is idempotent and asynchronous like
 * `PUT /v1/params/lending`: 202 with a transaction resource, or 200 with `?wait=true`.
 */
import { ROLES } from '../config/roles';

const ALL = [...ROLES];
const problemRef = { $ref: '#/components/responses/Problem' };
const problems = (...codes: number[]): Record<string, unknown> => Object.fromEntries(codes.map((c) => [String(c), problemRef]));
const auth = problems(401, 403, 429, 500, 503);
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const DECIMAL = { type: 'string', pattern: '^[0-9]{1,78}$', description: 'A field element as a decimal string.' };
const KEY = { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Ed25519 public key, lower-case hex (an account).' };
const SIGNATURE = { type: 'string', pattern: '^[0-9a-f]{128}$', description: 'Ed25519 signature (hex) over requestDigest(action, body).' };
const POINT = { type: 'array', items: DECIMAL, minItems: 2, maxItems: 2, description: 'BabyJubJub point [x, y], decimal strings.' };
const UINT = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
const POOL_ID = { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' };
const MSP = { type: 'string', enum: ['GuarantorAMSP', 'GuarantorBMSP'] };

const path = (name: string, schema: unknown, description: string) => ({ name, in: 'path', required: true, description, schema });
const poolIdParam = path('poolId', POOL_ID, 'Pool id.');
const loanIdParam = path('loanId', DECIMAL, 'Loan id (the loan nullifier), decimal.');
const mspParam = path('msp', MSP, 'Guarantor MSP id.');

/** The parameters and responses of every submit. */
function submitOp(op: {
  operationId: string;
  tag: string;
  summary: string;
  description: string;
  roles: readonly string[];
  params?: unknown[];
  body?: unknown;
  bodyRequired?: boolean;
  result?: unknown;
  accepted?: unknown;
}): Record<string, unknown> {
  const tx = op.accepted ?? ref('Transaction');
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: `${op.description} Answers 202 with the transaction resource; with \`wait=true\`, waits for the commit and answers 200 (or 202 if the wait timed out).`,
    'x-roles': [...op.roles],
    'x-idempotent': true,
    parameters: [...(op.params ?? []), { $ref: '#/components/parameters/IdempotencyKey' }, { $ref: '#/components/parameters/Wait' }],
    ...(op.body ? { requestBody: { required: op.bodyRequired ?? true, content: json(op.body) } } : {}),
    responses: {
      '200': { description: 'Committed or rejected (with `wait=true`).', content: json(tx) },
      '202': { description: 'Endorsed and sent to the orderers.', headers: { Location: { description: 'The transaction resource.', schema: { type: 'string' } } }, content: json(tx) },
      ...problems(400, 404, 409, 413, 415, 422),
      ...auth,
    },
  };
}

function getOp(op: { operationId: string; tag: string; summary: string; description?: string; params?: unknown[]; schema: unknown; notFound?: boolean }): Record<string, unknown> {
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    'x-roles': ALL,
    ...(op.params ? { parameters: op.params } : {}),
    responses: { '200': { description: 'OK.', content: json(op.schema) }, ...problems(400, ...(op.notFound === false ? [] : [404])), ...auth },
  };
}

const signed = (body: unknown, action: string) => ({
  type: 'object',
  additionalProperties: false,
  required: ['body', 'signature'],
  description: `A request signed by the end user's own key: \`signRequest('${action}', body, key)\` from @gridledger/core. The gateway checks the signature before relaying it with its org's client identity; the chaincode checks it again, with the nonce.`,
  properties: { body, signature: SIGNATURE },
});

export const lendingTags = [
  { name: 'accounts', description: 'Energy and payment accounts, meters and minting (lending paper, setup).' },
  { name: 'guarantors', description: 'Guarantor corporations, tracing keys and credential registries (endorsement phase).' },
  { name: 'pools', description: 'Anonymous crowdfunding pools: deposits, sealing, withdrawals (pool phase).' },
  { name: 'loans', description: 'Anonymous borrowing with zero-knowledge proofs, repayment, default and tracing.' },
];

export const lendingPaths: Record<string, Record<string, unknown>> = {
  '/v1/accounts/{account}': {
    get: getOp({ operationId: 'getAccount', tag: 'accounts', summary: 'An account\'s energy (Wh) and payment balances and its last nonce.', params: [path('account', KEY, 'The account key.')], schema: ref('Account'), notFound: false }),
  },
  '/v1/accounts/{account}/pay': {
    post: submitOp({
      operationId: 'issuePay', tag: 'accounts', roles: ['utility-admin'], summary: 'Issue payment units to an account (Utility).',
      description: 'Submits `accounts:IssuePay` against money received off chain.', params: [path('account', KEY, 'The account key.')],
      body: { type: 'object', additionalProperties: false, required: ['amount'], properties: { amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } } },
    }),
  },
  '/v1/transfers': {
    post: submitOp({
      operationId: 'transfer', tag: 'accounts', roles: ['user-relay'], summary: 'Relay a transfer signed by the sender.',
      description: 'Submits `accounts:Transfer`; `body.nonce` must be the sender\'s last nonce plus one.',
      body: signed({ type: 'object', additionalProperties: false, required: ['unit', 'from', 'to', 'amount', 'nonce'], properties: { unit: { enum: ['energy', 'pay'] }, from: KEY, to: KEY, amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, nonce: { type: 'integer', minimum: 1 } } }, 'transfer'),
    }),
  },
  '/v1/redemptions': {
    post: submitOp({
      operationId: 'redeem', tag: 'accounts', roles: ['user-relay'], summary: 'Relay a redemption (energy consumed) signed by the holder.',
      description: 'Submits `accounts:Redeem`.',
      body: signed({ type: 'object', additionalProperties: false, required: ['account', 'amountWh', 'nonce'], properties: { account: KEY, amountWh: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, nonce: { type: 'integer', minimum: 1 } } }, 'redeem'),
    }),
  },
  '/v1/meters': {
    post: submitOp({
      operationId: 'registerMeter', tag: 'accounts', roles: ['utility-admin'], summary: 'Register a smart meter\'s key and owner account (Utility).',
      description: 'Submits `accounts:RegisterMeter`.',
      body: { type: 'object', additionalProperties: false, required: ['meterId', 'publicKey', 'owner'], properties: { meterId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' }, publicKey: KEY, owner: KEY } },
    }),
  },
  '/v1/meters/{meterId}': {
    get: getOp({ operationId: 'getMeter', tag: 'accounts', summary: 'A registered meter and its last accepted reading.', params: [path('meterId', { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' }, 'Meter id.')], schema: { type: 'object' } }),
  },
  '/v1/meters/readings': {
    post: submitOp({
      operationId: 'mintFromMeter', tag: 'accounts', roles: ['utility-admin'], summary: 'Mint energy credits from a reading signed by the meter (Utility).',
      description: 'Submits `accounts:MintFromMeter`: the increase of the cumulative counter since the last reading is credited to the meter\'s owner.',
      body: { type: 'object', additionalProperties: false, required: ['reading', 'signature'], properties: { reading: { type: 'object', additionalProperties: false, required: ['meterId', 'seq', 'cumulativeWh', 'readAt'], properties: { meterId: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' }, seq: { type: 'integer', minimum: 1 }, cumulativeWh: UINT, readAt: UINT } }, signature: SIGNATURE } },
    }),
  },
  '/v1/guarantors': {
    get: getOp({ operationId: 'listGuarantors', tag: 'guarantors', summary: 'Registered guarantors with their current score C_g.', schema: { type: 'array', items: ref('Guarantor') }, notFound: false }),
    post: submitOp({
      operationId: 'registerGuarantor', tag: 'guarantors', roles: ['utility-admin'], summary: 'Register a guarantor org with C_g, its tracing public key and fine account (Utility).',
      description: 'Submits `guarantor:RegisterGuarantor`.',
      body: { type: 'object', additionalProperties: false, required: ['msp', 'name', 'score', 'tracePublicKey', 'account'], properties: { msp: MSP, name: { type: 'string', minLength: 1, maxLength: 128 }, score: { type: 'integer', minimum: 0, maximum: 4294967295 }, tracePublicKey: POINT, account: KEY } },
    }),
  },
  '/v1/guarantors/{msp}': {
    get: getOp({ operationId: 'getGuarantor', tag: 'guarantors', summary: 'A guarantor: C_g, tracing key, registry (root, recent roots) and score history.', params: [mspParam], schema: ref('Guarantor') }),
  },
  '/v1/guarantors/{msp}/credentials/{leafIndex}': {
    get: getOp({ operationId: 'getCredentialPath', tag: 'guarantors', summary: 'The opening of one credential leaf (siblings and current root): what a borrower proves against.', params: [mspParam, path('leafIndex', { type: 'integer', minimum: 0 }, 'Leaf index.')], schema: ref('CredentialPath') }),
  },
  '/v1/utility-trace-key': {
    get: getOp({ operationId: 'getUtilityTraceKey', tag: 'guarantors', summary: 'The Utility\'s half of the joint tracing key.', schema: { type: 'object', required: ['publicKey'], properties: { publicKey: POINT, setAt: { type: 'integer' } } } }),
    put: submitOp({
      operationId: 'setUtilityTraceKey', tag: 'guarantors', roles: ['utility-admin'], summary: 'Publish the Utility\'s tracing public key (Utility).',
      description: 'Submits `guarantor:SetUtilityTraceKey`. Without a body, the public key of the gateway\'s configured tracing key file (GRIDLEDGER_TRACE_KEY_FILE) is published; with one, it must match that key when a file is configured.',
      body: { type: 'object', additionalProperties: false, properties: { publicKey: POINT } }, bodyRequired: false,
    }),
  },
  '/v1/credentials': {
    post: submitOp({
      operationId: 'issueCredential', tag: 'guarantors', roles: ['guarantor-admin'], summary: 'Endorse a borrower: append a credential leaf to this guarantor\'s own registry.',
      description: 'Submits `guarantor:IssueCredential` with the gateway org\'s admin identity. Give either the `leaf`, or the borrower\'s `identityCommitment` and the granted `score` (the gateway computes Poseidon(idCommitment, C_b, guarantorId)). With `identity`, the gateway first refuses (409, code BLOCKED) an identity on the blocklist.',
      body: { type: 'object', additionalProperties: false, properties: { leaf: DECIMAL, identityCommitment: DECIMAL, score: { type: 'integer', minimum: 0, maximum: 4294967295 }, identity: { type: 'string', minLength: 1, maxLength: 256 } } },
    }),
  },
  '/v1/credentials/{leafIndex}/revocation': {
    post: submitOp({
      operationId: 'revokeCredential', tag: 'guarantors', roles: ['guarantor-admin'], summary: 'Revoke a credential of this guarantor\'s own registry.',
      description: 'Submits `guarantor:RevokeCredential`; proofs against older roots stop verifying at once.', params: [path('leafIndex', { type: 'integer', minimum: 0 }, 'Leaf index.')],
    }),
  },
  '/v1/pools': {
    get: getOp({ operationId: 'listPools', tag: 'pools', summary: 'Every pool.', schema: { type: 'array', items: ref('Pool') }, notFound: false }),
    post: submitOp({
      operationId: 'createPool', tag: 'pools', roles: ['utility-admin'], summary: 'Open a crowdfunding pool for deposits (Utility).',
      description: 'Submits `pool:CreatePool`.',
      body: { type: 'object', additionalProperties: false, required: ['poolId', 'denominationWh', 'targetNotes', 'deadline', 'maturity'], properties: { poolId: POOL_ID, denominationWh: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, targetNotes: { type: 'integer', minimum: 1, maximum: 1048576 }, deadline: { ...UINT, description: 'Seconds since the epoch.' }, maturity: { ...UINT, description: 'Seconds since the epoch.' } } },
    }),
  },
  '/v1/pools/{poolId}': {
    get: getOp({ operationId: 'getPool', tag: 'pools', summary: 'A pool with its pending inflows folded in.', params: [poolIdParam], schema: ref('Pool') }),
  },
  '/v1/pools/{poolId}/leaves': {
    get: getOp({ operationId: 'getPoolLeaves', tag: 'pools', summary: 'The pool\'s note commitments in tree order and its root: what a lender needs to prove a withdrawal.', params: [poolIdParam], schema: { type: 'object', required: ['poolId', 'sealed', 'leaves'], properties: { poolId: POOL_ID, sealed: { type: 'boolean' }, root: DECIMAL, leaves: { type: 'array', items: DECIMAL } } } }),
  },
  '/v1/pools/{poolId}/deposits': {
    post: submitOp({
      operationId: 'deposit', tag: 'pools', roles: ['user-relay'], summary: 'Relay an anonymous deposit: a note commitment, signed by the paying account.',
      description: [
        '`body.poolId` must be the path\'s pool. The gateway checks the account\'s signature first (422, code INVALID_SIGNATURE, before any endorsement).',
        'Verified deposits are collected for a few milliseconds and submitted together as one `pool:DepositBatch` with the gateway\'s client identity. Deposits of one account always fall in the same lane, and each lane has one batch in flight until it commits, so an account\'s nonces are applied in the order its deposits arrived.',
        'A deposit the chaincode refuses (e.g. insufficient energy) is answered alone with its own refusal, and the batch is resubmitted without it. The transaction resource is the batch\'s; `batchSize` and `index` say how many deposits it carried and which one is the caller\'s.',
        'With batching off (`GRIDLEDGER_DEPOSIT_BATCH_MAX=1`), each deposit is its own `pool:Deposit` (`batchSize` 1).',
      ].join(' '),
      params: [poolIdParam], accepted: ref('DepositAccepted'),
      body: signed({ type: 'object', additionalProperties: false, required: ['poolId', 'commitment', 'account', 'nonce'], properties: { poolId: POOL_ID, commitment: DECIMAL, account: KEY, nonce: { type: 'integer', minimum: 1 } } }, 'deposit'),
    }),
  },
  '/v1/pools/{poolId}/seal': {
    post: submitOp({ operationId: 'sealPool', tag: 'pools', roles: ALL, summary: 'Seal a pool after its deadline: it opens for lending or turns to refunds.', description: 'Submits `pool:SealPool`; anyone may call it.', params: [poolIdParam] }),
  },
  '/v1/pools/{poolId}/close': {
    post: submitOp({ operationId: 'closePool', tag: 'pools', roles: ALL, summary: 'Close a pool after maturity, once every loan is settled: fixes each note\'s payout.', description: 'Submits `pool:ClosePool`; anyone may call it.', params: [poolIdParam] }),
  },
  '/v1/pools/{poolId}/withdrawals': {
    post: submitOp({
      operationId: 'withdraw', tag: 'pools', roles: ['user-relay'], summary: 'Relay a note\'s withdrawal (or refund) with its zero-knowledge proof.',
      description: 'The gateway first verifies the proof against the pool\'s root on the ledger and refuses a proof that does not verify with 422 (code INVALID_PROOF) before any endorsement; then submits `pool:Withdraw`.', params: [poolIdParam],
      body: ref('WithdrawRequest'),
    }),
  },
  '/v1/pools/{poolId}/borrows': {
    post: submitOp({
      operationId: 'borrow', tag: 'loans', roles: ['user-relay'], summary: 'Relay an anonymous borrow with its zero-knowledge proof.',
      description: [
        'The gateway builds the proof\'s public inputs from the ledger (registry roots and C_g of the guarantor, W_b, W_g and C(M, D) of the parameters, the tracing keys) and verifies it with the borrow verification key; a request that does not verify, or that the chaincode would refuse for its values, is answered 422 (or 409 for a spent nullifier) before any endorsement.',
        'Verified borrows for the same pool are collected for a few milliseconds and submitted together as one `loan:BorrowBatch` (batch verification on the peers), so one bad proof never sinks a batch. `loanId` is the caller\'s loan; `result` is its own entry of the batch, `index` its position in it.',
      ].join(' '),
      params: [poolIdParam], body: ref('BorrowRequest'), accepted: ref('BorrowAccepted'),
    }),
  },
  '/v1/loans': {
    get: getOp({
      operationId: 'listLoans', tag: 'loans', summary: 'Loans, optionally of one pool, guarantor or status: anonymous until traced.',
      params: [
        { name: 'poolId', in: 'query', required: false, schema: POOL_ID },
        { name: 'guarantor', in: 'query', required: false, schema: MSP },
        { name: 'status', in: 'query', required: false, schema: { enum: ['open', 'repaid', 'defaulted', 'traced'] } },
      ],
      schema: { type: 'array', items: ref('Loan') }, notFound: false,
    }),
  },
  '/v1/loans/{loanId}': {
    get: getOp({ operationId: 'getLoan', tag: 'loans', summary: 'One loan.', params: [loanIdParam], schema: ref('Loan') }),
  },
  '/v1/loans/{loanId}/repayment': {
    post: submitOp({
      operationId: 'repay', tag: 'loans', roles: ['user-relay'], summary: 'Relay a repayment: the repay secret, paid from an account that signs it.',
      description: 'Submits `loan:Repay`. `body.loanId` must be the path\'s loan.', params: [loanIdParam],
      body: signed({ type: 'object', additionalProperties: false, required: ['loanId', 'repaySecret', 'payer', 'nonce'], properties: { loanId: DECIMAL, repaySecret: DECIMAL, payer: KEY, nonce: { type: 'integer', minimum: 1 } } }, 'repay'),
    }),
  },
  '/v1/loans/{loanId}/default': {
    post: submitOp({ operationId: 'declareDefault', tag: 'loans', roles: ALL, summary: 'Declare an unpaid loan in default after its due time E(D).', description: 'Submits `loan:DeclareDefault`; anyone may call it.', params: [loanIdParam] }),
  },
  '/v1/loans/{loanId}/trace-share': {
    post: submitOp({
      operationId: 'publishTraceShare', tag: 'loans', roles: ['guarantor-admin', 'utility-admin'], summary: 'Publish this org\'s decryption share of a defaulted loan (its guarantor or the Utility).',
      description: 'The gateway makes the share and its Chaum-Pedersen proof with the org\'s tracing secret key from its configured key file (GRIDLEDGER_TRACE_KEY_FILE), which no client ever sends and which is never logged, checks it against the registered public key, and submits `loan:PublishTraceShare`.',
      params: [loanIdParam],
    }),
  },
  '/v1/loans/{loanId}/trace': {
    post: submitOp({
      operationId: 'completeTrace', tag: 'loans', roles: ['guarantor-admin'], summary: 'Complete a trace: name the identity both shares decrypt to (the loan\'s guarantor).',
      description: 'Submits `loan:CompleteTrace`: the defaulter is published on the board and the blocklist, its credential revoked, the fine taken.', params: [loanIdParam],
      body: { type: 'object', additionalProperties: false, required: ['identity', 'credentialIndex'], properties: { identity: { type: 'string', minLength: 1, maxLength: 256 }, credentialIndex: { type: 'integer', minimum: 0 } } },
    }),
  },
  '/v1/loans/{loanId}/missed-trace-penalty': {
    post: submitOp({ operationId: 'penalizeMissedTrace', tag: 'loans', roles: ALL, summary: 'Fine a guarantor that let the trace window pass.', description: 'Submits `loan:PenalizeMissedTrace`; anyone may call it.', params: [loanIdParam] }),
  },
  '/v1/board': {
    get: getOp({ operationId: 'getBoard', tag: 'loans', summary: 'The public board of traced defaulters.', schema: { type: 'array', items: { type: 'object' } }, notFound: false }),
  },
  '/v1/blocklist': {
    get: getOp({ operationId: 'getBlocklist', tag: 'loans', summary: 'Every blocklisted identity.', schema: { type: 'array', items: { type: 'object', required: ['identity', 'loanId'], properties: { identity: { type: 'string' }, loanId: DECIMAL, since: { type: 'integer' } } } }, notFound: false }),
  },
  '/v1/blocklist/{identity}': {
    get: getOp({ operationId: 'isBlocked', tag: 'loans', summary: 'Whether an identity is blocklisted (what a guarantor checks before it endorses).', params: [path('identity', { type: 'string', minLength: 1, maxLength: 256 }, 'The identity (URL-encoded).')], schema: { type: 'object', required: ['identity', 'blocked'], properties: { identity: { type: 'string' }, blocked: { type: 'boolean' }, entry: {} } }, notFound: false }),
  },
};

export const lendingSchemas: Record<string, Record<string, unknown>> = {
  Account: { type: 'object', required: ['account', 'energyWh', 'pay', 'nonce'], properties: { account: KEY, energyWh: { type: 'integer' }, pay: { type: 'integer' }, nonce: { type: 'integer' } } },
  Guarantor: {
    type: 'object',
    required: ['msp', 'guarantorId', 'score', 'tracePublicKey'],
    properties: { msp: { type: 'string' }, guarantorId: { type: 'integer' }, name: { type: 'string' }, score: { type: 'integer' }, tracePublicKey: POINT, account: KEY, registry: { type: 'object' }, scoreHistory: { type: 'array' } },
  },
  CredentialPath: { type: 'object', required: ['guarantor', 'leafIndex', 'siblings', 'root'], properties: { guarantor: { type: 'string' }, leafIndex: { type: 'integer' }, leaf: DECIMAL, siblings: { type: 'array', items: DECIMAL }, root: DECIMAL } },
  Pool: {
    type: 'object',
    required: ['poolId', 'status', 'denominationWh'],
    properties: { poolId: POOL_ID, status: { enum: ['funding', 'open', 'refunding', 'closed'] }, denominationWh: { type: 'integer' }, targetNotes: { type: 'integer' }, deadline: { type: 'integer' }, maturity: { type: 'integer' }, noteCount: { type: 'integer' }, balance: { type: 'integer' }, root: DECIMAL, payoutPerNote: { type: 'integer' } },
  },
  Loan: {
    type: 'object',
    required: ['loanId', 'poolId', 'guarantor', 'amount', 'status'],
    properties: { loanId: DECIMAL, poolId: POOL_ID, guarantor: { type: 'string' }, amount: { type: 'integer' }, durationS: { type: 'integer' }, dueAt: { type: 'integer' }, repayDue: { type: 'integer' }, status: { enum: ['open', 'repaid', 'defaulted', 'traced'] }, traceDeadline: { type: 'integer' } },
  },
  Groth16Proof: {
    type: 'object',
    required: ['pi_a', 'pi_b', 'pi_c'],
    properties: {
      pi_a: { type: 'array', items: DECIMAL, minItems: 2, maxItems: 3 },
      pi_b: { type: 'array', items: { type: 'array', items: DECIMAL, minItems: 2, maxItems: 2 }, minItems: 2, maxItems: 3 },
      pi_c: { type: 'array', items: DECIMAL, minItems: 2, maxItems: 3 },
      protocol: { const: 'groth16' },
      curve: { const: 'bn128' },
    },
  },
  WithdrawRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['poolId', 'nullifierHash', 'recipient', 'relayer', 'fee', 'proof'],
    description: 'As made by `proveWithdrawRequest` of @gridledger/core.',
    properties: { poolId: POOL_ID, nullifierHash: DECIMAL, recipient: KEY, relayer: KEY, fee: UINT, proof: ref('Groth16Proof') },
  },
  BorrowRequest: {
    type: 'object',
    additionalProperties: false,
    required: ['guarantor', 'amount', 'durationS', 'minScore', 'guarantorScore', 'root', 'loanNullifier', 'c1', 'c2', 'repayCommitment', 'recipient', 'relayer', 'proof'],
    description: 'As made by `proveBorrowRequest` of @gridledger/core.',
    properties: {
      guarantor: MSP, amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, durationS: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
      minScore: { type: 'integer', minimum: 0, maximum: 4294967295 }, guarantorScore: { type: 'integer', minimum: 0, maximum: 4294967295 },
      root: DECIMAL, loanNullifier: DECIMAL, c1: POINT, c2: POINT, repayCommitment: DECIMAL, recipient: KEY, relayer: KEY, proof: ref('Groth16Proof'),
    },
  },
  BorrowAccepted: {
    allOf: [ref('Transaction')],
    type: 'object',
    required: ['loanId', 'batchSize', 'index'],
    properties: {
      loanId: DECIMAL,
      batchSize: { type: 'integer', minimum: 1, maximum: 32, description: 'How many borrows the BorrowBatch transaction carried.' },
      index: { type: 'integer', minimum: 0, maximum: 31, description: 'The caller\'s position in the batch.' },
    },
  },
  DepositAccepted: {
    allOf: [ref('Transaction')],
    type: 'object',
    required: ['batchSize', 'index'],
    properties: {
      batchSize: { type: 'integer', minimum: 1, maximum: 64, description: 'How many deposits the transaction carried (1: a lone deposit, or batching off).' },
      index: { type: 'integer', minimum: 0, maximum: 63, description: 'The caller\'s position in the batch.' },
    },
  },
};
