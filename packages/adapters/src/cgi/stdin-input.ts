import type { Readable } from 'node:stream';
import { BodyInput, inputError } from '@tsgi/gateway-spec/server-kit';
import { closeStdio } from './stdio.js';

/** Longest the rest of an unread body is drained after the response, before the process exits anyway. */
export const DRAIN_TIMEOUT_MS = 10_000;
/** Most bytes drained from a body of unknown length (chunked, to end of input). */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

export interface StdinInputOptions {
  /** The request body's stream; called only when the body is read. */
  readonly open: () => Readable;
  /** CONTENT_LENGTH, or null. */
  readonly contentLength: number | null;
  /** True when the body runs to the end of the input (chunked, no CONTENT_LENGTH). */
  readonly toEof: boolean;
  /** Bytes held for the application before stdin is paused (INPUT-FLOW-1). */
  readonly highWaterMark?: number;
  /** True when the stream is the process's standard input, whose descriptor `close` closes. */
  readonly processStdin?: boolean;
}

/**
 * The request body of a CGI request: standard input, exactly CONTENT_LENGTH
 * bytes of it (RFC 3875 §4.2).
 *
 * Standard input is opened when the application first reads, so a request
 * without a body never touches it (and costs nothing). Bytes past
 * CONTENT_LENGTH are never handed to the application (INPUT-ITER-2) and
 * reading stops there; a stdin that ends short is an abort (INPUT-FLOW-2).
 * `drain` reads and drops what the application left unread, because hosts
 * such as Apache's mod_cgi write the whole body to the script before they read
 * its output, and a script that exits early makes them wait or log errors.
 */
export class StdinInput {
  readonly input: BodyInput;
  readonly #options: StdinInputOptions;
  #stream: Readable | undefined;
  #done = false;
  #draining = false;
  #drained = 0;
  #settle: (() => void) | undefined;

  constructor(options: StdinInputOptions) {
    this.#options = options;
    const hasBody = options.contentLength !== null ? options.contentLength > 0 : options.toEof;
    this.input = new BodyInput({
      declaredLength: hasBody ? options.contentLength : 0,
      highWaterMark: options.highWaterMark,
      onFirstRead: () => this.#start(),
      pause: () => this.#stream?.pause(),
      resume: () => this.#stream?.resume(),
    });
    if (!hasBody) this.#done = true;
  }

  #start(): void {
    if (this.#stream || this.#done) return;
    const stream = this.#options.open();
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => this.#onData(chunk));
    stream.on('end', () => this.#finish(() => this.input.end()));
    stream.on('error', (error: Error) => this.#finish(() => this.input.fail(inputError('TSGI_ERR_INPUT_ABORTED', `standard input failed: ${error.message}`))));
    stream.resume();
  }

  #onData(chunk: Buffer): void {
    if (this.#done) return;
    if (this.#draining) {
      this.#drained += chunk.byteLength;
      const limit = this.#options.contentLength ?? DRAIN_LIMIT_BYTES;
      if (this.input.received + this.#drained >= limit) this.#finish();
      return;
    }
    this.input.push(chunk);
    // The declared length has arrived: stop reading, whatever else the host sends (RFC 3875 §4.2).
    if (this.input.complete || this.input.failed) this.#finish();
  }

  #finish(then?: () => void): void {
    if (this.#done) return;
    this.#done = true;
    const stream = this.#stream;
    if (stream) {
      stream.pause();
      stream.removeAllListeners('data');
      // Keep a listener: an error after the end must not become an uncaught exception.
      stream.removeAllListeners('error');
      stream.on('error', () => {});
    }
    then?.();
    this.#settle?.();
  }

  /**
   * Stops reading and closes standard input (descriptor 0 for the process's
   * own): with Apache's mod_cgid it is the same socket as standard output, and
   * the host ends the response only when both are closed.
   */
  close(): void {
    this.#finish();
    this.#stream?.destroy();
    if (this.#options.processStdin) closeStdio(0);
  }

  /**
   * Reads and drops the rest of the body the application did not read, up to
   * CONTENT_LENGTH (or DRAIN_LIMIT_BYTES), for at most DRAIN_TIMEOUT_MS.
   * Called once the response is written, so it never takes bytes from an
   * application still reading.
   */
  drain(): Promise<void> {
    if (this.#done) return Promise.resolve();
    this.#draining = true;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.#finish(), DRAIN_TIMEOUT_MS);
      timer.unref();
      this.#settle = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.#stream) this.#stream.resume();
      else this.#start();
    });
  }
}
