/**
 * What the web console needs beyond the chaincode's own queries, read from the gateway's event log:
 * which transactions made each record (so every figure can link to its transaction), the payment
 * channels by state, the trace shares published, and the latest settlements. The index follows the
 * log incrementally (one page query per request once it has caught up) and keeps bounded lists.
 */
import type { AppDeps } from '../http/operation';
import type { StoredEvent } from '../store/store';

/** A transaction that changed a record. */
export interface Provenance {
  txId: string;
  eventName: string;
  blockNumber: number;
  /** The event's sequence number in the gateway's log. */
  seq: number;
}

export interface ChannelSummary {
  channelId: string;
  status: 'open' | 'closing' | 'closed';
  accounts?: { a?: string; b?: string };
  identities?: { a?: string; b?: string };
  deposits?: { a?: string; b?: string };
  openedTxId: string;
  lastTxId: string;
  lastEvent: string;
  blockNumber: number;
  settlement?: Record<string, unknown>;
}

export interface Settlement {
  kind: 'channel' | 'market';
  txId: string;
  blockNumber: number;
  eventName: string;
  payload: Record<string, unknown>;
}

/** Record kinds that have provenance, and how to find a record's id in an event payload. */
export const PROVENANCE_KINDS = ['pool', 'loan', 'cycle', 'pile', 'channel', 'guarantor', 'params'] as const;
export type ProvenanceKind = (typeof PROVENANCE_KINDS)[number];

const PAGE = 1_000;
/** Per record: the first few transactions (creation) and the latest ones. */
const KEEP_FIRST = 3;
const KEEP_LAST = 12;
const MAX_SETTLEMENTS = 200;

const utf8 = new TextDecoder('utf-8', { fatal: false });

function parse(e: StoredEvent): unknown {
  try {
    return JSON.parse(utf8.decode(e.payload));
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** The records an event is about: `[kind, id]` pairs. */
export function subjectsOf(eventName: string, payload: unknown): Array<[ProvenanceKind, string]> {
  if (payload === null || typeof payload !== 'object') return [];
  if (Array.isArray(payload)) {
    // LoansTaken: one entry per loan of the batch.
    const out: Array<[ProvenanceKind, string]> = [];
    for (const item of payload) {
      const p = item as Record<string, unknown>;
      if (str(p.loanId)) out.push(['loan', str(p.loanId)!]);
      if (str(p.poolId)) out.push(['pool', str(p.poolId)!]);
    }
    return out;
  }
  const p = payload as Record<string, unknown>;
  const out: Array<[ProvenanceKind, string]> = [];
  if (eventName === 'LendingParamsChanged') out.push(['params', 'lending']);
  if (eventName.startsWith('Pool') && str(p.poolId)) out.push(['pool', str(p.poolId)!]);
  if (str(p.loanId)) out.push(['loan', str(p.loanId)!]);
  if ((eventName === 'LoanRepaid' || eventName === 'DefaulterPublished' || eventName === 'GuarantorPenalized') && str(p.poolId)) out.push(['pool', str(p.poolId)!]);
  if (eventName.startsWith('MarketCycle') || eventName === 'MarketTradesPublished') {
    if (str(p.cycleId)) out.push(['cycle', str(p.cycleId)!]);
  }
  if (eventName.startsWith('Pile') && str(p.id)) out.push(['pile', str(p.id)!]);
  if (eventName.startsWith('Channel') && str(p.channelId)) out.push(['channel', str(p.channelId)!]);
  if (eventName === 'GuarantorRegistered' && str(p.msp)) out.push(['guarantor', str(p.msp)!]);
  if ((eventName === 'DefaulterPublished' || eventName === 'GuarantorPenalized') && str(p.guarantor)) out.push(['guarantor', str(p.guarantor)!]);
  return out;
}

export class ConsoleIndex {
  readonly #provenance = new Map<string, Provenance[]>();
  readonly #channels = new Map<string, ChannelSummary>();
  readonly #shares = new Set<string>();
  readonly #settlements: Settlement[] = [];
  #cursor = 0;
  #syncing?: Promise<void>;

  constructor(private readonly deps: Pick<AppDeps, 'store'>) {}

  /** Reads the events appended since the last call (one query when nothing is new). */
  sync(): Promise<void> {
    if (!this.#syncing) {
      this.#syncing = (async () => {
        for (;;) {
          const page = await this.deps.store.eventsAfter(this.#cursor, PAGE);
          for (const e of page) this.#apply(e);
          if (page.length < PAGE) break;
        }
      })().finally(() => {
        this.#syncing = undefined;
      });
    }
    return this.#syncing;
  }

  /** Transactions that changed a record: its first ones and its latest ones, oldest first. */
  provenance(kind: ProvenanceKind, id: string): Provenance[] {
    return this.#provenance.get(`${kind}:${id}`) ?? [];
  }

  /** Every record of a kind with its transactions. */
  provenanceOf(kind: ProvenanceKind): Record<string, Provenance[]> {
    const out: Record<string, Provenance[]> = {};
    const prefix = `${kind}:`;
    for (const [k, v] of this.#provenance) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
    return out;
  }

  channels(): ChannelSummary[] {
    return [...this.#channels.values()];
  }

  /** Whether an org has published its decryption share of a defaulted loan. */
  sharePublished(loanId: string, msp: string): boolean {
    return this.#shares.has(`${loanId}|${msp}`);
  }

  /** The latest settlements (channel payouts and market obligations), newest first. */
  settlements(): Settlement[] {
    return [...this.#settlements].reverse();
  }

  #apply(e: StoredEvent): void {
    this.#cursor = e.seq;
    const payload = parse(e);
    const ref: Provenance = { txId: e.txId, eventName: e.eventName, blockNumber: e.blockNumber, seq: e.seq };
    for (const [kind, id] of subjectsOf(e.eventName, payload)) {
      const k = `${kind}:${id}`;
      const list = this.#provenance.get(k) ?? [];
      if (list.some((p) => p.txId === ref.txId)) continue;
      list.push(ref);
      if (list.length > KEEP_FIRST + KEEP_LAST) list.splice(KEEP_FIRST, 1);
      this.#provenance.set(k, list);
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return;
    const p = payload as Record<string, unknown>;
    if (e.eventName === 'TraceSharePublished' && str(p.loanId) && str(p.by)) this.#shares.add(`${str(p.loanId)}|${str(p.by)}`);
    if (e.eventName.startsWith('Channel') && str(p.channelId)) this.#channel(e, p);
    if (e.eventName === 'ChannelSettled' || e.eventName === 'MarketObligationSettled') {
      this.#settlements.push({ kind: e.eventName === 'ChannelSettled' ? 'channel' : 'market', txId: e.txId, blockNumber: e.blockNumber, eventName: e.eventName, payload: p });
      if (this.#settlements.length > MAX_SETTLEMENTS) this.#settlements.shift();
    }
  }

  #channel(e: StoredEvent, p: Record<string, unknown>): void {
    const id = str(p.channelId)!;
    let c = this.#channels.get(id);
    if (e.eventName === 'ChannelOpened' || !c) {
      c = {
        channelId: id,
        status: 'open',
        ...(p.accounts ? { accounts: p.accounts as ChannelSummary['accounts'] } : {}),
        ...(p.identities ? { identities: p.identities as ChannelSummary['identities'] } : {}),
        ...(p.deposits ? { deposits: p.deposits as ChannelSummary['deposits'] } : {}),
        openedTxId: e.txId,
        lastTxId: e.txId,
        lastEvent: e.eventName,
        blockNumber: e.blockNumber,
      };
      this.#channels.set(id, c);
      if (e.eventName === 'ChannelOpened') return;
    }
    c.lastTxId = e.txId;
    c.lastEvent = e.eventName;
    c.blockNumber = e.blockNumber;
    if (e.eventName === 'ChannelSettled') {
      c.status = 'closed';
      const { channelId: _id, accounts, ...settlement } = p;
      c.settlement = settlement;
      if (accounts && !c.accounts) c.accounts = accounts as ChannelSummary['accounts'];
    } else if (e.eventName === 'ChannelClosing' || p.status === 'pending' || p.status === 'settled') {
      c.status = 'closing';
    }
  }
}

const indexes = new WeakMap<object, ConsoleIndex>();

/** The app's console index (one per app, made on first use). */
export function consoleIndex(deps: AppDeps): ConsoleIndex {
  let ix = indexes.get(deps);
  if (!ix) {
    ix = new ConsoleIndex(deps);
    indexes.set(deps, ix);
  }
  return ix;
}
