import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp } from './http/app';
import type { AppDeps } from './http/operation';

/**
 * A running gateway: the HTTP(S) server plus its background work (event ingestion, reconciliation
 * of transactions whose commit status was lost, purging of old idempotency keys).
 */
export class Gateway {
  readonly app: Express;
  server?: http.Server;
  #timers: NodeJS.Timeout[] = [];
  #sockets = new Set<import('node:net').Socket>();

  constructor(readonly deps: AppDeps) {
    this.app = createApp(deps);
  }

  /** Listens and starts background work; resolves with the bound port. */
  async start(): Promise<number> {
    const { config } = this.deps;
    const tls = config.server.tls;
    this.server = tls
      ? https.createServer(
          {
            cert: readFileSync(tls.certPath),
            key: readFileSync(tls.keyPath),
            ca: tls.caPath ? readFileSync(tls.caPath) : undefined,
            requestCert: tls.requestClientCert,
            // Unauthenticated TLS clients still reach public routes (/healthz); routes check roles.
            rejectUnauthorized: false,
          },
          this.app,
        )
      : http.createServer(this.app);
    this.server.requestTimeout = 120_000;
    this.server.headersTimeout = 30_000;
    this.server.on('connection', (s) => {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(config.server.port, config.server.host, () => resolve());
    });
    this.deps.channels.broker.attach(this.server);
    this.deps.events.start();
    this.deps.channels.watchtower?.start();
    const reconcile = setInterval(() => void this.deps.transactions.reconcile().catch(() => undefined), 30_000);
    const purge = setInterval(() => void this.deps.store.purgeIdempotencyKeys(Date.now() - 7 * 86_400_000).catch(() => undefined), 3_600_000);
    this.#timers.push(reconcile, purge);
    for (const t of this.#timers) t.unref();
    void this.deps.transactions.reconcile(0).catch(() => undefined);
    const port = (this.server.address() as AddressInfo).port;
    this.deps.log.info('gateway listening', { port, host: config.server.host, tls: Boolean(tls), mtls: Boolean(tls?.requestClientCert), org: config.org, store: this.deps.store.kind });
    return port;
  }

  /**
   * Stops accepting connections, lets requests in progress finish (up to the grace period; event
   * streams are closed at once), then stops background work and closes the ledger and the store.
   */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.deps.channels.broker.close();
    await this.deps.channels.watchtower?.stop();
    const server = this.server;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections?.();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, this.deps.config.server.shutdownGraceMs).unref());
      // Event streams never end by themselves.
      for (const s of this.#sockets) if ((s as unknown as { _httpMessage?: { getHeader(n: string): unknown } })._httpMessage?.getHeader('content-type')?.toString().startsWith('text/event-stream')) s.destroy();
      await Promise.race([closed, grace]);
      server.closeAllConnections?.();
    }
    await this.deps.events.stop();
    this.deps.ledger.close();
    await this.deps.store.close();
    this.deps.log.info('gateway stopped');
  }
}
