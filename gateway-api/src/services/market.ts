/**
 * What the market routes need besides plain submits: the order batcher, which relays signed orders
 * in `market:SubmitOrders` transactions.
 */
import { RELAY_BATCH_DEFAULTS, RelayBatchConfig } from '../config/config';
import type { AppDeps } from '../http/operation';
import { RelayBatcher, RelayBatcherDeps, signedRequestBatcher } from './relay-batcher';

/** A signed order as `market:SubmitOrder` takes it: the body object and the account's signature. */
export interface SignedOrder {
  body: Record<string, unknown> & { account: string };
  signature: string;
}

/**
 * The order batcher: lanes by account (see `accountLane`), `market:SubmitOrders([{body,
 * signature}])`, whose result lists the order records in batch order; with `maxItems` 1, each order
 * is its own `market:SubmitOrder` as without a batcher.
 */
export function orderBatcher(deps: RelayBatcherDeps, b: RelayBatchConfig): RelayBatcher<SignedOrder> {
  return signedRequestBatcher<SignedOrder>(deps, b, { batch: 'market:SubmitOrders', single: 'market:SubmitOrder', label: 'order' });
}

/** Per-app market state. */
export class MarketService {
  readonly orders: RelayBatcher<SignedOrder>;
  /** How many lanes orders are spread over. */
  readonly orderLanes: number;

  constructor(deps: AppDeps) {
    const b = deps.config.market?.orderBatch ?? RELAY_BATCH_DEFAULTS;
    this.orders = orderBatcher(deps, b);
    this.orderLanes = b.lanes;
  }
}

const services = new WeakMap<AppDeps, MarketService>();

/** The app's market service (one per app, made on first use). */
export function marketService(deps: AppDeps): MarketService {
  let s = services.get(deps);
  if (!s) {
    s = new MarketService(deps);
    services.set(deps, s);
  }
  return s;
}
