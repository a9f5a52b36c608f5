import { writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { streamSink, type OutputSink } from './output-sink.js';
import { closeStdio } from './stdio.js';

/**
 * Largest first write done with write(2): the capacity of an empty Linux pipe
 * (a socket's buffer is larger), so that it never blocks on a host that reads.
 */
export const SYNC_WRITE_MAX_BYTES = 64 * 1024;

export interface FdSinkOptions {
  /** The stream for everything but a small first write; default process.stdout. */
  readonly stream?: () => Writable;
  /** For tests: the write(2) to use. */
  readonly writeSync?: (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
  /** For tests: what closing standard output does. */
  readonly closeFd?: () => void;
}

/**
 * Standard output for the process's own response. A response that fits one
 * small write (head and body together: most of them) is written with write(2)
 * on descriptor 1, and `process.stdout` is never created: that stream loads
 * `node:net` and the stream modules, about 1.5 ms of a 25 ms CGI request.
 * Anything more goes through `process.stdout`, whose writes wait for 'drain'
 * with the event loop free (timers, SIGTERM, the application's own work), not
 * blocked in write(2) while a slow client keeps the pipe full. A non-blocking
 * descriptor answers EAGAIN instead of blocking; then the stream takes over
 * too. EPIPE is the host gone (Node ignores SIGPIPE).
 *
 * `close` closes descriptor 1, so that the host ends the response while the
 * process goes on with `shutdown`.
 */
export function fdSink(onGone: (error: unknown) => void, options: FdSinkOptions = {}): OutputSink {
  const write = options.writeSync ?? writeSync;
  let stream: OutputSink | undefined;
  let wrote = false;
  let failure: unknown;
  let closed = false;
  const toStream = (): OutputSink => (stream ??= streamSink((options.stream ?? (() => process.stdout))(), onGone));
  return {
    get gone() { return failure !== undefined || (stream?.gone ?? false); },
    write(bytes) {
      if (failure !== undefined) return Promise.reject(failure);
      if (closed) return Promise.reject(Object.assign(new Error('standard output was closed'), { code: 'EPIPE' }));
      if (stream || wrote || bytes.byteLength > SYNC_WRITE_MAX_BYTES) return toStream().write(bytes);
      wrote = true;
      let offset = 0;
      while (offset < bytes.byteLength) {
        try {
          offset += write(1, bytes, offset, bytes.byteLength - offset);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return toStream().write(bytes.subarray(offset));
          failure = error;
          onGone(error);
          return Promise.reject(error);
        }
      }
      return Promise.resolve();
    },
    flush: () => stream?.flush() ?? Promise.resolve(),
    async close() {
      if (closed) return;
      closed = true;
      // process.stdout cannot be ended (a pipe has no half-close, and libuv never closes
      // descriptors 0 to 2): its writes are flushed, then the descriptor is closed under it.
      if (stream) await stream.close();
      (options.closeFd ?? (() => closeStdio(1)))();
    },
  };
}
