/**
 * The market's part of the OpenAPI document (trading paper: trading cycles, double auction,
 * settlement obligations). Merged into `document.ts`; routes in `routes/market.ts`.
 */
import { ROLES } from '../config/roles';

const ALL = [...ROLES];
const RELAYS = ['user-relay', 'operator-admin'];
const problemRef = { $ref: '#/components/responses/Problem' };
const problems = (...codes: number[]): Record<string, unknown> => Object.fromEntries(codes.map((c) => [String(c), problemRef]));
const authProblems = problems(401, 403, 429, 500, 503);
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const ID = '^[A-Za-z0-9._:-]{1,128}$';
const HEX32 = '^[0-9a-f]{64}$';

const cycleIdParam = { name: 'cycleId', in: 'path', required: true, description: 'Trading cycle id.', schema: { type: 'string', pattern: ID } };
const indexParam = { name: 'index', in: 'path', required: true, description: 'Trade index in the cycle (0-based).', schema: { type: 'integer', minimum: 0, maximum: 9999999999 } };
const limitParam = { name: 'limit', in: 'query', required: false, description: 'At most this many items (default and maximum 1000).', schema: { type: 'integer', minimum: 1, maximum: 1000 } };

/** A read (evaluate) operation. */
function read(operationId: string, summary: string, schema: unknown, parameters: unknown[] = [], description?: string) {
  return {
    operationId,
    tags: ['market'],
    summary,
    ...(description ? { description } : {}),
    'x-roles': ALL,
    ...(parameters.length ? { parameters } : {}),
    responses: { '200': { description: 'The ledger\'s answer.', content: json(schema) }, ...problems(400, 404), ...authProblems },
  };
}

/** A state-changing (submit) operation: idempotent, asynchronous, `wait=true` to wait for the commit. */
function change(operationId: string, summary: string, roles: string[], description: string, body?: unknown, parameters: unknown[] = [], accepted: unknown = ref('Transaction')) {
  return {
    operationId,
    tags: ['market'],
    summary,
    description: `${description} Answers 202 with the transaction resource; with \`wait=true\`, waits for the commit and answers 200 (or 202 if the wait timed out).`,
    'x-roles': roles,
    'x-idempotent': true,
    parameters: [...parameters, { $ref: '#/components/parameters/IdempotencyKey' }, { $ref: '#/components/parameters/Wait' }],
    ...(body ? { requestBody: { required: true, content: json(body) } } : {}),
    responses: {
      '200': { description: 'Committed or rejected (with `wait=true`).', content: json(accepted) },
      '202': { description: 'Endorsed and sent to the orderers.', headers: { Location: { description: 'The transaction resource.', schema: { type: 'string' } } }, content: json(accepted) },
      ...problems(400, 404, 409, 413, 415, 422),
      ...authProblems,
    },
  };
}

const signed = (body: string) => ({
  type: 'object',
  additionalProperties: false,
  required: ['body', 'signature'],
  properties: { body: ref(body), signature: { type: 'string', pattern: '^[0-9a-f]{128}$', description: 'Ed25519 signature (hex) of the account over the body (core signRequest).' } },
});

export const marketTag = { name: 'market', description: 'Trading cycles, double-auction orders, results and settlement obligations (trading paper).' };

export const marketPaths: Record<string, Record<string, unknown>> = {
  '/v1/market/params': {
    get: read('getMarketParams', 'The market parameters in force (cycle length, settlement window, clearing page sizes).', ref('MarketParams')),
    put: change('setMarketParams', 'Set the market parameters (Utility only).', ['utility-admin'], 'Submits `market:SetMarketParams`.', ref('MarketParams')),
  },
  '/v1/market/cycles': {
    get: read('listMarketCycles', 'Every trading cycle.', { type: 'array', items: ref('MarketCycle') }),
    post: change('openMarketCycle', 'Open a trading cycle (Utility only).', ['utility-admin'], 'Submits `market:OpenCycle`; orders are accepted for `lengthS` seconds (default: the configured cycle length).', {
      type: 'object',
      additionalProperties: false,
      required: ['cycleId'],
      properties: { cycleId: { type: 'string', pattern: ID }, lengthS: { type: 'integer', minimum: 1, maximum: 2678400 } },
    }),
  },
  '/v1/market/cycles/{cycleId}': {
    get: read('getMarketCycle', 'A cycle: status, times, clearing cursor and (when cleared) its statistics.', ref('MarketCycle'), [cycleIdParam]),
  },
  '/v1/market/cycles/{cycleId}/close': {
    post: change('closeMarketCycle', 'Close a cycle to orders (Utility only).', ['utility-admin'], 'Submits `market:CloseCycle`, which also starts the clearing.', undefined, [cycleIdParam]),
  },
  '/v1/market/cycles/{cycleId}/clear': {
    post: change(
      'clearMarketCycle',
      'Run one clearing transaction of a closed cycle (Utility only).',
      ['utility-admin'],
      'Submits `market:ClearCycle`: one page of each side, at most `maxTradesPerTx` trades. The result\'s `status` is `more` until the cycle is cleared (`done`); repeat the call until then.',
      undefined,
      [cycleIdParam],
    ),
  },
  '/v1/market/cycles/{cycleId}/book': {
    get: read('getMarketBook', 'One side of a cycle\'s book in book order, with what is left of each order.', { type: 'array', items: ref('MarketOrder') }, [
      cycleIdParam,
      { name: 'side', in: 'query', required: true, description: '`ask` (low to high) or `bid` (high to low); ties by submission time.', schema: { enum: ['ask', 'bid'] } },
      limitParam,
    ]),
  },
  '/v1/market/cycles/{cycleId}/trades': {
    get: read('getMarketTrades', 'The published result: trades (selling, buying and transaction prices, quantities) and the clearing statistics.', ref('MarketResult'), [
      cycleIdParam,
      { name: 'from', in: 'query', required: false, description: 'First trade index (default 0).', schema: { type: 'integer', minimum: 0 } },
      limitParam,
    ]),
  },
  '/v1/market/orders': {
    post: change(
      'submitMarketOrder',
      'Relay an order signed by the trader\'s registered account.',
      RELAYS,
      [
        'The gateway checks the account\'s signature first (422, code INVALID_SIGNATURE, before any endorsement). A charging pile\'s orders are relayed by the operator\'s gateway (`operator-admin`).',
        'Verified orders are collected for a few milliseconds and submitted together as one `market:SubmitOrders` with the gateway\'s client identity; order `i` of a batch gets the id `<txId>.<i, 2 digits>`. Orders of one account always fall in the same lane, and each lane has one batch in flight until it commits, so an account\'s nonces are applied in the order its orders arrived.',
        'An order the chaincode refuses is answered alone with its own refusal, and the batch is resubmitted without it. The transaction resource is the batch\'s, with `result` the caller\'s own order record (its `orderId`); `batchSize` and `index` say how many orders the batch carried and which one is the caller\'s.',
        'With batching off (`GRIDLEDGER_ORDER_BATCH_MAX=1`), each order is its own `market:SubmitOrder` (`batchSize` 1, the order id is the transaction id).',
      ].join(' '),
      signed('MarketOrderBody'),
      [],
      ref('MarketOrderAccepted'),
    ),
  },
  '/v1/market/orders/cancel': {
    post: change('cancelMarketOrder', 'Relay a signed cancellation of an order while its cycle is open.', RELAYS, 'Submits `market:CancelOrder`.', signed('MarketCancelBody')),
  },
  '/v1/market/obligations/{cycleId}/{index}': {
    get: read('getMarketObligation', 'A trade\'s settlement obligation.', ref('MarketObligation'), [cycleIdParam, indexParam]),
  },
  '/v1/market/obligations/{cycleId}/{index}/invoice': {
    post: change('invoiceMarketObligation', 'Relay the seller\'s signed invoice (hash lock H(R)) for an obligation.', RELAYS, 'Submits `market:InvoiceObligation`; `body.cycleId`/`body.index` must match the path.', signed('MarketInvoiceBody'), [cycleIdParam, indexParam]),
  },
  '/v1/market/obligations/{cycleId}/{index}/ack': {
    post: change('acknowledgeMarketPayment', 'Relay the seller\'s signed acknowledgement that the obligation was paid.', RELAYS, 'Submits `market:AcknowledgePayment`; `body.cycleId`/`body.index` must match the path.', signed('MarketAckBody'), [cycleIdParam, indexParam]),
  },
  '/v1/market/obligations/{cycleId}/{index}/proof': {
    post: change(
      'proveMarketPayment',
      'Prove an invoiced obligation paid by the preimage R of its hash lock (anyone).',
      ALL,
      'Submits `market:ProvePayment`.',
      { type: 'object', additionalProperties: false, required: ['preimage'], properties: { preimage: { type: 'string', pattern: HEX32 } } },
      [cycleIdParam, indexParam],
    ),
  },
  '/v1/market/obligations/{cycleId}/{index}/report': {
    post: change('reportMarketDefault', 'Report an obligation unpaid after its deadline (anyone).', ALL, 'Submits `market:ReportUnpaid`: the defaulting party goes on the public board.', undefined, [cycleIdParam, indexParam]),
  },
  '/v1/market/defaults': {
    get: read('listMarketDefaults', 'The public board of parties reported for unmet obligations.', { type: 'array', items: ref('MarketDefault') }, [
      { name: 'account', in: 'query', required: false, description: 'Only this account (Ed25519 public key, hex).', schema: { type: 'string', pattern: HEX32 } },
    ]),
  },
};

const int = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER };
const pos = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER };
const intOrNull = { type: ['integer', 'null'] };
const account = { type: 'string', pattern: HEX32, description: 'Ed25519 account public key (hex).' };
const nonce = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'The account\'s next nonce.' };

export const marketSchemas: Record<string, Record<string, unknown>> = {
  MarketParams: {
    type: 'object',
    additionalProperties: false,
    required: ['cycleLengthS', 'settlementWindowS', 'pageSize', 'maxTradesPerTx'],
    properties: {
      cycleLengthS: { type: 'integer', minimum: 1, maximum: 2678400 },
      settlementWindowS: { type: 'integer', minimum: 2, maximum: 31536000 },
      pageSize: { type: 'integer', minimum: 1, maximum: 2000 },
      maxTradesPerTx: { type: 'integer', minimum: 1, maximum: 2000 },
    },
  },
  ClearingStats: {
    type: 'object',
    required: ['trades', 'volume', 'value', 'minPrice', 'maxPrice', 'vwap', 'bestUnmatchedAsk', 'bestUnmatchedBid'],
    properties: { trades: int, volume: int, value: int, minPrice: intOrNull, maxPrice: intOrNull, vwap: intOrNull, bestUnmatchedAsk: intOrNull, bestUnmatchedBid: intOrNull },
  },
  MarketCycle: {
    type: 'object',
    required: ['cycleId', 'status', 'openedAt', 'closesAt'],
    properties: {
      cycleId: { type: 'string' },
      status: { enum: ['open', 'closed', 'cleared'] },
      openedAt: int,
      closesAt: int,
      closedAt: int,
      clearedAt: int,
      settlementWindowS: int,
      clearingTxs: int,
      stats: ref('ClearingStats'),
      clearing: { description: 'The clearing cursor (after close).' },
    },
  },
  MarketOrderBody: {
    type: 'object',
    additionalProperties: false,
    required: ['cycleId', 'side', 'price', 'quantity', 'trader', 'account', 'nonce'],
    properties: {
      cycleId: { type: 'string', pattern: ID },
      side: { enum: ['ask', 'bid'], description: 'ask: seller (S_EP, ES); bid: buyer (P_EP, EP).' },
      price: { ...pos, description: 'Payment units per Wh.' },
      quantity: { ...pos, description: 'Wh.' },
      trader: { type: 'string', minLength: 1, maxLength: 128, description: 'The registered (KGC) identity.' },
      account,
      nonce,
      carryFrom: { ...ref('MarketOrderRef'), description: 'Re-price the residual of an unmatched order of a cleared cycle into this one.' },
    },
  },
  MarketOrderRef: {
    type: 'object',
    additionalProperties: false,
    required: ['cycleId', 'orderId', 'side', 'price', 'seq'],
    description: 'Where an order is (orders are keyed by book position): as returned on submission and in every book listing.',
    properties: { cycleId: { type: 'string', pattern: ID }, orderId: { type: 'string', pattern: ID }, side: { enum: ['ask', 'bid'] }, price: pos, seq: int },
  },
  MarketCancelBody: {
    type: 'object',
    additionalProperties: false,
    required: ['cycleId', 'orderId', 'side', 'price', 'seq', 'account', 'nonce'],
    properties: { cycleId: { type: 'string', pattern: ID }, orderId: { type: 'string', pattern: ID }, side: { enum: ['ask', 'bid'] }, price: pos, seq: int, account, nonce },
  },
  MarketInvoiceBody: {
    type: 'object',
    additionalProperties: false,
    required: ['cycleId', 'index', 'hashLock', 'account', 'nonce'],
    properties: { cycleId: { type: 'string', pattern: ID }, index: int, hashLock: { type: 'string', pattern: HEX32 }, account, nonce },
  },
  MarketAckBody: {
    type: 'object',
    additionalProperties: false,
    required: ['cycleId', 'index', 'account', 'nonce'],
    properties: { cycleId: { type: 'string', pattern: ID }, index: int, account, nonce },
  },
  MarketOrder: {
    type: 'object',
    required: ['orderId', 'cycleId', 'side', 'owner', 'trader', 'price', 'quantity', 'seq', 'remaining'],
    properties: {
      orderId: { type: 'string' },
      cycleId: { type: 'string' },
      side: { enum: ['ask', 'bid'] },
      owner: { type: 'string' },
      trader: { type: 'string' },
      price: pos,
      quantity: pos,
      seq: { ...int, description: 'Submission time, microseconds since the epoch.' },
      submittedAt: int,
      filled: int,
      carried: int,
      remaining: int,
    },
  },
  MarketOrderRecord: {
    type: 'object',
    required: ['orderId', 'cycleId', 'side', 'owner', 'trader', 'price', 'quantity', 'seq', 'submittedAt'],
    description: 'An order as the chaincode recorded it on submission.',
    properties: {
      orderId: { type: 'string', description: 'The transaction id (SubmitOrder), or `<txId>.<i>` for order i of a SubmitOrders batch.' },
      cycleId: { type: 'string' },
      side: { enum: ['ask', 'bid'] },
      owner: { type: 'string', description: 'The signing account.' },
      trader: { type: 'string' },
      price: pos,
      quantity: pos,
      seq: { ...int, description: 'Submission time, microseconds since the epoch.' },
      submittedAt: int,
      carriedFrom: ref('MarketOrderRef'),
    },
  },
  MarketOrderAccepted: {
    allOf: [ref('Transaction')],
    type: 'object',
    required: ['batchSize', 'index'],
    properties: {
      result: ref('MarketOrderRecord'),
      batchSize: { type: 'integer', minimum: 1, maximum: 64, description: 'How many orders the transaction carried (1: a lone order, or batching off).' },
      index: { type: 'integer', minimum: 0, maximum: 63, description: 'The caller\'s position in the batch.' },
    },
  },
  MarketObligation: {
    type: 'object',
    required: ['cycleId', 'index', 'askId', 'bidId', 'seller', 'buyer', 'sellPrice', 'buyPrice', 'price', 'quantity', 'payment', 'status', 'deadline'],
    properties: {
      cycleId: { type: 'string' },
      index: int,
      askId: { type: 'string' },
      bidId: { type: 'string' },
      seller: { type: 'string' },
      buyer: { type: 'string' },
      sellerId: { type: 'string' },
      buyerId: { type: 'string' },
      sellPrice: { ...pos, description: 'S_EP of the ask (P_min).' },
      buyPrice: { ...pos, description: 'P_EP of the bid (P_max).' },
      price: { ...pos, description: 'P_fin = floor((P_min + P_max) / 2).' },
      quantity: { ...pos, description: 'C_ES = C_EP, Wh.' },
      payment: { ...pos, description: 'price × quantity, payment units owed by the buyer.' },
      status: { enum: ['unpaid', 'settled', 'defaulted'] },
      clearedAt: int,
      invoiceBy: int,
      deadline: int,
      hashLock: { type: 'string' },
      evidence: { type: 'object' },
      defaulter: { enum: ['buyer', 'seller'] },
    },
  },
  MarketResult: {
    type: 'object',
    required: ['cycleId', 'status', 'stats', 'trades'],
    properties: {
      cycleId: { type: 'string' },
      status: { enum: ['open', 'closed', 'cleared'] },
      stats: { oneOf: [ref('ClearingStats'), { type: 'null' }] },
      trades: { type: 'array', items: ref('MarketObligation') },
    },
  },
  MarketDefault: {
    type: 'object',
    required: ['account', 'trader', 'role', 'reason', 'cycleId', 'index', 'amount', 'deadline', 'reportedAt'],
    properties: {
      account: { type: 'string' },
      trader: { type: 'string' },
      role: { enum: ['buyer', 'seller'] },
      reason: { enum: ['unpaid', 'no-invoice'] },
      cycleId: { type: 'string' },
      index: int,
      amount: int,
      deadline: int,
      reportedAt: int,
    },
  },
};
