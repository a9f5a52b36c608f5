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
import { currentRequest } from './request-context.js';

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

/** Streams `response.body` until `signal` aborts; then the next chunk fails with the signal's reason. */
function bodyUntil(iterator: AnyIterator, signal: AbortSignal): AsyncIterable<BodyChunk> {
  return {
    [Symbol.asyncIterator]() {
      return {
        async next() {
          if (signal.aborted) {
            // The adapter sees the failure, not the end: it cuts the connection and will not
            // call return() on a body that threw, so the app's iterator is finalised here.
            await finaliseIterator(iterator);
            throw signal.reason;
          }
          return iterator.next();
        },
        async return() {
          await iterator.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<TsgiResponse> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Keeps the deadline on a streamed body: the timer is cleared when the body
 * ends or is finalised; past the deadline the next chunk fails.
 */
function guardBody(response: TsgiResponse, iterator: AnyIterator, signal: AbortSignal, timer: NodeJS.Timeout): TsgiResponse {
  const inner = bodyUntil(iterator, signal)[Symbol.asyncIterator]();
  return {
    ...response,
    body: {
      [Symbol.asyncIterator]: () => ({
        async next() {
          const r = await inner.next();
          if (r.done) clearTimeout(timer);
          return r;
        },
        async return() {
          clearTimeout(timer);
          return inner.return!();
        },
      }),
    },
  };
}

/** Told when a deadline passes: `answered` is true when the client got 504, false when a streaming body was cut. */
export type TimeoutReport = (environ: Environ, answered: boolean) => void;

export function withRequestTimeout(app: ApplicationObject, timeoutMs: number, report: TimeoutReport = () => {}): ApplicationObject {
  if (timeoutMs <= 0) return app;
  return {
    ...app,
    handle(environ: Environ) {
      // The app's signal aborts with the server's own reason (client gone, shutdown) or with
      // TSGI_ERR_TIMEOUT. Forwarded by hand, and with as few promises as can be: with
      // AsyncLocalStorage on (request-context.ts), every promise costs in Node 20, and
      // AbortSignal.any() plus Promise.race() halved the throughput of a hello-world app.
      const controller = new AbortController();
      const own = environ['tsgi.signal'];
      const context = currentRequest();
      if (own.aborted) controller.abort(own.reason);
      else if (context !== undefined) {
        // A listener on an AbortSignal costs about 10 µs in Node 20; the worker already
        // watches the response's 'close', which comes whenever the adapter aborts `own`.
        context.cancel = () => controller.abort(own.aborted ? own.reason : cancelReason('TSGI_ERR_CLIENT_GONE'));
      } else {
        own.addEventListener('abort', () => controller.abort(own.reason), { once: true });
      }
      environ['tsgi.signal'] = controller.signal;
      let timedOut = false;
      let deadlineHit: (() => void) | null = null;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort(cancelReason('TSGI_ERR_TIMEOUT', `--timeout of ${timeoutMs / 1000} s`));
        report(environ, deadlineHit !== null);
        deadlineHit?.();
      }, timeoutMs);
      const settle = (response: TsgiResponse): TsgiResponse => {
        const iterator = iteratorOf(response?.body);
        if (iterator === null) {
          clearTimeout(timer);
          return response;
        }
        return guardBody(response, iterator, controller.signal, timer);
      };
      let answer: TsgiResponse | PromiseLike<TsgiResponse>;
      try {
        answer = app.handle(environ);
      } catch (error) {
        clearTimeout(timer);
        throw error;
      }
      if (!isThenable(answer)) return settle(answer);
      return new Promise<TsgiResponse>((resolve, reject) => {
        const onTimeout = () => {
          if (context) context.timedOut = true;
          resolve(GATEWAY_TIMEOUT);
        };
        if (timedOut) return onTimeout();
        deadlineHit = onTimeout;
        answer.then(
          (response) => {
            // Too late: the 504 went out; this answer is only finalised (BODY-ITER-2).
            if (timedOut) void finalise(response);
            else {
              deadlineHit = null;
              resolve(settle(response));
            }
          },
          (error: unknown) => {
            clearTimeout(timer);
            if (!timedOut) reject(error);
          },
        );
      });
    },
  };
}
