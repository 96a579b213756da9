import express, { Express, Request, Response } from 'express';
import { identityForRole } from '../config/roles';
import { documentedOperations, DocumentedOperation } from '../openapi/document';
import { Authenticator, Caller } from './auth';
import { runIdempotent } from './idempotency';
import type { AppDeps, OperationContext, OperationModule, Reply } from './operation';
import { ProblemError, sendProblem, toProblem } from './problem';
import { RateLimiter } from './rate-limit';
import { compileRequestValidator, createAjv, describeErrors, RequestValidator } from './validation';

/** Operations not rate limited: probes must answer even when a caller floods the gateway. */
const UNLIMITED = new Set(['getHealth', 'getReadiness', 'getMetrics']);

/** Thrown at start when route modules and the OpenAPI document disagree. */
export class RouteContractError extends Error {}

/** Express path of an OpenAPI path template (`/v1/transactions/{id}` → `/v1/transactions/:id`). */
export const expressPath = (template: string): string => template.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');

/**
 * Checks that modules and document agree (every documented operation has a module, every module is
 * documented, roles and `x-roles` are equal) and returns the pairs; throws otherwise.
 */
export function pairOperations(documented: DocumentedOperation[], modules: OperationModule[]): { op: DocumentedOperation; module: OperationModule }[] {
  const byId = new Map<string, OperationModule>();
  for (const m of modules) {
    if (byId.has(m.operationId)) throw new RouteContractError(`operation ${m.operationId} has two route modules`);
    byId.set(m.operationId, m);
  }
  const problems: string[] = [];
  const ids = new Set(documented.map((o) => o.operationId));
  for (const m of modules) if (!ids.has(m.operationId)) problems.push(`route module ${m.operationId} is not in the OpenAPI document: document it before mounting it`);
  const pairs: { op: DocumentedOperation; module: OperationModule }[] = [];
  for (const op of documented) {
    const m = byId.get(op.operationId);
    if (!m) {
      problems.push(`documented operation ${op.operationId} (${op.method.toUpperCase()} ${op.path}) has no route module`);
      continue;
    }
    const declared = m.roles === 'public' ? ['public'] : [...m.roles];
    if ([...declared].sort().join(',') !== [...op.roles].sort().join(',')) {
      problems.push(`operation ${op.operationId}: module roles [${declared.join(', ')}] differ from the document's x-roles [${op.roles.join(', ')}]`);
    }
    if (op.method !== 'get' && !op.idempotent) problems.push(`operation ${op.operationId} changes state but is not marked x-idempotent`);
    pairs.push({ op, module: m });
  }
  if (problems.length) throw new RouteContractError(`routes and OpenAPI document disagree:\n  - ${problems.join('\n  - ')}`);
  return pairs;
}

/** Mounts every documented operation on the app, in front of a 405/404 fallback. */
export function mountOperations(app: Express, deps: AppDeps, modules: OperationModule[]): void {
  const pairs = pairOperations(documentedOperations(deps.document), modules);
  const ajv = createAjv(deps.document, { coerceTypes: true });
  const auth = new Authenticator(deps.config.auth.apiKeys, deps.config.auth.mtls);
  const limiter = new RateLimiter(deps.config.rateLimit.requestsPerMinute, deps.config.rateLimit.burst);
  const jsonParser = express.json({ limit: deps.config.server.bodyLimitBytes, strict: true, type: () => true });
  const parseJson = (req: Request, res: Response): Promise<void> =>
    new Promise((resolve, reject) => jsonParser(req, res, (err?: unknown) => (err ? reject(err) : resolve())));

  const methodsByPath = new Map<string, string[]>();
  for (const { op, module } of pairs) {
    const validator = compileRequestValidator(ajv, deps.document, op);
    const path = expressPath(op.path);
    methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), op.method.toUpperCase()]);
    const handler = async (req: Request, res: Response): Promise<void> => {
      res.locals.route = op.path;
      try {
        const caller = authorize(req, res, op, module, auth);
        if (!UNLIMITED.has(op.operationId)) {
          const wait = limiter.take(caller?.id ?? `ip:${req.ip ?? 'unknown'}`);
          if (wait > 0) {
            deps.metrics.rateLimited.inc();
            throw new ProblemError('rate-limited', `Rate limit of ${deps.config.rateLimit.requestsPerMinute} requests per minute exceeded; retry in ${wait} s.`, {
              headers: { 'Retry-After': String(wait) },
            });
          }
        }
        const ctx = await buildContext(req, res, op, validator, caller, deps, parseJson);
        const run = (): Promise<Reply | undefined> => module.handle(ctx);
        const reply = op.idempotent
          ? await runIdempotent(ctx, deps.store, deps.metrics, deps.config.idempotency.leaseMs, run as () => Promise<Reply>)
          : await run();
        if (reply) writeReply(res, reply);
      } catch (err) {
        const problem = toProblem(err);
        if (problem.status >= 500) (res.locals.log ?? deps.log).error('request failed', { operationId: op.operationId, error: err as Error });
        if (!res.headersSent) sendProblem(res, problem, req.originalUrl);
        else res.end();
      }
    };
    (app as unknown as Record<string, (p: string, h: typeof handler) => void>)[op.method](path, handler);
  }
  for (const [path, methods] of methodsByPath) {
    const allow = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    app.all(path, (req, res) => {
      res.locals.route = path;
      sendProblem(res, new ProblemError('method-not-allowed', `${req.method} is not allowed here; allowed: ${allow.join(', ')}.`, { headers: { Allow: allow.join(', ') } }), req.originalUrl);
    });
  }
}

function authorize(req: Request, res: Response, op: DocumentedOperation, module: OperationModule, auth: Authenticator): Caller | undefined {
  const result = auth.authenticate(req);
  if (module.roles === 'public') return result.caller;
  if (!result.caller) {
    const detail =
      result.reason === 'invalid-key'
        ? 'The API key is not valid.'
        : result.reason === 'unmapped-certificate'
          ? 'The client certificate maps to no role.'
          : 'Send an API key in X-API-Key or Authorization: Bearer, or a client certificate.';
    throw new ProblemError('unauthenticated', detail, { headers: { 'WWW-Authenticate': 'Bearer realm="gridledger"' } });
  }
  res.locals.caller = result.caller;
  if (!module.roles.includes(result.caller.role)) {
    throw new ProblemError('forbidden', `Role ${result.caller.role} may not call ${op.operationId}; allowed: ${module.roles.join(', ')}.`);
  }
  return result.caller;
}

async function buildContext(
  req: Request,
  res: Response,
  op: DocumentedOperation,
  v: RequestValidator,
  caller: Caller | undefined,
  deps: AppDeps,
  parseJson: (req: Request, res: Response) => Promise<void>,
): Promise<OperationContext> {
  const errors: { location: string; message: string }[] = [];
  const params = { ...(req.params as Record<string, string>) };
  if (v.params && !v.params(params)) errors.push(...describeErrors('path', v.params.errors));
  const query: Record<string, unknown> = { ...(req.query as Record<string, unknown>) };
  if (v.query && !v.query(query)) errors.push(...describeErrors('query', v.query.errors));
  const headers: Record<string, unknown> = {};
  for (const name of v.headerNames) if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  if (v.headers && !v.headers(headers)) {
    const missingKey = v.headers.errors?.some((e) => e.keyword === 'required' && (e.params as { missingProperty: string }).missingProperty === 'idempotency-key');
    if (missingKey) throw new ProblemError('idempotency-key-missing', 'Send an Idempotency-Key header (1-128 visible ASCII characters) unique to this change.');
    errors.push(...describeErrors('header', v.headers.errors));
  }
  let body: unknown;
  if (v.body) {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (hasBody) {
      if (!req.is('application/json') && !req.is('application/*+json')) throw new ProblemError('unsupported-media-type', 'Send the body as application/json.');
      await parseJson(req, res);
      body = req.body;
    }
    if (body === undefined) {
      if (v.bodyRequired) errors.push({ location: 'body', message: 'is required' });
    } else if (!v.body(body)) errors.push(...describeErrors('body', v.body.errors));
  }
  if (errors.length) throw new ProblemError('validation', errors.map((e) => `${e.location} ${e.message}`).join('; '), { errors });
  return {
    req,
    res,
    operationId: op.operationId,
    caller,
    identity: identityForRole(caller?.role),
    params,
    query,
    body,
    requestId: res.locals.requestId as string,
    log: (res.locals.log as OperationContext['log']) ?? deps.log,
    deps,
  };
}

function writeReply(res: Response, reply: Reply): void {
  for (const [k, v] of Object.entries(reply.headers ?? {})) if (k.toLowerCase() !== 'content-type') res.setHeader(k, v);
  res.status(reply.status);
  if (reply.body === undefined) {
    res.end();
    return;
  }
  const type = reply.contentType ?? 'application/json';
  if (/json/.test(type)) res.type(type).send(JSON.stringify(reply.body));
  else res.type(type).send(reply.body as string);
}
