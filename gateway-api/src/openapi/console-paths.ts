/**
 * The web console's part of the OpenAPI document, merged into `document.ts`: the public board's
 * reads (no authentication), the caller's session, network health, the transaction view, record
 * provenance (which transactions made a record), payment channels by state, and the guarantor's and
 * operator's own views. The console itself (static files) is served at `/console/`, outside `/v1`.
 */
import { ROLES } from '../config/roles';

const ALL = [...ROLES];
const ADMINS = ['utility-admin', 'guarantor-admin', 'operator-admin'];
const problemRef = { $ref: '#/components/responses/Problem' };
const problems = (...codes: number[]): Record<string, unknown> => Object.fromEntries(codes.map((c) => [String(c), problemRef]));
const auth = problems(401, 403, 429, 500, 503);
const open = problems(429, 500, 503);
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const arrayOf = (name: string) => ({ type: 'array', items: ref(name) });
const TX_ID = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const MSP = { type: 'string', enum: ['GuarantorAMSP', 'GuarantorBMSP'] };

/** The chaincode event names the public stream carries (the board's, the parameters', the scores'). */
export const PUBLIC_EVENT_NAMES = [
  'LendingParamsChanged',
  'GuarantorRegistered',
  'LoansTaken',
  'LoanRepaid',
  'LoanDefaulted',
  'TraceSharePublished',
  'DefaulterPublished',
  'GuarantorPenalized',
  'PoolCreated',
  'PoolOpened',
  'PoolRefunding',
  'PoolClosed',
];

function publicGet(operationId: string, summary: string, description: string, schema: unknown, params: unknown[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    operationId,
    tags: ['console'],
    summary,
    description,
    security: [],
    'x-roles': ['public'],
    ...(params.length ? { parameters: params } : {}),
    responses: { '200': { description: 'OK.', content: json(schema) }, ...extra, ...open },
  };
}

function get(operationId: string, roles: string[], summary: string, description: string, schema: unknown, params: unknown[] = [], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    operationId,
    tags: ['console'],
    summary,
    description,
    'x-roles': roles,
    ...(params.length ? { parameters: params } : {}),
    responses: { '200': { description: 'OK.', content: json(schema) }, ...extra, ...auth },
  };
}

export const consoleTag = { name: 'console', description: 'Reads for the web console (served at `/console/`): the public board, network health, transaction views, provenance, and each org\'s own view.' };

export const consolePaths: Record<string, Record<string, unknown>> = {
  '/v1/session': {
    get: get('getSession', ALL, 'Who the caller is: its id, role and the gateway\'s org.', 'What the console shows after sign-in: which pages the role may open, and which org\'s data this gateway serves.', ref('Session')),
  },
  '/v1/public/board': {
    get: publicGet('getPublicBoard', 'The public board of traced defaulters (no authentication).', 'Each traced defaulter with its loan, guarantor, trace time, fine and debt, and the transaction that published it. Evaluates `loan:GetBoard`.', arrayOf('BoardEntry')),
  },
  '/v1/public/blocklist': {
    get: publicGet('getPublicBlocklist', 'The blocklist (no authentication).', 'Every blocklisted identity with the loan that put it there and since when. Evaluates `loan:GetBlocklist`.', arrayOf('BlocklistEntry')),
  },
  '/v1/public/params': {
    get: publicGet('getPublicParams', 'The lending parameters in force (no authentication): W_b, W_g, C(M, D), E(D).', 'Evaluates `params:GetLendingParams`; 404 before the Utility has published any.', ref('PublishedLendingParams'), [], problems(404)),
  },
  '/v1/public/guarantors': {
    get: publicGet('listPublicGuarantors', 'Guarantors with their score C_g and its history (no authentication).', 'Each registered guarantor\'s current C_g, its registry size and every score change with the transaction that made it.', arrayOf('PublicGuarantor')),
  },
  '/v1/public/events': {
    get: {
      operationId: 'streamPublicEvents',
      tags: ['console'],
      summary: 'Server-Sent Events of the public board\'s events (no authentication).',
      description: [
        `Like \`GET /v1/events\`, limited to the events the public board is made of: ${PUBLIC_EVENT_NAMES.map((n) => `\`${n}\``).join(', ')}.`,
        'Resumable with `Last-Event-ID` or `after` (event ids are the gateway log\'s sequence numbers, so ids skip the events left out).',
        'The authenticated console reads `GET /v1/events` with `fetch` and its API key in a header, so no key ever goes into a URL.',
      ].join(' '),
      security: [],
      'x-roles': ['public'],
      parameters: [
        { name: 'Last-Event-ID', in: 'header', required: false, description: 'The last event id received; the stream resumes right after it.', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
        { name: 'after', in: 'query', required: false, description: 'Same as `Last-Event-ID`; `0` replays from the first event.', schema: { type: 'integer', minimum: 0 } },
      ],
      responses: {
        '200': { description: 'The stream (`text/event-stream`); each `data:` line is an `Event`.', content: { 'text/event-stream': { schema: { type: 'string' }, 'x-event-schema': ref('Event') } } },
        ...problems(400),
        ...open,
      },
    },
  },
  '/v1/ledger/transactions/{txId}': {
    get: publicGet(
      'getLedgerTransaction',
      'A committed transaction as the ledger holds it (no authentication).',
      'Read from its block through the query system chaincode (qscc `GetBlockByTxID`): block, time, validation code, submitting and endorsing orgs, chaincode function, and the event it emitted. Arguments are given by count and size only. The event payload is shown to authenticated callers, and to anyone for the public board\'s events.',
      ref('LedgerTransaction'),
      [{ name: 'txId', in: 'path', required: true, description: 'Fabric transaction id (64 hex digits).', schema: TX_ID }],
      problems(400, 404),
    ),
  },
  '/v1/ledger/provenance/{kind}': {
    get: get(
      'getProvenance',
      ALL,
      'Which transactions made each record of a kind (pools, loans, cycles, piles, channels, guarantors, parameters).',
      'From the gateway\'s event log: for each record id, its first transactions and its latest ones (at most 15), oldest first, so a figure can link to the transaction that made it.',
      { type: 'object', additionalProperties: arrayOf('Provenance') },
      [{ name: 'kind', in: 'path', required: true, description: 'Record kind.', schema: { enum: ['pool', 'loan', 'cycle', 'pile', 'channel', 'guarantor', 'params'] } }],
      problems(400),
    ),
  },
  '/v1/network/health': {
    get: get(
      'getNetworkHealth',
      ADMINS,
      'Health of every peer and orderer (their operations `/healthz`), the chaincode and this gateway.',
      'The nodes come from the connection profile (`operationsEndpoint` of each peer and orderer); each is probed with a 2 s timeout. The chaincode counts as up when it answers a query through the org\'s peer. `status` is `down` when this gateway or the chaincode cannot serve, `degraded` when any node is not ok.',
      ref('NetworkHealth'),
    ),
  },
  '/v1/channels': {
    get: get(
      'listChannels',
      ALL,
      'Payment channels by state (open, closing, closed), from the event log.',
      'Each channel opened on chain as this gateway\'s event log saw it, with its parties, deposits, state, the transaction that opened it and the latest one. At most `limit`, newest first.',
      { type: 'object', required: ['counts', 'channels'], properties: { counts: { type: 'object', additionalProperties: { type: 'integer' } }, channels: arrayOf('ChannelSummary') } },
      [
        { name: 'status', in: 'query', required: false, description: 'Only channels in this state.', schema: { enum: ['open', 'closing', 'closed'] } },
        { name: 'limit', in: 'query', required: false, description: 'At most this many channels (default 200).', schema: { type: 'integer', minimum: 1, maximum: 2000, default: 200 } },
      ],
      problems(400),
    ),
  },
  '/v1/guarantors/{msp}/dashboard': {
    get: get(
      'getGuarantorDashboard',
      ['guarantor-admin'],
      'A guarantor\'s own view: registry size, outstanding loans, defaults awaiting its decryption share with the time left, score history.',
      'Only the guarantor whose gateway this is may read it: any other `msp` is refused with 403, whoever asks. Loans are shown as the ledger shows them, anonymous until traced.',
      ref('GuarantorDashboard'),
      [{ name: 'msp', in: 'path', required: true, description: 'Guarantor MSP id: must be this gateway\'s org.', schema: MSP }],
      problems(400, 404),
    ),
  },
  '/v1/operator/dashboard': {
    get: get(
      'getOperatorDashboard',
      ['operator-admin', 'utility-admin'],
      'The charging-pile operator\'s view: its piles with power and locked collateral, their payment channels and recent settlements.',
      'Piles from `kgc:ListPiles` (those registered by OperatorMSP), each with the transaction that registered it; channels whose party is one of the piles (by KGC identity or collateral account), and the latest channel and market settlements of those channels and accounts.',
      ref('OperatorDashboard'),
    ),
  },
};

const PROVENANCE = { type: 'array', items: ref('Provenance') };

export const consoleSchemas: Record<string, Record<string, unknown>> = {
  Session: {
    type: 'object',
    required: ['callerId', 'role', 'org', 'msp'],
    properties: { callerId: { type: 'string' }, role: { enum: ALL }, org: { type: 'string', description: 'The gateway\'s org short name.' }, msp: { type: 'string', description: 'The gateway\'s org MSP id.' } },
  },
  BoardEntry: {
    type: 'object',
    required: ['identity', 'loanId', 'guarantor', 'tracedAt', 'txId'],
    properties: {
      identity: { type: 'string' }, loanId: { type: 'string' }, poolId: { type: 'string' }, guarantor: { type: 'string' }, amount: { type: 'integer' },
      debtWh: { type: 'integer' }, fineWh: { type: 'integer' }, fineCollectedWh: { type: 'integer' }, tracedAt: { type: 'integer', description: 'Seconds since the epoch.' }, txId: TX_ID,
    },
  },
  BlocklistEntry: { type: 'object', required: ['identity', 'loanId'], properties: { identity: { type: 'string' }, loanId: { type: 'string' }, since: { type: 'integer' }, txId: TX_ID } },
  ScoreChange: {
    type: 'object',
    required: ['txId', 'delta', 'at', 'score'],
    properties: { txId: TX_ID, delta: { type: 'integer' }, at: { type: 'integer' }, reason: { type: 'string' }, score: { type: 'integer', description: 'C_g after this change.' } },
  },
  PublicGuarantor: {
    type: 'object',
    required: ['msp', 'score', 'baseScore', 'history'],
    properties: {
      msp: { type: 'string' }, name: { type: 'string' }, guarantorId: { type: 'integer' }, score: { type: 'integer' }, baseScore: { type: 'integer' },
      registeredAt: { type: 'integer' }, registeredTxId: TX_ID, registrySize: { type: 'integer' }, history: { type: 'array', items: ref('ScoreChange') },
    },
  },
  Provenance: {
    type: 'object',
    required: ['txId', 'eventName', 'blockNumber'],
    properties: { txId: TX_ID, eventName: { type: 'string' }, blockNumber: { type: 'integer' }, seq: { type: 'integer' } },
  },
  LedgerTransaction: {
    type: 'object',
    required: ['txId', 'blockNumber', 'timestamp', 'validationCode', 'valid', 'creatorMsp', 'endorsers', 'argCount', 'argBytes'],
    properties: {
      txId: TX_ID, blockNumber: { type: 'integer' }, timestamp: { type: 'string', format: 'date-time' }, validationCode: { type: 'string' }, valid: { type: 'boolean' },
      creatorMsp: { type: 'string' }, endorsers: { type: 'array', items: { type: 'string' } }, chaincode: { type: 'string' }, function: { type: 'string' },
      argCount: { type: 'integer' }, argBytes: { type: 'integer' }, transactionsInBlock: { type: 'integer' },
      event: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, payload: {}, payloadHidden: { type: 'boolean' } } },
    },
  },
  NodeHealth: {
    type: 'object',
    required: ['name', 'kind', 'status'],
    properties: { name: { type: 'string' }, kind: { enum: ['peer', 'orderer', 'chaincode', 'gateway'] }, endpoint: { type: 'string' }, status: { enum: ['ok', 'degraded', 'down'] }, latencyMs: { type: 'integer' }, detail: { type: 'string' } },
  },
  NetworkHealth: {
    type: 'object',
    required: ['status', 'checkedAt', 'nodes'],
    properties: { status: { enum: ['ok', 'degraded', 'down'] }, checkedAt: { type: 'string', format: 'date-time' }, nodes: { type: 'array', items: ref('NodeHealth') } },
  },
  ChannelSummary: {
    type: 'object',
    required: ['channelId', 'status', 'openedTxId', 'lastTxId', 'lastEvent', 'blockNumber'],
    properties: {
      channelId: { type: 'string' }, status: { enum: ['open', 'closing', 'closed'] }, accounts: { type: 'object' }, identities: { type: 'object' }, deposits: { type: 'object' },
      openedTxId: TX_ID, lastTxId: TX_ID, lastEvent: { type: 'string' }, blockNumber: { type: 'integer' }, settlement: { type: 'object' },
    },
  },
  AwaitingShare: {
    type: 'object',
    required: ['loanId', 'poolId', 'amount', 'traceDeadline', 'secondsLeft', 'utilityShare', 'txId'],
    properties: {
      loanId: { type: 'string' }, poolId: { type: 'string' }, amount: { type: 'integer' }, defaultedAt: { type: 'integer' }, traceDeadline: { type: 'integer' },
      secondsLeft: { type: 'integer', description: 'Until the trace window closes; negative once it has (the guarantor may be fined).' },
      utilityShare: { type: 'boolean', description: 'Whether the Utility has published its share.' }, txId: TX_ID, defaultTxId: TX_ID,
    },
  },
  GuarantorDashboard: {
    type: 'object',
    required: ['msp', 'score', 'registrySize', 'outstanding', 'awaitingShare', 'history'],
    properties: {
      msp: { type: 'string' }, name: { type: 'string' }, score: { type: 'integer' }, registrySize: { type: 'integer' }, registryRoot: { type: 'string' },
      outstanding: { type: 'array', items: { type: 'object' } }, awaitingShare: { type: 'array', items: ref('AwaitingShare') },
      history: { type: 'array', items: ref('ScoreChange') }, now: { type: 'integer' },
    },
  },
  OperatorPile: {
    type: 'object',
    required: ['id', 'powerW', 'collateral', 'status', 'provenance'],
    properties: { id: { type: 'string' }, powerW: { type: 'integer' }, collateral: { type: 'integer' }, collateralAccount: { type: 'string' }, status: { type: 'string' }, registeredAt: { type: 'integer' }, provenance: PROVENANCE },
  },
  OperatorDashboard: {
    type: 'object',
    required: ['piles', 'channels', 'settlements'],
    properties: {
      piles: { type: 'array', items: ref('OperatorPile') },
      channels: { type: 'array', items: ref('ChannelSummary') },
      settlements: { type: 'array', items: { type: 'object', required: ['kind', 'txId', 'eventName', 'payload'], properties: { kind: { enum: ['channel', 'market'] }, txId: TX_ID, blockNumber: { type: 'integer' }, eventName: { type: 'string' }, payload: { type: 'object' } } } },
    },
  },
};
