/**
 * A streaming response: an async generator that yields one line per tick.
 * The server pulls a chunk only when the client can take it (BODY-ITER-1), so
 * the generator never runs ahead of the connection. When the client goes
 * away, `tsgi.signal` aborts (CANCEL-SIG-1): the pending delay ends at once,
 * the generator returns, and its `finally` runs (BODY-ITER-2).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Environ, RequestHandler, TsgiResponse } from '@tsgi/gateway-spec';

/** Pause before each line. */
export const TICK_DELAY_MS = 250;
/** Lines sent when the query names no `count`; `?count=` may ask for up to MAX_TICKS. */
export const DEFAULT_TICKS = 10;
export const MAX_TICKS = 1000;

export interface StreamingOptions {
  delayMs?: number;
  /** Told when a stream ends, and why: for logs, and for tests. */
  onEnd?: (outcome: { sent: number; reason: 'complete' | 'cancelled' }) => void;
}

async function* ticks(signal: AbortSignal, count: number, delayMs: number, onEnd: StreamingOptions['onEnd']): AsyncGenerator<string> {
  let sent = 0;
  try {
    while (sent < count) {
      try {
        await delay(delayMs, undefined, { signal });
      } catch {
        return; // aborted: the client is gone, nobody will read another line
      }
      sent++;
      yield `tick ${sent} of ${count}\n`;
    }
  } finally {
    onEnd?.({ sent, reason: sent === count ? 'complete' : 'cancelled' });
  }
}

/** Parses `?count=N`: a whole number from 1 to MAX_TICKS, or null. */
function requestedCount(query: string): number | null {
  const value = new URLSearchParams(query).get('count');
  if (value === null) return DEFAULT_TICKS;
  return /^\d{1,4}$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_TICKS ? Number(value) : null;
}

export function createStreamingApp(options: StreamingOptions = {}): RequestHandler {
  const delayMs = options.delayMs ?? TICK_DELAY_MS;
  return (environ: Environ): TsgiResponse => {
    const count = requestedCount(environ.QUERY_STRING);
    if (count === null) {
      return { status: 400, headers: [['content-type', 'text/plain; charset=utf-8']], body: `count must be a whole number from 1 to ${MAX_TICKS}\n` };
    }
    return {
      status: 200,
      // No Content-Length: the length is not known in advance, so HTTP/1.1 servers send it chunked (BODY-LEN-1).
      headers: [['content-type', 'text/plain; charset=utf-8'], ['cache-control', 'no-store']],
      body: ticks(environ['tsgi.signal'], count, delayMs, options.onEnd),
    };
  };
}

export default createStreamingApp();
