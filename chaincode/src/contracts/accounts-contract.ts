import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson, MeterReading, Orgs, TransferBody, verifyRequest } from '@gridledger/core';
import { requireMsp } from '../ledger/access';
import { authorizeSigned, balanceOf, credit, debit, nonceOf, requireAmount, requireKey, requireUnit } from '../ledger/accounts';
import { refuse } from '../ledger/errors';
import { emit, parseJsonArg, txTimeSeconds } from '../ledger/state';
import { key, view } from '../ledger/view';

interface MeterRecord {
  meterId: string;
  publicKey: string;
  owner: string;
  lastSeq: number;
  lastCumulativeWh: number;
  registeredAt: number;
}

const METER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Energy credits (Wh) and the payment unit: accounts keyed by the holder's Ed25519 key. The Utility
 * mints energy against signed meter readings and issues the payment unit; holders transfer and
 * redeem by their own signature.
 */
@Info({ title: 'AccountsContract', description: 'Energy credits and payment-unit accounts, meters and minting' })
export class AccountsContract extends Contract {
  constructor() {
    super('accounts');
  }

  /** Registers a meter's key and the account its production is minted to (Utility). */
  @Transaction()
  async RegisterMeter(ctx: Context, meterId: string, meterPublicKey: string, ownerAccount: string): Promise<void> {
    requireMsp(ctx, 'registering a meter', Orgs.Utility);
    if (!METER_ID.test(meterId)) refuse('INVALID_ARGUMENT', 'meterId must be 1-64 characters of [A-Za-z0-9_.:-]');
    requireKey(meterPublicKey, 'meterPublicKey');
    requireKey(ownerAccount, 'ownerAccount');
    const v = view(ctx);
    const k = key(ctx, 'meter', meterId);
    if (await v.get(k)) refuse('CONFLICT', `meter ${meterId} is already registered`);
    const rec: MeterRecord = { meterId, publicKey: meterPublicKey, owner: ownerAccount, lastSeq: 0, lastCumulativeWh: 0, registeredAt: txTimeSeconds(ctx) };
    await v.put(k, rec);
    emit(ctx, 'MeterRegistered', { meterId, owner: ownerAccount });
  }

  /**
   * Mints the energy a meter measured since its last reading to its owner (Utility). The reading is
   * signed by the meter; a replayed or out-of-order reading (seq not increasing) is refused, and so is
   * a cumulative counter that went backwards.
   */
  @Transaction()
  @Returns('string')
  async MintFromMeter(ctx: Context, readingJson: string, signature: string): Promise<string> {
    requireMsp(ctx, 'minting energy credits', Orgs.Utility);
    const reading = parseJsonArg(readingJson, 'reading') as MeterReading;
    if (typeof reading !== 'object' || reading === null || typeof reading.meterId !== 'string') refuse('INVALID_ARGUMENT', 'reading must be an object with meterId');
    const v = view(ctx);
    const k = key(ctx, 'meter', reading.meterId);
    const meter = await v.get<MeterRecord>(k);
    if (!meter) refuse('NOT_FOUND', `meter ${reading.meterId} is not registered`);
    if (!verifyRequest('meter-reading', reading, meter.publicKey, signature)) refuse('INVALID_SIGNATURE', 'the reading is not signed by the meter');
    requireAmount(reading.seq, 'seq');
    requireAmount(reading.cumulativeWh, 'cumulativeWh');
    requireAmount(reading.readAt, 'readAt');
    if (reading.seq <= meter.lastSeq) refuse('REPLAY', `reading ${reading.seq} of meter ${meter.meterId} is not after the last accepted (${meter.lastSeq})`);
    if (reading.cumulativeWh < meter.lastCumulativeWh) refuse('INVALID_ARGUMENT', 'the meter counter went backwards');
    const minted = reading.cumulativeWh - meter.lastCumulativeWh;
    await v.put(k, { ...meter, lastSeq: reading.seq, lastCumulativeWh: reading.cumulativeWh });
    await credit(ctx, 'energy', meter.owner, minted);
    const out = { meterId: meter.meterId, seq: reading.seq, mintedWh: minted, to: meter.owner };
    emit(ctx, 'EnergyMinted', out);
    return canonicalJson(out);
  }

  /** Issues payment units to an account against money received off chain (Utility). */
  @Transaction()
  async IssuePay(ctx: Context, account: string, amount: string): Promise<void> {
    requireMsp(ctx, 'issuing payment units', Orgs.Utility);
    requireKey(account, 'account');
    const n = requireAmount(Number(amount), 'amount');
    if (!/^\d+$/.test(amount) || n === 0) refuse('INVALID_ARGUMENT', 'amount must be a positive integer');
    await credit(ctx, 'pay', account, n);
    emit(ctx, 'PayIssued', { account, amount: n });
  }

  /** Moves units between accounts, signed by the sender with its next nonce. */
  @Transaction()
  async Transfer(ctx: Context, bodyJson: string, signature: string): Promise<void> {
    const body = parseJsonArg(bodyJson, 'transfer') as TransferBody;
    if (typeof body !== 'object' || body === null) refuse('INVALID_ARGUMENT', 'transfer must be an object');
    const unit = requireUnit(body.unit);
    requireKey(body.from, 'from');
    requireKey(body.to, 'to');
    const amount = requireAmount(body.amount, 'amount');
    if (amount === 0) refuse('INVALID_ARGUMENT', 'amount must be positive');
    if (body.from === body.to) refuse('INVALID_ARGUMENT', 'from and to must differ');
    await authorizeSigned(ctx, 'transfer', body, body.from, signature);
    await debit(ctx, unit, body.from, amount);
    await credit(ctx, unit, body.to, amount);
    emit(ctx, 'Transferred', { unit, from: body.from, to: body.to, amount });
  }

  /** Burns energy credits delivered to the holder (a charge taken, energy consumed), signed by it. */
  @Transaction()
  async Redeem(ctx: Context, bodyJson: string, signature: string): Promise<void> {
    const body = parseJsonArg(bodyJson, 'redeem') as { account: string; amountWh: number; nonce: number };
    if (typeof body !== 'object' || body === null) refuse('INVALID_ARGUMENT', 'redeem must be an object');
    requireKey(body.account, 'account');
    const amount = requireAmount(body.amountWh, 'amountWh');
    if (amount === 0) refuse('INVALID_ARGUMENT', 'amountWh must be positive');
    await authorizeSigned(ctx, 'redeem', body, body.account, signature);
    await debit(ctx, 'energy', body.account, amount);
    emit(ctx, 'EnergyRedeemed', { account: body.account, amountWh: amount });
  }

  @Transaction(false)
  @Returns('string')
  async GetAccount(ctx: Context, account: string): Promise<string> {
    requireKey(account, 'account');
    return canonicalJson({ account, energyWh: await balanceOf(ctx, 'energy', account), pay: await balanceOf(ctx, 'pay', account), nonce: await nonceOf(ctx, account) });
  }

  @Transaction(false)
  @Returns('string')
  async GetMeter(ctx: Context, meterId: string): Promise<string> {
    const meter = await view(ctx).get<MeterRecord>(key(ctx, 'meter', meterId));
    if (!meter) refuse('NOT_FOUND', `meter ${meterId} is not registered`);
    return canonicalJson(meter);
  }
}
