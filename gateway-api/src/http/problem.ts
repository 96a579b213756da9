import type { Response } from 'express';
import { LedgerError } from '../fabric/ledger';

/** Every problem type the gateway answers with: slug → [HTTP status, title]. Stable: clients match on them. */
export const PROBLEM_TYPES = {
  validation: [400, 'The request does not match the API schema'],
  'invalid-argument': [422, 'The request is well-formed but its values are not acceptable'],
  'malformed-json': [400, 'The request body is not valid JSON'],
  'unsupported-media-type': [415, 'The request body must be application/json'],
  'payload-too-large': [413, 'The request body is too large'],
  unauthenticated: [401, 'Authentication required'],
  forbidden: [403, 'Your role may not call this operation'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  'rate-limited': [429, 'Too many requests'],
  'idempotency-key-missing': [400, 'This operation requires an Idempotency-Key header'],
  'idempotency-key-reused': [422, 'This Idempotency-Key was used with a different request'],
  'idempotency-key-in-flight': [409, 'A request with this Idempotency-Key is still being processed'],
  'chaincode-forbidden': [403, 'The chaincode refused this org or identity'],
  'chaincode-invalid-argument': [422, 'The chaincode rejected the arguments'],
  'chaincode-not-found': [404, 'The chaincode found no such record'],
  'chaincode-conflict': [409, 'The chaincode found a conflicting state'],
  'chaincode-rejected': [422, 'The chaincode rejected the transaction'],
  'ledger-unavailable': [503, 'The Fabric network is unavailable'],
  'not-ready': [503, 'The gateway is not ready'],
  'upgrade-required': [426, 'This resource is a WebSocket; send Upgrade: websocket'],
  'no-route': [404, 'No path between the two nodes'],
  'insufficient-capacity': [422, 'Paths exist but none can carry the amount'],
  'route-too-long': [422, 'Every path with enough capacity has too many hops'],
  'fee-limit-exceeded': [422, 'The cheapest route costs more than the fee limit'],
  'lock-limit-exceeded': [422, 'The route locks funds for longer than allowed'],
  internal: [500, 'Internal error'],
} as const satisfies Record<string, readonly [number, string]>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

export const problemType = (slug: ProblemSlug): string => `urn:gridledger:problem:${slug}`;

/** Fields of an RFC 9457 problem document as the gateway sends it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  code?: string;
  transactionId?: string;
  errors?: { location: string; message: string }[];
}

/** An error that becomes a problem+json response. */
export class ProblemError extends Error {
  readonly status: number;
  constructor(
    readonly slug: ProblemSlug,
    detail?: string,
    readonly extra: Partial<Pick<ProblemBody, 'code' | 'transactionId' | 'errors'>> & { headers?: Record<string, string> } = {},
  ) {
    super(detail ?? PROBLEM_TYPES[slug][1]);
    this.status = PROBLEM_TYPES[slug][0];
    this.name = 'ProblemError';
  }

  body(instance?: string, requestId?: string): ProblemBody {
    const { headers: _h, ...extra } = this.extra;
    return {
      type: problemType(this.slug),
      title: PROBLEM_TYPES[this.slug][1],
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...(requestId ? { requestId } : {}),
      ...extra,
    };
  }
}

/** Maps a ledger failure to the problem a client sees; the chaincode's message is passed through. */
export function problemFromLedger(err: LedgerError): ProblemError {
  const code = /\b([A-Z][A-Z_]+):/.exec(err.message)?.[1];
  const extra = { ...(code ? { code } : {}), ...(err.txId ? { transactionId: err.txId } : {}) };
  switch (err.kind) {
    case 'forbidden':
      return new ProblemError('chaincode-forbidden', err.message, extra);
    case 'invalid':
      return new ProblemError('chaincode-invalid-argument', err.message, extra);
    case 'not-found':
      return new ProblemError('chaincode-not-found', err.message, extra);
    case 'conflict':
    case 'duplicate':
      return new ProblemError('chaincode-conflict', err.message, extra);
    case 'rejected':
      return new ProblemError('chaincode-rejected', err.message, extra);
    case 'unavailable':
      return new ProblemError('ledger-unavailable', 'The Fabric peer could not be reached or did not answer in time; retry with the same Idempotency-Key.', {
        ...extra,
        headers: { 'Retry-After': '5' },
      });
  }
}

/** Turns anything thrown into a ProblemError (unknown errors become a 500 with no internals shown). */
export function toProblem(err: unknown): ProblemError {
  if (err instanceof ProblemError) return err;
  if (err instanceof LedgerError) return problemFromLedger(err);
  const e = err as { type?: string; status?: number };
  // Errors of express's body parser.
  if (e?.type === 'entity.too.large') return new ProblemError('payload-too-large');
  if (e?.type === 'entity.parse.failed') return new ProblemError('malformed-json', 'The request body is not valid JSON.');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new ProblemError('unsupported-media-type');
  return new ProblemError('internal', 'An internal error occurred; quote the requestId to the gateway operator.');
}

/** Writes a problem+json response. */
export function sendProblem(res: Response, problem: ProblemError, instance?: string): void {
  const requestId = res.locals.requestId as string | undefined;
  for (const [k, v] of Object.entries(problem.extra.headers ?? {})) res.setHeader(k, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.body(instance, requestId)));
}
