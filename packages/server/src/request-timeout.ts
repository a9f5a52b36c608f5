/**
 * --timeout for one request (mod_wsgi request-timeout, whose interrupt-timeout
 * answers 504 and keeps the process): the application's `tsgi.signal` aborts
 * with TSGI_ERR_TIMEOUT (CANCEL-SIG-2) when the deadline passes. If it has not
 * answered by then the client gets 504; if its body is still streaming, the
 * next chunk fails, so the adapter cuts the connection (ERR-APP-2). A late
 * answer is finalised, never sent (BODY-ITER-2).
 * @module
 */
import { cancelReason } from '@tsgi/gateway-spec/server-kit';
import type { ApplicationObject, BodyChunk, Environ, TsgiResponse } from '@tsgi/gateway-spec';
import { currentRequest, type RequestContext } from './request-context.js';

const GATEWAY_TIMEOUT: TsgiResponse = Object.freeze({
  status: 504,
  headers: Object.freeze([['content-type', 'text/plain; charset=utf-8']] as const),
  body: 'Gateway Timeout\n',
});

type AnyIterator = Iterator<BodyChunk> | AsyncIterator<BodyChunk>;

function iteratorOf(body: unknown): AnyIterator | null {
  if (typeof body !== 'object' || body === null || body instanceof Uint8Array) return null;
  const it = body as Partial<AsyncIterable<BodyChunk> & Iterable<BodyChunk>>;
  if (typeof it[Symbol.asyncIterator] === 'function') return it[Symbol.asyncIterator]!();
  if (typeof it[Symbol.iterator] === 'function' && !Array.isArray(body)) return it[Symbol.iterator]!();
  return null;
}

/** Finalises the body of a response that will not be sent (BODY-ITER-2). */
async function finaliseIterator(iterator: AnyIterator | null): Promise<void> {
  try {
    await iterator?.return?.();
  } catch {
    // The client already has its answer (504 or a cut); the app's cleanup failing changes nothing.
  }
}

function finalise(response: TsgiResponse): Promise<void> {
  return finaliseIterator(iteratorOf(response?.body));
}

/**
 * One request under --timeout. Nothing per request is made eagerly: an
 * AbortController, a listener on the server's signal and a timer each cost
 * microseconds in Node 20 (together they cut a hello app's throughput by more
 * than half), so the deadline lives in one sweep per worker and the
 * application's `tsgi.signal` is made only when the application reads it.
 */
class Deadline {
  controller: AbortController | null = null;
  /** Why the request was abandoned; set once, before or after the signal exists. */
  reason: unknown = undefined;
  timedOut = false;
  /** Answers 504 when the deadline passes before the application answered. */
  onExpire: (() => void) | null = null;
  constructor(
    readonly expiresAt: number,
    readonly environ: Environ,
    readonly context: RequestContext | undefined,
    /** Reads the server's own signal (the adapter makes it lazily too). */
    readonly serverSignal: () => AbortSignal,
  ) {}

  /** The application's `tsgi.signal`: aborts with the server's reason or TSGI_ERR_TIMEOUT. */
  signal(): AbortSignal {
    if (this.controller === null) {
      const controller = new AbortController();
      this.controller = controller;
      if (this.reason !== undefined) controller.abort(this.reason);
      else if (this.context === undefined) {
        // Outside a worker nothing tells us of a client gone; follow the server's signal.
        const own = this.serverSignal();
        if (own.aborted) this.abort(own.reason);
        else own.addEventListener('abort', () => this.abort(own.reason), { once: true });
      }
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.reason !== undefined) return;
    this.reason = reason;
    this.controller?.abort(reason);
  }
}

/** Streams a body until its deadline passes; then the next chunk fails with the deadline's reason. */
function bodyUntil(iterator: AnyIterator, deadline: Deadline): AsyncIterator<BodyChunk> {
  return {
    async next() {
      if (deadline.reason !== undefined) {
        // The adapter sees the failure, not the end: it cuts the connection and will not
        // call return() on a body that threw, so the app's iterator is finalised here.
        await finaliseIterator(iterator);
        throw deadline.reason;
      }
      return iterator.next();
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<TsgiResponse> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Keeps the deadline on a streamed body: the request leaves the sweep when
 * the body ends or is finalised; past the deadline the next chunk fails.
 */
function guardBody(response: TsgiResponse, iterator: AnyIterator, deadline: Deadline, done: () => void): TsgiResponse {
  const inner = bodyUntil(iterator, deadline);
  return {
    ...response,
    body: {
      [Symbol.asyncIterator]: () => ({
        async next() {
          const r = await inner.next();
          if (r.done) done();
          return r;
        },
        async return() {
          done();
          return inner.return!();
        },
      }),
    },
  };
}

/** Told when a deadline passes: `answered` is true when the client got 504, false when a streaming body was cut. */
export type TimeoutReport = (environ: Environ, answered: boolean) => void;

/** How often the sweep looks for expired requests: a tenth of the timeout, within 10 ms to 1 s. */
export function sweepIntervalMs(timeoutMs: number): number {
  return Math.max(10, Math.min(1_000, Math.floor(timeoutMs / 10)));
}

export function withRequestTimeout(app: ApplicationObject, timeoutMs: number, report: TimeoutReport = () => {}): ApplicationObject {
  if (timeoutMs <= 0) return app;
  const pending = new Set<Deadline>();
  let sweeper: NodeJS.Timeout | null = null;
  const expire = (d: Deadline) => {
    d.timedOut = true;
    d.abort(cancelReason('TSGI_ERR_TIMEOUT', `--timeout of ${timeoutMs / 1000} s`));
    report(d.environ, d.onExpire !== null);
    d.onExpire?.();
  };
  const sweep = () => {
    const now = Date.now();
    for (const d of pending) {
      if (d.expiresAt <= now) {
        pending.delete(d);
        expire(d);
      }
    }
    if (pending.size === 0 && sweeper !== null) {
      clearInterval(sweeper);
      sweeper = null;
    }
  };
  return {
    ...app,
    handle(environ: Environ) {
      const context = currentRequest();
      // The adapter's own lazy signal cannot carry the deadline: to the adapter an aborted
      // request signal means "abandoned", and it would send no 504 at all. So the application
      // gets a signal of the deadline's own, made only when it reads `tsgi.signal`.
      // The server's signal is taken without reading it (reading would build it).
      const own = Object.getOwnPropertyDescriptor(environ, 'tsgi.signal');
      const serverSignal = own?.get ? () => own.get!.call(environ) as AbortSignal : () => own?.value as AbortSignal;
      const deadline = new Deadline(Date.now() + timeoutMs, environ, context, serverSignal);
      if (context !== undefined) {
        // The worker calls this when the response closes before it is complete.
        context.cancel = () => {
          const s = serverSignal();
          deadline.abort(s.aborted ? s.reason : cancelReason('TSGI_ERR_CLIENT_GONE'));
        };
      }
      Object.defineProperty(environ, 'tsgi.signal', {
        configurable: true,
        enumerable: true,
        get: () => deadline.signal(),
        set: (value: unknown) => Object.defineProperty(environ, 'tsgi.signal', { value, writable: true, configurable: true, enumerable: true }),
      });
      pending.add(deadline);
      if (sweeper === null) {
        sweeper = setInterval(sweep, sweepIntervalMs(timeoutMs));
        sweeper.unref();
      }
      const done = () => pending.delete(deadline);
      const settle = (response: TsgiResponse): TsgiResponse => {
        const iterator = iteratorOf(response?.body);
        if (iterator === null) {
          done();
          return response;
        }
        return guardBody(response, iterator, deadline, done);
      };
      let answer: TsgiResponse | PromiseLike<TsgiResponse>;
      try {
        answer = app.handle(environ);
      } catch (error) {
        done();
        throw error;
      }
      if (!isThenable(answer)) return settle(answer);
      return new Promise<TsgiResponse>((resolve, reject) => {
        const onTimeout = () => {
          if (context) context.timedOut = true;
          resolve(GATEWAY_TIMEOUT);
        };
        if (deadline.timedOut) return onTimeout();
        deadline.onExpire = onTimeout;
        answer.then(
          (response) => {
            // Too late: the 504 went out; this answer is only finalised (BODY-ITER-2).
            if (deadline.timedOut) void finalise(response);
            else {
              deadline.onExpire = null;
              resolve(settle(response));
            }
          },
          (error: unknown) => {
            done();
            if (!deadline.timedOut) reject(error);
          },
        );
      });
    },
  };
}
