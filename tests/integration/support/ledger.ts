import { Contract } from '@hyperledger/fabric-gateway';
import { canonicalJson, generateKeyPair, KeyPair, MeterReading, signRequest } from '@gridledger/core';
import { chaincodeRefusal } from '@gridledger/core/dist/fabric';

/** Submits and parses the chaincode's JSON answer (or undefined for an empty one). */
export async function submit(contract: Contract, fn: string, ...args: string[]): Promise<any> {
  const out = Buffer.from(await contract.submitTransaction(fn, ...args)).toString('utf8');
  return out ? JSON.parse(out) : undefined;
}

export async function evaluate(contract: Contract, fn: string, ...args: string[]): Promise<any> {
  return JSON.parse(Buffer.from(await contract.evaluateTransaction(fn, ...args)).toString('utf8'));
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
