import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
// The key module alone: a worker thread must not load the package index (see channel-keys.ts).
import { verifyDigest } from '@gridledger/core/dist/channels/channel-keys';
import { builtScript } from '../worker-script';

/** One signature to check: 32 bytes, the signer's channel key (from the chain), the signature. */
export interface SignatureCheck {
  digest: Uint8Array;
  key: string;
  signature: string;
}

/**
 * Checks channel signatures for the broker. Results are in the order of the checks; a malformed
 * signature or key is `false`, never a throw.
 */
export interface SignatureVerifier {
  verify(checks: readonly SignatureCheck[]): Promise<boolean[]>;
  close(): Promise<void>;
}

/** Verifies each check on the calling thread. */
export function checkAll(checks: readonly SignatureCheck[]): boolean[] {
  return checks.map((c) => {
    try {
      return verifyDigest(c.digest, c.key, c.signature);
    } catch {
      return false;
    }
  });
}

/** On the event loop: for tests, and hosts with one core. */
export class InlineVerifier implements SignatureVerifier {
  async verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    return checkAll(checks);
  }

  async close(): Promise<void> {}
}

// Without a built script the first worker fails to start and, after MAX_DEATHS, checks run inline.
const WORKER_SCRIPT = builtScript(__dirname, 'channels', 'verify-worker.js') ?? join(__dirname, 'verify-worker.js');

const MAX_DEATHS = 3;

interface Pending {
  checks: readonly SignatureCheck[];
  resolve: (r: boolean[]) => void;
  reject: (e: unknown) => void;
}

interface PoolWorker {
  worker: Worker;
  /** Requests sent to this worker, answered in order. */
  inflight: Map<number, Pending[]>;
  load: number;
}

/**
 * Verification on worker threads, so the event loop keeps relaying while signatures are checked
 * (they are most of a co-signed update's CPU). Checks requested in one turn of the event loop go to
 * the least loaded worker as one message; each worker keeps its own key cache.
 */
export class WorkerPoolVerifier implements SignatureVerifier {
  readonly #workers: PoolWorker[] = [];
  #queue: Pending[] = [];
  #scheduled = false;
  #next = 1;
  #closed = false;
  /** Worker deaths since the last answer; past a few, the pool verifies on the event loop instead. */
  #deaths = 0;

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) this.#workers.push(this.#spawn());
  }

  #spawn(): PoolWorker {
    const w: PoolWorker = { worker: new Worker(WORKER_SCRIPT), inflight: new Map(), load: 0 };
    w.worker.on('message', (m: { id: number; results: boolean[] }) => {
      const batch = w.inflight.get(m.id);
      if (!batch) return;
      this.#deaths = 0;
      w.inflight.delete(m.id);
      if (w.inflight.size === 0) w.worker.unref();
      let i = 0;
      for (const p of batch) {
        w.load -= p.checks.length;
        p.resolve(m.results.slice(i, (i += p.checks.length)));
      }
    });
    // A dead worker fails what it held (those parties get an error and retry) and is replaced, so
    // one crash never stalls the broker.
    w.worker.on('error', (err) => this.#fail(w, err));
    w.worker.on('exit', (code) => this.#fail(w, new Error(`signature worker exited with ${code}`)));
    // Held open only while checks are in flight (after the listeners: attaching one refs it again).
    w.worker.unref();
    return w;
  }

  #fail(w: PoolWorker, err: unknown): void {
    const i = this.#workers.indexOf(w);
    if (i < 0) return;
    for (const batch of w.inflight.values()) for (const p of batch) p.reject(err);
    w.inflight.clear();
    // A worker that cannot even start (a broken install) must not be respawned forever.
    if (this.#closed || ++this.#deaths > MAX_DEATHS) return void this.#workers.splice(i, 1);
    this.#workers[i] = this.#spawn();
  }

  verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    if (this.#closed) return Promise.reject(new Error('verifier closed'));
    return new Promise((resolve, reject) => {
      this.#queue.push({ checks, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0) return;
    if (this.#workers.length === 0) {
      for (const p of batch) p.resolve(checkAll(p.checks));
      return;
    }
    const w = this.#workers.reduce((best, x) => (x.load < best.load ? x : best));
    const id = this.#next++;
    const flat: SignatureCheck[] = [];
    for (const p of batch) {
      flat.push(...p.checks);
      w.load += p.checks.length;
    }
    if (w.inflight.size === 0) w.worker.ref();
    w.inflight.set(id, batch);
    w.worker.postMessage({ id, checks: flat });
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.worker.terminate()));
  }
}

/**
 * The verifier for `threads` worker threads: 0 means on the event loop. The default leaves one core
 * to the event loop and uses up to 4 others; on a 2-core host that is one worker.
 */
export function createVerifier(threads = defaultVerifyThreads()): SignatureVerifier {
  return threads > 0 ? new WorkerPoolVerifier(threads) : new InlineVerifier();
}

export function defaultVerifyThreads(): number {
  const env = process.env.GRIDLEDGER_BROKER_VERIFY_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new Error('GRIDLEDGER_BROKER_VERIFY_THREADS must be an integer 0-64');
    return n;
  }
  return Math.min(4, Math.max(0, availableParallelism() - 1));
}
