/**
 * One request from the 'request' event to the last byte of its response: the
 * request body as `tsgi.input` (with backpressure and 100-continue), the abort
 * signal, the call of the application and the moment it stops counting as in
 * flight.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyInput,
  prepareResponse,
  cancelReason,
  createErrorStream,
  describeError,
  inputError,
  RequestSignal,
  type ApplicationObject,
  type Environ,
  type ErrorLog,
  type ErrorStream,
  type PreparedResponse,
} from '@tsgi/gateway-spec/server-kit';
import type { CancelCode, Connection, ConnectionCycle } from './connection.js';
import type { RequestHead } from './request-checks.js';
import type { ResolvedAttachOptions } from './options.js';
import { writeResponse } from './write-response.js';

/** What a cycle needs from the gateway that runs it. */
export interface CycleOwner {
  readonly app: ApplicationObject;
  readonly log: ErrorLog;
  readonly options: ResolvedAttachOptions;
  /** A graceful stop is under way: responses close their connection (SRV-GRACE-1). */
  readonly draining: boolean;
  /** The cycle is over: its application call has returned and its response is finished or cut. */
  cycleSettled(cycle: RequestCycle): void;
}

const kCycle = Symbol('tsgi.http.cycle');

type TaggedResponse = ServerResponse & { [kCycle]?: RequestCycle };

const EMPTY_INPUT_OPTIONS = Object.freeze({ declaredLength: 0 });

export class RequestCycle implements ConnectionCycle {
  /** `tsgi.signal`, created only if the application reads it. */
  readonly cancel = new RequestSignal();
  readonly input: BodyInput;
  readonly errors: ErrorStream & { flush(): void };
  /** The response is complete (or given up by the server): the signal never aborts now (CANCEL-SIG-3). */
  responded = false;
  /** The request has a body (Content-Length above 0, or chunked). */
  readonly hasBody: boolean;
  /** Wakes a writer waiting for 'drain' when the request is aborted. */
  wake: (() => void) | undefined = undefined;
  #ran = false;
  #wired = false;

  constructor(
    readonly owner: CycleOwner,
    readonly conn: Connection,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly head: RequestHead,
  ) {
    this.errors = createErrorStream(owner.log);
    const length = head.contentLength;
    this.hasBody = head.chunked || (length !== null && length > 0);
    if (!this.hasBody) {
      this.input = new BodyInput(EMPTY_INPUT_OPTIONS);
    } else {
      this.input = new BodyInput({
        declaredLength: length,
        maxBytes: owner.options.maxBodyBytes,
        onFirstRead: () => this.#startReading(),
        pause: () => req.pause(),
        resume: () => req.resume(),
      });
    }
    (res as TaggedResponse)[kCycle] = this;
    res.on('finish', onResponseFinish);
  }

  /** True once the request was abandoned (CANCEL-SIG-1). */
  get aborted(): boolean {
    return this.cancel.aborted;
  }

  /** The application asked for the body: send 100 Continue (INPUT-CONT-1) and let the bytes flow. */
  #startReading(): void {
    const { req, res, input } = this;
    if (this.#wired) {
      // The response is out and node has discarded the unread body (INPUT-DRAIN-1): what is
      // left can only be reported as cut short, never passed off as complete (INPUT-FLOW-2).
      input.fail(inputError('TSGI_ERR_INPUT_ABORTED', 'the request body was discarded after the response was sent'));
      return;
    }
    // Only before the final head: after it, the client learns from the response itself.
    if (this.head.expectContinue && !res.headersSent) res.writeContinue();
    req.on('data', (chunk: Buffer) => {
      input.push(chunk);
      // Over the limit (INPUT-FLOW-3): stop reading; the response will close the connection.
      if (input.failed) req.pause();
    });
    req.on('end', () => input.end());
    req.on('error', () => input.fail(inputError('TSGI_ERR_INPUT_ABORTED', 'the client went away before the request body was complete')));
  }

  /**
   * Calls the application and writes what it answers. A synchronous handler
   * with an in-memory body is answered within this call, as node's own
   * handlers are; everything else continues asynchronously. Never throws.
   */
  run(environ: Environ): void {
    try {
      const prepared = prepareResponse(this.owner.app, environ, this.owner.log);
      if (prepared instanceof Promise) {
        void this.#continue(prepared, undefined);
        return;
      }
      const writing = writeResponse(this, prepared);
      if (writing !== undefined) {
        void this.#continue(undefined, writing);
        return;
      }
    } catch (error) {
      this.#internalError(error);
    }
    this.#ranToEnd();
  }

  async #continue(prepared: Promise<PreparedResponse> | undefined, writing: Promise<void> | undefined): Promise<void> {
    try {
      if (prepared !== undefined) writing = writeResponse(this, await prepared);
      if (writing !== undefined) await writing;
    } catch (error) {
      this.#internalError(error);
    } finally {
      this.#ranToEnd();
    }
  }

  /** A fault of the adapter itself: it must not take other requests down (ERR-APP-3). */
  #internalError(error: unknown): void {
    this.owner.log(`${this.req.method} ${this.req.url}: internal error of the HTTP adapter: ${describeError(error)}`, error);
    this.responded = true;
    this.conn.destroy('TSGI_ERR_CLIENT_GONE');
  }

  #ranToEnd(): void {
    this.errors.flush();
    this.#ran = true;
    if (this.#wired) this.owner.cycleSettled(this);
  }

  /** The server abandons the request (CANCEL-SIG-1): abort the signal, unless the response is complete. */
  abort(code: CancelCode): void {
    this.input.fail(inputError('TSGI_ERR_INPUT_ABORTED', 'the request was abandoned before its body was complete'));
    if (this.responded || this.cancel.aborted) return;
    this.cancel.abort(cancelReason(code));
    this.wake?.();
  }

  connectionClosed(code: CancelCode): void {
    this.abort(code);
    this.#wireDone();
  }

  /** The last byte of the response went to the socket. */
  responseFinished(): void {
    this.responded = true;
    this.#wireDone();
  }

  #wireDone(): void {
    if (this.#wired) return;
    this.#wired = true;
    this.conn.release(this);
    if (this.#ran) this.owner.cycleSettled(this);
  }
}

function onResponseFinish(this: TaggedResponse): void {
  this[kCycle]?.responseFinished();
}
