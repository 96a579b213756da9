/**
 * Test support for the channel operations: a fake `channel:GetChannel` and a walk through every
 * channel HTTP operation for the contract test (the WebSocket itself is tested in
 * channels/broker.test.ts).
 */
import { canonicalJson, channels } from '@gridledger/core';
import { LedgerError } from '../fabric/ledger';
import type { Store } from '../store/store';
import type { FakeLedger } from './fake-ledger';
import type { RequestOptions, TestResponse } from './harness';

type Call = (id: string, method: string, path: string, opts?: RequestOptions) => Promise<TestResponse>;

/** Two open channels S->X->T known to the broker, with announcements and one co-signed state. */
export async function installChannelFakes(ledger: FakeLedger, store: Store): Promise<{ sx: string; xt: string }> {
  const keys = () => ({ a: channels.generateChannelKey(), b: channels.generateChannelKey() });
  const chans = new Map<string, { keys: ReturnType<typeof keys>; deposits: { a: string; b: string } }>();
  for (const name of ['sx', 'xt']) {
    const k = keys();
    chans.set(channels.deriveChannelId({ network: 'fixture', a: k.a.publicKey, b: k.b.publicKey, nonce: name }), { keys: k, deposits: { a: '5000', b: '0' } });
  }
  ledger.handlers.set('channel:GetChannel', (call) => {
    const c = chans.get(call.args[0]);
    if (!c) throw new LedgerError('not-found', `NOT_FOUND: channel ${call.args[0]} does not exist`);
    return canonicalJson({ channelId: call.args[0], keys: { a: c.keys.a.publicKey, b: c.keys.b.publicKey }, deposits: c.deposits, total: '5000', disputeWindow: 60, baseVersion: 0, status: 'open', close: null, counter: null });
  });
  const [sx, xt] = [...chans.keys()];
  const fee = { base: '1', proportionalMillionths: 1000 };
  const node = (n: string, policy = { base: '0', proportionalMillionths: 0 }) => JSON.stringify({ node: n, policy });
  const c = chans.get(sx)!;
  const { signed: s1, revocations: r1 } = channels.coSignUpdate(channels.pay(channels.openingState(sx, c.deposits), 'a', '100'), { a: c.keys.a.privateKey, b: c.keys.b.privateKey });
  await store.writeChannelBatch(
    {
      nodes: [
        { channelId: sx, side: 'a', node: node('S') },
        { channelId: sx, side: 'b', node: node('X', fee) },
        { channelId: xt, side: 'a', node: node('X', fee) },
        { channelId: xt, side: 'b', node: node('T') },
      ],
      states: [{ channelId: sx, version: 1, signed: JSON.stringify(s1) }],
      revocations: [{ channelId: sx, party: 'b', below: 1, token: JSON.stringify(r1.b) }],
    },
    Date.now(),
  );
  return { sx, xt };
}

/** Calls every channel HTTP operation: successes and each documented refusal. */
export async function walkChannels(call: Call, ids: { sx: string }): Promise<void> {
  const r = (role: RequestOptions['role']) => ({ role });
  await call('openChannelBroker', 'GET', '/v1/channels/broker', r('user-relay')); // 426
  await call('findChannelRoute', 'GET', '/v1/channels/route?source=S&target=T&amount=1000', r('operator-admin')); // 200
  await call('findChannelRoute', 'GET', '/v1/channels/route?source=S&target=nobody&amount=10', r('user-relay')); // 404
  await call('findChannelRoute', 'GET', '/v1/channels/route?source=S&target=T&amount=4950', r('user-relay')); // 422
  await call('findChannelRoute', 'GET', '/v1/channels/route?source=S&amount=1', r('user-relay')); // 400
  await call('getChannelState', 'GET', `/v1/channels/${ids.sx}/state`, r('guarantor-admin')); // 200
  await call('getChannelState', 'GET', '/v1/channels/ch-unknown/state', r('user-relay')); // 404
  await call('getChannelState', 'GET', '/v1/channels/bad%20id/state', r('user-relay')); // 400
}
