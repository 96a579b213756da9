// Worker thread of ChannelWriterThread: its own connection to the gateway's SQLite file, committing
// the broker's group-commit batches so the event loop never waits on a commit's fsync.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { channelBatchWriter, durablePragmas } from './sqlite-channel-batch';
import type { ChannelWriteBatch } from './store';

const db = new Database((workerData as { path: string }).path);
durablePragmas(db);
const write = channelBatchWriter(db);

parentPort!.on('message', (m: { id: number; batch: ChannelWriteBatch; now: number }) => {
  try {
    write(m.batch, m.now);
    parentPort!.postMessage({ id: m.id });
  } catch (err) {
    parentPort!.postMessage({ id: m.id, error: (err as Error).message ?? String(err) });
  }
});
