/**
 * The TSGI 1.0 contract as TypeScript types. Requirement ids refer to
 * `spec/tsgi-1.0.md`; the zod schemas in `schemas.ts` are checked against these
 * types by `schemas.test-d.ts` (compiled by `tsc -b`), so the two cannot drift apart.
 * @module
 */

/** The version of the specification this package describes (ENV-TSGI-1). */
export const TSGI_VERSION: readonly [1, 0] = Object.freeze([1, 0] as const);

/** One request header or response header: `[name, value]` (RESP-HDR-1). */
export type HeaderPair = readonly [name: string, value: string];

/** An ordered list of header pairs; repeated names stay separate (RESP-HDR-7). */
export type HeaderList = ReadonlyArray<HeaderPair>;

/** A chunk of a response body: bytes, or a string sent as UTF-8 (BODY-FORM-2). */
export type BodyChunk = Uint8Array | string;

/** A body read from a file, which a server may send with sendfile (BODY-FORM-4). */
export interface FileBody {
  readonly type: 'tsgi.file';
  /** Absolute path of the file (BODY-FORM-5). */
  readonly path: string;
  /** First byte to send; 0 when absent. */
  readonly offset?: number;
  /** Number of bytes to send; to the end of the file when absent. */
  readonly length?: number;
}

/** Every form a response body may take (BODY-FORM-1). */
export type ResponseBody =
  | undefined
  | null
  | string
  | Uint8Array
  | FileBody
  | Iterable<BodyChunk>
  | AsyncIterable<BodyChunk>;

/** What a request handler returns (RESP-SHAPE-1). */
export interface TsgiResponse {
  /** An integer from 200 to 599 (RESP-STATUS-1). */
  readonly status: number;
  /** Response headers in order; no hop-by-hop headers (RESP-HDR-5). */
  readonly headers?: HeaderList;
  readonly body?: ResponseBody;
  /** Extension keys contain a dot (RESP-SHAPE-1). */
  readonly [extensionKey: `${string}.${string}`]: unknown;
}

/**
 * The request body: an async iterable of non-empty byte chunks that can be
 * iterated once (INPUT-ITER-1..3). Reading the first chunk is what makes a
 * server send `100 Continue` (INPUT-CONT-1).
 */
export interface InputStream extends AsyncIterable<Uint8Array> {}

/** Where an application writes diagnostics: the server's error log (ENV-TSGI-4). */
export interface ErrorStream {
  write(message: string): void;
}

/** Values an extension may publish in `tsgi.extensions` (ENV-TSGI-8). */
export type Extensions = Readonly<Record<string, unknown>>;

/** Per-instance state shared by lifespan hooks and requests (LIFE-CTX-1). */
export type AppState = Record<string, unknown>;

/**
 * The environ: one request, described CGI-style plus the `tsgi.*` keys
 * (section 2 of the spec). Optional CGI keys are absent, never `undefined`
 * (ENV-OBJ-2).
 */
export interface Environ {
  REQUEST_METHOD: string;
  SCRIPT_NAME: string;
  PATH_INFO: string;
  QUERY_STRING: string;
  REQUEST_URI: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  REMOTE_ADDR: string;
  REMOTE_PORT?: string;
  /** Further CGI-style keys a server may add (ENV-EXT-2), such as `HTTPS` ("on") behind CGI hosts. */
  HTTPS?: string;
  AUTH_TYPE?: string;
  REMOTE_USER?: string;
  GATEWAY_INTERFACE?: string;
  DOCUMENT_ROOT?: string;
  SCRIPT_FILENAME?: string;
  PATH_TRANSLATED?: string;
  /** Request headers, `HTTP_` + upper-cased name with `-` as `_` (ENV-HTTP-1). */
  [header: `HTTP_${string}`]: string | undefined;
  'tsgi.version': readonly [1, number];
  'tsgi.url_scheme': 'http' | 'https';
  'tsgi.input': InputStream;
  'tsgi.errors': ErrorStream;
  'tsgi.multithread': boolean;
  'tsgi.multiprocess': boolean;
  'tsgi.run_once': boolean;
  /** Aborts when the client goes away or the server gives up (CANCEL-SIG-1). */
  'tsgi.signal': AbortSignal;
  'tsgi.state': AppState;
  'tsgi.extensions': Extensions;
  /** Keys of servers and middleware live under their own namespace (ENV-EXT-1). */
  [namespacedKey: `${string}.${string}`]: unknown;
}

/** A function that answers one request (APP-SHAPE-1, APP-SHAPE-2). */
export type RequestHandler = (environ: Environ) => TsgiResponse | PromiseLike<TsgiResponse>;

/** What lifespan hooks receive (section 9). */
export interface LifespanContext {
  /** The object every request of this instance sees as `tsgi.state` (LIFE-CTX-1). */
  readonly state: AppState;
  /** The server's error log. */
  readonly errors: ErrorStream;
  /** Aborts when the server's deadline for this hook passes (LIFE-STOP-2, LIFE-START-3). */
  readonly signal: AbortSignal;
  readonly multithread: boolean;
  readonly multiprocess: boolean;
  /** Extensions the server implements, as in `tsgi.extensions`. */
  readonly extensions: Extensions;
}

/** An application with lifespan hooks (APP-SHAPE-1, section 9). */
export interface ApplicationObject {
  handle: RequestHandler;
  /** Opens per-process resources once, before the first request (LIFE-START-1). */
  startup?(ctx: LifespanContext): void | PromiseLike<void>;
  /** Closes them after the last request (LIFE-STOP-1). */
  shutdown?(ctx: LifespanContext): void | PromiseLike<void>;
}

/** A TSGI application: a bare request handler, or an object with lifespan hooks. */
export type Application = RequestHandler | ApplicationObject;

/** A function from application to application (MW-COMP-1). */
export type Middleware = (app: Application) => Application;

/** The `tsgi.early_hints` extension: sends a 103 response with these headers (spec 11.7). */
export type EarlyHints = (headers: HeaderList) => Promise<void>;

/** The codes `tsgi.signal.reason.code` may carry (CANCEL-SIG-2). */
export type CancelCode = 'TSGI_ERR_CLIENT_GONE' | 'TSGI_ERR_TIMEOUT' | 'TSGI_ERR_SHUTDOWN';

/** The codes a failed read of `tsgi.input` may carry (INPUT-FLOW-2, INPUT-FLOW-3). */
export type InputErrorCode = 'TSGI_ERR_INPUT_ABORTED' | 'TSGI_ERR_INPUT_TOO_LARGE';
