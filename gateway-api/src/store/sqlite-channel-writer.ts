import { Worker } from 'node:worker_threads';
import { builtScript } from '../worker-script';
import type { ChannelWriteBatch } from './store';

const WORKER_SCRIPT = builtScript(__dirname, 'store', 'sqlite-channel-writer-worker.js');

/**
 * Commits the broker's channel batches on a worker thread with its own connection to the same WAL
 * file. A commit is durable (fsync) when its promise resolves, exactly as on the event loop, but the
 * event loop keeps relaying meanwhile and the next group gathers while this one commits. Readers on
 * the main connection see a batch once its promise has resolved.
 */
export class ChannelWriterThread {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  #next = 1;
  #dead?: Error;

  /** Undefined when the worker script is not built (then the store commits on the event loop). */
  static start(path: string): ChannelWriterThread | undefined {
    return WORKER_SCRIPT ? new ChannelWriterThread(path, WORKER_SCRIPT) : undefined;
  }

  private constructor(path: string, script: string) {
    this.#worker = new Worker(script, { workerData: { path } });
    this.#worker.on('message', (m: { id: number; error?: string }) => {
      const p = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (m.error === undefined) p?.resolve();
      else p?.reject(new Error(`channel store write failed: ${m.error}`));
    });
    const die = (err: Error) => {
      this.#dead ??= err;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', die);
    this.#worker.on('exit', (code) => die(new Error(`channel store writer exited with ${code}`)));
    // Held open only while a batch is in flight (after the listeners: attaching one refs it again).
    this.#worker.unref();
  }

  /** True until the worker died (its transaction rolled back; nothing of it was acknowledged). */
  get alive(): boolean {
    return this.#dead === undefined;
  }

  write(batch: ChannelWriteBatch, now: number): Promise<void> {
    if (this.#dead) return Promise.reject(this.#dead);
    return new Promise((resolve, reject) => {
      const id = this.#next++;
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, batch, now });
    });
  }

  async close(): Promise<void> {
    this.#dead ??= new Error('store closed');
    await this.#worker.terminate();
  }
}
