import { Context } from 'fabric-contract-api';

/**
 * A small in-memory ledger: a transaction's writes are buffered and committed only if it succeeds,
 * as Fabric does, so "refused with nothing written" is observable.
 */
export class Ledger {
  state = new Map<string, Buffer>();
  events: Array<{ name: string; payload: unknown }> = [];
  now = 1_700_000_000;
  private seq = 0;

  async run<T>(msp: string, fn: (ctx: Context) => Promise<T>): Promise<T> {
    const writes = new Map<string, Buffer | null>();
    let event: { name: string; payload: unknown } | undefined;
    const txId = `tx${++this.seq}`;
    const committed = this.state;
    const stub = {
      getState: async (k: string) => committed.get(k) ?? Buffer.alloc(0),
      putState: async (k: string, v: Buffer) => void writes.set(k, Buffer.from(v)),
      deleteState: async (k: string) => void writes.set(k, null),
      createCompositeKey: (t: string, attrs: string[]) => `\u0000${t}\u0000${attrs.map((a) => `${a}\u0000`).join('')}`,
      splitCompositeKey: (k: string) => {
        const [objectType, ...attributes] = k.slice(1, -1).split('\u0000');
        return { objectType, attributes };
      },
      getStateByPartialCompositeKey: async (t: string, attrs: string[]) => {
        const prefix = `\u0000${t}\u0000${attrs.map((a) => `${a}\u0000`).join('')}`;
        const rows = [...committed.entries()].filter(([k]) => k.startsWith(prefix)).sort(([a], [b]) => (a < b ? -1 : 1));
        let i = 0;
        return { next: async () => (i < rows.length ? { done: false, value: { key: rows[i][0], value: rows[i++][1] } } : { done: true, value: undefined }), close: async () => undefined };
      },
      getStateByRange: async (start: string, end: string) => {
        const rows = [...committed.entries()].filter(([k]) => k >= start && k < end).sort(([a], [b]) => (a < b ? -1 : 1));
        let i = 0;
        return { next: async () => (i < rows.length ? { done: false, value: { key: rows[i][0], value: rows[i++][1] } } : { done: true, value: undefined }), close: async () => undefined };
      },
      getTxID: () => txId,
      getTxTimestamp: () => ({ seconds: this.now, nanos: 0 }),
      setEvent: (name: string, payload: Buffer) => void (event = { name, payload: JSON.parse(payload.toString()) }),
    };
    const ctx = { stub, clientIdentity: { getMSPID: () => msp } } as unknown as Context;
    const out = await fn(ctx);
    for (const [k, v] of writes) {
      if (v === null) this.state.delete(k);
      else this.state.set(k, v);
    }
    if (event) this.events.push(event);
    return out;
  }

  snapshot(): string {
    return JSON.stringify([...this.state.entries()].map(([k, v]) => [k, v.toString()]));
  }
}

