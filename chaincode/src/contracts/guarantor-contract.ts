import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { assertValidBabyPoint, canonicalJson, GUARANTOR_IDS, GUARANTOR_ORGS, guarantorIdForMsp, Orgs, pointToJson, toField } from '@gridledger/core';
import { requireMsp } from '../ledger/access';
import { requireAmount, requireKey } from '../ledger/accounts';
import { parseInput, refuse } from '../ledger/errors';
import { getGuarantor, GuarantorRecord, guarantorScore, guarantorScoreHistory } from '../ledger/guarantors';
import { emptyRegistry, RegistryRecord, RegistryTree } from '../ledger/registry-tree';
import { emit, parseJsonArg, txTimeSeconds } from '../ledger/state';
import { key, view } from '../ledger/view';

export const UTILITY_TRACE_KEY = 'tracekey~utility';

/**
 * Guarantor corporations: registered by the Utility with C_g and a tracing key; each keeps its own
 * credential registry (a Poseidon Merkle tree) that it alone can append to and revoke from.
 */
@Info({ title: 'GuarantorContract', description: 'Guarantors, tracing keys and credential registries' })
export class GuarantorContract extends Contract {
  constructor() {
    super('guarantor');
  }

  /** The Utility's half of the joint tracing key (Utility). */
  @Transaction()
  async SetUtilityTraceKey(ctx: Context, publicKeyJson: string): Promise<void> {
    requireMsp(ctx, 'setting the Utility tracing key', Orgs.Utility);
    const pk = parseInput(() => assertValidBabyPoint(parseJsonArg(publicKeyJson, 'publicKey'), 'publicKey'));
    await view(ctx).put(UTILITY_TRACE_KEY, { publicKey: pointToJson(pk), setAt: txTimeSeconds(ctx) });
    emit(ctx, 'UtilityTraceKeySet', { publicKey: pointToJson(pk) });
  }

  /** Registers a guarantor org with its score C_g, tracing key and fine account (Utility). */
  @Transaction()
  async RegisterGuarantor(ctx: Context, msp: string, name: string, score: string, tracePublicKeyJson: string, account: string): Promise<void> {
    requireMsp(ctx, 'registering a guarantor', Orgs.Utility);
    if (!(GUARANTOR_ORGS as readonly string[]).includes(msp)) refuse('INVALID_ARGUMENT', `${msp} is not a guarantor org (${GUARANTOR_ORGS.join(', ')})`);
    if (typeof name !== 'string' || name.length === 0 || name.length > 128) refuse('INVALID_ARGUMENT', 'name must be 1-128 characters');
    if (!/^\d{1,10}$/.test(score)) refuse('INVALID_ARGUMENT', 'score must be a non-negative integer below 2^32');
    const baseScore = requireAmount(Number(score), 'score');
    if (baseScore > 2 ** 32 - 1) refuse('INVALID_ARGUMENT', 'score must be below 2^32');
    const pk = parseInput(() => assertValidBabyPoint(parseJsonArg(tracePublicKeyJson, 'tracePublicKey'), 'tracePublicKey'));
    requireKey(account, 'account');
    const v = view(ctx);
    const k = key(ctx, 'guarantor', msp);
    if (await v.get(k)) refuse('CONFLICT', `${msp} is already registered`);
    const guarantorId = guarantorIdForMsp(msp);
    const rec: GuarantorRecord = { msp, guarantorId, name, baseScore, tracePublicKey: pointToJson(pk) as [string, string], account, registeredAt: txTimeSeconds(ctx) };
    await v.put(k, rec);
    await v.put(key(ctx, 'registry', String(guarantorId)), emptyRegistry(guarantorId));
    emit(ctx, 'GuarantorRegistered', { msp, guarantorId, score: baseScore });
  }

  /**
   * Appends a credential leaf Poseidon(idCommitment, C_b, guarantorId) to the caller's own registry
   * (guarantor orgs only). The leaf hides who the borrower is and what C_b it got.
   */
  @Transaction()
  @Returns('string')
  async IssueCredential(ctx: Context, leaf: string): Promise<string> {
    const msp = requireMsp(ctx, 'issuing a credential', Orgs.GuarantorA, Orgs.GuarantorB);
    const g = await getGuarantor(ctx, msp);
    const value = parseInput(() => toField(leaf, 'leaf'));
    if (value === 0n) refuse('INVALID_ARGUMENT', 'leaf must not be the empty leaf');
    const v = view(ctx);
    const rk = key(ctx, 'registry', String(g.guarantorId));
    const registry = (await v.get<RegistryRecord>(rk))!;
    const { record, leafIndex } = await new RegistryTree(ctx, g.guarantorId).append(registry, value);
    await v.put(rk, record);
    const out = { guarantor: msp, leafIndex, root: record.root };
    emit(ctx, 'CredentialIssued', out);
    return canonicalJson(out);
  }

  /** Revokes a credential of the caller's own registry; proofs against older roots stop at once. */
  @Transaction()
  @Returns('string')
  async RevokeCredential(ctx: Context, leafIndex: string): Promise<string> {
    const msp = requireMsp(ctx, 'revoking a credential', Orgs.GuarantorA, Orgs.GuarantorB);
    const g = await getGuarantor(ctx, msp);
    const index = Number(leafIndex);
    if (!/^\d+$/.test(leafIndex)) refuse('INVALID_ARGUMENT', 'leafIndex must be a non-negative integer');
    const record = await revokeLeaf(ctx, g.guarantorId, index);
    const out = { guarantor: msp, leafIndex: index, root: record.root };
    emit(ctx, 'CredentialRevoked', out);
    return canonicalJson(out);
  }

  @Transaction(false)
  @Returns('string')
  async GetGuarantor(ctx: Context, msp: string): Promise<string> {
    const g = await getGuarantor(ctx, msp);
    const registry = await view(ctx).get<RegistryRecord>(key(ctx, 'registry', String(g.guarantorId)));
    return canonicalJson({ ...g, score: await guarantorScore(ctx, msp), registry, scoreHistory: await guarantorScoreHistory(ctx, msp) });
  }

  @Transaction(false)
  @Returns('string')
  async ListGuarantors(ctx: Context): Promise<string> {
    const out = [];
    for (const msp of Object.keys(GUARANTOR_IDS)) {
      const g = await view(ctx).get<GuarantorRecord>(key(ctx, 'guarantor', msp));
      if (g) out.push({ ...g, score: await guarantorScore(ctx, msp) });
    }
    return canonicalJson(out);
  }

  /** The opening of one leaf: siblings from the bottom up, and the current root. */
  @Transaction(false)
  @Returns('string')
  async GetCredentialPath(ctx: Context, msp: string, leafIndex: string): Promise<string> {
    const g = await getGuarantor(ctx, msp);
    const registry = (await view(ctx).get<RegistryRecord>(key(ctx, 'registry', String(g.guarantorId))))!;
    const index = Number(leafIndex);
    if (!/^\d+$/.test(leafIndex) || index >= registry.nextIndex) refuse('NOT_FOUND', `leaf ${leafIndex} is not in ${msp}'s registry`);
    const tree = new RegistryTree(ctx, g.guarantorId);
    return canonicalJson({ guarantor: msp, leafIndex: index, leaf: (await tree.node(0, index)).toString(), siblings: await tree.path(index), root: registry.root });
  }

  @Transaction(false)
  @Returns('string')
  async GetUtilityTraceKey(ctx: Context): Promise<string> {
    const rec = await view(ctx).get(UTILITY_TRACE_KEY);
    if (!rec) refuse('NOT_FOUND', 'the Utility has not set its tracing key');
    return canonicalJson(rec);
  }
}

/** Revokes a leaf of a guarantor's registry (also used when a traced defaulter is published). */
export async function revokeLeaf(ctx: Context, guarantorId: number, index: number): Promise<RegistryRecord> {
  const v = view(ctx);
  const rk = key(ctx, 'registry', String(guarantorId));
  const registry = (await v.get<RegistryRecord>(rk))!;
  const record = await new RegistryTree(ctx, guarantorId).revoke(registry, index);
  await v.put(rk, record);
  return record;
}

