/**
 * Bodies that watch the server: a counted iterator records every call the
 * server makes on it (BODY-ITER-1..4), and the input reader records what the
 * application got from tsgi.input (section 3).
 * @module
 */
import { createHash } from 'node:crypto';
import type { BodyHistory, InputSummary, ProbeRecord } from './protocol.js';
import { patternBytes } from './protocol.js';

export type Update = (change: (record: ProbeRecord) => void) => void;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves when `signal` aborts or `ms` pass, whichever is first. Its timer does not keep a process alive. */
export function abortedOrTimeout(signal: AbortSignal | undefined, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (!signal || signal.aborted) {
      if (signal?.aborted) resolve();
      else setTimeout(resolve, ms).unref?.();
      return;
    }
    const timer = setTimeout(done, ms);
    timer.unref?.();
    function done() {
      clearTimeout(timer);
      signal!.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Produces the chunks of a counted body: the value to yield, or null at the end. */
export type ChunkSource = (index: number) => Promise<string | Uint8Array | null> | string | Uint8Array | null;

/**
 * An async iterable whose iterator counts the server's calls and keeps them in
 * the record: `[Symbol.asyncIterator]()` calls, next() calls, next() after the
 * end, overlapping next() calls, return() calls, bytes yielded.
 */
export function countedBody(update: Update, source: ChunkSource): AsyncIterable<string | Uint8Array> {
  const history: BodyHistory = { iterations: 0, nextCalls: 0, nextAfterEnd: 0, overlapping: 0, returnCalls: 0, ended: false, yieldedBytes: 0, yieldedChunks: 0 };
  const save = () => update((r) => { r.body = { ...history }; });
  save();
  let inNext = false;
  let index = 0;
  const iterator: AsyncIterator<string | Uint8Array> = {
    async next() {
      history.nextCalls++;
      if (history.ended) {
        history.nextAfterEnd++;
        save();
        return { value: undefined, done: true };
      }
      if (inNext) history.overlapping++;
      inNext = true;
      try {
        const value = await source(index++);
        if (value === null || history.ended) {
          history.ended = true;
          return { value: undefined, done: true };
        }
        history.yieldedChunks++;
        history.yieldedBytes += typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
        return { value, done: false };
      } finally {
        inNext = false;
        save();
      }
    },
    async return() {
      history.returnCalls++;
      history.ended = true;
      save();
      return { value: undefined, done: true };
    },
  };
  return {
    [Symbol.asyncIterator]() {
      history.iterations++;
      save();
      return iterator;
    },
  };
}

/** `size` pattern bytes in chunks of `chunk` bytes. */
export function patternSource(size: number, chunk: number): ChunkSource {
  return (index) => {
    const from = index * chunk;
    if (from >= size) return null;
    return patternBytes(from, Math.min(chunk, size - from));
  };
}

/** How the application reads tsgi.input. */
export type ReadMode = 'none' | 'first' | 'all' | `bytes:${number}`;

/** Reads tsgi.input as `mode` says and summarises it; never throws. */
export async function readInput(input: unknown, mode: ReadMode, options: { checkSecondIteration?: boolean; onProgress?: (s: InputSummary) => void } = {}): Promise<InputSummary> {
  const hash = createHash('sha256');
  const summary: InputSummary = { bytes: 0, chunks: 0, emptyChunks: 0, nonBytes: 0, sha256: '', error: null, done: false };
  if (mode === 'none') {
    summary.sha256 = hash.digest('hex');
    return summary;
  }
  const limit = mode.startsWith('bytes:') ? Number(mode.slice(6)) : mode === 'first' ? 1 : Infinity;
  let iterator: AsyncIterator<unknown> | undefined;
  try {
    iterator = (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    if (options.checkSecondIteration) {
      try {
        (input as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        summary.secondIteration = { threw: false };
      } catch (error) {
        summary.secondIteration = { threw: true, message: String((error as Error)?.message ?? error), code: (error as { code?: unknown })?.code };
      }
    }
    while (summary.bytes < limit) {
      const { value, done } = await iterator.next();
      if (done) {
        summary.done = true;
        break;
      }
      summary.chunks++;
      if (!(value instanceof Uint8Array)) {
        summary.nonBytes++;
        continue;
      }
      if (value.byteLength === 0) summary.emptyChunks++;
      summary.bytes += value.byteLength;
      hash.update(value);
      options.onProgress?.(summary);
    }
    if (!summary.done) await iterator.return?.();
  } catch (error) {
    summary.error = { code: (error as { code?: unknown })?.code, message: String((error as Error)?.message ?? error) };
  }
  summary.sha256 = hash.digest('hex');
  return summary;
}
