/**
 * Network health for the console: every peer's and orderer's operations endpoint (`/healthz`, listed
 * in the connection profile), the chaincode (a query through the org's peer), and this gateway.
 */
import { existsSync } from 'node:fs';
import { loadConnectionProfile } from '@gridledger/core';
import { LedgerError } from '../fabric/ledger';
import type { AppDeps } from '../http/operation';

export interface NodeHealth {
  name: string;
  kind: 'peer' | 'orderer' | 'chaincode' | 'gateway';
  endpoint?: string;
  status: 'ok' | 'degraded' | 'down';
  latencyMs?: number;
  detail?: string;
}

const TIMEOUT_MS = 2_000;

async function probeHttp(url: string): Promise<{ status: NodeHealth['status']; latencyMs: number; detail: string }> {
  const t = Date.now();
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = (await res.text()).slice(0, 300);
    let detail = `HTTP ${res.status}`;
    try {
      const j = JSON.parse(text) as { status?: string; failed_checks?: Array<{ component: string; reason: string }> };
      if (j.status) detail += ` ${j.status}`;
      if (j.failed_checks?.length) detail += `: ${j.failed_checks.map((c) => `${c.component} ${c.reason}`).join('; ')}`;
    } catch {
      // not JSON: the status code says enough
    }
    return { status: res.ok ? 'ok' : 'degraded', latencyMs: Date.now() - t, detail };
  } catch (err) {
    return { status: 'down', latencyMs: Date.now() - t, detail: (err as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS} ms` : (err as Error).message };
  }
}

let cachedProfile: { path: string; nodes: Array<{ name: string; kind: 'peer' | 'orderer'; operationsEndpoint?: string; endpoint: string }> } | undefined;

function profileNodes(path: string): Array<{ name: string; kind: 'peer' | 'orderer'; operationsEndpoint?: string; endpoint: string }> {
  if (cachedProfile?.path === path) return cachedProfile.nodes;
  if (!existsSync(path)) return [];
  const p = loadConnectionProfile(path);
  const nodes = [
    ...(p.peers.length ? p.peers : [p.peer]).map((n) => ({ name: n.name, kind: 'peer' as const, endpoint: n.endpoint, operationsEndpoint: (n as { operationsEndpoint?: string }).operationsEndpoint })),
    ...p.orderers.map((n) => ({ name: n.name, kind: 'orderer' as const, endpoint: n.endpoint, operationsEndpoint: (n as { operationsEndpoint?: string }).operationsEndpoint })),
  ];
  cachedProfile = { path, nodes };
  return nodes;
}

/** Probes every node in parallel; never throws. */
export async function networkHealth(deps: AppDeps): Promise<{ status: NodeHealth['status']; checkedAt: string; nodes: NodeHealth[] }> {
  const nodes = profileNodes(deps.config.profilePath);
  const probes: Array<Promise<NodeHealth>> = nodes.map(async (n): Promise<NodeHealth> => {
    if (!n.operationsEndpoint) return { name: n.name, kind: n.kind, endpoint: n.endpoint, status: 'degraded', detail: 'no operations endpoint in the connection profile' };
    const r = await probeHttp(`http://${n.operationsEndpoint}/healthz`);
    return { name: n.name, kind: n.kind, endpoint: n.operationsEndpoint, ...r };
  });
  probes.push(
    (async (): Promise<NodeHealth> => {
      const t = Date.now();
      try {
        await deps.ledger.evaluate('params:GetLendingParams', []);
        return { name: 'gridledger', kind: 'chaincode', status: 'ok', latencyMs: Date.now() - t, detail: 'answers queries' };
      } catch (err) {
        // A refusal (no parameters yet) still proves the chaincode runs.
        const e = err as LedgerError;
        const up = e instanceof LedgerError && e.kind !== 'unavailable';
        return { name: 'gridledger', kind: 'chaincode', status: up ? 'ok' : 'down', latencyMs: Date.now() - t, detail: up ? 'answers queries' : e.message };
      }
    })(),
  );
  probes.push(
    (async (): Promise<NodeHealth> => {
      const t = Date.now();
      const [peer, store] = await Promise.all([
        deps.ledger.ping(TIMEOUT_MS).then(() => true, () => false),
        deps.store.ping().then(() => true, () => false),
      ]);
      const events = deps.events.connected ? 'events streaming' : deps.events.lastError ? `events reconnecting: ${deps.events.lastError}` : 'events idle';
      const status: NodeHealth['status'] = peer && store ? (deps.events.lastError ? 'degraded' : 'ok') : 'down';
      return {
        name: `gateway (${deps.config.org})`,
        kind: 'gateway',
        status,
        latencyMs: Date.now() - t,
        detail: `peer ${peer ? 'reachable' : 'unreachable'}, store ${store ? 'writable' : 'not writable'}, ${events}, up ${Math.round((Date.now() - deps.startedAt) / 1000)} s`,
      };
    })(),
  );
  const all = await Promise.all(probes);
  // Down when this gateway or the chaincode cannot serve; one node down (a Raft minority) degrades.
  const status: NodeHealth['status'] = all.every((n) => n.status === 'ok')
    ? 'ok'
    : all.some((n) => (n.kind === 'gateway' || n.kind === 'chaincode') && n.status === 'down')
      ? 'down'
      : 'degraded';
  return { status, checkedAt: new Date().toISOString(), nodes: all };
}
