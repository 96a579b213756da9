/**
 * What the gateway needs from the ledger, independent of the Fabric client library, so that unit
 * tests can run the HTTP layer on an in-memory fake.
 */
import type { ChaincodeErrorCode } from '@gridledger/core';

/** Which of the org's Fabric identities signs: `admin` for org duties, `client` for relaying users. */
export type IdentityKind = 'admin' | 'client';

/**
 * A transaction proposal built but not yet endorsed. Its bytes can be kept and endorsed later (after
 * a gateway restart) under the same transaction id, so a retry can never commit twice: Fabric
 * rejects a second transaction with the same id.
 */
export interface PreparedTransaction {
  txId: string;
  fn: string;
  identity: IdentityKind;
  /** Serialized unsigned proposal; opaque to everything but the LedgerClient that made it. */
  proposal: Uint8Array;
}

/** How a submitted transaction ended on the ledger. */
export interface CommitOutcome {
  txId: string;
  blockNumber: number;
  /** Fabric validation code number (0 = VALID). */
  code: number;
  /** Fabric validation code name, e.g. VALID, MVCC_READ_CONFLICT, ENDORSEMENT_POLICY_FAILURE. */
  codeName: string;
  successful: boolean;
}

/** A transaction endorsed and sent to the orderers. */
export interface SubmittedTransaction {
  txId: string;
  /** The chaincode's return value from endorsement. */
  result: Uint8Array;
  /** Settles when the org's peer has validated the transaction's block (or the wait times out). */
  commit: Promise<CommitOutcome>;
}

/** A chaincode event as the peer delivered it. */
export interface LedgerEvent {
  blockNumber: number;
  txId: string;
  eventName: string;
  payload: Uint8Array;
}

/**
 * Where to resume a chaincode event stream: the block of the last event seen and its transaction
 * id; events up to and including that transaction are skipped.
 */
export interface EventCheckpoint {
  blockNumber: number;
  txId?: string;
}

/** A live event stream; `close()` ends the iteration. */
export interface LedgerEventStream extends AsyncIterable<LedgerEvent> {
  close(): void;
}

/** Ledger operations the gateway uses. One instance per gateway process, shared by all requests. */
export interface LedgerClient {
  /** Runs a query on the org's peer; throws {@link LedgerError}. */
  evaluate(fn: string, args: string[], opts?: { identity?: IdentityKind }): Promise<Uint8Array>;
  /** Builds a proposal (no network); keep its bytes to resubmit under the same transaction id. */
  prepare(fn: string, args: string[], opts?: { identity?: IdentityKind }): PreparedTransaction;
  /** Endorses and submits; resolves once the orderer accepted it. Throws {@link LedgerError}. */
  submitAsync(tx: PreparedTransaction): Promise<SubmittedTransaction>;
  /** Asks the peer how a transaction ended; waits for its block if not yet committed. */
  commitStatus(txId: string, opts?: { identity?: IdentityKind }): Promise<CommitOutcome>;
  /** Chaincode events from `from` (exclusive of its transaction) or from `startBlock`. */
  chaincodeEvents(from: EventCheckpoint | undefined, startBlock: number): Promise<LedgerEventStream>;
  /** Resolves when the peer is reachable. */
  ping(timeoutMs?: number): Promise<void>;
  /**
   * The block (serialized `common.Block`) that holds a transaction, from the query system chaincode
   * (qscc GetBlockByTxID); for the console's transaction view. Optional: test fakes may omit it.
   */
  blockByTxId?(txId: string): Promise<Uint8Array>;
  close(): void;
}

/** Why a ledger call failed, mapped by the HTTP layer to a status and a problem type. */
export type LedgerErrorKind =
  /** The chaincode refused the caller (MSP or role check). */
  | 'forbidden'
  /** The chaincode rejected the arguments. */
  | 'invalid'
  /** The chaincode found no such thing. */
  | 'not-found'
  /** The chaincode found a conflicting state (exists already, replayed nonce, ...). */
  | 'conflict'
  /** Any other chaincode or endorsement refusal. */
  | 'rejected'
  /** A transaction with this id exists already on the ledger (a resubmission). */
  | 'duplicate'
  /** The peer or orderer could not be reached or did not answer in time. */
  | 'unavailable';

export class LedgerError extends Error {
  constructor(
    readonly kind: LedgerErrorKind,
    message: string,
    readonly txId?: string,
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

/**
 * The stable codes the chaincode starts its refusals with (`ACCESS_DENIED: only UtilityMSP ...`),
 * and the kind of failure each one is.
 */
export const CHAINCODE_CODE_KINDS: Record<ChaincodeErrorCode, LedgerErrorKind> = {
  ACCESS_DENIED: 'forbidden',
  INVALID_ARGUMENT: 'invalid',
  INVALID_PROOF: 'invalid',
  INVALID_SIGNATURE: 'invalid',
  NOT_FOUND: 'not-found',
  CONFLICT: 'conflict',
  REPLAY: 'conflict',
  EXPIRED: 'conflict',
  FORBIDDEN_STATE: 'conflict',
};

/** Finds the chaincode's code in a message, e.g. `INVALID_ARGUMENT` in `INVALID_ARGUMENT: W_b ...`. */
export function chaincodeCode(message: string): ChaincodeErrorCode | undefined {
  const m = new RegExp(`\\b(${Object.keys(CHAINCODE_CODE_KINDS).join('|')}):`).exec(message);
  return m?.[1] as ChaincodeErrorCode | undefined;
}

/**
 * Classifies a chaincode's error message: by its code when it has one (see
 * {@link CHAINCODE_CODE_KINDS}), else by common wordings; anything else is a plain refusal.
 */
export function classifyChaincodeMessage(message: string): LedgerErrorKind {
  const code = chaincodeCode(message);
  if (code) return CHAINCODE_CODE_KINDS[code];
  const m = message.trim();
  if (/duplicate transaction/i.test(m)) return 'duplicate';
  // The peer could not run the chaincode at all (server restarting, unreachable, endorsers missing):
  // nothing was decided about the request, so the client should retry, not correct it.
  if (/error in simulation|failed to execute transaction|error while dialing|connection refused|could not launch chaincode|timeout expired while executing|no combination of peers|endorsement policy failure|chaincode .* not (?:found|available|installed)/i.test(m)) return 'unavailable';
  if (/access denied|not authori[sz]ed|forbidden|permission denied/i.test(m)) return 'forbidden';
  if (/not found|does not exist/i.test(m)) return 'not-found';
  return 'rejected';
}

/**
 * True when the endorsers disagreed on a state-dependent refusal: the org's own peer endorsed (Fabric's
 * gateway says "failed to collect enough transaction endorsements", not "failed to endorse"), and
 * another org's peer refused with a code that depends on ledger state (a nonce not yet the next, a key
 * not yet there). That peer is a block or two behind the org's own, which has already committed what
 * the request builds on: endorsing again a moment later succeeds, and nothing was written meanwhile.
 */
export function endorsersDisagree(message: string, peerMessages: readonly string[]): boolean {
  if (!/failed to collect enough transaction endorsements/i.test(message)) return false;
  return peerMessages.some((m) => {
    const code = chaincodeCode(m);
    return code !== undefined && ['conflict', 'not-found'].includes(CHAINCODE_CODE_KINDS[code]);
  });
}

/** Strips the peer's wrapping ("chaincode response 500, ...") to the chaincode's own message. */
export function chaincodeMessage(raw: string): string {
  return raw.replace(/^.*?chaincode response \d+,\s*/s, '').replace(/^transaction returned with failure:\s*/i, '').trim();
}
