import type { StoredEvent } from '../store/store';
import { defineOperation, OperationContext } from '../http/operation';
import { ALL_ROLES } from '../openapi/document';

const HEARTBEAT_MS = 15_000;
const PAGE = 200;

/** The `data:` object of one SSE message. */
export function eventMessage(e: StoredEvent): Record<string, unknown> {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(e.payload);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    payload = undefined;
  }
  return {
    id: String(e.seq),
    blockNumber: e.blockNumber,
    transactionId: e.txId,
    eventName: e.eventName,
    payload: payload ?? null,
    ...(payload === undefined ? { payloadBase64: Buffer.from(e.payload).toString('base64') } : {}),
  };
}

/**
 * Streams the store's event log as Server-Sent Events to one client until it disconnects, starting
 * after `Last-Event-ID`, `?after=`, or else the newest event, and sending only what `include` keeps.
 * The cursor is the last sequence number looked at; the log only grows and sequence numbers increase in
 * commit order, so a client that resumes from its last id gets every later event exactly once.
 */
export async function streamStoreEvents(ctx: OperationContext, include: (e: StoredEvent) => boolean): Promise<undefined> {
  const { store, events } = ctx.deps;
  const header = ctx.req.get('last-event-id');
  let cursor: number;
  if (header !== undefined) cursor = Number(header);
  else if (ctx.query.after !== undefined) cursor = ctx.query.after as number;
  else cursor = (await store.lastEvent())?.seq ?? 0;

  const res = ctx.res;
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 2000\n\n');

  let open = true;
  let wake: (() => void) | undefined;
  const stopListening = events.onAppended(() => wake?.());
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  ctx.req.on('close', () => {
    open = false;
    wake?.();
  });
  try {
    while (open) {
      const page = await store.eventsAfter(cursor, PAGE);
      for (const e of page) {
        if (!open) break;
        cursor = e.seq;
        if (!include(e)) continue;
        res.write(`id: ${e.seq}\nevent: ${e.eventName.replace(/[\r\n]/g, ' ')}\ndata: ${JSON.stringify(eventMessage(e))}\n\n`);
      }
      if (page.length === PAGE) continue;
      // Wait for the ingester to append, or poll (another replica may have appended).
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 1_000);
        wake = () => {
          clearTimeout(t);
          wake = undefined;
          resolve();
        };
      });
    }
  } finally {
    clearInterval(heartbeat);
    stopListening();
    res.end();
  }
  return undefined;
}

/** GET /v1/events: the chaincode's events, optionally of one name (`?name=`). */
export const streamEvents = defineOperation({
  operationId: 'streamEvents',
  roles: ALL_ROLES,
  handle(ctx) {
    const nameFilter = ctx.query.name as string | undefined;
    return streamStoreEvents(ctx, (e) => !nameFilter || e.eventName === nameFilter);
  },
});
