import type { Writable } from 'node:stream';
import { cancelReason } from '@tsgi/gateway-spec/server-kit';

/**
 * Standard output as the response writer sees it: writes that wait while the
 * pipe to the host is full (BODY-ITER-1), and the moment the host went away.
 */
export interface OutputSink {
  /** Resolves when the stream can take more; rejects once the host has gone. */
  write(bytes: Uint8Array): Promise<void>;
  /** Resolves when everything written so far has been handed to the host. */
  flush(): Promise<void>;
  /**
   * Ends the output: the host sees the end of the response now, not when the
   * process exits (after `shutdown` and the application's last async work).
   */
  close(): Promise<void>;
  /** True once a write failed (EPIPE: the host closed the pipe, the client is gone). */
  readonly gone: boolean;
}

/**
 * Wraps a writable stream (process.stdout, or a test's stream). `onGone` is
 * called once with the error when the host stops reading (EPIPE), so that the
 * request's signal can abort (CANCEL-SIG-1).
 */
export function streamSink(stream: Writable, onGone: (error: unknown) => void): OutputSink {
  let failure: unknown;
  let last: Promise<void> = Promise.resolve();
  const waiting = new Set<(error?: unknown) => void>();
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error ?? cancelReason('TSGI_ERR_CLIENT_GONE', 'standard output was closed');
    for (const wake of waiting) wake(failure);
    waiting.clear();
    onGone(failure);
  };
  let ended = false;
  stream.on('error', (error) => { if (!ended) fail(error); });
  stream.once('close', () => { if (!ended) fail(cancelReason('TSGI_ERR_CLIENT_GONE', 'standard output was closed')); });
  return {
    get gone() { return failure !== undefined; },
    write(bytes) {
      if (failure !== undefined) return Promise.reject(failure);
      let more = true;
      last = new Promise<void>((resolve) => {
        more = stream.write(bytes, () => resolve());
      });
      if (more) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = (error?: unknown) => {
          stream.off('drain', onDrain);
          waiting.delete(wake);
          if (error === undefined) resolve(); else reject(error);
        };
        const onDrain = () => wake();
        waiting.add(wake);
        stream.once('drain', onDrain);
      });
    },
    // A write's callback runs also when it failed, so this settles in every case.
    flush: () => last,
    async close() {
      await last;
      ended = true;
      // process.stdout cannot be ended (a pipe has no half-close); it closes when the process exits.
      if (stream !== process.stdout && !stream.writableEnded) await new Promise<void>((resolve) => stream.end(() => resolve()));
    },
  };
}
