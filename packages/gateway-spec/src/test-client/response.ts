import { cancelReason } from '../server-kit/cancel.js';
import type { HeaderList } from '../types.js';
import type { BodyState, Exchange } from './exchange.js';
import { invalidArgument } from './options.js';

const utf8 = new TextDecoder('utf-8');

/**
 * A response as the test client received it. The head is here at once; the
 * body is pulled from the application chunk by chunk as the test reads it, so
 * a test sees exactly how lazily the application produces it. Read the body
 * once: with `bytes()`, `text()` or `json()` (repeatable; they share one read),
 * or by iterating `body` (then those are no longer available).
 */
export class TestResponse {
  /** The status sent (the application's, or the server's own: see `fromServer`). */
  readonly status: number;
  /** The header pairs exactly as the application gave them, in order, repeats separate (RESP-HDR-7). */
  readonly headers: HeaderList;
  /**
   * The Content-Length an HTTP/1.1 server frames the body with (BODY-LEN-1):
   * the application's, else the body's length when known before the head
   * (string, bytes, array, file), else null (chunked). Null for 204 and 304.
   */
  readonly contentLength: number | null;
  /**
   * True when the server answered itself and the application's response, if
   * any, was not sent: the 500 of ERR-APP-1/RESP-HDR-8 (with `rethrow: false`),
   * or a refusal before the application ran (400, 404, 413, 417, 501).
   */
  readonly fromServer: boolean;
  readonly #exchange: Exchange;
  #reader: 'none' | 'stream' | 'buffer' = 'none';
  #buffered: Promise<Uint8Array> | null = null;

  /** @internal made by the test client */
  constructor(head: { status: number; headers: HeaderList; contentLength: number | null; fromServer: boolean }, exchange: Exchange) {
    this.status = head.status;
    this.headers = head.headers;
    this.contentLength = head.contentLength;
    this.fromServer = head.fromServer;
    this.#exchange = exchange;
  }

  /** True for a 2xx status. */
  get ok(): boolean { return this.status >= 200 && this.status < 300; }

  /**
   * The value of a header (name case-insensitive), or null when absent. Repeats
   * are combined with ", " (RFC 9110 §5.3); for Set-Cookie use `headerAll`.
   */
  header(name: string): string | null {
    const values = this.headerAll(name);
    return values.length === 0 ? null : values.join(', ');
  }

  /** Every value of a header, in order (name case-insensitive). */
  headerAll(name: string): string[] {
    const lower = name.toLowerCase();
    return this.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
  }

  /** True once the application read from an `Expect: 100-continue` request: `100 Continue` would have gone out (INPUT-CONT-1). */
  get continueSent(): boolean { return this.#exchange.continueSent; }

  /** The body seen from the server: `open`, `complete`, `finalised` (return() called, BODY-ITER-2) or `failed`. */
  get bodyState(): BodyState { return this.#exchange.bodyState; }

  /**
   * The fields of each `103 Early Hints` response the application sent before
   * this head, in order (EXT-HINTS-2); empty unless the client was created with
   * `earlyHints: true`. Never merged into `headers`.
   */
  get earlyHints(): readonly HeaderList[] { return this.#exchange.earlyHints; }

  /** `tsgi.signal` of the request, to check whether and why it aborted (CANCEL-SIG-1..3). */
  get signal(): AbortSignal { return this.#exchange.signal; }

  /**
   * The body as it arrives: each step pulls one chunk from the application.
   * Leaving the loop early (break, throw) is the client going away: see `cancel()`.
   */
  get body(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this.#stream() };
  }

  #claim(reader: 'stream' | 'buffer'): void {
    if (this.#reader === 'none') this.#reader = reader;
    else if (this.#reader === 'stream' || reader === 'stream') {
      throw invalidArgument('the response body is already being read; read it once, by iterating body or with bytes()/text()/json()');
    }
  }

  #stream(): AsyncIterator<Uint8Array> {
    this.#claim('stream');
    let done = false;
    return {
      next: async () => {
        if (done) return { value: undefined, done: true };
        const chunk = await this.#exchange.pull();
        if (chunk === null) {
          done = true;
          return { value: undefined, done: true };
        }
        return { value: chunk, done: false };
      },
      return: async () => {
        if (!done) {
          done = true;
          await this.cancel();
        }
        return { value: undefined, done: true };
      },
    };
  }

  /** The whole body. Rejects when it fails (see `rethrow`), or with the abort reason when the client left. */
  bytes(): Promise<Uint8Array> {
    this.#claim('buffer');
    this.#buffered ??= (async () => {
      const chunks: Uint8Array[] = [];
      for (;;) {
        const chunk = await this.#exchange.pull();
        if (chunk === null) return Buffer.concat(chunks);
        chunks.push(chunk);
      }
    })();
    return this.#buffered;
  }

  /** The whole body decoded as UTF-8 (invalid sequences become U+FFFD). */
  async text(): Promise<string> {
    return utf8.decode(await this.bytes());
  }

  /** The whole body parsed as JSON; a body that is not JSON rejects with a SyntaxError quoting its start. */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text();
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      const start = text.length > 200 ? `${text.slice(0, 200)}…` : text;
      throw new SyntaxError(`the response body (content-type ${this.header('content-type') ?? 'absent'}) is not JSON: ${JSON.stringify(start)}`, { cause: error });
    }
  }

  /**
   * The client goes away before the body is complete: `tsgi.signal` aborts with
   * TSGI_ERR_CLIENT_GONE, the body is finalised (its iterator's `return()`, so
   * the application's `finally` blocks run: BODY-ITER-2), and later reads
   * reject. Resolves once the body is finalised; does nothing after a complete
   * response (CANCEL-SIG-3).
   */
  cancel(): Promise<void> {
    return this.#exchange.cancel('TSGI_ERR_CLIENT_GONE', cancelReason('TSGI_ERR_CLIENT_GONE', 'the test cancelled the response'));
  }
}
