import { isIP } from 'node:net';
import { TsgiError } from '../errors.js';
import { parseAuthority } from '../server-kit/environ.js';
import type { Extensions } from '../types.js';
import { EARLY_HINTS, EARLY_HINTS_DECLARATION } from './early-hints.js';
import type { ValidateOptions } from '../validator/index.js';

/** The protocols a test client can claim in `SERVER_PROTOCOL` (ENV-SERVER-3). */
export type TestProtocol = 'HTTP/1.0' | 'HTTP/1.1' | 'HTTP/2' | 'HTTP/3';

/** How `createTestClient` behaves; every field is optional. */
export interface TestClientOptions {
  /** Wrap the application in `validate()`, so spec violations surface as SpecViolations naming their id. Default true. */
  validate?: boolean;
  /** Passed to `validate()` as its second argument. */
  validateOptions?: ValidateOptions;
  /**
   * When the application throws, rejects, returns an invalid response or a body
   * that cannot be opened, `request()` rejects with that very error (original
   * stack) instead of resolving to the 500 a server would send; a body that
   * fails after the head rejects the read with the original error instead of a
   * `TruncatedResponseError`. The error log gets its line either way. Default
   * true: a test usually wants to see the exception. Set false to observe the
   * server's view (ERR-APP-1, ERR-APP-2, RESP-HDR-8).
   */
  rethrow?: boolean;
  /** Mount prefix (ENV-PATH-1): moved from `PATH_INFO` to `SCRIPT_NAME`; paths outside it get 404. Default `""`. */
  scriptName?: string;
  /** `tsgi.url_scheme` (an absolute-form target's scheme overrides it). Default `'http'`. */
  scheme?: 'http' | 'https';
  /** The `Host` header sent when a request gives none: `name` or `name:port`. Default `'localhost'`. */
  host?: string;
  /**
   * `REMOTE_ADDR`: an IPv4 or IPv6 address, or `""` for a unix-socket peer
   * (ENV-REMOTE-1); an IPv4-mapped address is given in its IPv4 form
   * (ENV-REMOTE-4). Default `'127.0.0.1'`.
   */
  remoteAddr?: string;
  /** `REMOTE_PORT` (ENV-REMOTE-3); absent from the environ unless given, as for a server that does not know it. */
  remotePort?: number;
  /** `SERVER_PROTOCOL`. Default `'HTTP/1.1'`. */
  protocol?: TestProtocol;
  /** Largest request body accepted (INPUT-FLOW-3): a larger Content-Length gets 413 before the app runs. Default: no limit. */
  maxBodyBytes?: number;
  /** `tsgi.extensions` and the lifespan context's `extensions` (frozen). Default `{}`. */
  extensions?: Extensions;
  /** `tsgi.multiprocess`. Default false. */
  multiprocess?: boolean;
  /**
   * Implement the `tsgi.early_hints` extension (EXT-HINTS-1): declared in
   * `tsgi.extensions`, and each 103 response the application sends is
   * recorded in `res.earlyHints`. Default false, as for a server without it.
   */
  earlyHints?: boolean;
  /** Also receives each error-log entry (e.g. `console.error` while debugging); `client.errorLog` collects them regardless. */
  errors?: (entry: string) => void;
  /** Deadline after which `shutdown`'s `ctx.signal` aborts (LIFE-STOP-2). Default 5000. */
  shutdownTimeoutMs?: number;
  /** Deadline for `startup` (LIFE-START-3): then `ctx.signal` aborts and the start fails with TSGI_ERR_TIMEOUT. Default 10000. */
  startupTimeoutMs?: number;
}

/** The options after validation, with defaults filled in; frozen. */
export interface ResolvedClientOptions {
  readonly validate: boolean;
  readonly validateOptions: ValidateOptions | undefined;
  readonly rethrow: boolean;
  readonly scriptName: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly remoteAddr: string;
  readonly remotePort: number | undefined;
  readonly protocol: TestProtocol;
  readonly maxBodyBytes: number | undefined;
  readonly extensions: Extensions;
  readonly multiprocess: boolean;
  readonly earlyHints: boolean;
  readonly errors: ((entry: string) => void) | undefined;
  readonly shutdownTimeoutMs: number;
  readonly startupTimeoutMs: number;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5_000;
const DEFAULT_STARTUP_TIMEOUT_MS = 10_000;
const PROTOCOLS: readonly TestProtocol[] = ['HTTP/1.0', 'HTTP/1.1', 'HTTP/2', 'HTTP/3'];

/** The error for every misuse of the test client: code TSGI_ERR_INVALID_ARGUMENT. */
export function invalidArgument(message: string): TsgiError {
  return new TsgiError('TSGI_ERR_INVALID_ARGUMENT', `test client: ${message}`);
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}

/** Checks the options once, at `createTestClient`, and freezes the result. */
export function resolveClientOptions(options: TestClientOptions = {}): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options must be an object');
  const {
    scriptName = '', scheme = 'http', host = 'localhost', remoteAddr = '127.0.0.1', remotePort,
    protocol = 'HTTP/1.1', maxBodyBytes, extensions = {}, errors,
    shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS, startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS,
  } = options;
  if (typeof scriptName !== 'string' || (scriptName !== '' && (!scriptName.startsWith('/') || scriptName.endsWith('/')))) {
    throw invalidArgument(`scriptName ${JSON.stringify(scriptName)} must be "" or start with "/" and not end with "/" (ENV-PATH-1)`);
  }
  if (/[%?#\s]/.test(scriptName)) {
    throw invalidArgument(`scriptName ${JSON.stringify(scriptName)} is a decoded path prefix: it cannot contain "%", "?", "#" or whitespace`);
  }
  if (scheme !== 'http' && scheme !== 'https') throw invalidArgument(`scheme must be 'http' or 'https', got ${JSON.stringify(scheme)}`);
  if (typeof host !== 'string' || parseAuthority(host, scheme) === null) {
    throw invalidArgument(`host ${JSON.stringify(host)} is not an authority such as "localhost" or "example.com:8080"`);
  }
  if (typeof remoteAddr !== 'string' || (remoteAddr !== '' && isIP(remoteAddr) === 0)) {
    throw invalidArgument(`remoteAddr ${JSON.stringify(remoteAddr)} must be an IP address (IPv6 without brackets) or "" (ENV-REMOTE-1)`);
  }
  if (remotePort !== undefined && !(isCount(remotePort, 0) && remotePort <= 65535)) {
    throw invalidArgument(`remotePort must be an integer from 0 to 65535, got ${String(remotePort)}`);
  }
  if (!PROTOCOLS.includes(protocol)) throw invalidArgument(`protocol must be one of ${PROTOCOLS.join(', ')}, got ${JSON.stringify(protocol)}`);
  if (maxBodyBytes !== undefined && !isCount(maxBodyBytes, 0)) throw invalidArgument(`maxBodyBytes must be a non-negative integer, got ${String(maxBodyBytes)}`);
  if (typeof extensions !== 'object' || extensions === null) throw invalidArgument('extensions must be an object');
  if (errors !== undefined && typeof errors !== 'function') throw invalidArgument('errors must be a function');
  const earlyHints = options.earlyHints ?? false;
  if (typeof earlyHints !== 'boolean') throw invalidArgument('earlyHints must be a boolean');
  if (!earlyHints && EARLY_HINTS in extensions) throw invalidArgument(`declare ${EARLY_HINTS} with { earlyHints: true }, so that the environ gets its function (EXT-DECL-1)`);
  if (!isCount(shutdownTimeoutMs, 0)) throw invalidArgument(`shutdownTimeoutMs must be a non-negative integer, got ${String(shutdownTimeoutMs)}`);
  if (!isCount(startupTimeoutMs, 0)) throw invalidArgument(`startupTimeoutMs must be a non-negative integer, got ${String(startupTimeoutMs)}`);
  // ENV-REMOTE-4: an IPv4 peer of a dual-stack socket is given in its IPv4 form.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remoteAddr);
  return Object.freeze({
    validate: options.validate ?? true,
    validateOptions: options.validateOptions,
    rethrow: options.rethrow ?? true,
    scriptName,
    scheme,
    host,
    remoteAddr: mapped ? mapped[1]! : remoteAddr,
    remotePort,
    protocol,
    maxBodyBytes,
    extensions: Object.freeze({ ...extensions, ...(earlyHints ? { [EARLY_HINTS]: EARLY_HINTS_DECLARATION } : {}) }),
    multiprocess: options.multiprocess ?? false,
    earlyHints,
    errors,
    shutdownTimeoutMs,
    startupTimeoutMs,
  });
}
