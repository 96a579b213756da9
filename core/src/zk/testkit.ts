// Test helpers shared by the zk tests (not exported from the package index).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as snarkjs from 'snarkjs';
import { artifactsDir, CircuitName } from './artifacts';

/** The witness generator of a circuit: committed artifact, else the local build. */
export function wasmPath(name: CircuitName): string {
  const a = path.join(artifactsDir(), `${name}.wasm`);
  if (fs.existsSync(a)) return a;
  return path.resolve(artifactsDir(), '..', 'build', name, `${name}_js`, `${name}.wasm`);
}

/** Calculate a witness; resolves true if every constraint assertion in the generator holds. */
export async function witnessOk(name: CircuitName, input: Record<string, unknown>): Promise<boolean> {
  const out: { type: string; data?: Uint8Array } = { type: 'mem' };
  const log = console.error;
  console.error = () => undefined; // the witness generator prints every failed assertion
  try {
    await snarkjs.wtns.calculate(input, wasmPath(name), out);
    return true;
  } catch {
    return false;
  } finally {
    console.error = log;
  }
}
