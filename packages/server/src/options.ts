/**
 * The options of the server: one table that gives each option its flag, its
 * config-file key, its zod schema (whose `.describe()` text says what is
 * allowed), its default and the peer the default follows. The CLI builds its
 * flags and help from this table and docs/deploy/server.md documents it (a test
 * checks that every flag is there). Options are validated once, here, and the
 * result is deep-frozen: code inside the package trusts it (STYLE.md).
 * @module
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ServerError } from './errors.js';

/** How a flag's text becomes a value before the schema sees it. */
export type OptionKind = 'string' | 'int' | 'seconds' | 'size' | 'boolean' | 'enum' | 'list';

export interface OptionSpec {
  /** The key in the config file and in `startServer(options)`. */
  readonly key: string;
  /** `--flag`; kebab-case of the key. */
  readonly flag: string;
  readonly short?: string;
  readonly kind: OptionKind;
  /** Placeholder in the help text, as `N` in `--workers N`. */
  readonly valueName?: string;
  readonly schema: z.ZodType;
  /** The default as the help text prints it. */
  readonly defaultText: string;
  readonly help: string;
  /** Which peer's setting the default follows (documented in docs/deploy/server.md). */
  readonly peer: string;
}

/** gunicorn's default bind address and port. */
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8000;
/** gunicorn `backlog`. */
export const DEFAULT_BACKLOG = 2048;
/** gunicorn `timeout`, in seconds. */
export const DEFAULT_TIMEOUT_S = 30;
/** gunicorn `graceful_timeout`, in seconds. */
export const DEFAULT_GRACEFUL_TIMEOUT_S = 30;
/** mod_wsgi `startup-timeout` (express: 15 s), doubled for TypeScript apps transpiled at load. */
export const DEFAULT_STARTUP_TIMEOUT_S = 30;
/** node:http `keepAliveTimeout`, in seconds (gunicorn: 2). */
export const DEFAULT_KEEP_ALIVE_S = 5;
/** Apache `LimitRequestBody` since 2.4.54. */
export const DEFAULT_MAX_BODY_BYTES = 1024 ** 3;
/** Largest worker count accepted: far past any machine, low enough to catch a typo. */
export const MAX_WORKERS = 1024;
/** Largest value of any timeout, in seconds: what a Node timer can hold. */
const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

const seconds = (what: string, min = 0) =>
  z.number().min(min).max(MAX_SECONDS).describe(`${what}: a number of seconds from ${min} to ${MAX_SECONDS}${min === 0 ? ' (0 turns it off)' : ''}`);
const size = (what: string) =>
  z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe(`${what}: a number of bytes, or a size such as 512K, 256M, 2G (0 turns it off)`);
const urlPath = (what: string) =>
  z.string().regex(/^\/[^?#\s]*$/).nullable().describe(`${what}: a URL path that starts with "/" (no query)`);
const idName = z.union([z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/), z.number().int().min(0).max(2 ** 32 - 2)]);

/** One application mounted at a URL prefix (section 8 of the spec). */
export interface MountSpec {
  /** `""` for the root, else starts with "/" and does not end with "/" (MOUNT-PATH-1). */
  readonly prefix: string;
  /** `path/to/module.ts` or `path/to/module.ts:exportName`, absolute after validation. */
  readonly app: string;
}

const mountEntry = z
  .string()
  .regex(/^(\/[^=\s]*)?=.+$/)
  .describe('PREFIX=MODULE[:EXPORT], where PREFIX is "" or starts with "/" and does not end with "/" ("/" alone means the root)');

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'host', flag: 'host', short: 'H', kind: 'string', valueName: 'ADDR', schema: z.string().min(1).describe('a host name or IP address'), defaultText: DEFAULT_HOST, help: 'address to listen on', peer: 'gunicorn bind 127.0.0.1:8000' },
  { key: 'port', flag: 'port', short: 'p', kind: 'int', valueName: 'N', schema: z.number().int().min(0).max(65535).describe('an integer from 0 to 65535 (0: any free port)'), defaultText: String(DEFAULT_PORT), help: 'TCP port to listen on', peer: 'gunicorn bind 127.0.0.1:8000' },
  { key: 'unixSocket', flag: 'unix-socket', kind: 'string', valueName: 'PATH', schema: z.string().min(1).nullable().describe('the path of a unix-domain socket'), defaultText: 'none', help: 'listen on a unix-domain socket instead of host and port', peer: 'gunicorn bind unix:PATH' },
  { key: 'socketMode', flag: 'socket-mode', kind: 'string', valueName: 'MODE', schema: z.string().regex(/^0?[0-7]{3}$/).describe('an octal file mode such as 660'), defaultText: '660', help: 'permissions of the unix-domain socket', peer: 'php-fpm listen.mode 0660' },
  { key: 'backlog', flag: 'backlog', kind: 'int', valueName: 'N', schema: z.number().int().min(1).max(65535).describe('an integer from 1 to 65535'), defaultText: String(DEFAULT_BACKLOG), help: 'pending connections the kernel queues', peer: 'gunicorn backlog 2048' },
  { key: 'workers', flag: 'workers', short: 'w', kind: 'int', valueName: 'N', schema: z.number().int().min(1).max(MAX_WORKERS).describe(`an integer from 1 to ${MAX_WORKERS}`), defaultText: 'one per core', help: 'worker processes', peer: 'uvicorn/gunicorn --workers (gunicorn defaults to 1; one per core uses the machine)' },
  { key: 'timeout', flag: 'timeout', short: 't', kind: 'seconds', valueName: 'S', schema: seconds('request deadline and heartbeat limit'), defaultText: String(DEFAULT_TIMEOUT_S), help: 'answer a request running longer with 504, and kill a worker whose event loop is blocked this long', peer: 'gunicorn timeout 30; mod_wsgi request-timeout' },
  { key: 'gracefulTimeout', flag: 'graceful-timeout', kind: 'seconds', valueName: 'S', schema: seconds('time to drain on stop'), defaultText: String(DEFAULT_GRACEFUL_TIMEOUT_S), help: 'time in-flight requests get on stop, reload and recycling before the worker is killed', peer: 'gunicorn graceful_timeout 30' },
  { key: 'startupTimeout', flag: 'startup-timeout', kind: 'seconds', valueName: 'S', schema: seconds('time for a worker to become ready', 0.1), defaultText: String(DEFAULT_STARTUP_TIMEOUT_S), help: 'time a worker gets to load the app and run lifespan startup', peer: 'mod_wsgi startup-timeout (express 15)' },
  { key: 'keepAlive', flag: 'keep-alive', kind: 'seconds', valueName: 'S', schema: seconds('idle time of a keep-alive connection'), defaultText: String(DEFAULT_KEEP_ALIVE_S), help: 'idle time allowed between requests on a connection', peer: 'node:http keepAliveTimeout 5 (gunicorn keepalive 2)' },
  { key: 'maxRequests', flag: 'max-requests', kind: 'int', valueName: 'N', schema: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('an integer from 0 (0 turns it off)'), defaultText: '0', help: 'recycle a worker after this many requests', peer: 'gunicorn max_requests 0; mod_wsgi maximum-requests' },
  { key: 'maxRequestsJitter', flag: 'max-requests-jitter', kind: 'int', valueName: 'N', schema: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).describe('an integer from 0'), defaultText: '0', help: 'add a random 0..N to each worker\'s --max-requests so workers do not recycle together', peer: 'gunicorn max_requests_jitter 0' },
  { key: 'maxMemory', flag: 'max-memory', kind: 'size', valueName: 'SIZE', schema: size('resident memory of a worker'), defaultText: '0 (off)', help: 'recycle a worker whose RSS passes this; kill it past 1.5 times this', peer: 'mod_wsgi memory-limit' },
  { key: 'maxBodySize', flag: 'max-body-size', kind: 'size', valueName: 'SIZE', schema: size('largest request body'), defaultText: '1G', help: 'largest request body; larger ones get 413', peer: 'Apache LimitRequestBody 1 GiB' },
  { key: 'trustedProxies', flag: 'trusted-proxy', kind: 'list', valueName: 'ADDR', schema: z.array(z.string().min(1)).describe('IP addresses, CIDR ranges, "loopback" or "unix"'), defaultText: 'none', help: 'peer whose Forwarded/X-Forwarded-* headers are believed (repeatable)', peer: 'gunicorn forwarded_allow_ips; mod_wsgi WSGITrustedProxies' },
  { key: 'user', flag: 'user', short: 'u', kind: 'string', valueName: 'USER', schema: idName.nullable().describe('a user name or numeric uid'), defaultText: 'none', help: 'when started as root, workers switch to this user before loading the app', peer: 'gunicorn user; mod_wsgi user=' },
  { key: 'group', flag: 'group', short: 'g', kind: 'string', valueName: 'GROUP', schema: idName.nullable().describe('a group name or numeric gid'), defaultText: "the user's group", help: 'group the workers switch to', peer: 'gunicorn group; mod_wsgi group=' },
  { key: 'allowRoot', flag: 'allow-root', kind: 'boolean', schema: z.boolean().describe('true or false'), defaultText: 'false', help: 'let the application run as root (SEC-PRIV-1 refuses it otherwise)', peer: 'none: php-fpm refuses root without -R' },
  { key: 'reload', flag: 'reload', kind: 'boolean', schema: z.boolean().describe('true or false'), defaultText: 'false', help: 'development: restart workers when a source file changes', peer: 'gunicorn --reload; mod_wsgi-express --reload-on-changes' },
  { key: 'accessLog', flag: 'access-log', kind: 'string', valueName: 'PATH', schema: z.string().min(1).nullable().describe('a file path, or "-" for standard output'), defaultText: 'none', help: 'write an access log line per request', peer: 'gunicorn accesslog None' },
  { key: 'accessLogFormat', flag: 'access-log-format', kind: 'enum', valueName: 'FMT', schema: z.enum(['combined', 'json']).describe('"combined" or "json"'), defaultText: 'combined', help: 'Apache combined format, or one JSON object per line', peer: 'Apache LogFormat combined' },
  { key: 'errorLog', flag: 'error-log', kind: 'string', valueName: 'PATH', schema: z.string().min(1).describe('a file path, or "-" for standard error'), defaultText: '-', help: 'where server messages and tsgi.errors go', peer: "gunicorn errorlog '-'" },
  { key: 'logLevel', flag: 'log-level', kind: 'enum', valueName: 'LEVEL', schema: z.enum(['debug', 'info', 'warning', 'error']).describe('"debug", "info", "warning" or "error"'), defaultText: 'info', help: 'least severe server message written to the error log', peer: 'gunicorn loglevel info' },
  { key: 'healthPath', flag: 'health-path', kind: 'string', valueName: 'PATH', schema: urlPath('health endpoint'), defaultText: 'none', help: 'answer this path with 200 ok (503 while draining) without calling the app', peer: 'php-fpm ping.path' },
  { key: 'metricsPath', flag: 'metrics-path', kind: 'string', valueName: 'PATH', schema: urlPath('metrics endpoint'), defaultText: 'none', help: 'answer this path with Prometheus metrics of all workers', peer: 'mod_wsgi server-metrics' },
  { key: 'procName', flag: 'proc-name', kind: 'string', valueName: 'NAME', schema: z.string().min(1).max(64).describe('a name of 1 to 64 characters'), defaultText: 'tsgi', help: 'process title prefix, as "tsgi: worker 2"', peer: 'gunicorn proc_name' },
  { key: 'mounts', flag: 'mount', kind: 'list', valueName: 'PREFIX=APP', schema: z.array(mountEntry).describe('PREFIX=MODULE[:EXPORT] entries'), defaultText: 'none', help: 'also serve the app MODULE at URL PREFIX (repeatable)', peer: 'mod_wsgi WSGIScriptAlias; Plack::App::URLMap' },
];

const BY_KEY = new Map(OPTIONS.map((o) => [o.key, o]));

/** The spec of an option by its key. */
export function optionSpec(key: string): OptionSpec | undefined {
  return BY_KEY.get(key);
}

/** Options as validated and frozen: what the supervisor and workers run with. */
export interface ServerOptions {
  /** The root application, `abs/path.ts[:export]`, or null when only mounts are served. */
  readonly app: string | null;
  readonly mounts: readonly MountSpec[];
  readonly host: string;
  readonly port: number;
  readonly unixSocket: string | null;
  readonly socketMode: number;
  readonly backlog: number;
  readonly workers: number;
  readonly timeout: number;
  readonly gracefulTimeout: number;
  readonly startupTimeout: number;
  readonly keepAlive: number;
  readonly maxRequests: number;
  readonly maxRequestsJitter: number;
  readonly maxMemory: number;
  readonly maxBodySize: number;
  readonly trustedProxies: readonly string[];
  readonly user: string | number | null;
  readonly group: string | number | null;
  readonly allowRoot: boolean;
  readonly reload: boolean;
  readonly accessLog: string | null;
  readonly accessLogFormat: 'combined' | 'json';
  readonly errorLog: string;
  readonly logLevel: 'debug' | 'info' | 'warning' | 'error';
  readonly healthPath: string | null;
  readonly metricsPath: string | null;
  readonly procName: string;
}

/** Options as a caller of `startServer()` or a config file writes them; every key optional. */
export type ServerOptionsInput = {
  [K in keyof ServerOptions]?: K extends 'mounts'
    ? ReadonlyArray<string | MountSpec> | Readonly<Record<string, string>>
    : K extends 'maxMemory' | 'maxBodySize' | 'socketMode'
      ? number | string
      : ServerOptions[K] | null;
};

export function defaultOptions(): Omit<ServerOptions, 'app' | 'mounts'> {
  return {
    host: DEFAULT_HOST,
    port: DEFAULT_PORT,
    unixSocket: null,
    socketMode: 0o660,
    backlog: DEFAULT_BACKLOG,
    workers: Math.min(availableParallelism(), MAX_WORKERS),
    timeout: DEFAULT_TIMEOUT_S,
    gracefulTimeout: DEFAULT_GRACEFUL_TIMEOUT_S,
    startupTimeout: DEFAULT_STARTUP_TIMEOUT_S,
    keepAlive: DEFAULT_KEEP_ALIVE_S,
    maxRequests: 0,
    maxRequestsJitter: 0,
    maxMemory: 0,
    maxBodySize: DEFAULT_MAX_BODY_BYTES,
    trustedProxies: [],
    user: null,
    group: null,
    allowRoot: false,
    reload: false,
    accessLog: null,
    accessLogFormat: 'combined',
    errorLog: '-',
    logLevel: 'info',
    healthPath: null,
    metricsPath: null,
    procName: 'tsgi',
  };
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `512M` → bytes; anything else is returned unchanged for the schema to reject. */
export function parseSize(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value);
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  return m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : value;
}

/** Turns a flag's text into the value its schema expects; text that does not fit is kept, so the schema names it. */
export function fromFlagText(spec: OptionSpec, text: string): unknown {
  switch (spec.kind) {
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case 'seconds':
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case 'size':
      return parseSize(text);
    default:
      return text;
  }
}

/** Where a value came from, for error messages. */
export type OptionSource = { readonly kind: 'flag' } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'api' };

export function describeSource(spec: OptionSpec | undefined, key: string, source: OptionSource): string {
  if (source.kind === 'flag') return spec ? `--${spec.flag}` : key;
  if (source.kind === 'file') return `"${key}" in ${source.path}`;
  return `option "${key}"`;
}

/** Shows a rejected value as the user wrote it. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** Validates one option's value; throws TSGI_ERR_OPTS_INVALID naming the field, the value and what is allowed. */
export function checkOption(key: string, value: unknown, source: OptionSource): unknown {
  const spec = BY_KEY.get(key);
  if (!spec) {
    const known = OPTIONS.map((o) => (source.kind === 'flag' ? `--${o.flag}` : o.key)).join(', ');
    throw new ServerError('TSGI_ERR_OPTS_UNKNOWN', `${source.kind === 'flag' ? `--${key}` : describeSource(undefined, key, source)} is not an option; known: ${known}`);
  }
  let input = value;
  if (spec.kind === 'size') input = parseSize(value);
  if (key === 'socketMode' && typeof input === 'number') input = input.toString(8);
  const result = spec.schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const index = issue?.path[0];
    // For a repeatable option, name the one entry that is wrong.
    const [shown, where] = Array.isArray(value) && typeof index === 'number' ? [value[index], ` entry ${index}`] : [value, ''];
    throw new ServerError(
      'TSGI_ERR_OPTS_INVALID',
      `${describeSource(spec, key, source)}${where} is ${showValue(shown)}; allowed: ${spec.schema.description ?? issue?.message}`,
    );
  }
  return result.data;
}
