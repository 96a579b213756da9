import * as fs from 'node:fs';
import * as path from 'node:path';
import { ZkError } from './errors';
import type { Groth16VerificationKey } from './groth16';

/** The circuits that have a trusted setup. */
export const CIRCUIT_NAMES = ['withdraw', 'borrow'] as const;
export type CircuitName = (typeof CIRCUIT_NAMES)[number];

/**
 * Folder holding the committed setup artifacts (`<name>.wasm`, `<name>.zkey`, `<name>.vkey.json`,
 * `manifest.json`). GRIDLEDGER_CIRCUITS_ARTIFACTS overrides it (e.g. in a chaincode package);
 * otherwise it is <repo>/circuits/artifacts, found from this file in core/src/zk or core/dist/zk.
 */
export function artifactsDir(): string {
  const env = process.env.GRIDLEDGER_CIRCUITS_ARTIFACTS;
  if (env) return path.resolve(env);
  return path.resolve(__dirname, '..', '..', '..', 'circuits', 'artifacts');
}

export interface CircuitArtifacts {
  wasm: string;
  zkey: string;
  vkey: string;
}

export function circuitArtifacts(name: CircuitName, dir: string = artifactsDir()): CircuitArtifacts {
  if (!(CIRCUIT_NAMES as readonly string[]).includes(name)) throw new ZkError('ARTIFACT_MISSING', `unknown circuit ${String(name)}`);
  return { wasm: path.join(dir, `${name}.wasm`), zkey: path.join(dir, `${name}.zkey`), vkey: path.join(dir, `${name}.vkey.json`) };
}

const vkCache = new Map<string, Groth16VerificationKey>();
/** Load (once) a circuit's verification key from the artifacts folder. */
export function loadVerificationKey(name: CircuitName, dir: string = artifactsDir()): Groth16VerificationKey {
  const file = circuitArtifacts(name, dir).vkey;
  let vk = vkCache.get(file);
  if (!vk) {
    if (!fs.existsSync(file)) throw new ZkError('ARTIFACT_MISSING', `${file} not found`);
    vk = JSON.parse(fs.readFileSync(file, 'utf8')) as Groth16VerificationKey;
    vkCache.set(file, vk);
  }
  return vk;
}
