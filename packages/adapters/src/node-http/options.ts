/**
 * Options of the HTTP adapter: schema, defaults and their sources. Validated
 * once by `serve()` / `attachTsgi()`, then frozen; nothing per request looks at
 * zod. The README's option table mirrors the `.describe()` texts here.
 * @module
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import type { ErrorLog } from '@tsgi/gateway-spec/server-kit';
import { parseOptions } from '../shared/options.js';
import { trustedProxyProblem } from '../shared/trusted-proxies.js';

/** gunicorn's default bind address and port. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8000;
/** node:http's default listen backlog. */
export const DEFAULT_BACKLOG = 511;
/** node:http's default `maxHeaderSize`: request line plus header fields. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Apache `LimitRequestFields`, gunicorn `limit_request_fields`. */
export const MAX_HEADER_COUNT = 100;
/** Apache `LimitRequestBody` default since httpd 2.4.54. */
export const MAX_BODY_BYTES = 1024 * 1024 * 1024;
/** Unread request body the server still reads and discards to keep a connection (INPUT-DRAIN-1). */
export const MAX_DRAIN_BYTES = 64 * 1024;
/** mod_reqtimeout's `header=20-40`: the first 20 s. */
export const HEADERS_TIMEOUT_MS = 20_000;
/** node:http's `requestTimeout`: the whole request must arrive within 5 minutes. */
export const REQUEST_TIMEOUT_MS = 300_000;
/** node:http's `keepAliveTimeout`. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Apache `Timeout`, nginx `send_timeout`: no byte either way for this long ends the connection. */
export const IDLE_TIMEOUT_MS = 60_000;
/** nginx `keepalive_requests` since 1.19.10. */
export const MAX_REQUESTS_PER_CONNECTION = 1000;
/** How often header and request deadlines are checked (node:http's default of 30 s is coarser than them). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** gunicorn `graceful_timeout`. */
export const GRACEFUL_TIMEOUT_MS = 30_000;
/** mod_wsgi `shutdown-timeout`: how long the application's `shutdown` hook may take. */
export const SHUTDOWN_TIMEOUT_MS = 5_000;

const ms = (what: string) =>
  z.number().int().min(0).max(2 ** 31 - 1).describe(`${what}: an integer number of milliseconds, 0 to 2147483647 (0 turns it off)`);
const count = (what: string, min = 0) =>
  z.number().int().min(min).max(Number.MAX_SAFE_INTEGER).describe(`${what}: an integer from ${min}`);
const pem = z.union([z.string().min(1), z.instanceof(Uint8Array)]);

/** Options that concern requests: shared by `serve()` and `attachTsgi()`. */
const requestShape = {
  serverName: z.string().min(1).describe('a non-empty string: SERVER_NAME when a request names no host (ENV-SERVER-1)').optional(),
  trustedProxies: z
    .array(z.string().refine((entry) => trustedProxyProblem(entry) === null, { error: 'an IP address, a CIDR range ("10.0.0.0/8"), "loopback" or "unix"' }))
    .describe('an array of IP addresses, CIDR ranges, "loopback" or "unix"')
    .default([]),
  errorLog: z
    .custom<ErrorLog>((value) => typeof value === 'function')
    .describe('a function (line: string, error?: unknown) => void')
    .optional(),
  multiprocess: z.boolean().describe('a boolean: tsgi.multiprocess').default(false),
  maxHeaderBytes: count('bytes of request line and header fields', 1).default(MAX_HEADER_BYTES),
  maxHeaderCount: count('header fields per request', 1).default(MAX_HEADER_COUNT),
  maxBodyBytes: count('bytes of request body').default(MAX_BODY_BYTES),
  maxDrainBytes: count('bytes of unread request body drained to keep the connection').default(MAX_DRAIN_BYTES),
  headersTimeoutMs: ms('time to receive the request line and headers').default(HEADERS_TIMEOUT_MS),
  requestTimeoutMs: ms('time to receive the whole request').default(REQUEST_TIMEOUT_MS),
  keepAliveTimeoutMs: ms('idle time between requests on a connection').default(KEEP_ALIVE_TIMEOUT_MS),
  idleTimeoutMs: ms('time without a byte in either direction').default(IDLE_TIMEOUT_MS),
  maxRequestsPerConnection: count('requests per connection (0: no limit)').default(MAX_REQUESTS_PER_CONNECTION),
  timeoutCheckIntervalMs: z.number().int().min(1).max(2 ** 31 - 1).describe('an integer number of milliseconds from 1').default(TIMEOUT_CHECK_INTERVAL_MS),
  gracefulTimeoutMs: ms('time in-flight requests get on close').default(GRACEFUL_TIMEOUT_MS),
  shutdownTimeoutMs: ms("time the application's shutdown hook gets").default(SHUTDOWN_TIMEOUT_MS),
};

const listenShape = {
  host: z.string().min(1).describe('a host name or IP address to listen on (with `port`)').optional(),
  port: z.number().int().min(0).max(65535).describe('an integer from 0 to 65535 (0: any free port)').optional(),
  path: z.string().min(1).describe('the path of a unix-domain socket to listen on').optional(),
  socketMode: z
    .union([z.number().int().min(0).max(0o777), z.string().regex(/^0?[0-7]{3}$/)])
    .describe('file permissions of the unix socket: a number such as 0o660 or an octal string such as "660"')
    .optional(),
  fd: z.number().int().min(0).describe('the file descriptor of a socket that is already listening').optional(),
  handle: z
    .custom<object>((value) => typeof value === 'object' && value !== null && ('_handle' in value || 'fd' in value))
    .describe('an already-listening net.Server or socket handle (anything with `_handle` or `fd`)')
    .optional(),
  backlog: count('pending connections the kernel queues', 1).default(DEFAULT_BACKLOG),
  tls: z
    .strictObject({
      key: pem.describe('the private key, PEM text or bytes'),
      cert: pem.describe('the certificate chain, PEM text or bytes'),
      ca: z.union([pem, z.array(pem)]).describe('extra CA certificates, PEM').optional(),
      passphrase: z.string().describe('the passphrase of the key').optional(),
    })
    .describe('an object { key, cert, ca?, passphrase? } with PEM contents: serve HTTPS')
    .optional(),
};

const attachSchema = z.strictObject(requestShape).superRefine(checkTimeouts);

const serveSchema = z.strictObject({ ...listenShape, ...requestShape }).superRefine((o, ctx) => {
  const given = (['port', 'path', 'fd', 'handle'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) {
    ctx.addIssue({ code: 'custom', path: [given[1]!], params: { rule: true }, message: `only one of port, path, fd and handle (${given.join(' and ')} given)` });
  }
  if (o.host !== undefined && (o.path !== undefined || o.fd !== undefined || o.handle !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['host'], params: { rule: true }, message: 'host goes with port, not with path, fd or handle' });
  }
  if (o.socketMode !== undefined && o.path === undefined) {
    ctx.addIssue({ code: 'custom', path: ['socketMode'], params: { rule: true }, message: 'socketMode only together with path' });
  }
  checkTimeouts(o, ctx);
});

function checkTimeouts(o: { headersTimeoutMs: number; requestTimeoutMs: number }, ctx: z.RefinementCtx): void {
  // node:http refuses a headers deadline later than the whole-request deadline.
  if (o.requestTimeoutMs > 0 && o.headersTimeoutMs > o.requestTimeoutMs) {
    ctx.addIssue({ code: 'custom', path: ['headersTimeoutMs'], params: { rule: true }, message: `at most requestTimeoutMs (${o.requestTimeoutMs})` });
  }
}

/** Options of `attachTsgi()`, as the caller writes them. */
export type AttachOptions = z.input<typeof attachSchema>;
/** Options of `serve()`, as the caller writes them. */
export type HttpOptions = z.input<typeof serveSchema>;

/** Options after validation and defaults, frozen. */
export interface ResolvedAttachOptions extends Readonly<Omit<z.output<typeof attachSchema>, 'errorLog' | 'serverName'>> {
  readonly serverName: string;
  readonly errorLog: ErrorLog;
}
export interface ResolvedHttpOptions extends ResolvedAttachOptions, Readonly<Omit<z.output<typeof serveSchema>, keyof ResolvedAttachOptions>> {}

/** Writes each log line to stderr. */
export function stderrLog(line: string): void {
  process.stderr.write(line.endsWith('\n') ? line : line + '\n');
}

function withDefaults<T extends { serverName?: string | undefined; errorLog?: ErrorLog | undefined }>(o: T) {
  return { ...o, serverName: o.serverName ?? hostname(), errorLog: o.errorLog ?? stderrLog };
}

/** Validates and freezes the options of `attachTsgi()`; throws InvalidOptionError. */
export function resolveAttachOptions(input: AttachOptions | undefined): ResolvedAttachOptions {
  return Object.freeze(withDefaults(parseOptions(attachSchema, input, 'attachTsgi()')));
}

/** Validates and freezes the options of `serve()`; throws InvalidOptionError. */
export function resolveHttpOptions(input: HttpOptions | undefined): ResolvedHttpOptions {
  const o = withDefaults(parseOptions(serveSchema, input, 'serve()'));
  const listens = o.path !== undefined || o.fd !== undefined || o.handle !== undefined;
  return Object.freeze({ ...o, host: listens ? o.host : o.host ?? DEFAULT_HOST, port: listens ? o.port : o.port ?? DEFAULT_PORT });
}

/** The unix socket mode as a number. */
export function socketModeOf(mode: number | string): number {
  return typeof mode === 'number' ? mode : parseInt(mode, 8);
}
