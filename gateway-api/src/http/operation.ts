import type { Request, Response } from 'express';
import type { GatewayConfig } from '../config/config';
import type { Role } from '../config/roles';
import type { IdentityKind, LedgerClient } from '../fabric/ledger';
import type { OpenApiDocument } from '../openapi/document';
import type { EventIngester } from '../services/events';
import type { TransactionService, IdempotencyBinding } from '../services/transactions';
import type { Store } from '../store/store';
import type { ChannelServices } from '../channels';
import type { Caller } from './auth';
import type { Logger } from './logger';
import type { GatewayMetrics } from './metrics';

/** What the app is built from; tests inject a fake ledger and a temporary store. */
export interface AppDeps {
  config: GatewayConfig;
  ledger: LedgerClient;
  store: Store;
  log: Logger;
  metrics: GatewayMetrics;
  transactions: TransactionService;
  events: EventIngester;
  document: OpenApiDocument;
  /** When the process started (ms since epoch). */
  startedAt: number;
  /** Channel broker, watchtower and routing. */
  channels: ChannelServices;
}

/** What a route handler gets: the validated request, the caller, and the app's services. */
export interface OperationContext {
  req: Request;
  res: Response;
  operationId: string;
  /** Undefined only on public operations. */
  caller?: Caller;
  /** The org identity the ledger calls of this request use (admin roles → admin). */
  identity: IdentityKind;
  params: Record<string, string>;
  /** Validated and type-coerced query parameters (defaults applied). */
  query: Record<string, unknown>;
  body: unknown;
  requestId: string;
  log: Logger;
  deps: AppDeps;
  /** Set on idempotent operations: the held key, and a transaction an earlier holder prepared. */
  idempotency?: IdempotencyBinding;
}

/** A handler's answer; the router writes it (and the idempotency layer stores it). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Default application/json. */
  contentType?: string;
}

/**
 * One route: an operation of the OpenAPI document, by id. The path, method, parameters and body
 * schema come from the document; the module says who may call it and what it does.
 */
export interface OperationModule {
  operationId: string;
  /** Roles allowed, or 'public' for no authentication; must equal the document's `x-roles`. */
  roles: readonly Role[] | 'public';
  /** Returns a reply, or undefined when it wrote the response itself (streams, text formats). */
  handle(ctx: OperationContext): Promise<Reply | undefined>;
}

/** Helper for route modules: declares an operation with type checking. */
export function defineOperation(op: OperationModule): OperationModule {
  return op;
}
