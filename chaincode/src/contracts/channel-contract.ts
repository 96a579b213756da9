import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { canonicalJson, channels, verifyRequest } from '@gridledger/core';
import { authorizeSigned, credit, debit, requireKey } from '../ledger/accounts';
import { refuse, RefusalCode } from '../ledger/errors';
import { emit, parseJsonArg, txTimeSeconds } from '../ledger/state';
import { activeIdentityKey, openChannelKey, tradingParams } from '../ledger/trading';
import { key, view } from '../ledger/view';

type Side = channels.Side;
const SIDES: Side[] = ['a', 'b'];

/** What the chaincode keeps per channel, under its own key (no shared escrow key). */
export interface ChannelOnChain {
  channelId: string;
  keys: { a: string; b: string };
  /** Balances of the base state: version 0's deposits, or the last resize state's balances. */
  deposits: { a: string; b: string };
  total: string;
  disputeWindow: number;
  accounts: { a: string; b: string };
  identities?: Partial<Record<Side, string>>;
  /** Posts below this version are refused (0, or the version of the last resize). */
  baseVersion: number;
  status: 'open' | 'closing' | 'closed';
  openedAt: number;
  closingAt?: number;
  deadline?: number;
  closedAt?: number;
  settlement?: { kind: string; version: number; payouts: { a: string; b: string }; cheater?: Side; htlcs: Array<{ id: string; outcome: string }> };
}

const SALT = /^[A-Za-z0-9._:-]{1,64}$/;

/** Map the channel library's error codes to chaincode refusals. */
function lib<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === undefined) throw err;
    const map: Record<string, RefusalCode> = {
      NOT_COSIGNED: 'INVALID_SIGNATURE',
      BAD_SIGNATURE: 'INVALID_SIGNATURE',
      CHALLENGE_TOO_LATE: 'EXPIRED',
      STALE_CHALLENGE: 'REPLAY',
      VERSION_NOT_INCREASING: 'REPLAY',
      NOT_DISPUTABLE: 'FORBIDDEN_STATE',
      CHANNEL_FINAL: 'FORBIDDEN_STATE',
    };
    refuse(map[code] ?? 'INVALID_ARGUMENT', (err as Error).message);
  }
}

function obj(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) refuse('INVALID_ARGUMENT', `${what} must be an object`);
  return x as Record<string, unknown>;
}

/** A decimal-string amount that also fits the accounts' safe integers. */
function safeAmount(value: unknown, what: string): number {
  const x = lib(() => channels.parseAmount(value, what));
  if (x > BigInt(Number.MAX_SAFE_INTEGER)) refuse('INVALID_ARGUMENT', `${what} exceeds 2^53-1`);
  return Number(x);
}

function side(x: unknown, what: string): Side {
  if (x !== 'a' && x !== 'b') refuse('INVALID_ARGUMENT', `${what} must be "a" or "b"`);
  return x;
}

const recordKey = (ctx: Context, id: string) => key(ctx, 'chan', id);
const postKey = (ctx: Context, id: string, which: 'close' | 'counter') => key(ctx, 'chanpost', id, which);
const revKey = (ctx: Context, id: string, party: Side) => key(ctx, 'chanrev', id, party);

/** Per party: the highest-version state carrying its signature, posted as evidence only. */
const evidenceKey = (ctx: Context, id: string, party: Side) => key(ctx, 'chanevid', id, party);

const preimageKey = (ctx: Context, hashLock: string) => key(ctx, 'preimage', hashLock);

function libRecord(c: ChannelOnChain): channels.ChannelRecord {
  return { channelId: c.channelId, keys: c.keys, deposits: c.deposits, disputeWindow: c.disputeWindow };
}

/**
 * Payment channels on chain (trading paper, Table 3 and section 4.1): open with locked deposits,
 * top-up/withdraw by a co-signed resize, cooperative close, unilateral close with a dispute window,
 * counter-states and revocation evidence (also from a watchtower), breach remedy, and HTLCs settled by
 * preimages revealed into a global registry. The rules are the shared library's (`channels.settle`).
 * End users act by their own signatures; any org may relay.
 */
@Info({ title: 'ChannelContract', description: 'Payment channels: open, resize, close, dispute, HTLC reveal, settle' })
export class ChannelContract extends Contract {
  constructor() {
    super('channel');
  }

  /** Opens a channel: both accounts sign the terms with their next nonce; deposits are debited. */
  @Transaction()
  @Returns('string')
  async Open(ctx: Context, requestJson: string): Promise<string> {
    const req = obj(parseJsonArg(requestJson, 'open request'), 'open request') as unknown as channels.OpenRequest;
    const terms = obj(req.terms, 'terms') as unknown as channels.OpenTerms;
    const auth = obj(req.auth, 'auth') as unknown as channels.OpenRequest['auth'];
    if (terms.network !== channels.ONCHAIN_NETWORK) refuse('INVALID_ARGUMENT', `terms.network must be ${channels.ONCHAIN_NETWORK}`);
    if (typeof terms.salt !== 'string' || !SALT.test(terms.salt)) refuse('INVALID_ARGUMENT', 'terms.salt must be 1-64 chars of [A-Za-z0-9._:-]');
    for (const k of Object.keys(terms)) if (!['network', 'salt', 'a', 'b', 'disputeWindow'].includes(k)) refuse('INVALID_ARGUMENT', `terms has unknown field ${k}`);
    const now = txTimeSeconds(ctx);
    const tp = await tradingParams(ctx);
    const window = terms.disputeWindow ?? tp.disputeWindowS;
    if (typeof window !== 'number' || !Number.isSafeInteger(window) || window < tp.minDisputeWindowS || window > tp.maxDisputeWindowS) {
      refuse('INVALID_ARGUMENT', `disputeWindow must be an integer in [${tp.minDisputeWindowS}, ${tp.maxDisputeWindowS}] seconds`);
    }
    const deposits: Record<Side, number> = { a: 0, b: 0 };
    for (const s of SIDES) {
      const t = obj(terms[s], `terms.${s}`) as unknown as channels.OpenSide;
      for (const k of Object.keys(t)) if (!['account', 'channelKey', 'deposit', 'identity'].includes(k)) refuse('INVALID_ARGUMENT', `terms.${s} has unknown field ${k}`);
      requireKey(t.account, `terms.${s}.account`);
      lib(() => channels.assertChannelKey(t.channelKey));
      deposits[s] = safeAmount(t.deposit, `terms.${s}.deposit`);
    }
    if (terms.a.account === terms.b.account) refuse('INVALID_ARGUMENT', 'the two sides must use different accounts');
    const total = deposits.a + deposits.b;
    if (total === 0 || !Number.isSafeInteger(total)) refuse('INVALID_ARGUMENT', 'the channel total must be positive and below 2^53');
    const record = channels.recordOf(terms, window);
    lib(() => channels.checkRecord(record));
    const v = view(ctx);
    if (await v.get(recordKey(ctx, record.channelId))) refuse('CONFLICT', `channel ${record.channelId} already exists`);

    // Every signature and binding is checked before anything is written.
    const identities: Partial<Record<Side, string>> = {};
    for (const s of SIDES) {
      const a = obj(auth[s], `auth.${s}`) as unknown as channels.OpenAuth;
      if (!verifyRequest('channel-open', channels.openAuthBody(s, terms, a.nonce), terms[s].account, a.signature)) {
        refuse('INVALID_SIGNATURE', `channel-open: side ${s}'s account signature does not verify`);
      }
      const ident = terms[s].identity;
      if (ident !== undefined) {
        const i = obj(ident, `terms.${s}.identity`) as unknown as NonNullable<channels.OpenSide['identity']>;
        if (typeof i.id !== 'string') refuse('INVALID_ARGUMENT', `terms.${s}.identity.id must be a string`);
        const blsKey = await activeIdentityKey(ctx, i.id, now);
        let bound = false;
        try {
          bound = channels.verifyChannelKeyBinding(i.id, terms[s].channelKey, channels.bindingScope(record.channelId), i.binding, { [i.id]: blsKey });
        } catch {
          bound = false;
        }
        if (!bound) refuse('INVALID_SIGNATURE', `side ${s}: the channel key is not bound to identity ${i.id}`);
        identities[s] = i.id;
      }
    }
    for (const s of SIDES) {
      await authorizeSigned(ctx, 'channel-open', channels.openAuthBody(s, terms, auth[s].nonce), terms[s].account, auth[s].signature);
      if (deposits[s] > 0) await debit(ctx, 'pay', terms[s].account, deposits[s]);
    }
    const rec: ChannelOnChain = {
      channelId: record.channelId,
      keys: record.keys,
      deposits: record.deposits,
      total: String(total),
      disputeWindow: window,
      accounts: { a: terms.a.account, b: terms.b.account },
      baseVersion: 0,
      status: 'open',
      openedAt: now,
    };
    if (Object.keys(identities).length > 0) rec.identities = identities;
    await v.put(recordKey(ctx, rec.channelId), rec);
    // One marker per bound identity and channel (no shared key): a pile cannot retire while it has one.
    for (const id of new Set(Object.values(identities))) await v.put(openChannelKey(ctx, id, rec.channelId), { openedAt: now });
    emit(ctx, 'ChannelOpened', { channelId: rec.channelId, deposits: rec.deposits, disputeWindow: window, accounts: rec.accounts, identities: rec.identities ?? {} });
    return canonicalJson(rec);
  }

  /** Top-up and/or partial withdrawal of an open channel by a co-signed resize state (see docs/channels.md). */
  @Transaction()
  @Returns('string')
  async Resize(ctx: Context, requestJson: string): Promise<string> {
    const req = obj(parseJsonArg(requestJson, 'resize request'), 'resize request') as unknown as channels.ResizeRequest;
    const terms = obj(req.terms, 'terms') as unknown as channels.ResizeTerms;
    const c = await this.channel(ctx, terms.channelId);
    if (c.status !== 'open') refuse('FORBIDDEN_STATE', `channel ${c.channelId} is ${c.status}`);
    const now = txTimeSeconds(ctx);
    if (typeof terms.notAfter !== 'number' || !Number.isSafeInteger(terms.notAfter)) refuse('INVALID_ARGUMENT', 'notAfter must be integer unix seconds');
    if (now > terms.notAfter) refuse('EXPIRED', `the resize expired at ${terms.notAfter}`);
    if (typeof terms.version !== 'number' || !Number.isSafeInteger(terms.version) || terms.version <= c.baseVersion) refuse('REPLAY', `a resize must be newer than version ${c.baseVersion}`);
    const amounts = {
      topUp: { a: safeAmount(terms.topUp?.a, 'topUp.a'), b: safeAmount(terms.topUp?.b, 'topUp.b') },
      withdraw: { a: safeAmount(terms.withdraw?.a, 'withdraw.a'), b: safeAmount(terms.withdraw?.b, 'withdraw.b') },
    };
    const newTotal = lib(() => channels.resizedTotal(BigInt(c.total), terms));
    if (newTotal === 0n || newTotal > BigInt(Number.MAX_SAFE_INTEGER)) refuse('INVALID_ARGUMENT', 'the new total must be positive and below 2^53');
    if (amounts.topUp.a + amounts.topUp.b + amounts.withdraw.a + amounts.withdraw.b === 0) refuse('INVALID_ARGUMENT', 'a resize must move funds');
    const signed = obj(req.signed, 'signed') as unknown as channels.SignedState;
    const parsed = lib(() => channels.assertCoSigned(signed, c.keys, newTotal));
    if (signed.state.channelId !== c.channelId || signed.state.version !== terms.version) refuse('INVALID_ARGUMENT', 'the resize state must be this channel\'s state of the resize version');
    if (parsed.htlcs.length > 0 || signed.state.final === true) refuse('INVALID_ARGUMENT', 'the resize state must have no HTLCs and not be final');
    const consent = obj(req.consent, 'consent') as Record<Side, string>;
    for (const s of SIDES) {
      if (!channels.verifyChannelRequest('channel-resize', terms, c.keys[s], consent[s])) refuse('INVALID_SIGNATURE', `side ${s} did not sign the resize terms`);
    }
    for (const s of SIDES) {
      if (amounts.topUp[s] === 0) continue;
      const f = obj(req.funding?.[s], `funding.${s}`) as unknown as channels.OpenAuth;
      if (!verifyRequest('channel-topup', channels.topUpBody(s, terms, f.nonce), c.accounts[s], f.signature)) refuse('INVALID_SIGNATURE', `side ${s}'s account did not sign its top-up`);
    }
    for (const s of SIDES) {
      if (amounts.topUp[s] > 0) {
        const f = req.funding![s]!;
        await authorizeSigned(ctx, 'channel-topup', channels.topUpBody(s, terms, f.nonce), c.accounts[s], f.signature);
        await debit(ctx, 'pay', c.accounts[s], amounts.topUp[s]);
      }
      if (amounts.withdraw[s] > 0) await credit(ctx, 'pay', c.accounts[s], amounts.withdraw[s]);
    }
    const next: ChannelOnChain = { ...c, deposits: { a: signed.state.balances.a, b: signed.state.balances.b }, total: newTotal.toString(), baseVersion: terms.version };
    await view(ctx).put(recordKey(ctx, c.channelId), next);
    emit(ctx, 'ChannelResized', { channelId: c.channelId, version: terms.version, topUp: terms.topUp, withdraw: terms.withdraw, total: next.total });
    return canonicalJson(next);
  }

  /**
   * Closes a channel. A co-signed `final` state settles at once (cooperative). Any other co-signed
   * state (or version 0) starts a unilateral close: the closer's channel key must sign it, and the
   * dispute window opens.
   */
  @Transaction()
  @Returns('string')
  async Close(ctx: Context, requestJson: string): Promise<string> {
    const req = obj(parseJsonArg(requestJson, 'close request'), 'close request') as unknown as channels.CloseRequest;
    const c = await this.channel(ctx, req.channelId);
    if (c.status !== 'open') refuse('FORBIDDEN_STATE', `channel ${c.channelId} is ${c.status}`);
    const by = side(req.by, 'by');
    const now = txTimeSeconds(ctx);
    const post: channels.Post = { by, postedAt: now, signed: this.signedOf(req.signed) };
    this.checkPost(c, post);
    if (post.signed.state.final === true) {
      const s = lib(() => channels.settle({ record: libRecord(c), close: post, now }));
      return this.payout(ctx, c, s, now);
    }
    if (!channels.verifyCloseSignature(req, c.keys[by])) refuse('INVALID_SIGNATURE', `a unilateral close must be signed by side ${by}'s channel key`);
    const deadline = now + c.disputeWindow;
    const next: ChannelOnChain = { ...c, status: 'closing', closingAt: now, deadline };
    const v = view(ctx);
    await v.put(postKey(ctx, c.channelId, 'close'), post);
    await v.put(recordKey(ctx, c.channelId), next);
    emit(ctx, 'ChannelClosing', { channelId: c.channelId, by, version: post.signed.state.version, deadline, htlcs: post.signed.state.htlcs.length });
    return canonicalJson({ ...next, close: { by, version: post.signed.state.version } });
  }

  /**
   * Answers a unilateral close within the window with a newer co-signed state, optionally with the
   * closer's revocation secret for it as breach evidence. Anyone may post it (a watchtower for an offline
   * party): the co-signatures are the authority. A proven breach pays the honest side at once.
   */
  @Transaction()
  @Returns('string')
  async Counter(ctx: Context, requestJson: string): Promise<string> {
    const req = obj(parseJsonArg(requestJson, 'counter request'), 'counter request') as { channelId: string; by?: Side; signed: channels.SignedState; revocations?: channels.Revocation[] };
    const c = await this.channel(ctx, req.channelId);
    if (c.status !== 'closing') refuse('FORBIDDEN_STATE', `channel ${c.channelId} is ${c.status}, not in dispute`);
    const v = view(ctx);
    const close = (await v.get<channels.Post>(postKey(ctx, c.channelId, 'close')))!;
    const best = await v.get<channels.Post>(postKey(ctx, c.channelId, 'counter'));
    const now = txTimeSeconds(ctx);
    const by = req.by === undefined ? channels.other(close.by) : side(req.by, 'by');
    const counter: channels.Post = { by, postedAt: now, signed: this.signedOf(req.signed) };
    this.checkPost(c, counter);
    lib(() => channels.checkCounter(libRecord(c), close, counter, best));
    await v.put(postKey(ctx, c.channelId, 'counter'), counter);
    await this.storeRevocations(ctx, c, req.revocations ?? []);
    return this.trySettle(ctx, c, now, 'ChannelCountered', { channelId: c.channelId, by, version: counter.signed.state.version });
  }

  /**
   * Posts revocations (breach evidence) while a close is pending; a proven breach pays at once.
   * `evidenceJson` is `{revocations, states?}` (or just the array of revocations): each revocation's
   * secret must open the lock its party bound into its signature on a state of version `below`,
   * either a state posted on chain or one of `states` (which count as evidence only, never as a
   * counter, so they are accepted after the window too).
   */
  @Transaction()
  @Returns('string')
  async PostRevocations(ctx: Context, channelId: string, evidenceJson: string): Promise<string> {
    const c = await this.channel(ctx, channelId);
    if (c.status !== 'closing') refuse('FORBIDDEN_STATE', `channel ${c.channelId} is ${c.status}, not in dispute`);
    const arg = parseJsonArg(evidenceJson, 'evidence');
    const ev = Array.isArray(arg) ? { revocations: arg, states: [] } : obj(arg, 'evidence');
    const revs = ev.revocations ?? [];
    if (!Array.isArray(revs) || revs.length > 2) refuse('INVALID_ARGUMENT', 'revocations must be an array of at most 2 revocations');
    const states = ev.states ?? [];
    if (!Array.isArray(states) || states.length > 2) refuse('INVALID_ARGUMENT', 'states must be an array of at most 2 signed states');
    if (revs.length + states.length === 0) refuse('INVALID_ARGUMENT', 'post at least one revocation or signed state');
    const signed = states.map((x) => this.signedOf(x));
    const stored = (await this.storeRevocations(ctx, c, revs as channels.Revocation[], signed)) + (await this.storeEvidence(ctx, c, signed));
    if (stored === 0) refuse('REPLAY', 'this adds nothing to the evidence already on chain');
    const parties = [...new Set([...(revs as channels.Revocation[]).map((r) => r.party), ...signed.flatMap((x) => SIDES.filter((p) => x.sigs[p] !== ''))])];
    return this.trySettle(ctx, c, txTimeSeconds(ctx), 'RevocationsPosted', { channelId, parties });
  }

  /**
   * Records a preimage in the global registry `hashLock -> first reveal time`. It counts for every
   * channel with that lock; a repeat reveal changes nothing and keeps the first time.
   */
  @Transaction()
  @Returns('string')
  async RevealPreimage(ctx: Context, preimage: string): Promise<string> {
    const hashLock = lib(() => channels.hashLockOf(preimage));
    const v = view(ctx);
    const existing = await v.get<{ hashLock: string; preimage: string; revealedAt: number }>(preimageKey(ctx, hashLock));
    if (existing) return canonicalJson({ ...existing, first: false });
    const rec = { hashLock, preimage, revealedAt: txTimeSeconds(ctx) };
    await v.put(preimageKey(ctx, hashLock), rec);
    emit(ctx, 'PreimageRevealed', rec);
    return canonicalJson({ ...rec, first: true });
  }

  /** Pays out a unilateral close once the window is over and every pending HTLC is decided. */
  @Transaction()
  @Returns('string')
  async Settle(ctx: Context, channelId: string): Promise<string> {
    const c = await this.channel(ctx, channelId);
    if (c.status !== 'closing') refuse('FORBIDDEN_STATE', `channel ${channelId} is ${c.status}, not closing`);
    const now = txTimeSeconds(ctx);
    const s = await this.evaluate(ctx, c, now);
    if (s.status === 'pending') refuse('FORBIDDEN_STATE', `not yet: the dispute window ends at ${s.deadline}, payout possible from ${s.readyAt} (now ${now})`);
    return this.payout(ctx, c, s, now);
  }

  @Transaction(false)
  @Returns('string')
  async GetChannel(ctx: Context, channelId: string): Promise<string> {
    const c = await this.channel(ctx, channelId);
    const v = view(ctx);
    const close = await v.get<channels.Post>(postKey(ctx, channelId, 'close'));
    const counter = await v.get<channels.Post>(postKey(ctx, channelId, 'counter'));
    let preview: channels.Settlement | undefined;
    if (c.status === 'closing') preview = await this.evaluate(ctx, c, txTimeSeconds(ctx)).catch(() => undefined);
    const summary = (p?: channels.Post) => (p ? { by: p.by, postedAt: p.postedAt, version: p.signed.state.version, htlcs: p.signed.state.htlcs } : null);
    return canonicalJson({ ...c, close: summary(close), counter: summary(counter), preview: preview ?? null });
  }

  @Transaction(false)
  @Returns('string')
  async GetPreimage(ctx: Context, hashLock: string): Promise<string> {
    const rec = await view(ctx).get(preimageKey(ctx, hashLock));
    if (!rec) refuse('NOT_FOUND', `no preimage revealed for ${hashLock}`);
    return canonicalJson(rec);
  }

  private async channel(ctx: Context, channelId: unknown): Promise<ChannelOnChain> {
    if (typeof channelId !== 'string') refuse('INVALID_ARGUMENT', 'channelId must be a string');
    const c = await view(ctx).get<ChannelOnChain>(recordKey(ctx, channelId));
    if (!c) refuse('NOT_FOUND', `channel ${channelId} does not exist`);
    return c;
  }

  private signedOf(x: unknown): channels.SignedState {
    const s = obj(x, 'signed');
    const sigs = s.sigs === undefined ? { a: '', b: '' } : obj(s.sigs, 'signed.sigs');
    const signed: channels.SignedState = { state: s.state as channels.ChannelState, sigs: { a: String(sigs.a ?? ''), b: String(sigs.b ?? '') } };
    if (s.locks !== undefined) {
      const locks = obj(s.locks, 'signed.locks');
      signed.locks = {};
      for (const k of Object.keys(locks)) {
        const sd = side(k, 'signed.locks side');
        signed.locks[sd] = lib(() => channels.checkLock(locks[k], `signed.locks.${sd}`));
      }
    }
    return signed;
  }

  private checkPost(c: ChannelOnChain, post: channels.Post): void {
    const version = (post.signed.state as { version?: unknown })?.version;
    if (typeof version === 'number' && version < c.baseVersion) refuse('REPLAY', `version ${version} predates the channel's resize at version ${c.baseVersion}`);
    if (c.baseVersion > 0 && version === 0) refuse('REPLAY', 'the opening state was replaced by a resize');
    lib(() => channels.checkPost(libRecord(c), post, BigInt(c.total)));
  }

  /**
   * Stores revocations (highest per party) whose secret opens the lock that party bound into its
   * signature on a state of version `below`: a post on chain, or one of `states` (which
   * {@link storeEvidence} keeps; a later state it keeps instead proves at least as much by the
   * signature rule). Returns how many improved the evidence.
   */
  private async storeRevocations(ctx: Context, c: ChannelOnChain, revs: channels.Revocation[], states: channels.SignedState[] = []): Promise<number> {
    if (!Array.isArray(revs)) refuse('INVALID_ARGUMENT', 'revocations must be an array');
    const v = view(ctx);
    const posts = [await v.get<channels.Post>(postKey(ctx, c.channelId, 'close')), await v.get<channels.Post>(postKey(ctx, c.channelId, 'counter'))].filter((p): p is channels.Post => p !== undefined);
    let stored = 0;
    for (const r of revs) {
      const t = lib(() => channels.checkRevocation(obj(r, 'revocation')));
      if (t.channelId !== c.channelId) refuse('INVALID_ARGUMENT', 'revocation is for another channel');
      // The posts' signatures were checked when they were posted; an evidence state's is checked here.
      const onChain = posts.some((p) => lib(() => channels.revocationOpens(t, p.signed, c.keys, true)));
      if (!onChain && !states.some((s) => lib(() => channels.revocationOpens(t, s, c.keys)))) refuse('INVALID_SIGNATURE', `the secret of ${t.party} opens no lock of its signature on a state of version ${t.below}`);
      const k = revKey(ctx, c.channelId, t.party);
      const have = await v.get<channels.Revocation>(k);
      if (have && have.below >= t.below) continue;
      await v.put(k, { channelId: t.channelId, party: t.party, below: t.below, secret: t.secret });
      stored++;
    }
    return stored;
  }

  /**
   * Keeps, per party, the highest-version state carrying its valid signature (a signature on `q`
   * revokes everything below `q - 1`); a state with no valid signature is refused. Returns how many
   * improved the evidence.
   */
  private async storeEvidence(ctx: Context, c: ChannelOnChain, states: channels.SignedState[]): Promise<number> {
    const v = view(ctx);
    let stored = 0;
    for (const st of states) {
      if (st.state?.channelId !== c.channelId) refuse('INVALID_ARGUMENT', 'evidence state is for another channel');
      const signedBy = st.state.version > 0 ? SIDES.filter((p) => st.sigs[p] !== '' && lib(() => channels.verifyStateSignature(st.state, c.keys[p], st.sigs[p], channels.lockOfSide(st, p)))) : [];
      if (signedBy.length === 0) refuse('INVALID_SIGNATURE', `evidence state of version ${String(st.state.version)} carries no valid signature`);
      for (const p of signedBy) {
        const k = evidenceKey(ctx, c.channelId, p);
        const have = await v.get<channels.SignedState>(k);
        if (have && have.state.version >= st.state.version) continue;
        await v.put(k, st);
        stored++;
      }
    }
    return stored;
  }

  /** The library's settlement over everything on chain for this channel. */
  private async evaluate(ctx: Context, c: ChannelOnChain, now: number): Promise<channels.Settlement> {
    const v = view(ctx);
    const close = (await v.get<channels.Post>(postKey(ctx, c.channelId, 'close')))!;
    const counter = await v.get<channels.Post>(postKey(ctx, c.channelId, 'counter'));
    const revocations: channels.Revocation[] = [];
    const evidence: channels.SignedState[] = [];
    for (const s of SIDES) {
      const r = await v.get<channels.Revocation>(revKey(ctx, c.channelId, s));
      if (r) revocations.push(r);
      const signed = await v.get<channels.SignedState>(evidenceKey(ctx, c.channelId, s));
      if (signed) evidence.push(signed);
    }
    const locks = new Set([...close.signed.state.htlcs, ...(counter?.signed.state.htlcs ?? [])].map((h) => h.hashLock));
    const reveals: channels.Reveal[] = [];
    for (const h of locks) {
      const r = await v.get<{ preimage: string; revealedAt: number }>(preimageKey(ctx, h));
      if (r) reveals.push({ preimage: r.preimage, revealedAt: r.revealedAt });
    }
    return lib(() => channels.settle({ record: libRecord(c), close, counter, revocations, evidence, reveals, now }));
  }

  /** After new evidence: a breach pays at once; otherwise emit `event` and report what is pending. */
  private async trySettle(ctx: Context, c: ChannelOnChain, now: number, event: string, payload: Record<string, unknown>): Promise<string> {
    const s = await this.evaluate(ctx, c, now);
    if (s.status === 'settled' && s.kind === 'breach') return this.payout(ctx, c, s, now);
    emit(ctx, event, { ...payload, status: s.status, version: s.version, ...(s.status === 'pending' ? { deadline: s.deadline, readyAt: s.readyAt } : {}) });
    return canonicalJson({ channelId: c.channelId, status: 'closing', settlement: s });
  }

  private async payout(ctx: Context, c: ChannelOnChain, s: channels.Settlement, now: number): Promise<string> {
    if (s.status !== 'settled') refuse('FORBIDDEN_STATE', 'settlement is still pending');
    const paid = { a: safeAmount(s.payouts.a, 'payout a'), b: safeAmount(s.payouts.b, 'payout b') };
    if (BigInt(paid.a) + BigInt(paid.b) !== BigInt(c.total)) refuse('FORBIDDEN_STATE', 'payouts do not add up to the channel total');
    for (const x of SIDES) await credit(ctx, 'pay', c.accounts[x], paid[x]);
    const settlement: NonNullable<ChannelOnChain['settlement']> = {
      kind: s.kind,
      version: s.version,
      payouts: s.payouts,
      htlcs: s.htlcs.map((h) => ({ id: h.id, outcome: h.resolution.outcome })),
    };
    if (s.cheater) settlement.cheater = s.cheater;
    const next: ChannelOnChain = { ...c, status: 'closed', closedAt: now, settlement };
    await view(ctx).put(recordKey(ctx, c.channelId), next);
    for (const id of new Set(Object.values(c.identities ?? {}))) await view(ctx).del(openChannelKey(ctx, id, c.channelId));
    emit(ctx, 'ChannelSettled', { channelId: c.channelId, ...settlement, accounts: c.accounts });
    return canonicalJson(next);
  }
}
