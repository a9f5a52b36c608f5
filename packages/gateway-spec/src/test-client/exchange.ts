import type { BodySource } from '../server-kit/body.js';
import { cancelReason, inputError } from '../server-kit/cancel.js';
import { describeError, type PreparedResponse } from '../server-kit/respond.js';
import type { CancelCode, ErrorStream, HeaderList } from '../types.js';
import { TruncatedResponseError } from './errors.js';
import type { Upload } from './upload.js';

/**
 * Where a response body stands, seen from the server: `open` (more may come),
 * `complete` (iterated to its end), `finalised` (stopped early: `return()` was
 * called or the file closed, BODY-ITER-2), `failed` (it threw, ERR-APP-2).
 */
export type BodyState = 'open' | 'complete' | 'finalised' | 'failed';

export interface ExchangeOptions {
  /** Names the request in log lines (ERR-APP-4). */
  label: string;
  /** `tsgi.errors` of this request, flushed when the exchange ends. */
  errors: ErrorStream & { flush(): void };
  log: (entry: string) => void;
  rethrow: boolean;
}

function ignore(): void {}

/**
 * One request as the server side of the test client runs it once the head is
 * known: it owns `tsgi.signal`, hands body chunks over one pull at a time (the
 * client is the connection, so backpressure is exact: BODY-ITER-1), and
 * finalises the body on every way out (BODY-ITER-2..4).
 */
export class Exchange {
  readonly #options: ExchangeOptions;
  /** The request body's feed, once the request is accepted (a refused request has none). */
  upload: Upload | null = null;
  readonly #controller = new AbortController();
  #body: BodySource | null = null;
  #contentLength: number | null = null;
  #state: BodyState = 'open';
  /** The last `next()` asked of the body, settled or not: finalisation waits for it. */
  #pending: Promise<unknown> | null = null;
  #received: Uint8Array[] = [];
  /** Set when the client left: what its reads reject with. */
  #clientError: { error: unknown } | null = null;
  #cancelCode: CancelCode | null = null;
  /** What reads reject with once the body failed (ERR-APP-2). */
  #failure: { error: unknown } | null = null;
  #onClientGone: Array<(error: unknown) => void> = [];
  #interrupt: ((error: unknown) => void) | null = null;
  #pulling = false;
  #waiting: Array<() => void> = [];
  #finalising: Promise<void> | null = null;
  #settled = false;
  #resolveSettled!: () => void;
  /** Resolves when the server side is done: body complete, failed or finalised. Never rejects. */
  readonly settled = new Promise<void>((resolve) => { this.#resolveSettled = resolve; });

  constructor(options: ExchangeOptions) {
    this.#options = options;
  }

  /** `tsgi.signal` of this request. */
  get signal(): AbortSignal { return this.#controller.signal; }
  get bodyState(): BodyState { return this.#state; }
  get continueSent(): boolean { return this.upload?.continueSent ?? false; }
  /** True once the head of the final response is known (the application answered, or the server did). */
  get headSent(): boolean { return this.#body !== null; }
  /** The 103 responses sent before the head, in order (EXT-HINTS-2). */
  readonly earlyHints: HeaderList[] = [];
  record(headers: HeaderList): void { this.earlyHints.push(headers); }
  /** Why the exchange was cancelled, or null. */
  get cancelCode(): CancelCode | null { return this.#cancelCode; }

  /** Rejects with the client-side error once the client leaves (for racing the handler). Never unhandled. */
  clientGone(): Promise<never> {
    return new Promise<never>((_, reject) => {
      if (this.#clientError) reject(this.#clientError.error);
      else this.#onClientGone.push(reject);
    });
  }

  /**
   * The head is known. A bodyless response (HEAD, 204, 304: BODY-HEAD-1,
   * BODY-NOBODY-1), or one for a client that already left, has its body
   * finalised without a single pull.
   */
  async attach(prepared: PreparedResponse, bodyless: boolean): Promise<void> {
    this.#body = prepared.body;
    this.#contentLength = bodyless ? null : prepared.contentLength;
    if (bodyless || this.#clientError) await this.#finalise();
  }

  /**
   * The next non-empty chunk, or null at the end. Empty chunks are flush hints
   * (BODY-FORM-6): on the wire they are nothing, so they are skipped.
   */
  pull(): Promise<Uint8Array | null> {
    // BODY-ITER-3: a test may call next() again before the last one settled; the body still sees one call at a
    // time. A pull with none ahead of it starts at once, so the body is asked in the same tick the test reads.
    return new Promise((resolve, reject) => {
      const run = () => {
        this.#pulling = true;
        void this.#pullOne().then(resolve, reject).finally(() => {
          this.#pulling = false;
          this.#waiting.shift()?.();
        });
      };
      if (this.#pulling) this.#waiting.push(run);
      else run();
    });
  }

  async #pullOne(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#clientError) throw this.#clientError.error;
      if (this.#state === 'complete' || this.#state === 'finalised' || this.#body === null) return null;
      if (this.#failure) throw this.#failure.error;
      const next = this.#body.next();
      this.#pending = next.then(ignore, ignore);
      let chunk: Uint8Array | null;
      try {
        // The client's read ends at once when it leaves; the server side still waits for `next` (see cancel()).
        chunk = await new Promise<Uint8Array | null>((resolve, reject) => {
          this.#interrupt = reject;
          next.then(resolve, reject);
        });
      } catch (error) {
        const gone = this.#clientError as { error: unknown } | null; // set by cancel() while we waited
        if (gone) throw gone.error;
        throw await this.#fail(error);
      } finally {
        this.#interrupt = null;
      }
      if (chunk === null) {
        this.#state = 'complete';
        this.#end();
        return null;
      }
      if (chunk.byteLength > 0) {
        if (!this.#options.rethrow) this.#received.push(chunk); // kept only for a TruncatedResponseError
        return chunk;
      }
    }
  }

  /**
   * The client goes away (`code` TSGI_ERR_CLIENT_GONE) or the server abandons
   * the request (TSGI_ERR_SHUTDOWN): the signal aborts, input reads reject, the
   * body is finalised once any pull in flight has settled (BODY-ITER-3, never
   * two calls at once), and reads reject with `clientError`. Nothing happens
   * once the response is complete (CANCEL-SIG-3). Resolves when finalised.
   */
  cancel(code: CancelCode, clientError: unknown): Promise<void> {
    // Settled, already cancelled, or a bodyless response being finalised: the response is complete, nothing aborts.
    if (this.#settled || this.#clientError || this.#finalising) return this.#finalising ?? this.settled;
    this.#clientError = { error: clientError };
    this.#cancelCode = code;
    for (const reject of this.#onClientGone.splice(0)) reject(clientError);
    this.#interrupt?.(clientError);
    const reason = cancelReason(code);
    this.#controller.abort(reason);
    this.upload?.close(inputError('TSGI_ERR_INPUT_ABORTED', reason.message));
    if (this.#body === null) return this.settled; // the handler is still running: attach() finalises
    return this.#finalise();
  }

  /** Ends an exchange whose response the client will not read (the request rejected with the app's error). */
  discard(): Promise<void> {
    return this.#finalise();
  }

  #finalise(): Promise<void> {
    this.#finalising ??= (async () => {
      if (this.#pending) await this.#pending;
      if (this.#body && this.#state === 'open') {
        this.#state = 'finalised';
        const error = await this.#body.close();
        if (error !== undefined) this.#options.log(`${this.#options.label}: the response body's return() threw (BODY-ITER-2): ${describeError(error)}`);
      }
      this.#end();
    })();
    return this.#finalising;
  }

  async #fail(error: unknown): Promise<unknown> {
    this.#state = 'failed';
    this.#options.log(`${this.#options.label}: the response body failed after the head was sent; connection closed (ERR-APP-2): ${describeError(error)}`);
    await this.#body?.close(); // BODY-ITER-4; a no-op for an iterator that threw
    this.#end();
    const seen = this.#options.rethrow ? error : new TruncatedResponseError(Buffer.concat(this.#received), this.#contentLength, error);
    this.#failure = { error: seen };
    return seen;
  }

  #end(): void {
    if (this.#settled) return;
    this.#settled = true;
    // The response is over: whatever the application did not read is dropped with the connection (INPUT-DRAIN-1).
    this.upload?.close(inputError('TSGI_ERR_INPUT_ABORTED', 'the response was complete before the request body was read to its end'));
    this.#options.errors.flush();
    this.#onClientGone.length = 0;
    this.#resolveSettled();
  }
}
