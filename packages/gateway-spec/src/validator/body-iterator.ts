/**
 * The wrapper of an iterable body, which checks both sides as the body is
 * read (section 6 of the spec), like wsgiref.validate's IteratorWrapper and
 * Rack::Lint's each/close checks. The application's side: what the body
 * yields and how much. The server's side: how it calls next() and return().
 *
 * The wrapper keeps the body's nature: a sync iterable stays sync and an async
 * one async (a body that is both stays both); return() reaches the body's own
 * iterator at most once. Other forms (string, bytes, file, array) have no
 * iterator to police and are passed through unchanged, by `wrapBody`.
 * @module
 */
import type { SpecViolation } from '../errors.js';
import { levelOf } from './checked-ids.js';
import { chunkLength, type BodyKind } from './body-form.js';
import { describe, errorText, hasMethod, isObjectLike, read, readOrUndefined } from './inspect.js';
import { violation, type Reporter } from './report.js';

/** What the wrapper needs to know of the response and the request. */
export interface BodyWatch {
  readonly reporter: Reporter;
  readonly status: unknown;
  readonly method: string | undefined;
  /** The response's single valid Content-Length, if any. */
  readonly contentLength: number | undefined;
  readonly hasContentType: boolean;
  /** tsgi.signal, when it is an AbortSignal. */
  readonly signal: AbortSignal | undefined;
}

type Phase = 'open' | 'done' | 'threw' | 'returned';
type AnyIterator = { next(...args: unknown[]): unknown; return?(value?: unknown): unknown };

/** The state of one iteration of the body; `iterations` counts them for the whole body. */
class BodyMonitor {
  readonly watch: BodyWatch;
  phase: Phase = 'open';
  pending = false;
  readonly #iterations: { count: number };
  #returns = 0;
  #bytes = 0;
  #said = new Set<string>();

  constructor(watch: BodyWatch, iterations: { count: number }) {
    this.watch = watch;
    this.#iterations = iterations;
  }

  /** Flags a server-side problem once per kind, so that a loop does not repeat it. */
  #once(key: string): boolean {
    if (this.#said.has(key)) return false;
    this.#said.add(key);
    return true;
  }

  /// BODY-ITER-1: the server iterates the body at most once.
  startIteration(): void {
    this.#iterations.count++;
    if (this.#iterations.count > 1) {
      this.watch.reporter.flag(violation('BODY-ITER-1', `the server asked for an iterator of the body ${this.#iterations.count} times; it iterates the body at most once`));
    }
  }

  /// BODY-ITER-3: never next() after the iterator is done or after return(), never two next() outstanding.
  /// BODY-HEAD-1: the body of a HEAD response is finalised without being iterated.
  /// CANCEL-SIG-4: after tsgi.signal aborts, the server stops asking for chunks.
  beforeNext(): void {
    const flag = (v: SpecViolation): void => this.watch.reporter.flag(v);
    if (this.phase === 'done') flag(violation('BODY-ITER-3', 'the server called next() on the body after the iterator was done'));
    else if (this.phase === 'returned') flag(violation('BODY-ITER-3', 'the server called next() on the body after return()'));
    else if (this.phase === 'threw') flag(violation('BODY-ITER-3', 'the server called next() on the body after the iterator had failed'));
    if (this.pending) flag(violation('BODY-ITER-3', 'the server called next() on the body while another next() was outstanding'));
    if (this.watch.method === 'HEAD' && this.#once('head')) {
      flag(violation('BODY-HEAD-1', 'the server iterated the body of a response to HEAD; it must finalise it without iterating'));
    }
    if (this.watch.signal?.aborted === true && this.#once('abort')) {
      flag(violation('CANCEL-SIG-4', 'the server asked the body for a chunk after tsgi.signal aborted'));
    }
  }

  /// BODY-ITER-2: when the server stops before the end it calls return() exactly once.
  /// BODY-ITER-5: a server that stops while next() is pending waits for it to settle before return() (a warning).
  /** Counts a call of return(); true when it must reach the body's own iterator. */
  beforeReturn(): boolean {
    this.#returns++;
    if (this.#returns > 1) this.watch.reporter.flag(violation('BODY-ITER-2', `the server called return() on the body ${this.#returns} times; it calls it once`));
    else if (this.pending) this.watch.reporter.flag(violation('BODY-ITER-5', 'the server called return() on the body while a next() was pending; it waits for that call to settle first'));
    const forward = this.phase === 'open';
    if (forward) this.phase = 'returned';
    return forward;
  }

  /// BODY-FORM-3: an iterable body yields only strings and Uint8Arrays.
  /// RESP-HDR-9: the body yields exactly Content-Length bytes (flagged as soon as it yields more, and at the end).
  /// BODY-NOBODY-2: a 204 or 304 body yields no bytes.
  /// RESP-HDR-10: a response with a non-empty body has a Content-Type (a warning).
  /** The application-side problems of one result of next(); updates the phase and the count. */
  inspect(result: unknown, sync: boolean): SpecViolation[] {
    const problems: SpecViolation[] = [];
    const { status, contentLength, method } = this.watch;
    if (!isObjectLike(result)) {
      problems.push(violation('BODY-FORM-1', `next() of the body's iterator returned ${describe(result)}, not an iterator result { done, value }`));
      return problems;
    }
    if (sync && typeof readOrUndefined(result, 'then') === 'function') {
      problems.push(violation('BODY-FORM-1', 'next() of a sync iterable body returned a promise; a body that awaits must be an async iterable'));
      return problems;
    }
    const done = read(result, 'done');
    const value = read(result, 'value');
    if (!done.ok || !value.ok) {
      problems.push(violation('BODY-FORM-1', `the iterator result of the body cannot be read: ${errorText(done.ok ? (value as { error: unknown }).error : done.error)}`));
      return problems;
    }
    if (done.value) {
      this.phase = 'done';
      const exempt = this.#bytes === 0 && (method === 'HEAD' || status === 304);
      if (contentLength !== undefined && this.#bytes < contentLength && !exempt) {
        problems.push(violation('RESP-HDR-9', `the body ended after ${this.#bytes} bytes but its Content-Length is ${contentLength}`));
      }
      return problems;
    }
    const bytes = chunkLength(value.value);
    if (bytes === undefined) {
      problems.push(violation('BODY-FORM-3', `the body yielded ${describe(value.value)}; chunks must be strings or Uint8Arrays`));
      return problems;
    }
    const before = this.#bytes;
    this.#bytes += bytes;
    if (bytes > 0 && (status === 204 || status === 304) && this.#once('nobody')) {
      problems.push(violation('BODY-NOBODY-2', `the body of a ${String(status)} response yielded ${bytes} bytes; it must be empty`));
    }
    if (contentLength !== undefined && this.#bytes > contentLength && before <= contentLength) {
      problems.push(violation('RESP-HDR-9', `the body yielded ${this.#bytes} bytes so far, more than its Content-Length ${contentLength}`));
    }
    if (bytes > 0 && !this.watch.hasContentType && this.#once('type')) {
      problems.push(violation('RESP-HDR-10', 'a response with a non-empty body should have a Content-Type'));
    }
    return problems;
  }

  /** In 'throw' mode, true when these problems will throw: the body's iterator must be finalised first. */
  willThrow(problems: readonly SpecViolation[]): boolean {
    return this.watch.reporter.throws && problems.some((v) => levelOf(v.requirement) === 'error');
  }
}

/** The body's own iterator; what its method throws passes through unchanged. */
function iteratorOf(body: unknown, key: symbol, reporter: Reporter): AnyIterator {
  const make = readOrUndefined(body, key);
  if (typeof make !== 'function') {
    // A Proxy or a getter can take back the method it showed when the body's form was judged.
    reporter.flag(violation('BODY-FORM-1', `the body's [${key.description ?? 'iterator'}] is no longer a method`));
  }
  const iterator: unknown = Reflect.apply(make as Function, body, []);
  if (!isObjectLike(iterator) || !hasMethod(iterator, 'next')) {
    // In 'report' mode the server gets the broken iterator and fails on it as it would without the validator.
    reporter.flag(violation('BODY-FORM-1', `the body's [${key.description ?? 'iterator'}]() returned ${describe(iterator)}, not an iterator`));
  }
  return iterator as AnyIterator;
}

function asyncIterator(body: unknown, monitor: BodyMonitor): AsyncIterableIterator<unknown> {
  monitor.startIteration();
  const inner = iteratorOf(body, Symbol.asyncIterator, monitor.watch.reporter);
  let finalised = false;
  const finalise = async (): Promise<void> => {
    if (finalised || !hasMethod(inner, 'return')) return;
    finalised = true;
    try {
      await inner.return?.();
    } catch {
      // The violation about to be thrown is the news; a failing cleanup of the body is not.
    }
  };
  return {
    async next(...args: unknown[]): Promise<IteratorResult<unknown>> {
      monitor.beforeNext();
      monitor.pending = true;
      let result: unknown;
      try {
        result = await inner.next(...args);
      } catch (error) {
        monitor.phase = 'threw';
        throw error;
      } finally {
        monitor.pending = false;
      }
      const problems = monitor.inspect(result, false);
      if (monitor.willThrow(problems)) {
        monitor.phase = 'threw';
        await finalise();
      }
      monitor.watch.reporter.flagAll(problems);
      return result as IteratorResult<unknown>;
    },
    async return(value?: unknown): Promise<IteratorResult<unknown>> {
      const forward = monitor.beforeReturn() && !finalised && hasMethod(inner, 'return');
      if (!forward) return { done: true, value };
      finalised = true;
      return (await inner.return?.(value)) as IteratorResult<unknown>;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function syncIterator(body: unknown, monitor: BodyMonitor): IterableIterator<unknown> {
  monitor.startIteration();
  const inner = iteratorOf(body, Symbol.iterator, monitor.watch.reporter);
  let finalised = false;
  return {
    next(...args: unknown[]): IteratorResult<unknown> {
      monitor.beforeNext();
      let result: unknown;
      try {
        result = inner.next(...args);
      } catch (error) {
        monitor.phase = 'threw';
        throw error;
      }
      const problems = monitor.inspect(result, true);
      if (monitor.willThrow(problems)) {
        monitor.phase = 'threw';
        if (!finalised && hasMethod(inner, 'return')) {
          finalised = true;
          try {
            inner.return?.();
          } catch {
            // As above: the violation is the news.
          }
        }
      }
      monitor.watch.reporter.flagAll(problems);
      return result as IteratorResult<unknown>;
    },
    return(value?: unknown): IteratorResult<unknown> {
      const forward = monitor.beforeReturn() && !finalised && hasMethod(inner, 'return');
      if (!forward) return { done: true, value };
      finalised = true;
      return inner.return?.(value) as IteratorResult<unknown>;
    },
    [Symbol.iterator]() {
      return this;
    },
  };
}

/**
 * The body to hand to the server: a checking wrapper for an iterable that is
 * not an array, the body itself for every other form.
 */
export function wrapBody(body: unknown, kind: BodyKind, watch: BodyWatch): unknown {
  if (kind !== 'sync' && kind !== 'async') return body;
  const iterations = { count: 0 };
  const wrapper: Partial<Iterable<unknown> & AsyncIterable<unknown>> = {};
  if (hasMethod(body, Symbol.asyncIterator)) wrapper[Symbol.asyncIterator] = () => asyncIterator(body, new BodyMonitor(watch, iterations));
  if (hasMethod(body, Symbol.iterator)) wrapper[Symbol.iterator] = () => syncIterator(body, new BodyMonitor(watch, iterations));
  return wrapper;
}
