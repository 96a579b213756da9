import { Contract } from '@hyperledger/fabric-gateway';
import { canonicalJson, generateKeyPair, KeyPair, MeterReading, signRequest } from '@gridledger/core';
import { chaincodeRefusal } from '@gridledger/core/dist/fabric';

/** A failed call's error with the peers' own messages appended (jest prints only the message). */
function withDetails(fn: string, err: unknown): Error {
  const e = err as Error & { details?: unknown; detailed?: boolean };
  if (e && typeof e === 'object' && Array.isArray(e.details) && !e.detailed) {
    // One line per peer, so a refusal code found in the message is the peer's own, up to its end.
    const lines = (e.details as Array<{ address?: string; mspId?: string; message?: string }>).map((d) => `  ${d.mspId ?? '?'} ${d.address ?? ''}: ${String(d.message ?? '').slice(0, 400)}`);
    e.message = `${fn}: ${e.message}\n${lines.join('\n')}`;
    e.detailed = true;
  }
  return e;
}

/** Submits and parses the chaincode's JSON answer (or undefined for an empty one). */
export async function submit(contract: Contract, fn: string, ...args: string[]): Promise<any> {
  let bytes: Uint8Array;
  try {
    bytes = await contract.submitTransaction(fn, ...args);
  } catch (err) {
    throw withDetails(fn, err);
  }
  const out = Buffer.from(bytes).toString('utf8');
  return out ? JSON.parse(out) : undefined;
}

export async function evaluate(contract: Contract, fn: string, ...args: string[]): Promise<any> {
  let bytes: Uint8Array;
  try {
    bytes = await contract.evaluateTransaction(fn, ...args);
  } catch (err) {
    throw withDetails(fn, err);
  }
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

/** The chaincode's refusal of a submit: its code and message (fails the test if it was accepted). */
export async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => {
      throw new Error('expected the transaction to be refused, but it was committed');
    },
    (e: unknown) => e,
  );
  const r = chaincodeRefusal(err);
  if (!r) throw Object.assign(err as Error, { message: `${(err as Error).message} ${JSON.stringify((err as { details?: unknown }).details ?? '')}` });
  return r;
}

/** [body as JSON, signature]: the two arguments of a signed end-user transaction. */
export function signedArgs(action: string, body: object, key: KeyPair): [string, string] {
  const req = signRequest(action, body, key.privateKey);
  return [canonicalJson(req.body), req.signature];
}

/** Energy for an account from a freshly registered meter of its own (Utility mints it). */
export async function mintEnergy(accounts: Contract, owner: string, wh: number): Promise<void> {
  const meter = generateKeyPair();
  const meterId = `meter-${owner.slice(0, 12)}-${Math.random().toString(36).slice(2, 8)}`;
  await submit(accounts, 'RegisterMeter', meterId, meter.publicKey, owner);
  const reading: MeterReading = { meterId, seq: 1, cumulativeWh: wh, readAt: Math.floor(Date.now() / 1000) };
  await submit(accounts, 'MintFromMeter', ...signedArgs('meter-reading', reading, meter));
}

export async function nextNonce(accounts: Contract, account: string): Promise<number> {
  return (await evaluate(accounts, 'GetAccount', account)).nonce + 1;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the wall clock (which proposals are stamped with) passes `t` seconds. */
export async function waitUntil(t: number): Promise<void> {
  const ms = t * 1000 - Date.now() + 1100;
  if (ms > 0) await sleep(ms);
}
