import { TsgiError } from '../errors.js';
import { describeValue } from '../server-kit/application.js';
import { BodyInput } from '../server-kit/input.js';

/** Largest piece a request body is delivered in, as a socket read would deliver it. */
export const REQUEST_CHUNK_BYTES = 16 * 1024;

export interface UploadOptions {
  /** CONTENT_LENGTH as a number, or null for a chunked body. */
  declaredLength: number | null;
  maxBytes: number | undefined;
  /** Hold the body until the application first reads: the client waits for `100 Continue`. */
  expectContinue: boolean;
}

type Source = Iterable<unknown> | AsyncIterable<unknown>;

function open(source: Source): Iterator<unknown> | AsyncIterator<unknown> {
  const asyncIterable = source as AsyncIterable<unknown>;
  if (typeof asyncIterable[Symbol.asyncIterator] === 'function') return asyncIterable[Symbol.asyncIterator]();
  return (source as Iterable<unknown>)[Symbol.iterator]();
}

function bytesOf(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new TypeError(`the request body yielded ${describeValue(chunk)}; chunks must be Uint8Arrays or strings`);
}

/**
 * The client's side of a request body: pulls the test's body source and pushes
 * it into the `BodyInput` the application reads (`tsgi.input`), in pieces of at
 * most REQUEST_CHUNK_BYTES, pausing while the application lags (INPUT-FLOW-1).
 * It stops pulling and calls the source's `return()`, as a closed connection
 * would, once the body is complete, the application stopped reading, or the
 * exchange ended.
 */
export class Upload {
  readonly input: BodyInput;
  #source: Source | null;
  #paused = false;
  #stopped = false;
  #started = false;
  #continueSent = false;
  #wake: (() => void) | undefined;

  constructor(source: Source | null, options: UploadOptions) {
    this.#source = source;
    this.input = new BodyInput({
      // A request without a body is an empty one (ENV-TSGI-3).
      declaredLength: source === null && options.declaredLength === null ? 0 : options.declaredLength,
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      onFirstRead: () => {
        if (options.expectContinue) {
          this.#continueSent = true;
          this.#start();
        }
      },
      pause: () => { this.#paused = true; },
      resume: () => {
        this.#paused = false;
        this.#wakeUp();
      },
    });
    if (!options.expectContinue) this.#start();
  }

  /** True once `100 Continue` would have been sent: the application read from an `Expect: 100-continue` request (INPUT-CONT-1). */
  get continueSent(): boolean { return this.#continueSent; }

  /**
   * The connection is going away: reads that are pending or come later reject
   * with `error` unless the whole body already arrived, and the source is closed.
   */
  close(error: unknown): void {
    this.input.fail(error);
    this.#stopped = true;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #done(): boolean {
    const input = this.input;
    return this.#stopped || input.failed || input.abandoned || input.complete;
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    const source = this.#source;
    this.#source = null;
    if (source === null) {
      this.input.end();
      return;
    }
    void this.#pump(source);
  }

  async #pump(source: Source): Promise<void> {
    let iterator: Iterator<unknown> | AsyncIterator<unknown> | undefined;
    try {
      iterator = open(source);
      for (;;) {
        while (this.#paused && !this.#done()) await new Promise<void>((resolve) => { this.#wake = resolve; });
        if (this.#done()) break;
        const result = await iterator.next();
        if (result.done) {
          iterator = undefined;
          this.input.end(); // short of CONTENT_LENGTH, this is TSGI_ERR_INPUT_ABORTED (INPUT-FLOW-2)
          return;
        }
        if (this.#done()) break;
        const bytes = bytesOf(result.value);
        for (let at = 0; at < bytes.byteLength && !this.#done(); at += REQUEST_CHUNK_BYTES) {
          this.input.push(bytes.subarray(at, at + REQUEST_CHUNK_BYTES));
          while (this.#paused && !this.#done()) await new Promise<void>((resolve) => { this.#wake = resolve; });
        }
      }
    } catch (error) {
      iterator = undefined; // a source that threw is done; return() is not called on it
      // The server only sees the connection drop, so the application gets INPUT-FLOW-2's code; the cause says why.
      const detail = error instanceof Error ? error.message : describeValue(error);
      this.input.fail(new TsgiError('TSGI_ERR_INPUT_ABORTED', `the request body broke off: ${detail}`, { cause: error }));
      return;
    }
    try {
      await iterator?.return?.();
    } catch {
      // The source's own cleanup failing does not concern the application.
    }
  }
}
