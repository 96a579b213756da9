import { Contract } from '@hyperledger/fabric-gateway';
import { canonicalJson, channels, createPoolNote, generateKeyPair, KeyPair, noteCommitment, signRequest } from '@gridledger/core';
import { GatewayProcess } from './gateway-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the clients were told was committed: the evidence a fault suite checks the ledger against. */
export interface Acknowledged {
  kind: 'transfer' | 'deposit';
  txId: string;
  actor: string;
  /** What it changed: the amount moved, or the commitment deposited. */
  detail: string;
  /** The request's nonce and the Idempotency-Key that got the final answer (to trace a duplicate). */
  nonce: number;
  key: string;
  at: number;
}

export interface LoadStats {
  acknowledged: Acknowledged[];
  /** Commits the peers rejected (MVCC and the like): answered as rejected, so retried with a new key. */
  rejected: number;
  /** Attempts that got no answer or a 5xx (gateway or network down): retried with the same key. */
  retries: number;
  /** Answers that must never happen, e.g. a 4xx for a well-formed request: the suite fails on any. */
  anomalies: string[];
  /** When the most recent successful request was sent: a success that began after a repair proves recovery. */
  lastSuccess: number;
}

/**
 * A client that submits one signed request at a time through the gateway, with `wait=true`, and
 * behaves as a careful client should: the same Idempotency-Key until it has a final answer, a new
 * one only after a definite rejection, and never a second nonce while the first is unresolved.
 */
async function submitUntilFinal(gw: () => GatewayProcess, route: string, body: unknown, keyBase: string, stats: LoadStats, stop: () => boolean): Promise<{ txId: string; key: string } | undefined> {
  // Transactions endorsed and sent to ordering whose outcome is still unknown. An orderer killed with
  // a batch in memory loses what it had accepted, so a transaction can stay "endorsed" for ever: after
  // a while the client signs nothing new but sends the same request under a new key. The nonce in the
  // body guarantees at most one of them commits; a REPLAY answer means an earlier one did.
  const pending: string[] = [];
  const outcome = async (txId: string) => (await gw().call('GET', `/v1/transactions/${txId}?wait=true&timeout=5000`)).body as { status?: string } | undefined;
  let attempt = 0;
  while (!stop()) {
    const key = `${keyBase}-${attempt}`;
    for (;;) {
      if (stop()) return undefined;
      const sentAt = Date.now();
      const r = await gw().call('POST', `${route}?wait=true`, { body, idempotencyKey: key, timeoutMs: 70_000 });
      let tx = r.body as { id?: string; status?: string; code?: string };
      if ((r.status === 200 || r.status === 202) && tx?.id) {
        if (!pending.includes(tx.id)) pending.push(tx.id);
        for (let i = 0; tx.status === 'endorsed' && i < 4 && !stop(); i++) {
          const s = await outcome(tx.id!);
          if (s?.status) tx = { ...tx, ...s };
          else await sleep(500);
        }
        if (tx.status === 'committed') {
          stats.lastSuccess = Math.max(stats.lastSuccess, sentAt);
          return { txId: tx.id!, key };
        }
        if (tx.status === 'rejected') stats.rejected++;
        else stats.retries++;
        attempt++;
        break;
      }
      const type = String((r.body as { type?: string; code?: string })?.type ?? '');
      const code = String((r.body as { code?: string })?.code ?? '');
      if (r.status === 0 || r.status >= 500 || r.status === 429 || (r.status === 409 && /in-flight/.test(type))) {
        // No answer, unavailable, or the first attempt still in flight: same key again.
        stats.retries++;
        await sleep(400);
        continue;
      }
      if (code === 'REPLAY' || code === 'CONFLICT') {
        // An earlier attempt of this very request committed after all.
        for (const id of pending) {
          if ((await outcome(id))?.status === 'committed') {
            stats.lastSuccess = Math.max(stats.lastSuccess, sentAt);
            return { txId: id, key: `${key} (replay of an earlier attempt)` };
          }
        }
      }
      stats.anomalies.push(`${route} answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      return undefined;
    }
  }
  return undefined;
}

/** Energy transfers of 1 Wh from a funded account to its own sink, one after another. */
export async function transferActor(name: string, gw: () => GatewayProcess, from: KeyPair, to: string, stats: LoadStats, stop: () => boolean, startNonce: number): Promise<void> {
  let nonce = startNonce;
  while (!stop()) {
    const signed = signRequest('transfer', { unit: 'energy', from: from.publicKey, to, amount: 1, nonce }, from.privateKey);
    const done = await submitUntilFinal(gw, '/v1/transfers', signed, `${name}-${nonce}`, stats, stop);
    if (!done) return;
    stats.acknowledged.push({ kind: 'transfer', txId: done.txId, actor: name, detail: '1', nonce, key: done.key, at: Date.now() });
    nonce++;
  }
}

/** Anonymous deposits of one denomination into a pool, one after another, each a fresh note. */
export async function depositActor(name: string, gw: () => GatewayProcess, account: KeyPair, poolId: string, stats: LoadStats, stop: () => boolean, startNonce: number): Promise<void> {
  let nonce = startNonce;
  while (!stop()) {
    const commitment = noteCommitment(createPoolNote()).toString();
    const signed = signRequest('deposit', { poolId, commitment, account: account.publicKey, nonce }, account.privateKey);
    const done = await submitUntilFinal(gw, `/v1/pools/${poolId}/deposits`, signed, `${name}-${nonce}`, stats, stop);
    if (!done) return;
    stats.acknowledged.push({ kind: 'deposit', txId: done.txId, actor: name, detail: commitment, nonce, key: done.key, at: Date.now() });
    nonce++;
  }
}

export function newStats(): LoadStats {
  return { acknowledged: [], rejected: 0, retries: 0, anomalies: [], lastSuccess: 0 };
}

/** Funds accounts with energy through a meter of their own (Utility, directly on the ledger). */
export async function fund(accounts: Contract, owners: KeyPair[], wh: number): Promise<void> {
  for (const owner of owners) {
    const meter = generateKeyPair();
    const meterId = `load-${owner.publicKey.slice(0, 16)}`;
    await accounts.submitTransaction('RegisterMeter', meterId, meter.publicKey, owner.publicKey);
    const reading = signRequest('meter-reading', { meterId, seq: 1, cumulativeWh: wh, readAt: 1 }, meter.privateKey);
    await accounts.submitTransaction('MintFromMeter', canonicalJson(reading.body), reading.signature);
  }
}

/**
 * Opens a payment channel on chain funded by side `a` (pay units issued by the Utility), for load:
 * returns the on-chain record and both parties' channel keys.
 */
export async function openFundedChannel(channel: Contract, issuer: Contract, deposit: number, disputeWindow: number, salt: string): Promise<{ record: channels.ChannelRecord; keys: Record<'a' | 'b', channels.ChannelKeyPair> }> {
  const acct = { a: generateKeyPair(), b: generateKeyPair() };
  await issuer.submitTransaction('IssuePay', acct.a.publicKey, String(deposit));
  const keys = { a: channels.generateChannelKey(), b: channels.generateChannelKey() };
  const terms: channels.OpenTerms = {
    network: channels.ONCHAIN_NETWORK,
    salt,
    a: { account: acct.a.publicKey, channelKey: keys.a.publicKey, deposit: String(deposit) },
    b: { account: acct.b.publicKey, channelKey: keys.b.publicKey, deposit: '0' },
    disputeWindow,
  };
  const req: channels.OpenRequest = { terms, auth: { a: channels.signOpen(terms, 'a', acct.a.privateKey, 1), b: channels.signOpen(terms, 'b', acct.b.privateKey, 1) } };
  const rec = JSON.parse(Buffer.from(await channel.submitTransaction('Open', JSON.stringify(req))).toString());
  return { record: channels.recordOf(terms, rec.disputeWindow), keys };
}
