import { Context } from 'fabric-contract-api';
import { OrgMsp } from '@gridledger/core';
import { refuse } from './errors';

/** The MSP of the client that submitted the transaction. */
export function clientMsp(ctx: Context): string {
  return ctx.clientIdentity.getMSPID();
}

/**
 * Refuses the transaction unless the submitting client belongs to one of `allowed`. The endorsement
 * policy says which peers must agree; this says whose request it may be at all.
 */
export function requireMsp(ctx: Context, action: string, ...allowed: OrgMsp[]): OrgMsp {
  const msp = clientMsp(ctx);
  if (!(allowed as string[]).includes(msp)) {
    refuse('ACCESS_DENIED', `${action} is reserved to ${allowed.join(' or ')}; the caller is ${msp}`);
  }
  return msp as OrgMsp;
}
