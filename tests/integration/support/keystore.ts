import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { generateKeyPair, generateTraceKeyPair, KeyPair } from '@gridledger/core';
import { ROOT } from './network';

/**
 * Org keys that must outlive one test run on the same network (a guarantor's tracing key is
 * registered once): kept beside the network's run state, so `network down` forgets them with it.
 */
const dir = path.join(ROOT, 'network', '.run', 'keystore');

function loadOrCreate<T>(name: string, create: () => T): T {
  const file = path.join(dir, `${name}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'), (_k, v) => (typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v));
  const value = create();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)), { mode: 0o600 });
  return value;
}

export function traceKey(org: string): { secretKey: bigint; publicKey: [string, string] } {
  return loadOrCreate(`${org}-trace`, () => {
    const kp = generateTraceKeyPair();
    return { secretKey: kp.secretKey, publicKey: [kp.publicKey[0].toString(), kp.publicKey[1].toString()] as [string, string] };
  });
}

export function accountKey(name: string): KeyPair {
  return loadOrCreate(`${name}-account`, generateKeyPair);
}
