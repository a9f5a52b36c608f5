/**
 * Every operational error of @tsgi/server, as one table (fastify's
 * lib/errors.js): a `TSGI_ERR_<AREA>_<WHAT>` code, what it means, and the exit
 * status of the `tsgi` command when it ends the server. Each code is documented
 * in docs/deploy/server.md; `errors.test.ts` fails when one is missing there.
 * @module
 */

/** Exit statuses of `tsgi` (gunicorn uses 3 for a worker that cannot boot). */
export const EXIT_OK = 0;
/** A failure while running: the socket could not be bound, a log could not be opened. */
export const EXIT_FAILURE = 1;
/** A bad command line, option or config file: nothing was started. */
export const EXIT_USAGE = 2;
/** The application could not be loaded or its lifespan startup failed. */
export const EXIT_APP_BOOT = 3;

interface ErrorEntry {
  /** What went wrong, in words; the thrown message adds the details. */
  readonly meaning: string;
  /** Exit status of `tsgi serve` when this error stops it. */
  readonly exit: number;
}

export const ERRORS = {
  TSGI_ERR_CLI_USAGE: { meaning: 'the command line names no command, an unknown command, or no application', exit: EXIT_USAGE },
  TSGI_ERR_OPTS_INVALID: { meaning: 'an option has a value outside what it allows', exit: EXIT_USAGE },
  TSGI_ERR_OPTS_UNKNOWN: { meaning: 'a flag or a config-file key names no option', exit: EXIT_USAGE },
  TSGI_ERR_CONFIG_NOT_FOUND: { meaning: 'the file given to --config does not exist', exit: EXIT_USAGE },
  TSGI_ERR_CONFIG_READ: { meaning: 'the config file cannot be read, parsed or imported, or does not hold an object', exit: EXIT_USAGE },
  TSGI_ERR_APP_NOT_FOUND: { meaning: 'the application module file does not exist', exit: EXIT_USAGE },
  TSGI_ERR_APP_IMPORT: { meaning: 'importing the application module threw', exit: EXIT_APP_BOOT },
  TSGI_ERR_APP_EXPORT: { meaning: 'the module has no such export, or it is not a TSGI application', exit: EXIT_APP_BOOT },
  TSGI_ERR_APP_STARTUP: { meaning: "the application's lifespan startup threw or rejected (LIFE-START-2)", exit: EXIT_APP_BOOT },
  TSGI_ERR_APP_STARTUP_TIMEOUT: { meaning: 'a worker was not ready within --startup-timeout', exit: EXIT_APP_BOOT },
  TSGI_ERR_BOOT_FAILED: { meaning: 'no worker could start: the first generation failed, or too many replacements failed in a row', exit: EXIT_APP_BOOT },
  TSGI_ERR_LISTEN_FAILED: { meaning: 'the listening socket could not be bound (address in use, permission denied)', exit: EXIT_FAILURE },
  TSGI_ERR_LOG_OPEN: { meaning: 'a log file given to --access-log or --error-log cannot be opened for appending', exit: EXIT_FAILURE },
  TSGI_ERR_PRIV_ROOT: { meaning: 'started as root without --user and without --allow-root: the application would run as root (SEC-PRIV-1)', exit: EXIT_USAGE },
  TSGI_ERR_PRIV_USER: { meaning: 'the user or group given to --user or --group does not exist', exit: EXIT_USAGE },
  TSGI_ERR_PRIV_DROP: { meaning: 'a worker could not switch to the user and group (not started as root, or the call failed)', exit: EXIT_APP_BOOT },
  TSGI_ERR_WORKER_CRASH: { meaning: 'a worker exited without being asked to; it is replaced after a back-off', exit: EXIT_OK },
  TSGI_ERR_WORKER_TIMEOUT: { meaning: 'a worker sent no heartbeat for --timeout seconds (blocked event loop); it is killed and replaced', exit: EXIT_OK },
  TSGI_ERR_WORKER_MEMORY: { meaning: "a worker's resident memory passed --max-memory; it is recycled", exit: EXIT_OK },
  TSGI_ERR_SHUTDOWN_TIMEOUT: { meaning: 'a worker did not finish within --graceful-timeout; it is killed', exit: EXIT_OK },
  TSGI_ERR_RELOAD_FAILED: { meaning: 'the new workers of a reload could not start; the old ones keep serving', exit: EXIT_OK },
  TSGI_ERR_REQUEST_TIMEOUT: { meaning: 'a request ran longer than --timeout: answered 504, tsgi.signal aborted with TSGI_ERR_TIMEOUT', exit: EXIT_OK },
} as const satisfies Record<`TSGI_ERR_${string}`, ErrorEntry>;

export type ServerErrorCode = keyof typeof ERRORS;

const BRAND = Symbol.for('tsgi.server.error');

/** The one error class of this package; `code` says which entry of ERRORS it is. */
export class ServerError extends Error {
  readonly [BRAND] = true;
  constructor(readonly code: ServerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ServerError';
  }

  /** The exit status the command ends with for this error. */
  get exitCode(): number {
    return ERRORS[this.code].exit;
  }
}

/** True for a ServerError from any copy of this package (undici's Symbol.for brand). */
export function isServerError(value: unknown): value is ServerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
