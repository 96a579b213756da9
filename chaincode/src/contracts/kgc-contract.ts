import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson, checkSystemParams, KeyCertificate, Orgs, verifyPossession, verifyRequest } from '@gridledger/core';
import { requireMsp } from '../ledger/access';
import { authorizeSigned, credit, debit, requireAmount, requireKey } from '../ledger/accounts';
import { parseInput, refuse } from '../ledger/errors';
import { emit, parseJsonArg, txTimeSeconds } from '../ledger/state';
import {
  checkCertificate,
  collateralFor,
  getIdentity,
  IdentityRecord,
  identityKey,
  identityPubKey,
  KGC_PARAMS_KEY,
  kgcParams,
  openChannelsOf,
  PileRecord,
  pileKey,
  PublishedKgcParams,
  TRADING_PARAMS_KEY,
  tradingParams,
  validateTradingParams,
} from '../ledger/trading';
import { view } from '../ledger/view';

/** A revocation's reason: short printable text (it goes on chain and into an event). */
const REASON = /^[\x20-\x7e]{1,200}$/;

/** What a registration carries: the KGC certificate and the holder's proof of possession. */
export interface Registration {
  id: string;
  certificate: KeyCertificate;
  proofOfPossession: string;
}

/** A pile registration, signed (action `pile-register`) by the operator account that pays collateral. */
export interface PileRegistrationBody extends Registration {
  powerW: number;
  collateralAccount: string;
  nonce: number;
}

function asObject(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) refuse('INVALID_ARGUMENT', `${what} must be an object`);
  return x as Record<string, unknown>;
}

/**
 * Registration of the trading paper (Table 2): the KGC (Utility) publishes P_pub and registers users;
 * the operator registers its charging piles, locking collateral in proportion to power. Every key is
 * checked on chain: its KGC certificate against P_pub, and a proof of possession (no rogue keys),
 * in both the paper's escrow mode and the certified mode.
 */
@Info({ title: 'KgcContract', description: 'KGC system parameters, user and charging-pile registration, pile collateral' })
export class KgcContract extends Contract {
  constructor() {
    super('kgc');
  }

  /** Publishes (or rotates) the KGC system parameters {scheme, P_pub} (Utility). */
  @Transaction()
  @Returns('string')
  async Setup(ctx: Context, paramsJson: string): Promise<string> {
    requireMsp(ctx, 'publishing the KGC parameters', Orgs.Utility);
    const params = parseInput(() => checkSystemParams(parseJsonArg(paramsJson, 'params')));
    const v = view(ctx);
    const previous = await v.get<PublishedKgcParams>(KGC_PARAMS_KEY);
    const published: PublishedKgcParams = { params, version: (previous?.version ?? 0) + 1, publishedAt: txTimeSeconds(ctx), txId: ctx.stub.getTxID() };
    await v.put(KGC_PARAMS_KEY, published);
    emit(ctx, 'KgcParamsPublished', published);
    return canonicalJson(published);
  }

  /** Sets collateral rate and dispute-window default and bounds (Utility). */
  @Transaction()
  @Returns('string')
  async SetTradingParams(ctx: Context, paramsJson: string): Promise<string> {
    const msp = requireMsp(ctx, 'changing the trading parameters', Orgs.Utility);
    const params = validateTradingParams(parseJsonArg(paramsJson, 'params'));
    const v = view(ctx);
    const previous = await v.get<{ version: number }>(TRADING_PARAMS_KEY);
    const published = { params, version: (previous?.version ?? 0) + 1, updatedAt: txTimeSeconds(ctx), updatedBy: msp, txId: ctx.stub.getTxID() };
    await v.put(TRADING_PARAMS_KEY, published);
    emit(ctx, 'TradingParamsChanged', published);
    return canonicalJson(published);
  }

  /** Registers an end user (EV driver, prosumer) under a unique ID (Utility, the KGC). */
  @Transaction()
  @Returns('string')
  async RegisterUser(ctx: Context, registrationJson: string): Promise<string> {
    requireMsp(ctx, 'registering a user', Orgs.Utility);
    const reg = asObject(parseJsonArg(registrationJson, 'registration'), 'registration');
    let account: string | undefined;
    if (reg.account !== undefined) account = requireKey(reg.account, 'account');
    const rec = await this.register(ctx, reg as unknown as Registration, 'user', account);
    emit(ctx, 'UserRegistered', { id: rec.id, mode: rec.mode, publicKey: rec.certificate.publicKey, expiry: rec.certificate.expiry });
    return canonicalJson(rec);
  }

  /**
   * Registers a charging pile (operator org only) and locks collateral from the operator account that
   * signed the request: ceil(powerW * collateralPerKw / 1000) payment units.
   */
  @Transaction()
  @Returns('string')
  async RegisterPile(ctx: Context, bodyJson: string, signature: string): Promise<string> {
    const msp = requireMsp(ctx, 'registering a charging pile', Orgs.Operator);
    const body = asObject(parseJsonArg(bodyJson, 'pile registration'), 'pile registration') as unknown as PileRegistrationBody;
    const powerW = requireAmount(body.powerW, 'powerW');
    if (powerW === 0 || powerW > 10_000_000) refuse('INVALID_ARGUMENT', 'powerW must be an integer in [1, 10000000]');
    requireKey(body.collateralAccount, 'collateralAccount');
    // Checked before anything is written: a bad signature must not even consume the nonce.
    if (!verifyRequest('pile-register', body, body.collateralAccount, signature)) refuse('INVALID_SIGNATURE', 'pile-register: the signature does not match the request and collateral account');
    const rec = await this.register(ctx, body, 'pile', body.collateralAccount);
    await authorizeSigned(ctx, 'pile-register', body, body.collateralAccount, signature);
    const collateral = collateralFor(powerW, (await tradingParams(ctx)).collateralPerKw);
    await debit(ctx, 'pay', body.collateralAccount, collateral);
    const pile: PileRecord = { id: rec.id, powerW, collateral, collateralAccount: body.collateralAccount, registeredBy: msp, registeredAt: rec.registeredAt, status: 'active' };
    await view(ctx).put(pileKey(ctx, rec.id), pile);
    emit(ctx, 'PileRegistered', { id: rec.id, powerW, collateral, collateralAccount: body.collateralAccount, publicKey: rec.certificate.publicKey });
    return canonicalJson({ identity: rec, pile });
  }

  /**
   * Retires a pile and releases its collateral to the account that paid it (operator org only), once
   * no channel bound to the pile's identity is open.
   */
  @Transaction()
  @Returns('string')
  async RetirePile(ctx: Context, id: string): Promise<string> {
    requireMsp(ctx, 'retiring a charging pile', Orgs.Operator);
    const v = view(ctx);
    const pile = await v.get<PileRecord>(pileKey(ctx, id));
    if (!pile) refuse('NOT_FOUND', `pile ${id} is not registered`);
    if (pile.status !== 'active') refuse('FORBIDDEN_STATE', `pile ${id} is already retired`);
    // Its collateral backs it while it trades: close its channels first.
    const open = await openChannelsOf(ctx, id);
    if (open.length > 0) refuse('FORBIDDEN_STATE', `pile ${id} still has ${open.length} open channel(s), e.g. ${open[0]}: close them first`);
    const now = txTimeSeconds(ctx);
    const retired: PileRecord = { ...pile, status: 'retired', retiredAt: now };
    await v.put(pileKey(ctx, id), retired);
    const ident = await getIdentity(ctx, id);
    if (ident && ident.status === 'active') await v.put(identityKey(ctx, id), { ...ident, status: 'retired' });
    await credit(ctx, 'pay', pile.collateralAccount, pile.collateral);
    emit(ctx, 'PileRetired', { id, released: pile.collateral, to: pile.collateralAccount });
    return canonicalJson(retired);
  }

  /**
   * Revokes a registered identity (Utility only): a lost or stolen phone or pile, a user who left. The
   * ID can then no longer bind a channel key (an Open with its binding is refused) nor be registered
   * again. Channels already open run to their close (their keys were bound when they opened; the
   * counterparty may close at once). A revoked pile's collateral is still released by RetirePile.
   */
  @Transaction()
  @Returns('string')
  async RevokeIdentity(ctx: Context, id: string, reason: string): Promise<string> {
    requireMsp(ctx, 'revoking an identity', Orgs.Utility);
    if (typeof reason !== 'string' || !REASON.test(reason)) refuse('INVALID_ARGUMENT', 'reason must be 1-200 printable characters');
    const rec = await getIdentity(ctx, id);
    if (!rec) refuse('NOT_FOUND', `identity ${id} is not registered`);
    if (rec.status === 'revoked') refuse('FORBIDDEN_STATE', `identity ${id} is already revoked`);
    const revoked: IdentityRecord = { ...rec, status: 'revoked', revokedAt: txTimeSeconds(ctx), revocationReason: reason };
    await view(ctx).put(identityKey(ctx, id), revoked);
    emit(ctx, 'IdentityRevoked', { id, kind: rec.kind, reason });
    return canonicalJson(revoked);
  }

  @Transaction(false)
  @Returns('string')
  async GetParams(ctx: Context): Promise<string> {
    return canonicalJson({ kgc: await view(ctx).get(KGC_PARAMS_KEY) ?? null, trading: await tradingParams(ctx) });
  }

  @Transaction(false)
  @Returns('string')
  async GetIdentity(ctx: Context, id: string): Promise<string> {
    const rec = await getIdentity(ctx, id);
    if (!rec) refuse('NOT_FOUND', `identity ${id} is not registered`);
    return canonicalJson(rec);
  }

  @Transaction(false)
  @Returns('string')
  async GetPile(ctx: Context, id: string): Promise<string> {
    const pile = await view(ctx).get<PileRecord>(pileKey(ctx, id));
    if (!pile) refuse('NOT_FOUND', `pile ${id} is not registered`);
    return canonicalJson(pile);
  }

  @Transaction(false)
  @Returns('string')
  async ListPiles(ctx: Context): Promise<string> {
    const piles = await view(ctx).range<PileRecord>('pile', []);
    return canonicalJson(piles.map((p) => p.value));
  }

  /** The common checks: unique ID and key, role, certificate under P_pub, proof of possession. */
  private async register(ctx: Context, reg: Registration, kind: 'user' | 'pile', account: string | undefined): Promise<IdentityRecord> {
    const now = txTimeSeconds(ctx);
    const published = await kgcParams(ctx);
    const cert = asObject(reg.certificate, 'certificate') as unknown as KeyCertificate;
    if (typeof reg.id !== 'string' || reg.id !== cert.id) refuse('INVALID_ARGUMENT', 'id must equal the certificate id');
    if (cert.role !== kind) refuse('INVALID_ARGUMENT', `the certificate role must be "${kind}", got "${String(cert.role)}"`);
    checkCertificate(published.params, cert, now);
    // Both modes prove possession on chain: a key nobody can sign with (a rogue key built from
    // others' keys) is never registered, whoever the KGC is willing to certify.
    let possessed = false;
    try {
      possessed = verifyPossession(reg.id, cert.publicKey, reg.proofOfPossession);
    } catch {
      possessed = false;
    }
    if (!possessed) refuse('INVALID_PROOF', `no valid proof of possession of ${reg.id}'s key`);
    const v = view(ctx);
    if (await v.get(identityKey(ctx, reg.id))) refuse('CONFLICT', `ID ${reg.id} is already registered`);
    if (await v.get(identityPubKey(ctx, cert.publicKey))) refuse('CONFLICT', 'this public key is already registered under another ID');
    const certificate: KeyCertificate = { scheme: cert.scheme, mode: cert.mode, id: cert.id, role: cert.role, publicKey: cert.publicKey, expiry: cert.expiry, kgcSignature: cert.kgcSignature };
    const rec: IdentityRecord = { id: reg.id, kind, mode: cert.mode, certificate, kgcVersion: published.version, registeredAt: now, status: 'active' };
    if (account) rec.account = account;
    await v.put(identityKey(ctx, reg.id), rec);
    await v.put(identityPubKey(ctx, cert.publicKey), { id: reg.id });
    return rec;
  }
}
