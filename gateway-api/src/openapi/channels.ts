/**
 * The payment-channel part of the OpenAPI document (broker, held states, routing), merged into
 * `document.ts`. The broker itself is a WebSocket: its messages are documented in docs/channels.md
 * ("Broker protocol") and in `gateway-api/src/channels/protocol.ts`.
 */
import { ROLES } from '../config/roles';

const ALL = [...ROLES];
const problemRef = { $ref: '#/components/responses/Problem' };
const problems = (...codes: number[]): Record<string, unknown> => Object.fromEntries(codes.map((c) => [String(c), problemRef]));
const auth = problems(401, 403, 429, 500, 503);
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const CHANNEL_ID = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,128}$' };
const AMOUNT = { type: 'string', pattern: '^(0|[1-9][0-9]{0,18})$', description: 'Integer amount as a decimal string.' };
const NODE = { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' };
const SIDE = { enum: ['a', 'b'] };

export const channelTags = [{ name: 'channels', description: 'Payment channel broker, watchtower state and routing (trading paper, multi-hop).' }];

export const channelPaths: Record<string, Record<string, unknown>> = {
  '/v1/channels/broker': {
    get: {
      operationId: 'openChannelBroker',
      tags: ['channels'],
      summary: 'The channel broker: a WebSocket (send `Upgrade: websocket`).',
      description: [
        'Parties exchange channel updates (propose, accept, revoke) through this WebSocket. The broker proves each party by',
        'its channel key registered on chain (`hello` signed over a per-connection nonce), checks both signatures of every',
        'co-signed state against those keys (each with the revocation lock it binds), the conservation of the on-chain',
        'total, that versions rise by exactly one, and that every revocation secret opens its party\'s lock, and writes them',
        'durably (group commit) before it acknowledges or relays them. Only a',
        'message with an `id` is acknowledged (refusals always are): a party that needs no ack leaves it out.',
        'Messages for an offline party are queued durably (at most 64 per party and channel). The message list is in',
        'docs/channels.md, "Broker protocol". A plain GET (no upgrade) answers 426.',
      ].join('\n'),
      'x-roles': ALL,
      responses: {
        '101': { description: 'Switching to the WebSocket protocol.' },
        ...problems(426),
        ...auth,
      },
    },
  },
  '/v1/channels/route': {
    get: {
      operationId: 'findChannelRoute',
      tags: ['channels'],
      summary: 'Cheapest route over the channels the broker knows, for a multi-hop payment.',
      description: [
        'Edges are the channels whose two parties announced a node name in `hello`, with the liquidity of the latest',
        'co-signed state the broker holds (or the deposits) and each forwarding node\'s fee policy. Locks grow by',
        '`lockDelta` per hop from `now + finalLockDelta` at the target. Errors are problem documents with `code`:',
        '`no-route` (NO_ROUTE), `insufficient-capacity` (INSUFFICIENT_CAPACITY: paths exist but none can carry the amount,',
        'typically no inbound liquidity), `route-too-long`, `fee-limit-exceeded`, `lock-limit-exceeded`.',
      ].join('\n'),
      'x-roles': ALL,
      parameters: [
        { name: 'source', in: 'query', required: true, schema: NODE, description: 'Paying node.' },
        { name: 'target', in: 'query', required: true, schema: NODE, description: 'Receiving node.' },
        { name: 'amount', in: 'query', required: true, schema: AMOUNT, description: 'Amount the target receives.' },
        { name: 'finalLockDelta', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1209600, default: 3600 } },
        { name: 'lockDelta', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1209600, default: 600 } },
        { name: 'maxHops', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 20, default: 20 } },
        { name: 'maxFee', in: 'query', required: false, schema: AMOUNT },
        { name: 'exclude', in: 'query', required: false, schema: { type: 'string', maxLength: 4096 }, description: 'Comma-separated channel ids to avoid.' },
      ],
      responses: {
        '200': { description: 'The route, its fees and locks.', content: json(ref('ChannelRoute')) },
        ...problems(400, 404, 422),
        ...auth,
      },
    },
  },
  '/v1/channels/{channelId}/state': {
    get: {
      operationId: 'getChannelState',
      tags: ['channels'],
      summary: 'What the broker holds for a channel: the latest co-signed state and each party\'s highest revocation.',
      description: 'Bounded whatever the channel\'s age. A wallet restoring from a backup fetches this before any close.',
      'x-roles': ALL,
      parameters: [{ name: 'channelId', in: 'path', required: true, schema: CHANNEL_ID }],
      responses: {
        '200': { description: 'The held state.', content: json(ref('HeldChannelState')) },
        ...problems(400, 404),
        ...auth,
      },
    },
  },
};

export const channelSchemas: Record<string, Record<string, unknown>> = {
  ChannelRoute: {
    type: 'object',
    required: ['hops', 'amount', 'totalAmount', 'totalFees'],
    properties: {
      amount: AMOUNT,
      totalAmount: { ...AMOUNT, description: 'Sent by the source (amount plus fees).' },
      totalFees: AMOUNT,
      hops: {
        type: 'array',
        items: {
          type: 'object',
          required: ['channelId', 'from', 'to', 'fromSide', 'amount', 'fee', 'timeLock'],
          properties: {
            channelId: CHANNEL_ID,
            from: NODE,
            to: NODE,
            fromSide: SIDE,
            amount: AMOUNT,
            fee: { ...AMOUNT, description: 'Kept by `to` for forwarding onward (0 on the last hop).' },
            timeLock: { type: 'integer', description: 'HTLC lock of this hop, unix seconds; shrinking toward the target.' },
          },
        },
      },
    },
  },
  HeldChannelState: {
    type: 'object',
    required: ['channelId', 'version', 'signed', 'revocations', 'nodes'],
    properties: {
      channelId: CHANNEL_ID,
      version: { type: 'integer', minimum: 0, description: 'Version of the latest co-signed state held (0: none).' },
      signed: {
        description: 'The latest co-signed state `{state, sigs: {a, b}, locks: {a, b}}` (null if none); each signature binds its side\'s revocation lock.',
        oneOf: [{ type: 'null' }, { type: 'object', required: ['state', 'sigs'], properties: { state: { type: 'object' }, sigs: { type: 'object' }, locks: { type: 'object' } } }],
      },
      revocations: { type: 'object', description: 'Each party\'s highest revocation `{channelId, party, below, secret}`: `sha256(secret)` is the lock that party bound into its signature on version `below`.' },
      nodes: { type: 'object', description: 'Each party\'s routing announcement `{node, policy}`.' },
    },
  },
};
