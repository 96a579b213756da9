/**
 * The generic relay batcher on the fake ledger, with the app's real transaction service and store:
 * when batches go, how lanes keep one account's items in order with one batch in flight each, how a
 * refused item is dropped, and that maxItems 1 turns batching off.
 */
import { LedgerError } from '../fabric/ledger';
import { startTestGateway, TestGateway } from '../testing/harness';
import { accountLane, RelayBatcher, RelayBatcherOptions, signedItemLocator } from './relay-batcher';

interface Item {
  account: string;
  n: number;
  signature: string;
}

let gw: TestGateway;
/** Every batch the fake chaincode ran, refused ones included: [lane, items]. */
let batches: Array<[string, Item[]]>;
/** Single-item calls. */
let singles: Item[];
beforeEach(async () => {
  gw = await startTestGateway({ ingest: false });
  batches = [];
  singles = [];
  // As the chaincode: items in order, a refusal names its item and writes nothing.
  gw.ledger.handlers.set('test:Batch', (c) => {
    const items = JSON.parse(c.args[1]) as Item[];
    batches.push([c.args[0], items]);
    items.forEach((it, i) => {
      if (it.n < 0) throw new LedgerError('invalid', `INVALID_ARGUMENT: item ${i}: n must not be negative`);
    });
    return JSON.stringify(items.map((it) => ({ n: it.n })));
  });
  gw.ledger.handlers.set('test:One', (c) => {
    singles.push(JSON.parse(c.args[0]) as Item);
    return JSON.stringify({ n: (JSON.parse(c.args[0]) as Item).n });
  });
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
afterEach(async () => {
  // Commit whatever is held and let the batchers see it, so nothing waits on a closed store.
  gw.ledger.holdCommits = false;
  gw.ledger.release();
  await sleep(50);
  await gw.close();
});

let sig = 0;
const item = (account: string, n: number): Item => ({ account, n, signature: (++sig).toString(16).padStart(128, '0') });
function batcher(opts: Partial<RelayBatcherOptions<Item>> = {}): RelayBatcher<Item> {
  return new RelayBatcher<Item>(gw.deps, {
    fn: 'test:Batch',
    label: 'item',
    args: (lane, items) => [lane, JSON.stringify(items)],
    maxItems: 4,
    maxWaitMs: 20,
    ...opts,
  });
}

test('a batch goes as soon as maxItems are waiting, without waiting for maxWaitMs', async () => {
  const b = batcher({ maxItems: 3, maxWaitMs: 60_000 });
  const outs = await Promise.all([1, 2, 3].map((n) => b.enqueue('L', item('a', n), 'caller')));
  expect(batches.map(([, items]) => items.map((i) => i.n))).toEqual([[1, 2, 3]]);
  expect(new Set(outs.map((o) => o.record.txId)).size).toBe(1);
  expect(outs.map((o) => [o.index, o.size])).toEqual([[0, 3], [1, 3], [2, 3]]);
  expect(outs[0].record).toMatchObject({ fn: 'test:Batch', status: 'endorsed' });
  expect(b.sizes).toEqual([3]);
});

test('fewer than maxItems go once the oldest has waited maxWaitMs; a full queue goes in batches of maxItems', async () => {
  const b = batcher({ maxItems: 10, maxWaitMs: 80 });
  const started = Date.now();
  const pending = [b.enqueue('L', item('a', 1), 'c'), b.enqueue('L', item('b', 2), 'c')];
  await sleep(30);
  expect(batches).toHaveLength(0);
  const outs = await Promise.all(pending);
  expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  expect(batches.map(([, items]) => items.length)).toEqual([2]);
  expect(outs.map((o) => o.size)).toEqual([2, 2]);

  const c = batcher({ maxItems: 2, maxWaitMs: 0 });
  gw.ledger.holdCommits = true;
  const all = [1, 2, 3, 4, 5].map((n) => c.enqueue('M', item('a', n), 'c'));
  await sleep(20);
  // maxWaitMs 0 sends the first item alone at once; the rest wait for its commit, then go by maxItems.
  expect(batches.slice(1).map(([, items]) => items.map((i) => i.n))).toEqual([[1]]);
  for (let i = 0; i < 4; i++) {
    gw.ledger.release();
    await sleep(20);
  }
  await Promise.all(all);
  expect(batches.slice(1).map(([, items]) => items.map((i) => i.n))).toEqual([[1], [2, 3], [4, 5]]);
});

test('lanes: one account always has the same lane, accounts spread over the lanes, every lane is a number below lanes', () => {
  const accounts = Array.from({ length: 200 }, (_, i) => `account-${i}`);
  const lanes = accounts.map((a) => accountLane(a, 8));
  expect(accounts.map((a) => accountLane(a, 8))).toEqual(lanes);
  expect(new Set(lanes)).toEqual(new Set(['0', '1', '2', '3', '4', '5', '6', '7']));
  expect(accountLane('anything', 1)).toBe('0');
});

test('one batch per lane in flight until it commits: an account\'s items stay in order, other lanes go meanwhile', async () => {
  const b = batcher({ maxItems: 2, maxWaitMs: 5 });
  gw.ledger.holdCommits = true;
  const laneA = [b.enqueue('A', item('alice', 1), 'c'), b.enqueue('A', item('alice', 2), 'c')];
  await sleep(30);
  expect(batches.map(([lane]) => lane)).toEqual(['A']);
  // Alice's next items queue behind her lane's batch in flight; bob's lane is free.
  const later = [b.enqueue('A', item('alice', 3), 'c'), b.enqueue('A', item('alice', 4), 'c'), b.enqueue('A', item('alice', 5), 'c')];
  const laneB = b.enqueue('B', item('bob', 1), 'c');
  await sleep(30);
  expect(batches.map(([lane, items]) => [lane, items.map((i) => i.n)])).toEqual([['A', [1, 2]], ['B', [1]]]);
  await Promise.all([...laneA, laneB]);
  gw.ledger.release();
  await sleep(30);
  expect(batches.map(([lane, items]) => [lane, items.map((i) => i.n)])).toEqual([['A', [1, 2]], ['B', [1]], ['A', [3, 4]]]);
  gw.ledger.release();
  await sleep(30);
  await Promise.all(later);
  expect(batches.filter(([lane]) => lane === 'A').flatMap(([, items]) => items.map((i) => i.n))).toEqual([1, 2, 3, 4, 5]);
});

test('an item the chaincode refuses gets its own refusal, without the index; the rest are resubmitted and commit together', async () => {
  const b = batcher({ maxItems: 3, maxWaitMs: 60_000 });
  const [x, bad, y] = await Promise.allSettled([b.enqueue('L', item('a', 1), 'c'), b.enqueue('L', item('b', -1), 'c'), b.enqueue('L', item('c', 3), 'c')]);
  expect(bad.status).toBe('rejected');
  const err = (bad as PromiseRejectedResult).reason as LedgerError;
  expect(err).toBeInstanceOf(LedgerError);
  expect(err.message).toBe('INVALID_ARGUMENT: item: n must not be negative');
  expect(batches.map(([, items]) => items.map((i) => i.n))).toEqual([[1, -1, 3], [1, 3]]);
  const [ox, oy] = [x, y].map((r) => (r as PromiseFulfilledResult<{ record: { txId: string }; index: number; size: number }>).value);
  expect(ox.record.txId).toBe(oy.record.txId);
  expect([ox.index, oy.index, ox.size]).toEqual([0, 1, 2]);
  expect(b.sizes).toEqual([2]);
});

test('a failure that names no item fails the whole batch', async () => {
  const b = batcher({ maxItems: 2, maxWaitMs: 60_000 });
  gw.ledger.reachable = false;
  const outs = await Promise.allSettled([b.enqueue('L', item('a', 1), 'c'), b.enqueue('L', item('b', 2), 'c')]);
  expect(outs.map((o) => o.status)).toEqual(['rejected', 'rejected']);
  expect(((outs[0] as PromiseRejectedResult).reason as LedgerError).kind).toBe('unavailable');
  gw.ledger.reachable = true;
  // The lane is free again.
  expect((await Promise.all([b.enqueue('L', item('a', 1), 'c'), b.enqueue('L', item('b', 2), 'c')])).map((o) => o.size)).toEqual([2, 2]);
});

test('maxItems 1 with a single-item function submits it at once, as without a batcher; without one, batches of one', async () => {
  const single = { fn: 'test:One', args: (_lane: string, i: Item) => [JSON.stringify(i), i.signature] };
  const off = batcher({ maxItems: 1, maxWaitMs: 60_000, single });
  expect(off.passThrough).toBe(true);
  gw.ledger.holdCommits = true;
  // No lane waits for a commit either: both go while the first is uncommitted.
  const outs = await Promise.all([off.enqueue('L', item('a', 1), 'c', undefined, 'admin'), off.enqueue('L', item('a', 2), 'c')]);
  expect(singles.map((i) => i.n)).toEqual([1, 2]);
  expect(batches).toHaveLength(0);
  expect(outs.map((o) => [o.record.fn, o.index, o.size])).toEqual([['test:One', 0, 1], ['test:One', 0, 1]]);
  gw.ledger.holdCommits = false;
  gw.ledger.release();

  const ones = batcher({ maxItems: 1, maxWaitMs: 60_000 });
  expect(ones.passThrough).toBe(false);
  const one = await ones.enqueue('L', item('a', 3), 'c');
  expect([one.record.fn, one.size]).toEqual(['test:Batch', 1]);
  // With a larger maxItems the single-item function is never used.
  expect(batcher({ maxItems: 2, single }).fn).toBe('test:Batch');
});

test('a refused item\'s idempotency key is pointed at a batch of that item alone; the others\' keys at their batch', async () => {
  const b = batcher({ maxItems: 2, maxWaitMs: 60_000 });
  const scope = 'user-relay-caller';
  const now = Date.now();
  for (const key of ['k-good', 'k-bad']) await gw.store.claimIdempotencyKey(scope, key, `h-${key}`, now, 60_000);
  const badItem = item('b', -5);
  const [good] = await Promise.allSettled([b.enqueue('L', item('a', 1), 'c', { scope, key: 'k-good' }), b.enqueue('L', badItem, 'c', { scope, key: 'k-bad' })]);
  const claimOf = async (key: string) => {
    await gw.store.releaseIdempotencyKey(scope, key);
    const c = await gw.store.claimIdempotencyKey(scope, key, `h-${key}`, Date.now(), 60_000);
    return c.outcome === 'claimed' ? c.record : undefined;
  };
  expect((await claimOf('k-good'))?.txId).toBe((good as PromiseFulfilledResult<{ record: { txId: string } }>).value.record.txId);
  const bad = await claimOf('k-bad');
  // A retry under the refused key resubmits its own request alone: refused again, for itself.
  const located = signedItemLocator(badItem, { result: undefined, proposal: bad!.proposal! });
  expect(located).toEqual({ index: 0, size: 1 });
  await expect(b.resubmit(badItem, 'c', { scope, key: 'k-bad', prior: { txId: bad!.txId!, proposal: bad!.proposal! } })).rejects.toThrow(/item 0: n must not be negative/);
});

test('signedItemLocator finds a signed item by its signature in a prepared batch, whatever the batch\'s encoding', () => {
  const items = [item('a', 1), item('b', 2), item('c', 3)].map((i) => ({ body: { account: i.account, n: i.n }, signature: i.signature }));
  const prepared = gw.ledger.prepare('pool:DepositBatch', [JSON.stringify(items)]);
  expect(signedItemLocator(items[1], { result: undefined, proposal: prepared.proposal })).toEqual({ index: 1, size: 3 });
  // As a Fabric proposal carries it: the argument's bytes verbatim.
  const raw = new TextEncoder().encode(`\u0012\u0004\u0010${JSON.stringify(items)}\u0000`);
  expect(signedItemLocator(items[2], { result: undefined, proposal: raw })).toEqual({ index: 2, size: 3 });
  // Not in the batch (a single-item transaction): first of the result's list, or alone.
  expect(signedItemLocator(item('z', 9), { result: [{}, {}], proposal: raw.slice(0, 3) })).toEqual({ index: 0, size: 2 });
});
