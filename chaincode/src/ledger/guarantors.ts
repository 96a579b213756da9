import { Context } from 'fabric-contract-api';
import { canonicalJson } from '@gridledger/core';
import { refuse } from './errors';
import { key, view } from './view';

export interface GuarantorRecord {
  msp: string;
  guarantorId: number;
  name: string;
  /** C_g at registration; changes are delta keys, see guarantorScore. */
  baseScore: number;
  /** BabyJubJub tracing key, [x, y] decimal strings. */
  tracePublicKey: [string, string];
  /** Energy account fines are taken from. */
  account: string;
  registeredAt: number;
}

export async function getGuarantor(ctx: Context, msp: string): Promise<GuarantorRecord> {
  const g = await view(ctx).get<GuarantorRecord>(key(ctx, 'guarantor', msp));
  if (!g) refuse('NOT_FOUND', `${msp} is not a registered guarantor`);
  return g;
}

/**
 * C_g: the registered score plus write-only deltas (repayments raise it, defaults lower it), so
 * concurrent repayments to one guarantor do not conflict. Never below zero.
 */
export async function guarantorScore(ctx: Context, msp: string): Promise<number> {
  const g = await getGuarantor(ctx, msp);
  const deltas = await view(ctx).range<{ delta: number }>('gscore', [msp]);
  return Math.max(0, deltas.reduce((s, d) => s + d.value.delta, g.baseScore));
}

/** Score history for views: each change with its transaction and time. */
export async function guarantorScoreHistory(ctx: Context, msp: string): Promise<Array<{ txId: string; delta: number; at: number; reason: string }>> {
  const deltas = await view(ctx).range<{ delta: number; at: number; reason: string }>('gscore', [msp]);
  return deltas.map((d) => ({ txId: ctx.stub.splitCompositeKey(d.key).attributes[1], ...d.value })).sort((a, b) => a.at - b.at || a.txId.localeCompare(b.txId));
}

export async function changeGuarantorScore(ctx: Context, msp: string, delta: number, at: number, reason: string): Promise<void> {
  await view(ctx).put(key(ctx, 'gscore', msp, ctx.stub.getTxID()), JSON.parse(canonicalJson({ delta, at, reason })));
}
