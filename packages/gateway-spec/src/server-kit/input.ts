import { TsgiError } from '../errors.js';
import type { InputStream } from '../types.js';
import { inputError } from './cancel.js';

/** Default bytes held for the application before the source is asked to pause. */
export const INPUT_HIGH_WATER_MARK_BYTES = 64 * 1024;

export interface BodyInputOptions {
  /** CONTENT_LENGTH, when the body is framed by it; `null` for chunked or close-delimited bodies. */
  declaredLength?: number | null;
  /** Largest body accepted; a read crossing it rejects with TSGI_ERR_INPUT_TOO_LARGE (INPUT-FLOW-3). */
  maxBytes?: number;
  /** Bytes held before `pause` is called (INPUT-FLOW-1). */
  highWaterMark?: number;
  /** Called once, when the application first asks for data: the moment for `100 Continue` (INPUT-CONT-1). */
  onFirstRead?: () => void;
  /** The source should stop reading from the client. */
  pause?: () => void;
  /** The source may read again. */
  resume?: () => void;
}

type Waiter = { resolve: (r: IteratorResult<Uint8Array>) => void; reject: (e: unknown) => void };

/**
 * The request body as the application sees it (section 3 of the spec): a source
 * (socket, stdin, FastCGI records) pushes chunks in, the application pulls them
 * out with async iteration, and the source is paused while the application lags.
 */
export class BodyInput implements InputStream {
  #chunks: Uint8Array[] = [];
  #held = 0;
  #received = 0;
  #ended = false;
  #error: unknown = undefined;
  #waiter: Waiter | undefined;
  #iterated = false;
  #firstRead = false;
  #abandoned = false;
  #paused = false;
  #tooLarge = false;
  readonly #options: BodyInputOptions;
  readonly #highWaterMark: number;

  constructor(options: BodyInputOptions = {}) {
    this.#options = options;
    this.#highWaterMark = options.highWaterMark ?? INPUT_HIGH_WATER_MARK_BYTES;
    if (options.declaredLength === 0) this.#ended = true;
  }

  /** Bytes the source has delivered so far. */
  get received(): number { return this.#received; }
  /** True once the whole body has arrived. */
  get complete(): boolean { return this.#ended && this.#error === undefined; }
  /** True when the body crossed `maxBytes`: the server answers 413 if it still can. */
  get tooLarge(): boolean { return this.#tooLarge; }
  /** True when the application started reading. */
  get started(): boolean { return this.#firstRead; }
  /** True once `fail` was called (client gone, limit crossed): reads reject. */
  get failed(): boolean { return this.#error !== undefined; }
  /**
   * True once the application stopped reading early (its iterator's return()):
   * what arrives from now on is dropped, and the source may drain or close the
   * connection (INPUT-DRAIN-1).
   */
  get abandoned(): boolean { return this.#abandoned; }

  /**
   * Hands a chunk to the application. Returns false when the source should
   * pause until `resume` is called. Bytes past the declared length are dropped:
   * framing is the parser's job, and this is the last guard (INPUT-ITER-2).
   */
  push(chunk: Uint8Array): boolean {
    if (this.#ended || this.#error !== undefined || chunk.byteLength === 0) return !this.#paused;
    const declared = this.#options.declaredLength;
    if (declared != null && this.#received + chunk.byteLength > declared) {
      chunk = chunk.subarray(0, declared - this.#received);
    }
    this.#received += chunk.byteLength;
    const max = this.#options.maxBytes;
    if (max !== undefined && this.#received > max) {
      this.#tooLarge = true;
      this.fail(inputError('TSGI_ERR_INPUT_TOO_LARGE', `the request body is larger than the limit of ${max} bytes`));
      return true;
    }
    if (!this.#abandoned && chunk.byteLength > 0) {
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = undefined;
        w.resolve({ value: chunk, done: false });
      } else {
        this.#chunks.push(chunk);
        this.#held += chunk.byteLength;
      }
    }
    if (declared != null && this.#received >= declared) this.#finish();
    if (this.#held >= this.#highWaterMark && !this.#paused) {
      this.#paused = true;
      this.#options.pause?.();
    }
    return !this.#paused;
  }

  /** The source reached the end of the body. Short of the declared length, that is an abort (INPUT-FLOW-2). */
  end(): void {
    const declared = this.#options.declaredLength;
    if (declared != null && this.#received < declared) {
      this.fail(inputError('TSGI_ERR_INPUT_ABORTED', `the request body ended after ${this.#received} of ${declared} bytes`));
      return;
    }
    this.#finish();
  }

  /** The body cannot be completed (client gone, limit crossed); pending and later reads reject. */
  fail(error: unknown): void {
    if (this.#ended || this.#error !== undefined) return;
    this.#error = error;
    this.#chunks = [];
    this.#held = 0;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.reject(error);
    }
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#waiter && this.#chunks.length === 0) {
      const w = this.#waiter;
      this.#waiter = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  #pull(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#firstRead) {
      this.#firstRead = true;
      this.#options.onFirstRead?.();
    }
    if (this.#waiter) {
      return Promise.reject(new TsgiError('TSGI_ERR_INVALID_ARGUMENT', 'tsgi.input: next() called again before the previous read settled'));
    }
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#held -= chunk.byteLength;
      if (this.#paused && this.#held < this.#highWaterMark) {
        this.#paused = false;
        this.#options.resume?.();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended || this.#abandoned) return Promise.resolve({ value: undefined, done: true });
    if (this.#paused) {
      this.#paused = false;
      this.#options.resume?.();
    }
    return new Promise((resolve, reject) => { this.#waiter = { resolve, reject }; });
  }

  /** The application stopped reading early: drop what is held, let the source run on for draining. */
  #abandon(): void {
    this.#abandoned = true;
    this.#chunks = [];
    this.#held = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#options.resume?.();
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.#iterated) {
      // INPUT-ITER-3: a body is a stream, not a buffer; a second reader would see nothing.
      throw new TsgiError('TSGI_ERR_INPUT_CONSUMED', 'tsgi.input was already read: the request body can be iterated once (INPUT-ITER-3)');
    }
    this.#iterated = true;
    return {
      next: () => this.#pull(),
      return: async () => {
        this.#abandon();
        return { value: undefined, done: true };
      },
    };
  }
}
