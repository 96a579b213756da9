import { Context } from 'fabric-contract-api';
import { Orgs } from '@gridledger/core';
import { clientMsp } from './access';
import { refuse } from './errors';
import { getIdentity, IdentityRecord } from './trading';

/**
 * Who may trade: the one place that decides it (switch the registration rule here).
 *
 * An order names a registered identity (`trader`, a KGC ID) and is signed by an Ed25519 account key.
 * The identity must be active with an unexpired KGC certificate, and `account` must be the account
 * registered with it (kgc.RegisterUser `account`; for a pile, the operator's collateral account).
 * A pile's orders must also be relayed by the operator org, which runs the pile's end.
 */
export async function requireTrader(ctx: Context, trader: string, account: string, now: number): Promise<IdentityRecord> {
  const rec = await getIdentity(ctx, trader);
  if (!rec) refuse('NOT_FOUND', `trader ${trader} is not registered with the KGC`);
  if (rec.status !== 'active') refuse('FORBIDDEN_STATE', `trader ${trader} is ${rec.status}`);
  if (rec.certificate.expiry <= now) refuse('EXPIRED', `the certificate of ${trader} expired at ${rec.certificate.expiry}`);
  if (rec.account !== account) refuse('INVALID_SIGNATURE', `account ${account.slice(0, 16)}... is not the account registered for ${trader}`);
  if (rec.kind === 'pile' && clientMsp(ctx) !== Orgs.Operator) refuse('ACCESS_DENIED', `orders of charging pile ${trader} are relayed by ${Orgs.Operator}`);
  return rec;
}
