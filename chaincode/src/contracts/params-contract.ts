import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson, LendingParams, Orgs, validateLendingParams } from '@gridledger/core';
import { parseInput } from '../ledger/errors';
import { requireMsp } from '../ledger/access';
import { emit, getJson, parseJsonArg, putJson, txTimeSeconds } from '../ledger/state';

export const LENDING_PARAMS_KEY = 'params~lending';

/** The published parameters with who changed them, when, and in which transaction. */
export interface PublishedParams {
  params: LendingParams;
  version: number;
  updatedAt: number;
  updatedBy: string;
  txId: string;
}

/**
 * The lending paper's setup phase: the Utility publishes W_b, W_g, C(M, D), E(D), fines and pool
 * denominations. Changing them is a Utility transaction; every org audits them through the history.
 */
@Info({ title: 'ParamsContract', description: 'Governed platform parameters of the lending paper' })
export class ParamsContract extends Contract {
  constructor() {
    super('params');
  }

  @Transaction()
  @Returns('string')
  async SetLendingParams(ctx: Context, paramsJson: string): Promise<string> {
    const msp = requireMsp(ctx, 'changing the lending parameters', Orgs.Utility);
    const params: LendingParams = parseInput(() => validateLendingParams(parseJsonArg(paramsJson, 'params')));
    const previous = await getJson<PublishedParams>(ctx, LENDING_PARAMS_KEY);
    const published: PublishedParams = {
      params,
      version: (previous?.version ?? 0) + 1,
      updatedAt: txTimeSeconds(ctx),
      updatedBy: msp,
      txId: ctx.stub.getTxID(),
    };
    await putJson(ctx, LENDING_PARAMS_KEY, published);
    emit(ctx, 'LendingParamsChanged', published);
    return canonicalJson(published);
  }

  @Transaction(false)
  @Returns('string')
  async GetLendingParams(ctx: Context): Promise<string> {
    const published = await getJson<PublishedParams>(ctx, LENDING_PARAMS_KEY);
    if (!published) throw new Error('NOT_FOUND: the lending parameters have not been published yet');
    return canonicalJson(published);
  }

  /** Every version ever published, oldest first, from the ledger's key history. */
  @Transaction(false)
  @Returns('string')
  async GetLendingParamsHistory(ctx: Context): Promise<string> {
    const iterator = await ctx.stub.getHistoryForKey(LENDING_PARAMS_KEY);
    const versions: PublishedParams[] = [];
    try {
      for (let res = await iterator.next(); !res.done; res = await iterator.next()) {
        if (!res.value.isDelete) versions.push(JSON.parse(Buffer.from(res.value.value).toString('utf8')) as PublishedParams);
      }
    } finally {
      await iterator.close();
    }
    versions.sort((a, b) => a.version - b.version);
    return canonicalJson(versions);
  }
}
