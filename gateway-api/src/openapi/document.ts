/**
 * The gateway's contract: an OpenAPI 3.1 document, the source of truth for routing, roles,
 * request validation, the docs page and docs/api.md. A route module can only be mounted for an
 * operation documented here (see http/router.ts), and a documented operation must have a module.
 *
 * Extensions:
 * - `x-roles`: the roles allowed to call the operation, or `["public"]` (no authentication).
 * - `x-idempotent`: the operation changes state and requires an `Idempotency-Key` header.
 */
import { ROLES } from '../config/roles';
import { lendingPaths, lendingSchemas, lendingTags } from './lending';
import { marketPaths, marketSchemas, marketTag } from './market-paths';
import { channelPaths, channelSchemas, channelTags } from './channels';
import { consolePaths, consoleSchemas, consoleTag } from './console-paths';

/** Every role: the usual set for reads. */
export const ALL_ROLES = [...ROLES];

const problemRef = { $ref: '#/components/responses/Problem' };
const problemResponses = (...codes: number[]): Record<string, unknown> =>
  Object.fromEntries(codes.map((c) => [String(c), problemRef]));

/** Responses every authenticated operation can give. */
const authProblems = problemResponses(401, 403, 429, 500, 503);

const txIdParam = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Fabric transaction id (64 hex digits).',
  schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
};

/** The shape of the document as this code uses it (JSON values underneath). */
export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown> & { title: string; version: string; description?: string; summary?: string };
  servers?: unknown[];
  tags?: { name: string; description?: string }[];
  security?: unknown[];
  paths: Record<string, Record<string, unknown>>;
  components: {
    securitySchemes?: Record<string, unknown>;
    parameters?: Record<string, Record<string, unknown>>;
    responses?: Record<string, Record<string, unknown>>;
    schemas: Record<string, Record<string, unknown>>;
  };
}

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'GridLedger gateway API',
    version: '1.0.0',
    summary: 'REST gateway of one GridLedger consortium org, in front of the Fabric channel `energy`.',
    description: [
      'Each org runs its own gateway, which signs with its own org\'s Fabric identity.',
      '',
      '**Authentication.** Send an API key in `X-API-Key` (or `Authorization: Bearer <key>`), or present a client',
      'certificate when the gateway runs with mutual TLS. Each caller has one role: `utility-admin`, `guarantor-admin`,',
      '`operator-admin` or `user-relay`; each operation lists the roles it allows (`x-roles`).',
      '',
      '**Errors** are `application/problem+json` (RFC 9457) with a stable `type` URN per kind of error, listed in',
      '`components.schemas.Problem`. Chaincode refusals keep the chaincode\'s message in `detail` and its code in `code`.',
      '',
      '**Idempotency.** Every state-changing operation requires an `Idempotency-Key` header (1-128 visible ASCII',
      'characters). Repeating a key with the same body replays the first response (header `Idempotent-Replayed: true`)',
      'without a second transaction; with another body the answer is 422; while the first request is still running, 409.',
      'Keys are kept in the gateway store, so they survive restarts, and are scoped to the caller.',
      '',
      '**Asynchronous submit.** A submit answers `202 Accepted` with a transaction resource (`Location:',
      '/v1/transactions/{id}`) whose `status` moves from `endorsed` to `committed`, or to `rejected` with the Fabric',
      'validation code. Add `?wait=true` to wait for the commit, or poll `GET /v1/transactions/{id}?wait=true`.',
      '',
      '**Events.** `GET /v1/events` is a Server-Sent Events stream of the chaincode\'s events. Each event\'s `id` is a',
      'sequence number the gateway store assigns in ledger order; reconnect with `Last-Event-ID` (or `?after=`) to',
      'resume with no loss and no duplicate.',
    ].join('\n'),
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  },
  servers: [{ url: '/', description: 'this gateway' }],
  tags: [
    { name: 'params', description: 'Governed platform parameters (lending paper, setup phase).' },
    { name: 'transactions', description: 'Status of submitted transactions.' },
    { name: 'events', description: 'Chaincode event stream.' },
    { name: 'operations', description: 'Health, readiness, metrics and this document.' },
    ...lendingTags,
    marketTag,
    ...channelTags,
    consoleTag,
  ],
  security: [{ apiKey: [] }, { bearer: [] }, { mutualTLS: [] }],
  paths: {
    '/healthz': {
      get: {
        operationId: 'getHealth',
        tags: ['operations'],
        summary: 'Liveness: the process is up.',
        security: [],
        'x-roles': ['public'],
        responses: {
          '200': { description: 'The process is up.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } } },
        },
      },
    },
    '/readyz': {
      get: {
        operationId: 'getReadiness',
        tags: ['operations'],
        summary: 'Readiness: the org\'s peer is reachable and the store is writable.',
        security: [],
        'x-roles': ['public'],
        responses: {
          '200': { description: 'Ready to serve.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
          '503': { description: 'Not ready; `checks` says which dependency failed.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        tags: ['operations'],
        summary: 'Prometheus metrics.',
        description:
          'Request latency histograms by route, Fabric endorse/commit/evaluate latency, proof verification time, channel updates, event ingestion, idempotent replays and rate-limit refusals, plus the process metrics.',
        security: [],
        'x-roles': ['public'],
        responses: { '200': { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        tags: ['operations'],
        summary: 'This OpenAPI 3.1 document.',
        security: [],
        'x-roles': ['public'],
        responses: { '200': { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
    '/docs': {
      get: {
        operationId: 'getDocs',
        tags: ['operations'],
        summary: 'Readable API documentation (a self-contained HTML page rendered from this document).',
        security: [],
        'x-roles': ['public'],
        responses: { '200': { description: 'HTML page.', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    },
    '/v1/params/lending': {
      get: {
        operationId: 'getLendingParams',
        tags: ['params'],
        summary: 'The lending parameters in force.',
        description: 'Evaluates `params:GetLendingParams` on the org\'s peer.',
        'x-roles': ALL_ROLES,
        responses: {
          '200': { description: 'The published parameters and their version.', content: { 'application/json': { schema: { $ref: '#/components/schemas/PublishedLendingParams' } } } },
          ...problemResponses(404),
          ...authProblems,
        },
      },
      put: {
        operationId: 'setLendingParams',
        tags: ['params'],
        summary: 'Publish new lending parameters (Utility only).',
        description:
          'Submits `params:SetLendingParams` with the Utility\'s admin identity. Answers 202 with the transaction resource; with `wait=true`, waits for the commit and answers 200 (or 202 if the wait timed out).',
        'x-roles': ['utility-admin'],
        'x-idempotent': true,
        parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }, { $ref: '#/components/parameters/Wait' }],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/LendingParams' } } },
        },
        responses: {
          '200': { description: 'Committed or rejected (with `wait=true`).', content: { 'application/json': { schema: { $ref: '#/components/schemas/Transaction' } } } },
          '202': {
            description: 'Endorsed and sent to the orderers.',
            headers: { Location: { description: 'The transaction resource.', schema: { type: 'string' } } },
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Transaction' } } },
          },
          ...problemResponses(400, 409, 413, 415, 422),
          ...authProblems,
        },
      },
    },
    '/v1/params/lending/history': {
      get: {
        operationId: 'getLendingParamsHistory',
        tags: ['params'],
        summary: 'Every version of the lending parameters ever published, oldest first.',
        'x-roles': ALL_ROLES,
        responses: {
          '200': {
            description: 'The versions.',
            content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/PublishedLendingParams' } } } },
          },
          ...authProblems,
        },
      },
    },
    '/v1/transactions/{id}': {
      get: {
        operationId: 'getTransaction',
        tags: ['transactions'],
        summary: 'A submitted transaction\'s status.',
        'x-roles': ALL_ROLES,
        parameters: [
          txIdParam,
          { $ref: '#/components/parameters/Wait' },
          {
            name: 'timeout',
            in: 'query',
            required: false,
            description: 'With `wait=true`: seconds to wait at most (default 30).',
            schema: { type: 'integer', minimum: 1, maximum: 60 },
          },
        ],
        responses: {
          '200': { description: 'The transaction.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Transaction' } } } },
          ...problemResponses(400, 404),
          ...authProblems,
        },
      },
    },
    '/v1/events': {
      get: {
        operationId: 'streamEvents',
        tags: ['events'],
        summary: 'Server-Sent Events stream of the chaincode\'s events, resumable.',
        description: [
          'Each message has `id:` (the event\'s sequence number), `event:` (the chaincode event name) and `data:` (an',
          '`Event` object as JSON). Without `Last-Event-ID` or `after`, the stream starts at the next event. A comment',
          'line is sent every 15 s to keep proxies from closing the connection.',
        ].join('\n'),
        'x-roles': ALL_ROLES,
        parameters: [
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            description: 'The last event id received; the stream resumes right after it.',
            schema: { type: 'string', pattern: '^[0-9]{1,15}$' },
          },
          {
            name: 'after',
            in: 'query',
            required: false,
            description: 'Same as `Last-Event-ID` for clients that cannot set headers; `0` replays from the first event.',
            schema: { type: 'integer', minimum: 0 },
          },
          {
            name: 'name',
            in: 'query',
            required: false,
            description: 'Only events with this chaincode event name.',
            schema: { type: 'string', maxLength: 128 },
          },
        ],
        responses: {
          '200': {
            description: 'The stream (`text/event-stream`); each `data:` line is an `Event`.',
            content: { 'text/event-stream': { schema: { type: 'string' }, 'x-event-schema': { $ref: '#/components/schemas/Event' } } },
          },
          ...problemResponses(400),
          ...authProblems,
        },
      },
    },
    ...lendingPaths,
    ...marketPaths,
    ...channelPaths,
    ...consolePaths,
  },
  components: {
    securitySchemes: {
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key issued to the caller.' },
      bearer: { type: 'http', scheme: 'bearer', description: 'The same API key as a bearer token.' },
      mutualTLS: { type: 'mutualTLS', description: 'A client certificate whose subject CN/OU maps to a role.' },
    },
    parameters: {
      IdempotencyKey: {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        description: 'Unique per intended change; repeat it to retry safely.',
        schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,128}$' },
      },
      Wait: {
        name: 'wait',
        in: 'query',
        required: false,
        description: 'Wait for the transaction to be committed (or rejected) before answering.',
        schema: { type: 'boolean', default: false },
      },
    },
    responses: {
      Problem: {
        description: 'An error, as RFC 9457 problem details.',
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      },
    },
    schemas: {
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status'],
        description:
          'Problem types: urn:gridledger:problem: validation, invalid-argument, malformed-json, unsupported-media-type, payload-too-large, unauthenticated, forbidden, not-found, method-not-allowed, rate-limited, idempotency-key-missing, idempotency-key-reused, idempotency-key-in-flight, chaincode-forbidden, chaincode-invalid-argument, chaincode-not-found, chaincode-conflict, chaincode-rejected, ledger-unavailable, not-ready, internal.',
        properties: {
          type: { type: 'string', pattern: '^urn:gridledger:problem:[a-z-]+$' },
          title: { type: 'string' },
          status: { type: 'integer', minimum: 400, maximum: 599 },
          detail: { type: 'string' },
          instance: { type: 'string' },
          requestId: { type: 'string' },
          code: { type: 'string', description: 'The chaincode\'s refusal code, e.g. ACCESS_DENIED, INVALID_ARGUMENT.' },
          transactionId: { type: 'string' },
          errors: {
            type: 'array',
            items: {
              type: 'object',
              required: ['location', 'message'],
              properties: { location: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
      Health: { type: 'object', required: ['status'], properties: { status: { const: 'ok' }, uptimeSeconds: { type: 'number' } } },
      Readiness: {
        type: 'object',
        required: ['status', 'checks'],
        properties: {
          status: { enum: ['ready', 'not-ready'] },
          checks: {
            type: 'object',
            required: ['peer', 'store'],
            properties: { peer: { type: 'string' }, store: { type: 'string' }, events: { type: 'string' } },
          },
        },
      },
      MinScoreTier: {
        type: 'object',
        additionalProperties: false,
        required: ['maxAmountWh', 'maxDurationS', 'minScore'],
        properties: {
          maxAmountWh: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Covers loans of at most this many Wh...' },
          maxDurationS: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: '...lasting at most this many seconds.' },
          minScore: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'The minimum credit score C(M, D).' },
        },
      },
      LendingParams: {
        type: 'object',
        additionalProperties: false,
        description: 'Integers only: amounts in Wh, times in seconds, rates in basis points, weights in percent (W_b + W_g = 100).',
        required: ['W_b', 'W_g', 'minScoreTable', 'expiry', 'interestBps', 'latePenaltyBps', 'defaultFineBps', 'traceWindowS', 'missedTraceFineBps', 'poolDenominationsWh'],
        properties: {
          W_b: { type: 'integer', minimum: 0, maximum: 100, description: 'Borrower credit weight, percent.' },
          W_g: { type: 'integer', minimum: 0, maximum: 100, description: 'Guarantor credit weight, percent.' },
          minScoreTable: { type: 'array', minItems: 1, maxItems: 64, items: { $ref: '#/components/schemas/MinScoreTier' }, description: 'C(M, D) as a table.' },
          expiry: {
            type: 'object',
            additionalProperties: false,
            required: ['graceS'],
            properties: { graceS: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } },
            description: 'E(D) = borrow time + D + graceS.',
          },
          interestBps: { type: 'integer', minimum: 0, maximum: 100000 },
          latePenaltyBps: { type: 'integer', minimum: 0, maximum: 100000 },
          defaultFineBps: { type: 'integer', minimum: 0, maximum: 100000 },
          traceWindowS: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          missedTraceFineBps: { type: 'integer', minimum: 0, maximum: 100000 },
          poolDenominationsWh: { type: 'array', minItems: 1, maxItems: 16, uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
      },
      PublishedLendingParams: {
        type: 'object',
        required: ['params', 'version', 'updatedAt', 'updatedBy', 'txId'],
        properties: {
          params: { $ref: '#/components/schemas/LendingParams' },
          version: { type: 'integer', minimum: 1 },
          updatedAt: { type: 'integer', description: 'Transaction time, seconds since the epoch.' },
          updatedBy: { type: 'string', description: 'MSP id of the publishing org.' },
          txId: { type: 'string' },
        },
      },
      Transaction: {
        type: 'object',
        required: ['id', 'function', 'status', 'createdAt', 'updatedAt', 'links'],
        properties: {
          id: { type: 'string', pattern: '^[0-9a-f]{64}$' },
          function: { type: 'string', description: 'Chaincode function, e.g. params:SetLendingParams.' },
          status: {
            enum: ['endorsed', 'committed', 'rejected'],
            description: 'endorsed: sent to the orderers; committed: valid in a block; rejected: invalidated at commit (see validationCode).',
          },
          validationCode: { type: 'string', description: 'Fabric validation code: VALID, MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE, ...' },
          blockNumber: { type: 'integer', minimum: 0 },
          result: { description: 'The chaincode\'s return value (parsed JSON when it is JSON).' },
          submittedBy: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
          links: { type: 'object', required: ['self'], properties: { self: { type: 'string' } } },
        },
      },
      Event: {
        type: 'object',
        required: ['id', 'blockNumber', 'transactionId', 'eventName', 'payload'],
        properties: {
          id: { type: 'string', pattern: '^[0-9]+$', description: 'Sequence number; also the SSE id.' },
          blockNumber: { type: 'integer', minimum: 0 },
          transactionId: { type: 'string' },
          eventName: { type: 'string' },
          payload: { description: 'The event payload: parsed JSON when it is JSON, else base64 in `payloadBase64`.' },
          payloadBase64: { type: 'string' },
        },
      },
      ...lendingSchemas,
      ...marketSchemas,
      ...channelSchemas,
      ...consoleSchemas,
    },
  },
};

/** One documented operation, flattened. */
export interface DocumentedOperation {
  operationId: string;
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template, e.g. `/v1/transactions/{id}`. */
  path: string;
  roles: readonly string[];
  idempotent: boolean;
  spec: Record<string, unknown>;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;

/** Lists the document's operations. */
export function documentedOperations(doc: Pick<OpenApiDocument, 'paths'> = openApiDocument): DocumentedOperation[] {
  const out: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Record<string, unknown> | undefined>)[method];
      if (!op) continue;
      out.push({
        operationId: String(op.operationId),
        method,
        path,
        roles: (op['x-roles'] as string[] | undefined) ?? [],
        idempotent: op['x-idempotent'] === true,
        spec: op,
      });
    }
  }
  return out;
}
