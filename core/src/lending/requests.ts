import { canonicalJson } from '../canonical-json';
import { sha256, signBytes, verifyBytes } from '../crypto/ed25519';

/**
 * A request an end user (or a meter) signs with its own key. The gateway relays it with its org's
 * Fabric identity, and the chaincode authorises it by this signature, never by the relayer's say-so.
 * Account requests carry a `nonce` exactly one more than the account's last (meters a `seq`), so a
 * replay is refused.
 */
export interface SignedRequest<B extends object> {
  body: B;
  /** Ed25519 signature (hex) over requestDigest(action, body). */
  signature: string;
}

/**
 * What is signed: a domain tag naming the channel, the chaincode and the action, then the body as
 * canonical JSON. A signature for one action (or another network) never verifies as another.
 */
export function requestDigest(action: string, body: unknown): Buffer {
  return sha256(`gridledger/energy/${action}\n${canonicalJson(body)}`);
}

export function signRequest<B extends object>(action: string, body: B, privateKey: string): SignedRequest<B> {
  return { body, signature: signBytes(requestDigest(action, body), privateKey) };
}

export function verifyRequest(action: string, body: unknown, publicKey: string, signature: unknown): boolean {
  return verifyBytes(requestDigest(action, body), publicKey, signature);
}

/** The two fungible units on the ledger: energy credits in Wh, and the payment unit. */
export const UNITS = ['energy', 'pay'] as const;
export type Unit = (typeof UNITS)[number];

/** Body of a transfer between accounts, signed by `from`. */
export interface TransferBody {
  unit: Unit;
  from: string;
  to: string;
  amount: number;
  nonce: number;
}

/** A meter's reading, signed by the meter's key; the Utility mints the increase in `cumulativeWh`. */
export interface MeterReading {
  meterId: string;
  /** Strictly increasing per meter: a replayed or reordered reading is refused. */
  seq: number;
  cumulativeWh: number;
  /** When the meter read, seconds since the epoch (informational; ordering is by seq). */
  readAt: number;
}
