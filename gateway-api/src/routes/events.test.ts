/** SSE resume: a client reconnecting with its last event id misses nothing and sees nothing twice. */
import { FakeLedger } from '../testing/fake-ledger';
import { startTestGateway, TEST_KEYS, TestGateway } from '../testing/harness';

interface SseEvent {
  id: string;
  event: string;
  data: { id: string; eventName: string; payload: { n: number } };
}

/** Opens the stream and collects `count` events, then disconnects. */
async function collect(gw: TestGateway, count: number, headers: Record<string, string> = {}, query = ''): Promise<SseEvent[]> {
  const ctrl = new AbortController();
  const res = await fetch(`${gw.url}/v1/events${query}`, { headers: { 'x-api-key': TEST_KEYS['user-relay'], ...headers }, signal: ctrl.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const out: SseEvent[] = [];
  let buf = '';
  const timeout = setTimeout(() => ctrl.abort(), 5_000);
  try {
    while (out.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += new TextDecoder().decode(value);
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const fields = Object.fromEntries(block.split('\n').filter((l) => l && !l.startsWith(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
        if (fields.data && out.length < count) out.push({ id: fields.id, event: fields.event, data: JSON.parse(fields.data) });
      }
    }
  } finally {
    clearTimeout(timeout);
    ctrl.abort();
  }
  return out;
}

const waitFor = async (cond: () => Promise<boolean>): Promise<void> => {
  for (let i = 0; i < 100 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 20));
};

test('reconnecting with Last-Event-ID resumes exactly after the last event received', async () => {
  const gw = await startTestGateway();
  try {
    for (let n = 1; n <= 5; n++) gw.ledger.emitEvent('Tick', { n });
    await waitFor(async () => (await gw.store.eventsAfter(0, 100)).length === 5);
    const first = await collect(gw, 3, {}, '?after=0');
    expect(first.map((e) => e.data.payload.n)).toEqual([1, 2, 3]);
    expect(first.map((e) => e.id)).toEqual(first.map((e) => e.data.id));
    // More events arrive while the client is away.
    for (let n = 6; n <= 8; n++) gw.ledger.emitEvent('Tick', { n });
    const rest = await collect(gw, 5, { 'last-event-id': first[2].id });
    expect(rest.map((e) => e.data.payload.n)).toEqual([4, 5, 6, 7, 8]);
    // ?after= is the same for clients that cannot set headers.
    gw.ledger.emitEvent('Tick', { n: 9 });
    const viaQuery = await collect(gw, 2, {}, `?after=${rest[3].id}`);
    expect(viaQuery.map((e) => e.data.payload.n)).toEqual([8, 9]);
  } finally {
    await gw.close();
  }
}, 15_000);

test('a live client gets new events; a name filter keeps ids resumable', async () => {
  const gw = await startTestGateway();
  try {
    const pending = collect(gw, 2, {}, '?name=Wanted');
    await new Promise((r) => setTimeout(r, 150));
    gw.ledger.emitEvent('Other', { n: 1 });
    gw.ledger.emitEvent('Wanted', { n: 2 });
    gw.ledger.emitEvent('Wanted', { n: 3 });
    const got = await pending;
    expect(got.map((e) => [e.event, e.data.payload.n])).toEqual([
      ['Wanted', 2],
      ['Wanted', 3],
    ]);
  } finally {
    await gw.close();
  }
});

test('the ingester resumes from its checkpoint after a gateway restart: no loss, no duplicate', async () => {
  const ledger = new FakeLedger();
  const dir = require('node:fs').mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'gl-ev-'));
  const db = require('node:path').join(dir, 'g.db');
  const gw1 = await startTestGateway({ ledger, sqlitePath: db });
  ledger.emitEvent('Tick', { n: 1 });
  ledger.emitEvent('Tick', { n: 2 });
  await waitFor(async () => (await gw1.store.eventsAfter(0, 10)).length === 2);
  await gw1.close();
  ledger.emitEvent('Tick', { n: 3 }); // while the gateway is down
  const gw2 = await startTestGateway({ ledger, sqlitePath: db });
  try {
    ledger.emitEvent('Tick', { n: 4 });
    await waitFor(async () => (await gw2.store.eventsAfter(0, 10)).length >= 4);
    const all = await collect(gw2, 4, {}, '?after=0');
    expect(all.map((e) => e.data.payload.n)).toEqual([1, 2, 3, 4]);
    expect((await gw2.store.eventsAfter(0, 10)).length).toBe(4);
  } finally {
    await gw2.close();
    require('node:fs').rmSync(dir, { recursive: true, force: true });
  }
});

test('a transaction committed through the gateway shows up on the stream', async () => {
  const gw = await startTestGateway();
  try {
    const pending = collect(gw, 1);
    await new Promise((r) => setTimeout(r, 150));
    const put = await gw.request('PUT', '/v1/params/lending?wait=true', {
      role: 'utility-admin',
      body: require('../testing/harness').SAMPLE_PARAMS,
      headers: { 'idempotency-key': 'ev-1' },
    });
    const [e] = await pending;
    expect(e.event).toBe('LendingParamsChanged');
    expect(e.data).toMatchObject({ transactionId: (put.body as { id: string }).id });
  } finally {
    await gw.close();
  }
});
