import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  ChaincodeEvent,
  CloseableAsyncIterable,
  CommitError,
  CommitStatusError,
  connect,
  Contract,
  EndorseError,
  Gateway,
  GatewayError,
  hash,
  Identity,
  Network,
  signers,
  StatusCode,
  SubmitError,
} from '@hyperledger/fabric-gateway';
import { gateway as gatewayProto, msp } from '@hyperledger/fabric-protos';
import type { ConnectionProfile } from '@gridledger/core';
import {
  chaincodeMessage,
  classifyChaincodeMessage,
  CommitOutcome,
  endorsersDisagree,
  EventCheckpoint,
  IdentityKind,
  LedgerClient,
  LedgerError,
  LedgerEvent,
  LedgerEventStream,
  PreparedTransaction,
  SubmittedTransaction,
} from './ledger';

/** Deadlines of each kind of Fabric call, in milliseconds. */
export interface FabricTimeouts {
  evaluateTimeoutMs: number;
  endorseTimeoutMs: number;
  submitTimeoutMs: number;
  commitStatusTimeoutMs: number;
}

const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(StatusCode).map(([k, v]) => [v as number, k]));

/** The name of a Fabric validation code number. */
export function validationCodeName(code: number): string {
  return STATUS_NAMES[code] ?? `CODE_${code}`;
}

function deadline(ms: number): grpc.CallOptions {
  return { deadline: Date.now() + ms };
}

/** Maps any error from fabric-gateway to a {@link LedgerError}. */
export function toLedgerError(err: unknown, txId?: string): LedgerError {
  if (err instanceof LedgerError) return err;
  if (err instanceof GatewayError) {
    const code = err.code;
    if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED || code === grpc.status.CANCELLED) {
      return new LedgerError('unavailable', `Fabric peer unavailable: ${err.message}`, txId);
    }
    const detail = err.details.map((d) => chaincodeMessage(d.message)).find((m) => m.length > 0);
    const message = detail ?? chaincodeMessage(err.message);
    const id = err instanceof EndorseError || err instanceof CommitStatusError ? err.transactionId : txId;
    return new LedgerError(classifyChaincodeMessage(message), message, id);
  }
  if (err instanceof CommitError) return new LedgerError('rejected', err.message, err.transactionId);
  const message = err instanceof Error ? err.message : String(err);
  return new LedgerError('unavailable', message, txId);
}

/**
 * Endorsement attempts when another org's peer is behind (see endorsersDisagree), and the pause between
 * them (growing to 1 s): ~5.5 s in all, the time a peer takes to reconnect to the ordering service and
 * catch up after an orderer outage (its delivery back-off is at most 5 s, test-network-config/core.yaml).
 */
const BEHIND_ATTEMPTS = 8;
const behindPauseMs = (attempt: number) => Math.min(1000, 250 * attempt);

/**
 * Endorses, and endorses the same proposal again (the same transaction id; endorsement writes nothing)
 * while the endorsers disagree because one of them has not yet committed the latest block. Anything
 * else, and a disagreement that outlasts the attempts, goes to the caller as before.
 */
async function endorseAgainIfBehind<T>(endorse: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await endorse();
    } catch (err) {
      const e = err as { message?: string; details?: Array<{ message?: string }> };
      const behind = err instanceof EndorseError && endorsersDisagree(String(e.message ?? ''), (e.details ?? []).map((d) => String(d.message ?? '')));
      if (!behind || attempt >= BEHIND_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, behindPauseMs(attempt)));
    }
  }
}

/**
 * The LedgerClient on @hyperledger/fabric-gateway: one gRPC connection to the org's own peer (TLS CA
 * and target-name override from the connection profile) shared by two Gateway connections, one per
 * identity of the org (admin and client), both signing with SHA-256 over their PEM keys.
 */
export class FabricLedgerClient implements LedgerClient {
  readonly #grpc: grpc.Client;
  readonly #gateways: Record<IdentityKind, Gateway>;
  readonly #identities: Record<IdentityKind, Identity>;
  readonly #networks: Record<IdentityKind, Network>;
  readonly #contracts: Record<IdentityKind, Contract>;

  constructor(
    readonly profile: ConnectionProfile,
    readonly timeouts: FabricTimeouts,
  ) {
    const tlsRoot = readFileSync(profile.peer.tlsCaCertPath);
    this.#grpc = new grpc.Client(profile.peer.endpoint, grpc.credentials.createSsl(tlsRoot), {
      'grpc.ssl_target_name_override': profile.peer.hostAlias,
      'grpc.default_authority': profile.peer.hostAlias,
      'grpc.keepalive_time_ms': 120_000,
    });
    const make = (kind: IdentityKind): [Gateway, Identity] => {
      const files = profile.identities[kind];
      const identity: Identity = { mspId: profile.mspId, credentials: readFileSync(files.certPath) };
      const signer = signers.newPrivateKeySigner(createPrivateKey(readFileSync(files.keyPath)));
      const gw = connect({
        client: this.#grpc,
        identity,
        signer,
        hash: hash.sha256,
        evaluateOptions: () => deadline(timeouts.evaluateTimeoutMs),
        endorseOptions: () => deadline(timeouts.endorseTimeoutMs),
        submitOptions: () => deadline(timeouts.submitTimeoutMs),
        commitStatusOptions: () => deadline(timeouts.commitStatusTimeoutMs),
      });
      return [gw, identity];
    };
    const [adminGw, adminId] = make('admin');
    const [clientGw, clientId] = make('client');
    this.#gateways = { admin: adminGw, client: clientGw };
    this.#identities = { admin: adminId, client: clientId };
    this.#networks = { admin: adminGw.getNetwork(profile.channel), client: clientGw.getNetwork(profile.channel) };
    this.#contracts = {
      admin: this.#networks.admin.getContract(profile.chaincode),
      client: this.#networks.client.getContract(profile.chaincode),
    };
  }

  async evaluate(fn: string, args: string[], opts?: { identity?: IdentityKind }): Promise<Uint8Array> {
    try {
      return await this.#contracts[opts?.identity ?? 'client'].evaluate(fn, { arguments: args });
    } catch (err) {
      throw toLedgerError(err);
    }
  }

  prepare(fn: string, args: string[], opts?: { identity?: IdentityKind }): PreparedTransaction {
    const identity = opts?.identity ?? 'client';
    const proposal = this.#contracts[identity].newProposal(fn, { arguments: args });
    return { txId: proposal.getTransactionId(), fn, identity, proposal: proposal.getBytes() };
  }

  async submitAsync(tx: PreparedTransaction): Promise<SubmittedTransaction> {
    const gw = this.#gateways[tx.identity];
    let submitted;
    try {
      const proposal = gw.newProposal(tx.proposal);
      submitted = await (await endorseAgainIfBehind(() => proposal.endorse())).submit();
    } catch (err) {
      throw toLedgerError(err as SubmitError, tx.txId);
    }
    const commit = submitted.getStatus().then(
      (status) => {
        const outcome: CommitOutcome = {
          txId: tx.txId,
          blockNumber: Number(status.blockNumber),
          code: status.code,
          codeName: validationCodeName(status.code),
          successful: status.successful,
        };
        return outcome;
      },
      (err: unknown) => {
        throw toLedgerError(err, tx.txId);
      },
    );
    commit.catch(() => undefined); // the caller may not attach a handler before it settles
    return { txId: tx.txId, result: submitted.getResult(), commit };
  }

  async commitStatus(txId: string, opts?: { identity?: IdentityKind }): Promise<CommitOutcome> {
    const kind = opts?.identity ?? 'client';
    const identity = this.#identities[kind];
    const creator = new msp.SerializedIdentity();
    creator.setMspid(identity.mspId);
    creator.setIdBytes(identity.credentials);
    const request = new gatewayProto.CommitStatusRequest();
    request.setTransactionId(txId);
    request.setChannelId(this.profile.channel);
    request.setIdentity(creator.serializeBinary());
    const signed = new gatewayProto.SignedCommitStatusRequest();
    signed.setRequest(request.serializeBinary());
    try {
      const status = await this.#gateways[kind].newCommit(signed.serializeBinary()).getStatus();
      return {
        txId,
        blockNumber: Number(status.blockNumber),
        code: status.code,
        codeName: validationCodeName(status.code),
        successful: status.successful,
      };
    } catch (err) {
      throw toLedgerError(err, txId);
    }
  }

  async chaincodeEvents(from: EventCheckpoint | undefined, startBlock: number): Promise<LedgerEventStream> {
    const network = this.#networks.client;
    const checkpoint = from
      ? { getBlockNumber: () => BigInt(from.blockNumber), getTransactionId: () => from.txId }
      : undefined;
    let events: CloseableAsyncIterable<ChaincodeEvent>;
    try {
      events = await network.getChaincodeEvents(
        this.profile.chaincode,
        checkpoint ? { checkpoint } : { startBlock: BigInt(startBlock) },
      );
    } catch (err) {
      throw toLedgerError(err);
    }
    async function* map(): AsyncGenerator<LedgerEvent> {
      try {
        for await (const e of events) {
          yield { blockNumber: Number(e.blockNumber), txId: e.transactionId, eventName: e.eventName, payload: e.payload };
        }
      } catch (err) {
        throw toLedgerError(err);
      }
    }
    const it = map();
    return { [Symbol.asyncIterator]: () => it, close: () => events.close() };
  }

  async blockByTxId(txId: string): Promise<Uint8Array> {
    try {
      return await this.#networks.client.getContract('qscc').evaluateTransaction('GetBlockByTxID', this.profile.channel, txId);
    } catch (err) {
      const e = toLedgerError(err);
      if (/no such transaction|not found|failed to get block/i.test(e.message)) throw new LedgerError('not-found', `transaction ${txId} is not on the ledger`);
      throw e;
    }
  }

  ping(timeoutMs = 2_000): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#grpc.waitForReady(Date.now() + timeoutMs, (err) =>
        err ? reject(new LedgerError('unavailable', `peer ${this.profile.peer.endpoint} unreachable: ${err.message}`)) : resolve(),
      );
    });
  }

  close(): void {
    this.#gateways.admin.close();
    this.#gateways.client.close();
    this.#grpc.close();
  }
}
