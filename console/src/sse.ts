/**
 * Live updates. The public board uses EventSource on /v1/public/events (no key needed). Signed-in
 * pages read /v1/events with fetch, so the API key travels in a header (EventSource cannot send
 * one) and never in a URL; the reader resumes with Last-Event-ID after a dropped connection.
 */
export interface LiveEvent {
  id: string;
  eventName: string;
  transactionId: string;
  payload: unknown;
}

export type Unsubscribe = () => void;

export function subscribe(key: string | null, onEvent: (e: LiveEvent) => void, onState: (state: 'live' | 'reconnecting') => void): Unsubscribe {
  if (!key) {
    const es = new EventSource('/v1/public/events');
    es.onopen = () => onState('live');
    es.onerror = () => onState('reconnecting');
    es.onmessage = () => undefined;
    const handler = (m: MessageEvent) => onEvent(JSON.parse(m.data as string) as LiveEvent);
    // Named events: listen to each name the public stream carries.
    for (const name of PUBLIC_NAMES) es.addEventListener(name, handler as EventListener);
    return () => es.close();
  }
  const ctrl = new AbortController();
  let last: string | undefined;
  let stopped = false;
  const run = async (): Promise<void> => {
    while (!stopped) {
      try {
        const res = await fetch('/v1/events', { headers: { 'x-api-key': key, accept: 'text/event-stream', ...(last ? { 'last-event-id': last } : {}) }, signal: ctrl.signal });
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            const id = /^id: (.*)$/m.exec(block)?.[1];
            if (id) last = id;
            if (data) onEvent(JSON.parse(data) as LiveEvent);
          }
        }
      } catch {
        if (stopped) return;
      }
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, 2_000));
    }
  };
  void run();
  return () => {
    stopped = true;
    ctrl.abort();
  };
}

const PUBLIC_NAMES = [
  'LendingParamsChanged', 'GuarantorRegistered', 'LoansTaken', 'LoanRepaid', 'LoanDefaulted', 'TraceSharePublished',
  'DefaulterPublished', 'GuarantorPenalized', 'PoolCreated', 'PoolOpened', 'PoolRefunding', 'PoolClosed',
];
