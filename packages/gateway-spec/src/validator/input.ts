/**
 * The wrapper of `tsgi.input` (section 3 of the spec), which checks the
 * server's stream as the application reads it, like wsgiref.validate's
 * InputWrapper and Rack::Lint's InputWrapper. Errors the stream rejects with
 * (TSGI_ERR_INPUT_ABORTED, TSGI_ERR_INPUT_TOO_LARGE) pass through unchanged.
 * @module
 */
import type { SpecViolation } from '../errors.js';
import type { InputStream } from '../types.js';
import { byteLengthOf, describe, hasMethod, isObjectLike, read, readOrUndefined } from './inspect.js';
import { violation, type Reporter } from './report.js';

/** What the wrapper needs to know of the request. */
export interface InputWatch {
  readonly reporter: Reporter;
  /** CONTENT_LENGTH as a number, when the environ has a valid one. */
  readonly contentLength: number | undefined;
}

type AnyIterator = { next(...args: unknown[]): unknown; return?(value?: unknown): unknown };

/// INPUT-ITER-1: tsgi.input yields Uint8Array chunks, none of them empty.
/// INPUT-ITER-2: never more than CONTENT_LENGTH bytes; exactly that many when the stream ends normally (a short body rejects).
function inspect(result: unknown, state: { bytes: number }, watch: InputWatch): SpecViolation[] {
  const { contentLength } = watch;
  if (!isObjectLike(result)) return [violation('INPUT-ITER-1', `next() of tsgi.input returned ${describe(result)}, not an iterator result`)];
  const done = read(result, 'done');
  const value = read(result, 'value');
  if (!done.ok || !value.ok) return [violation('INPUT-ITER-1', 'the iterator result of tsgi.input cannot be read')];
  if (done.value) {
    if (contentLength !== undefined && state.bytes < contentLength) {
      return [
        violation(
          'INPUT-ITER-2',
          `tsgi.input ended after ${state.bytes} bytes but CONTENT_LENGTH is ${contentLength}; a body that ends early must reject with TSGI_ERR_INPUT_ABORTED`,
        ),
      ];
    }
    return [];
  }
  const length = byteLengthOf(value.value);
  if (length === undefined) return [violation('INPUT-ITER-1', `tsgi.input yielded ${describe(value.value)}; chunks are Uint8Arrays`)];
  if (length === 0) return [violation('INPUT-ITER-1', 'tsgi.input yielded an empty chunk')];
  const before = state.bytes;
  state.bytes += length;
  if (contentLength !== undefined && state.bytes > contentLength && before <= contentLength) {
    return [violation('INPUT-ITER-2', `tsgi.input yielded ${state.bytes} bytes, more than CONTENT_LENGTH ${contentLength}`)];
  }
  return [];
}

function checkedIterator(inner: AnyIterator, watch: InputWatch): AsyncIterableIterator<Uint8Array> {
  const state = { bytes: 0 };
  let pending = false;
  return {
    async next(...args: unknown[]): Promise<IteratorResult<Uint8Array>> {
      /// INPUT-ITER-5: the application does not call next() while an earlier call has not settled (a warning).
      if (pending) watch.reporter.flag(violation('INPUT-ITER-5', 'the application called next() on tsgi.input while an earlier call had not settled'));
      pending = true;
      let result: unknown;
      try {
        result = await inner.next(...args);
      } finally {
        pending = false;
      }
      watch.reporter.flagAll(inspect(result, state, watch));
      return result as IteratorResult<Uint8Array>;
    },
    async return(value?: unknown): Promise<IteratorResult<Uint8Array>> {
      if (typeof readOrUndefined(inner, 'return') !== 'function') return { done: true, value: undefined };
      return (await inner.return?.(value)) as IteratorResult<Uint8Array>;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * A `tsgi.input` that checks the server's stream as the application reads it;
 * only `[Symbol.asyncIterator]` is forwarded (the spec defines nothing else).
 */
export function wrapInput(input: AsyncIterable<unknown>, watch: InputWatch): InputStream {
  let calls = 0;
  return {
    [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
      calls++;
      const make = readOrUndefined(input, Symbol.asyncIterator);
      if (typeof make !== 'function') {
        // A getter or a Proxy can take back the method the environ check saw.
        watch.reporter.flag(violation('ENV-TSGI-3', 'tsgi.input[Symbol.asyncIterator] is no longer a method'));
      }
      let inner: AnyIterator;
      try {
        inner = Reflect.apply(make as Function, input, []) as AnyIterator;
      } catch (error) {
        /// INPUT-ITER-4: the error of a second iteration has the code TSGI_ERR_INPUT_CONSUMED (a warning).
        if (calls > 1 && readOrUndefined(error, 'code') !== 'TSGI_ERR_INPUT_CONSUMED') {
          watch.reporter.flag(violation('INPUT-ITER-4', `a second iteration of tsgi.input threw ${describe(error)}; its code should be TSGI_ERR_INPUT_CONSUMED`));
        }
        // What the server's stream throws reaches the application unchanged.
        throw error;
      }
      /// INPUT-ITER-1: tsgi.input is an async iterable: its [Symbol.asyncIterator]() returns an iterator.
      if (!hasMethod(inner, 'next')) {
        watch.reporter.flag(violation('INPUT-ITER-1', `tsgi.input[Symbol.asyncIterator]() returned ${describe(inner)}, not an async iterator`));
      }
      /// INPUT-ITER-3: the input can be iterated once; a second [Symbol.asyncIterator]() throws.
      if (calls > 1) {
        watch.reporter.flag(
          violation('INPUT-ITER-3', 'a second call of tsgi.input[Symbol.asyncIterator]() did not throw; it must throw an error that says the body was already read'),
        );
      }
      return checkedIterator(inner, watch);
    },
  };
}
