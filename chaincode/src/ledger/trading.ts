import { Context } from 'fabric-contract-api';
import { KeyCertificate, SystemParams, verifyCertificate } from '@gridledger/core';
import { refuse } from './errors';
import { key, view } from './view';

/** Utility-set parameters of the trading paper's registration and channels. */
export interface TradingParams {
  /** Collateral locked per kW of a pile's power, in payment units (rounded up per W). */
  collateralPerKw: number;
  /** Dispute window of a channel whose open request names none, seconds. */
  disputeWindowS: number;
  /** Bounds on the dispute window an open request may ask for, seconds. */
  minDisputeWindowS: number;
  maxDisputeWindowS: number;
}

export const DEFAULT_TRADING_PARAMS: TradingParams = { collateralPerKw: 100, disputeWindowS: 3600, minDisputeWindowS: 60, maxDisputeWindowS: 14 * 86400 };

export const TRADING_PARAMS_KEY = 'params~trading';
export const KGC_PARAMS_KEY = 'kgc~params';

export interface PublishedKgcParams {
  params: SystemParams;
  /** Increases at each (re)publication; registrations record the version they were checked under. */
  version: number;
  publishedAt: number;
  txId: string;
}

/** A registered user or charging pile: one active certificate per ID. */
export interface IdentityRecord {
  id: string;
  kind: 'user' | 'pile';
  mode: KeyCertificate['mode'];
  certificate: KeyCertificate;
  /** Ed25519 account of the registrant (users: their account; piles: the operator account that paid collateral). */
  account?: string;
  kgcVersion: number;
  registeredAt: number;
  status: 'active' | 'retired' | 'revoked';
  /** Set by kgc:RevokeIdentity. */
  revokedAt?: number;
  revocationReason?: string;
}

export interface PileRecord {
  id: string;
  powerW: number;
  collateral: number;
  collateralAccount: string;
  registeredBy: string;
  registeredAt: number;
  status: 'active' | 'retired';
  retiredAt?: number;
}

export async function tradingParams(ctx: Context): Promise<TradingParams> {
  return (await view(ctx).get<{ params: TradingParams }>(TRADING_PARAMS_KEY))?.params ?? DEFAULT_TRADING_PARAMS;
}

export async function kgcParams(ctx: Context): Promise<PublishedKgcParams> {
  const p = await view(ctx).get<PublishedKgcParams>(KGC_PARAMS_KEY);
  if (!p) refuse('NOT_FOUND', 'the KGC has not published its system parameters (kgc.Setup)');
  return p;
}

export const identityKey = (ctx: Context, id: string) => key(ctx, 'ident', id);
export const pileKey = (ctx: Context, id: string) => key(ctx, 'pile', id);
/** Marks a channel whose key a registered identity vouched for, while it is not closed. */
export const openChannelKey = (ctx: Context, id: string, channelId: string) => key(ctx, 'identchan', id, channelId);

/** The channels, not yet closed, that identity `id` is bound to. */
export async function openChannelsOf(ctx: Context, id: string): Promise<string[]> {
  return (await view(ctx).range<unknown>('identchan', [id])).map((r) => ctx.stub.splitCompositeKey(r.key).attributes[1]);
}
export const identityPubKey = (ctx: Context, publicKey: string) => key(ctx, 'identpub', publicKey);

export async function getIdentity(ctx: Context, id: string): Promise<IdentityRecord | undefined> {
  return view(ctx).get<IdentityRecord>(identityKey(ctx, id));
}

/**
 * The BLS public key of an active registered identity whose certificate is still valid now under the
 * KGC parameters it was registered with (a later KGC rotation does not void it).
 */
export async function activeIdentityKey(ctx: Context, id: string, now: number): Promise<string> {
  const rec = await getIdentity(ctx, id);
  if (!rec) refuse('NOT_FOUND', `identity ${id} is not registered`);
  if (rec.status !== 'active') refuse('FORBIDDEN_STATE', `identity ${id} is ${rec.status}`);
  if (rec.certificate.expiry <= now) refuse('EXPIRED', `the certificate of ${id} expired at ${rec.certificate.expiry}`);
  return rec.certificate.publicKey;
}

/** Collateral for a pile of `powerW` watts: ceil(powerW * collateralPerKw / 1000). */
export function collateralFor(powerW: number, collateralPerKw: number): number {
  const c = Math.ceil((powerW * collateralPerKw) / 1000);
  if (!Number.isSafeInteger(c)) refuse('INVALID_ARGUMENT', 'collateral overflows');
  return c;
}

/** Validates trading parameters (integers, bounds ordered). */
export function validateTradingParams(x: unknown): TradingParams {
  const o = x as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) refuse('INVALID_ARGUMENT', 'trading params must be an object');
  const names = ['collateralPerKw', 'disputeWindowS', 'minDisputeWindowS', 'maxDisputeWindowS'] as const;
  for (const k of Object.keys(o)) if (!(names as readonly string[]).includes(k)) refuse('INVALID_ARGUMENT', `unknown trading parameter ${k}`);
  for (const n of names) {
    const v = o[n];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > 1e12) refuse('INVALID_ARGUMENT', `${n} must be an integer in [0, 1e12]`);
  }
  const p = o as unknown as TradingParams;
  if (p.minDisputeWindowS < 1) refuse('INVALID_ARGUMENT', 'minDisputeWindowS must be at least 1');
  if (p.minDisputeWindowS > p.maxDisputeWindowS) refuse('INVALID_ARGUMENT', 'minDisputeWindowS must not exceed maxDisputeWindowS');
  if (p.disputeWindowS < p.minDisputeWindowS || p.disputeWindowS > p.maxDisputeWindowS) refuse('INVALID_ARGUMENT', 'disputeWindowS must lie within [minDisputeWindowS, maxDisputeWindowS]');
  return { collateralPerKw: p.collateralPerKw, disputeWindowS: p.disputeWindowS, minDisputeWindowS: p.minDisputeWindowS, maxDisputeWindowS: p.maxDisputeWindowS };
}

/** Certificate check against the published P_pub, mapping library errors to refusals. */
export function checkCertificate(params: SystemParams, cert: KeyCertificate, now: number): void {
  try {
    verifyCertificate(params, cert, now);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'CERTIFICATE_EXPIRED') refuse('EXPIRED', (err as Error).message);
    if (code !== undefined) refuse('INVALID_SIGNATURE', (err as Error).message);
    throw err;
  }
}
