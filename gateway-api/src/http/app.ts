import { randomUUID } from 'node:crypto';
import express, { Express, NextFunction, Request, Response } from 'express';
import type { GatewayConfig } from '../config/config';
import type { LedgerClient } from '../fabric/ledger';
import { InstrumentedLedger } from '../fabric/instrumented-ledger';
import { openApiDocument, OpenApiDocument } from '../openapi/document';
import { allOperations } from '../routes';
import { EventIngester } from '../services/events';
import { TransactionService } from '../services/transactions';
import type { Store } from '../store/store';
import { createChannelServices } from '../channels';
import { createLogger, Logger } from './logger';
import { GatewayMetrics } from './metrics';
import type { AppDeps, OperationModule } from './operation';
import { ProblemError, sendProblem, toProblem } from './problem';
import { mountOperations } from './router';
import { mountConsole } from './console-static';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The parts a gateway is assembled from; everything but config, ledger and store has a default. */
export interface GatewayParts {
  config: GatewayConfig;
  ledger: LedgerClient;
  store: Store;
  log?: Logger;
  metrics?: GatewayMetrics;
  document?: OpenApiDocument;
  /** Route modules (default: all of `src/routes`). */
  operations?: OperationModule[];
}

/** Wires the services around an injected ledger and store. */
export function buildDeps(parts: GatewayParts): AppDeps {
  const log = parts.log ?? createLogger(parts.config.log.level);
  const metrics = parts.metrics ?? new GatewayMetrics();
  const ledger = new InstrumentedLedger(parts.ledger, metrics.ledgerObserver());
  const transactions = new TransactionService(ledger, parts.store, log);
  const events = new EventIngester(ledger, parts.store, log, {
    startBlock: parts.config.fabric.eventStartBlock,
    onIngested: () => metrics.eventsIngested.inc(),
  });
  const channels = createChannelServices({ config: parts.config, ledger, store: parts.store, log, metrics, events });
  return { config: parts.config, ledger, store: parts.store, log, metrics, transactions, events, document: parts.document ?? openApiDocument, startedAt: Date.now(), channels };
}

/**
 * The Express app: request ids and JSON access logs, then every documented operation (auth, role
 * check, rate limit, body limit, OpenAPI validation, idempotency, handler), then problem+json for
 * unknown routes and errors. Starts no background work: see `Gateway` in server.ts.
 */
export function createApp(deps: AppDeps, operations: OperationModule[] = allOperations): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.server.trustProxy);
  app.set('etag', false);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const given = req.get('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.locals.log = deps.log.child({ requestId });
    res.setHeader('X-Request-Id', requestId);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (res.locals.route as string | undefined) ?? 'unmatched';
      deps.metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      if (route === '/healthz' || route === '/readyz' || route === '/metrics') return;
      const caller = res.locals.caller as { id: string; role: string } | undefined;
      (res.locals.log as Logger).info('request', {
        method: req.method,
        route,
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1000),
        ...(caller ? { caller: caller.id, role: caller.role } : {}),
        remote: req.ip,
      });
    });
    next();
  });

  mountOperations(app, deps, operations);
  mountConsole(app);

  app.use((req: Request, res: Response) => {
    sendProblem(res, new ProblemError('not-found', `No operation at ${req.method} ${req.path}; see /openapi.json.`), req.originalUrl);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const problem = toProblem(err);
    if (problem.status >= 500) deps.log.error('unhandled error', { error: err as Error });
    if (res.headersSent) return void res.end();
    sendProblem(res, problem, req.originalUrl);
  });
  return app;
}
