// Worker thread of WorkerPoolVerifier: checks batches of channel signatures.
import { parentPort } from 'node:worker_threads';
import { checkAll, type SignatureCheck } from './verifier';

parentPort?.on('message', (m: { id: number; checks: SignatureCheck[] }) => {
  parentPort!.postMessage({ id: m.id, results: checkAll(m.checks) });
});
