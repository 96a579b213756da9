import { Context } from 'fabric-contract-api';
import { isPublicKeyHex, Unit, UNITS, verifyRequest } from '@gridledger/core';
import { refuse } from './errors';
import { key, view } from './view';

interface AccountRecord {
  balance: number;
}

/**
 * Balances per (unit, holder key). Incoming credits are write-only delta keys, one per transaction,
 * so many payers can credit one account in the same block without MVCC conflicts; the holder's next
 * spend folds them into the balance.
 */
export async function balanceOf(ctx: Context, unit: Unit, holder: string): Promise<number> {
  const v = view(ctx);
  const base = (await v.get<AccountRecord>(key(ctx, 'acct', unit, holder)))?.balance ?? 0;
  const credits = await v.range<number>('credit', [unit, holder]);
  return credits.reduce((sum, c) => sum + c.value, base);
}

const creditCounters = new WeakMap<object, number>();

export async function credit(ctx: Context, unit: Unit, holder: string, amount: number): Promise<void> {
  requireAmount(amount, 'credit');
  if (amount === 0) return;
  const n = (creditCounters.get(ctx.stub) ?? 0) + 1;
  creditCounters.set(ctx.stub, n);
  await view(ctx).put(key(ctx, 'credit', unit, holder, ctx.stub.getTxID(), String(n)), amount);
}

export async function debit(ctx: Context, unit: Unit, holder: string, amount: number): Promise<void> {
  requireAmount(amount, 'debit');
  const v = view(ctx);
  const acctKey = key(ctx, 'acct', unit, holder);
  let balance = (await v.get<AccountRecord>(acctKey))?.balance ?? 0;
  // Enough in the folded balance: spend it without the range read over pending credits, which costs a
  // round trip per page and would make this transaction conflict with concurrent incoming credits.
  if (balance >= amount) {
    await v.put(acctKey, { balance: balance - amount });
    return;
  }
  for (const c of await v.range<number>('credit', [unit, holder])) {
    balance += c.value;
    await v.del(c.key);
  }
  if (balance < amount) refuse('FORBIDDEN_STATE', `insufficient ${unit} balance: ${balance} < ${amount}`);
  await v.put(acctKey, { balance: balance - amount });
}

export function requireAmount(amount: unknown, what: string): number {
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 0) refuse('INVALID_ARGUMENT', `${what}: amount must be a non-negative integer`);
  return amount;
}

export function requireUnit(unit: unknown): Unit {
  if (!(UNITS as readonly unknown[]).includes(unit)) refuse('INVALID_ARGUMENT', `unit must be one of ${UNITS.join(', ')}`);
  return unit as Unit;
}

export function requireKey(value: unknown, what: string): string {
  if (!isPublicKeyHex(value)) refuse('INVALID_ARGUMENT', `${what} must be a 32-byte Ed25519 public key in lower-case hex`);
  return value;
}

/**
 * Checks an end user's signed request: the signature by `signer` over the action and body, and the
 * nonce exactly one more than the signer's last, which it then records (so a replay is refused).
 */
export async function authorizeSigned(ctx: Context, action: string, body: { nonce?: unknown }, signer: string, signature: unknown): Promise<void> {
  requireKey(signer, 'signer');
  if (!verifyRequest(action, body, signer, signature)) refuse('INVALID_SIGNATURE', `${action}: the signature does not match the request and key`);
  const v = view(ctx);
  const nonceKey = key(ctx, 'nonce', signer);
  const last = (await v.get<number>(nonceKey)) ?? 0;
  if (typeof body.nonce !== 'number' || !Number.isSafeInteger(body.nonce)) refuse('INVALID_ARGUMENT', `${action}: nonce must be an integer`);
  if (body.nonce !== last + 1) refuse('REPLAY', `${action}: nonce ${body.nonce} is not the next for this key (expected ${last + 1})`);
  await v.put(nonceKey, body.nonce);
}

export async function nonceOf(ctx: Context, signer: string): Promise<number> {
  return (await view(ctx).get<number>(key(ctx, 'nonce', signer))) ?? 0;
}
