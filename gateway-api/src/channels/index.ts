/**
 * Payment channels at the gateway: the broker (WebSocket relay with durable co-signed states), the
 * watchtower (answers stale closes and reveals HTLC preimages for offline parties), and routing.
 * See docs/channels.md, "Broker and watchtower".
 */
import type { GatewayConfig } from '../config/config';
import type { LedgerClient } from '../fabric/ledger';
import { Authenticator } from '../http/auth';
import type { Logger } from '../http/logger';
import type { GatewayMetrics } from '../http/metrics';
import type { EventIngester } from '../services/events';
import type { Store } from '../store/store';
import { ChannelBroker, type BrokerOptions } from './broker';
import { ChannelRegistry } from './registry';
import { createVerifier } from './verifier';
import { Watchtower, type WatchtowerOptions } from './watchtower';

export { ChannelBroker, GroupCommit, channelView } from './broker';
export { ChannelRegistry, type ChannelInfo } from './registry';
export { Watchtower, type WatchAction } from './watchtower';
export * from './protocol';
export { createVerifier, InlineVerifier, WorkerPoolVerifier, type SignatureCheck, type SignatureVerifier } from './verifier';

export interface ChannelServices {
  registry: ChannelRegistry;
  broker: ChannelBroker;
  /** Undefined when disabled (`GRIDLEDGER_WATCHTOWER=off`). */
  watchtower?: Watchtower;
}

export function createChannelServices(
  parts: { config: GatewayConfig; ledger: LedgerClient; store: Store; log: Logger; metrics: GatewayMetrics; events: EventIngester },
  options: { broker?: BrokerOptions; watchtower?: WatchtowerOptions | false; /** Signature worker threads; 0 = on the event loop (default: GRIDLEDGER_BROKER_VERIFY_THREADS or cores - 1, at most 4). */ verifyThreads?: number } = {},
): ChannelServices {
  const registry = new ChannelRegistry(parts.ledger);
  const auth = new Authenticator(parts.config.auth.apiKeys, parts.config.auth.mtls);
  const broker = new ChannelBroker({ store: parts.store, registry, log: parts.log, metrics: parts.metrics, auth, verifier: createVerifier(options.verifyThreads) }, options.broker);
  const disabled = options.watchtower === false || process.env.GRIDLEDGER_WATCHTOWER === 'off';
  const watchtower = disabled
    ? undefined
    : new Watchtower({ store: parts.store, ledger: parts.ledger, registry, broker, events: parts.events, log: parts.log }, options.watchtower || {});
  return { registry, broker, watchtower };
}
