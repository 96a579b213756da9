import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { LedgerObserver } from '../fabric/instrumented-ledger';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The gateway's Prometheus metrics, on a registry of its own (one per app instance). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'gridledger_http_request_duration_seconds',
    help: 'HTTP request latency by route (OpenAPI path template), method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly fabricEndorse = new Histogram({
    name: 'gridledger_fabric_endorse_duration_seconds',
    help: 'Fabric endorsement plus submission to the orderers, by chaincode function and outcome',
    labelNames: ['function', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly fabricCommit = new Histogram({
    name: 'gridledger_fabric_commit_duration_seconds',
    help: 'Time from submission to the commit status, by chaincode function and validation code',
    labelNames: ['function', 'code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly fabricEvaluate = new Histogram({
    name: 'gridledger_fabric_evaluate_duration_seconds',
    help: 'Fabric evaluate (query) latency by chaincode function and outcome',
    labelNames: ['function', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly proofVerification = new Histogram({
    name: 'gridledger_proof_verification_duration_seconds',
    help: 'Zero-knowledge proof pre-verification time at the gateway, by circuit and outcome',
    labelNames: ['circuit', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [this.registry],
  });
  readonly channelUpdates = new Counter({
    name: 'gridledger_channel_updates_total',
    help: 'Off-chain payment channel updates accepted by the broker, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly channelCommit = new Histogram({
    name: 'gridledger_channel_commit_duration_seconds',
    help: 'Broker group commits (one durable transaction each): time to durable',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [this.registry],
  });
  readonly channelCommitWrites = new Counter({
    name: 'gridledger_channel_commit_writes_total',
    help: 'Broker writes (co-signed states, tokens, queued messages) made durable by group commits',
    registers: [this.registry],
  });
  readonly eventsIngested = new Counter({
    name: 'gridledger_events_ingested_total',
    help: 'Chaincode events appended to the gateway event log',
    registers: [this.registry],
  });
  readonly idempotentReplays = new Counter({
    name: 'gridledger_idempotent_replays_total',
    help: 'Requests answered from a stored idempotent response',
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'gridledger_rate_limited_total',
    help: 'Requests refused with 429',
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'gridledger_' });
  }

  /** Hooks for the Fabric client. */
  ledgerObserver(): LedgerObserver {
    return {
      endorsed: (fn, s, ok) => this.fabricEndorse.observe({ function: fn, outcome: ok ? 'ok' : 'error' }, s),
      committed: (fn, s, code) => this.fabricCommit.observe({ function: fn, code }, s),
      evaluated: (fn, s, ok) => this.fabricEvaluate.observe({ function: fn, outcome: ok ? 'ok' : 'error' }, s),
    };
  }
}
