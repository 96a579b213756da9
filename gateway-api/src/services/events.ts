import { EventEmitter } from 'node:events';
import type { LedgerClient, LedgerEventStream } from '../fabric/ledger';
import type { Logger } from '../http/logger';
import type { Store, StoredEvent } from '../store/store';

/**
 * Streams the chaincode's events from the peer into the store's event log, resuming from the last
 * logged event (its block and transaction), so a restart neither loses nor repeats an event. Several
 * replicas may run it at once: the store drops duplicates.
 */
export class EventIngester {
  readonly #hub = new EventEmitter();
  #stream?: LedgerEventStream;
  #running = false;
  #loop?: Promise<void>;
  /** Last error from the peer, for readiness reporting. */
  lastError?: string;
  connected = false;

  constructor(
    private readonly ledger: LedgerClient,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly options: { startBlock: number; retryMs?: number; onIngested?: (e: StoredEvent) => void } = { startBlock: 0 },
  ) {
    this.#hub.setMaxListeners(0);
  }

  /** Called with each newly logged event (and on duplicates, with nothing): SSE handlers wake up. */
  onAppended(listener: () => void): () => void {
    this.#hub.on('appended', listener);
    return () => this.#hub.off('appended', listener);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stream?.close();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const retryMs = this.options.retryMs ?? 2_000;
    while (this.#running) {
      try {
        const last = await this.store.lastEvent();
        const from = last ? { blockNumber: last.blockNumber, txId: last.txId } : undefined;
        this.#stream = await this.ledger.chaincodeEvents(from, this.options.startBlock);
        this.connected = true;
        this.lastError = undefined;
        if (!this.#running) this.#stream.close();
        for await (const e of this.#stream) {
          const stored = await this.store.appendEvent(e, Date.now());
          if (stored) this.options.onIngested?.(stored);
          this.#hub.emit('appended');
          if (!this.#running) break;
        }
      } catch (err) {
        this.lastError = (err as Error).message;
        if (this.#running) this.log.warn('chaincode event stream interrupted; reconnecting', { error: this.lastError });
      } finally {
        this.connected = false;
        this.#stream?.close();
      }
      if (this.#running) await new Promise((r) => setTimeout(r, retryMs));
    }
  }
}
