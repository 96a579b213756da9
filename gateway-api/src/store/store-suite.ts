/**
 * The one test suite every Store implementation must pass (SQLite and PostgreSQL). Imported by the
 * per-backend test files; not a test file itself.
 */
import type { Store, TransactionRecord } from './store';

export interface StoreHarness {
  /** A fresh, initialised, empty store. */
  open(): Promise<Store>;
  /** Opens the same data again (a gateway restart or a second replica). */
  reopen(previous: Store): Promise<Store>;
  /** Disposes of the store's data. */
  destroy(store: Store): Promise<void>;
  /** Reason to skip the whole suite (backend unavailable). */
  skip?: string;
}

export function storeSuite(name: string, harness: StoreHarness): void {
  (harness.skip ? describe.skip : describe)(`Store contract: ${name}${harness.skip ? ' (skipped: backend unreachable)' : ''}`, () => {
    let store: Store;
    const extra: Store[] = [];
    beforeEach(async () => {
      store = await harness.open();
    });
    afterEach(async () => {
      for (const s of extra.splice(0)) await s.close();
      await harness.destroy(store);
    });

    test('ping writes a heartbeat', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    test('claims a new idempotency key, then reports it in flight, then done', async () => {
      const first = await store.claimIdempotencyKey('caller', 'k1', 'h1', 1_000, 60_000);
      expect(first).toMatchObject({ outcome: 'claimed', takenOver: false });
      expect(first.record).toMatchObject({ scope: 'caller', key: 'k1', requestHash: 'h1', state: 'in-flight', lockedUntil: 61_000 });
      expect((await store.claimIdempotencyKey('caller', 'k1', 'h1', 2_000, 60_000)).outcome).toBe('in-flight');
      await store.attachIdempotencyTransaction('caller', 'k1', 'tx1', new Uint8Array([1, 2, 3]));
      await store.completeIdempotencyKey('caller', 'k1', { status: 202, headers: { location: '/v1/transactions/tx1' }, body: { id: 'tx1' } });
      const again = await store.claimIdempotencyKey('caller', 'k1', 'h1', 3_000, 60_000);
      expect(again.outcome).toBe('done');
      expect(again.record.response).toEqual({ status: 202, headers: { location: '/v1/transactions/tx1' }, body: { id: 'tx1' } });
      expect(again.record.txId).toBe('tx1');
    });

    test('a key with another request hash is a mismatch, in flight or done', async () => {
      await store.claimIdempotencyKey('caller', 'k2', 'h1', 1_000, 60_000);
      expect((await store.claimIdempotencyKey('caller', 'k2', 'h2', 1_001, 60_000)).outcome).toBe('mismatch');
      await store.completeIdempotencyKey('caller', 'k2', { status: 200, headers: {}, body: null });
      expect((await store.claimIdempotencyKey('caller', 'k2', 'h2', 1_002, 60_000)).outcome).toBe('mismatch');
    });

    test('keys are scoped per caller', async () => {
      expect((await store.claimIdempotencyKey('alice', 'same', 'h1', 1_000, 60_000)).outcome).toBe('claimed');
      expect((await store.claimIdempotencyKey('bob', 'same', 'h2', 1_000, 60_000)).outcome).toBe('claimed');
    });

    test('an expired lease is taken over and keeps the prepared transaction', async () => {
      await store.claimIdempotencyKey('caller', 'k3', 'h1', 1_000, 10_000);
      await store.attachIdempotencyTransaction('caller', 'k3', 'tx3', new Uint8Array([9, 8, 7]));
      expect((await store.claimIdempotencyKey('caller', 'k3', 'h1', 10_999, 10_000)).outcome).toBe('in-flight');
      const taken = await store.claimIdempotencyKey('caller', 'k3', 'h1', 11_001, 10_000);
      expect(taken).toMatchObject({ outcome: 'claimed', takenOver: true });
      expect(taken.record.txId).toBe('tx3');
      expect(Array.from(taken.record.proposal ?? [])).toEqual([9, 8, 7]);
      expect((await store.claimIdempotencyKey('caller', 'k3', 'h1', 11_002, 10_000)).outcome).toBe('in-flight');
    });

    test('concurrent claims of one key: exactly one wins', async () => {
      const results = await Promise.all(Array.from({ length: 8 }, () => store.claimIdempotencyKey('caller', 'race', 'h', 5_000, 60_000)));
      expect(results.filter((r) => r.outcome === 'claimed')).toHaveLength(1);
      expect(results.filter((r) => r.outcome === 'in-flight')).toHaveLength(7);
    });

    test('release frees an in-flight key but never a finished one', async () => {
      await store.claimIdempotencyKey('caller', 'k4', 'h1', 1_000, 60_000);
      await store.releaseIdempotencyKey('caller', 'k4');
      expect((await store.claimIdempotencyKey('caller', 'k4', 'h2', 1_001, 60_000)).outcome).toBe('claimed');
      await store.completeIdempotencyKey('caller', 'k4', { status: 200, headers: {}, body: { ok: true } });
      await store.releaseIdempotencyKey('caller', 'k4');
      expect((await store.claimIdempotencyKey('caller', 'k4', 'h2', 1_002, 60_000)).outcome).toBe('done');
    });

    test('release of a key with a prepared transaction ends its lease but keeps the transaction', async () => {
      await store.claimIdempotencyKey('caller', 'k5', 'h1', 1_000, 60_000);
      await store.attachIdempotencyTransaction('caller', 'k5', 'tx5', new Uint8Array([5]));
      await store.releaseIdempotencyKey('caller', 'k5');
      expect((await store.claimIdempotencyKey('caller', 'k5', 'h2', 1_001, 60_000)).outcome).toBe('mismatch');
      const retry = await store.claimIdempotencyKey('caller', 'k5', 'h1', 1_002, 60_000);
      expect(retry).toMatchObject({ outcome: 'claimed', takenOver: true });
      expect(retry.record.txId).toBe('tx5');
    });

    test('purge removes finished keys older than a time', async () => {
      await store.claimIdempotencyKey('c', 'old', 'h', 1_000, 60_000);
      await store.completeIdempotencyKey('c', 'old', { status: 200, headers: {}, body: null });
      await store.claimIdempotencyKey('c', 'new', 'h', 9_000, 60_000);
      await store.completeIdempotencyKey('c', 'new', { status: 200, headers: {}, body: null });
      await store.claimIdempotencyKey('c', 'busy', 'h', 1_000, 60_000);
      expect(await store.purgeIdempotencyKeys(5_000)).toBe(1);
      expect((await store.claimIdempotencyKey('c', 'new', 'h', 9_500, 60_000)).outcome).toBe('done');
      expect((await store.claimIdempotencyKey('c', 'busy', 'h', 9_500, 60_000)).outcome).toBe('in-flight');
    });

    test('transactions: put, update, get, pending', async () => {
      const tx: TransactionRecord = { txId: 'a1', fn: 'params:SetLendingParams', status: 'endorsed', submitter: 'ops', result: '{"ok":true}', createdAt: 100, updatedAt: 100 };
      await store.putTransaction(tx);
      await store.putTransaction({ ...tx, txId: 'a2', createdAt: 200, updatedAt: 200, result: undefined });
      expect(await store.getTransaction('a1')).toEqual(tx);
      expect(await store.getTransaction('missing')).toBeUndefined();
      expect((await store.pendingTransactions(150, 10)).map((t) => t.txId)).toEqual(['a1']);
      expect((await store.pendingTransactions(1_000, 10)).map((t) => t.txId)).toEqual(['a1', 'a2']);
      await store.putTransaction({ ...tx, status: 'committed', blockNumber: 7, validationCode: 'VALID', updatedAt: 300 });
      expect(await store.getTransaction('a1')).toEqual({ ...tx, status: 'committed', blockNumber: 7, validationCode: 'VALID', updatedAt: 300 });
      expect((await store.pendingTransactions(1_000, 10)).map((t) => t.txId)).toEqual(['a2']);
    });

    test('events: append in order, skip duplicates, page after a sequence', async () => {
      expect(await store.lastEvent()).toBeUndefined();
      const payload = new TextEncoder().encode('{"x":1}');
      const e1 = await store.appendEvent({ blockNumber: 5, txId: 't1', eventName: 'ParamsSet', payload }, 10);
      const e2 = await store.appendEvent({ blockNumber: 5, txId: 't2', eventName: 'ParamsSet', payload }, 11);
      const dup = await store.appendEvent({ blockNumber: 5, txId: 't1', eventName: 'ParamsSet', payload }, 12);
      const e3 = await store.appendEvent({ blockNumber: 6, txId: 't3', eventName: 'Other', payload: new Uint8Array() }, 13);
      expect(dup).toBeUndefined();
      expect(e1!.seq).toBeLessThan(e2!.seq);
      expect(e2!.seq).toBeLessThan(e3!.seq);
      const all = await store.eventsAfter(0, 100);
      expect(all.map((e) => e.txId)).toEqual(['t1', 't2', 't3']);
      expect(new TextDecoder().decode(all[0].payload)).toBe('{"x":1}');
      expect(all[0]).toMatchObject({ blockNumber: 5, eventName: 'ParamsSet', receivedAt: 10 });
      expect((await store.eventsAfter(e1!.seq, 1)).map((e) => e.txId)).toEqual(['t2']);
      expect(await store.eventsAfter(e3!.seq, 10)).toEqual([]);
      expect((await store.lastEvent())!.txId).toBe('t3');
    });

    test('concurrent appends keep one copy each and increasing sequence numbers', async () => {
      const events = Array.from({ length: 20 }, (_, i) => ({ blockNumber: 10 + Math.floor(i / 4), txId: `c${i}`, eventName: 'E', payload: new Uint8Array([i]) }));
      const other = await harness.reopen(store);
      extra.push(other);
      // Two "replicas" ingest the same stream at once, each in ledger order.
      await Promise.all([
        (async () => { for (const e of events) await store.appendEvent(e, 1); })(),
        (async () => { for (const e of events) await other.appendEvent(e, 2); })(),
      ]);
      const logged = await store.eventsAfter(0, 100);
      expect(logged.map((e) => e.txId)).toEqual(events.map((e) => e.txId));
    });

    test('data survives reopening (a restart)', async () => {
      await store.claimIdempotencyKey('c', 'persist', 'h', 1_000, 60_000);
      await store.completeIdempotencyKey('c', 'persist', { status: 202, headers: {}, body: { id: 'x' } });
      await store.appendEvent({ blockNumber: 1, txId: 'p', eventName: 'E', payload: new Uint8Array([1]) }, 1);
      await store.putTransaction({ txId: 'p', fn: 'f', status: 'endorsed', submitter: 's', createdAt: 1, updatedAt: 1 });
      const again = await harness.reopen(store);
      extra.push(again);
      expect((await again.claimIdempotencyKey('c', 'persist', 'h', 2_000, 60_000)).outcome).toBe('done');
      expect((await again.lastEvent())!.txId).toBe('p');
      expect((await again.getTransaction('p'))!.status).toBe('endorsed');
    });

    describe('channels (broker and watchtower)', () => {
      const signed = (v: number) => JSON.stringify({ state: { channelId: 'ch-1', version: v }, sigs: { a: `sa${v}`, b: `sb${v}` } });
      const token = (p: 'a' | 'b', below: number) => JSON.stringify({ channelId: 'ch-1', party: p, below, signature: `${p}${below}` });

      test('keeps the latest co-signed state: an older or equal version never replaces it', async () => {
        expect(await store.getChannelState('ch-1')).toBeUndefined();
        await store.writeChannelBatch({ states: [{ channelId: 'ch-1', version: 2, signed: signed(2) }] }, 10);
        await store.writeChannelBatch({ states: [{ channelId: 'ch-1', version: 1, signed: signed(1) }, { channelId: 'ch-1', version: 2, signed: 'other' }] }, 11);
        expect(await store.getChannelState('ch-1')).toEqual({ channelId: 'ch-1', version: 2, signed: signed(2), revocations: {}, nodes: {}, updatedAt: 10 });
        // Several versions of one channel in one batch (group commit): the highest wins, in any order.
        await store.writeChannelBatch({ states: [{ channelId: 'ch-1', version: 4, signed: signed(4) }, { channelId: 'ch-1', version: 3, signed: signed(3) }] }, 12);
        expect((await store.getChannelState('ch-1'))!.version).toBe(4);
        expect((await store.getChannelState('ch-1'))!.signed).toBe(signed(4));
      });

      test('keeps only the highest revocation token per party (bounded storage)', async () => {
        await store.writeChannelBatch({ revocations: [{ channelId: 'ch-1', party: 'a', below: 3, token: token('a', 3) }] }, 1);
        await store.writeChannelBatch(
          {
            states: [{ channelId: 'ch-1', version: 5, signed: signed(5) }],
            revocations: [
              { channelId: 'ch-1', party: 'a', below: 2, token: token('a', 2) },
              { channelId: 'ch-1', party: 'b', below: 5, token: token('b', 5) },
            ],
          },
          2,
        );
        const got = await store.getChannelState('ch-1');
        expect(got).toMatchObject({ version: 5, signed: signed(5), revocations: { a: { below: 3, token: token('a', 3) }, b: { below: 5, token: token('b', 5) } } });
        for (let v = 6; v <= 40; v++) {
          await store.writeChannelBatch({ states: [{ channelId: 'ch-1', version: v, signed: signed(v) }], revocations: [{ channelId: 'ch-1', party: 'a', below: v, token: token('a', v) }] }, v);
        }
        const list = await store.listChannelStates('', 10);
        expect(list).toHaveLength(1);
        expect(list[0]).toMatchObject({ version: 40, revocations: { a: { below: 40 }, b: { below: 5 } } });
      });

      test('announcements, listing in channel id order', async () => {
        await store.writeChannelBatch({ nodes: [{ channelId: 'ch-2', side: 'b', node: '{"node":"Y"}' }, { channelId: 'ch-0', side: 'a', node: '{"node":"S"}' }] }, 1);
        await store.writeChannelBatch({ states: [{ channelId: 'ch-2', version: 1, signed: 'x' }] }, 2);
        const all = await store.listChannelStates('', 10);
        expect(all.map((c) => c.channelId)).toEqual(['ch-0', 'ch-2']);
        expect(all[1]).toMatchObject({ version: 1, signed: 'x', nodes: { b: '{"node":"Y"}' } });
        expect((await store.listChannelStates('ch-0', 10)).map((c) => c.channelId)).toEqual(['ch-2']);
      });

      test('queues messages per recipient in order and deletes delivered ones', async () => {
        await store.writeChannelBatch({ enqueue: [{ channelId: 'ch-1', recipient: 'b', body: 'm1' }, { channelId: 'ch-1', recipient: 'a', body: 'x' }] }, 1);
        await store.writeChannelBatch({ enqueue: [{ channelId: 'ch-1', recipient: 'b', body: 'm2' }] }, 2);
        const q = await store.queuedChannelMessages('ch-1', 'b', 10);
        expect(q.map((m) => m.body)).toEqual(['m1', 'm2']);
        expect(q[0].seq).toBeLessThan(q[1].seq);
        expect(await store.countQueuedChannelMessages('ch-1', 'b')).toBe(2);
        expect(await store.deleteQueuedChannelMessages('ch-1', 'b', q[0].seq)).toBe(1);
        expect((await store.queuedChannelMessages('ch-1', 'b', 10)).map((m) => m.body)).toEqual(['m2']);
        expect(await store.countQueuedChannelMessages('ch-1', 'a')).toBe(1);
      });

      test('preimages: unrevealed before their lock, marked revealed globally, deleted with the channel', async () => {
        const h1 = '1'.repeat(64);
        const h2 = '2'.repeat(64);
        await store.writeChannelBatch(
          {
            preimages: [
              { channelId: 'ch-1', hashLock: h1, preimage: 'p1', timeLock: 100 },
              { channelId: 'ch-2', hashLock: h1, preimage: 'p1', timeLock: 90 },
              { channelId: 'ch-1', hashLock: h2, preimage: 'p2', timeLock: 50 },
            ],
            states: [{ channelId: 'ch-1', version: 1, signed: 'x' }],
            enqueue: [{ channelId: 'ch-1', recipient: 'a', body: 'm' }],
          },
          1,
        );
        expect((await store.unrevealedPreimages(60, 10)).map((p) => [p.channelId, p.timeLock])).toEqual([['ch-2', 90], ['ch-1', 100]]);
        await store.markPreimageRevealed(h1, 70);
        expect(await store.unrevealedPreimages(60, 10)).toEqual([]);
        expect((await store.channelPreimages('ch-1')).map((p) => [p.hashLock, p.revealedAt])).toEqual([[h2, undefined], [h1, 70]]);
        await store.deleteChannelData('ch-1');
        expect(await store.getChannelState('ch-1')).toBeUndefined();
        expect(await store.channelPreimages('ch-1')).toEqual([]);
        expect(await store.countQueuedChannelMessages('ch-1', 'a')).toBe(0);
        expect(await store.channelPreimages('ch-2')).toHaveLength(1);
      });

      test('checkpoints only move forward and survive a restart', async () => {
        expect(await store.getCheckpoint('watchtower')).toBeUndefined();
        await store.setCheckpoint('watchtower', 7, 1);
        await store.setCheckpoint('watchtower', 5, 2);
        expect(await store.getCheckpoint('watchtower')).toBe(7);
        await store.writeChannelBatch({ states: [{ channelId: 'ch-9', version: 3, signed: 's' }] }, 3);
        const again = await harness.reopen(store);
        extra.push(again);
        expect(await again.getCheckpoint('watchtower')).toBe(7);
        expect((await again.getChannelState('ch-9'))!.version).toBe(3);
      });
    });
  });
}
