import type { Readable, Writable } from 'node:stream';
import { TsgiError } from '@tsgi/gateway-spec/server-kit';

/** Options of `runCgi`. All are optional: a CGI script normally passes none. */
export interface CgiOptions {
  /** The meta-variables; default `process.env`. Tests inject their own. */
  readonly env?: NodeJS.ProcessEnv;
  /** The request body; default `process.stdin`, opened only when the application reads it. */
  readonly stdin?: Readable | (() => Readable);
  /** Where the response goes; default standard output (file descriptor 1, written directly). */
  readonly stdout?: Writable;
  /** One line for the host's error log; default standard error. */
  readonly log?: (line: string) => void;
  /**
   * The URL prefix of the application, when the host's SCRIPT_NAME is not it
   * (a catch-all ScriptAliasMatch or rewrite): SCRIPT_NAME + PATH_INFO is
   * split again at it, and a path outside it gets 404.
   */
  readonly scriptName?: string;
  /** Largest request body accepted; a larger CONTENT_LENGTH is answered 413 (INPUT-FLOW-3). Default: no limit (the host's LimitRequestBody applies). */
  readonly maxBodyBytes?: number;
  /**
   * Write a non-parsed-header response (an HTTP status line, RFC 3875 §5).
   * Default: when the script's file name starts with `nph-` and the host is
   * Apache (SERVER_SOFTWARE), the one host that sends such output unread.
   */
  readonly nph?: boolean;
  /**
   * After a body fails half-way (ERR-APP-2), keep standard output open this
   * long before exiting. CGI hosts end a response cleanly when the script's
   * output ends, so the client cannot tell a cut body from a whole one; Apache
   * instead aborts the response (no last chunk) when its read `Timeout` passes
   * first. Set it above the host's Timeout to make truncation visible, at the
   * cost of a process held that long. Default 0: exit at once.
   */
  readonly holdOnFailureMs?: number;
  /**
   * After the response (standard output is closed then, so the client is not
   * kept waiting) and `shutdown`, the process stays until the event loop is
   * empty, so that work the application left running (a write in a `finally`,
   * a log flush) completes; at most this long, for handles that never close
   * (a connection pool). Default 2000 for the process's own standard output,
   * 0 with an injected `stdout`.
   */
  readonly lingerMs?: number;
  /** How long `shutdown` may take after the response (LIFE-STOP-2). Default 5000. */
  readonly shutdownTimeoutMs?: number;
  /**
   * End the process when done (after the linger), with the exit code, instead
   * of resolving to it. Default: true when `stdout` is not given.
   */
  readonly exit?: boolean;
}

/** Default time `shutdown` gets after the response; the host is waiting for the process to end. */
export const CGI_SHUTDOWN_TIMEOUT_MS = 5_000;

function fail(detail: string): never {
  throw new TsgiError('TSGI_ERR_INVALID_ARGUMENT', `runCgi: ${detail}`);
}

/**
 * Checks the options once, at the boundary. By hand rather than with zod:
 * this runs in every CGI process, where loading zod would cost more than the
 * whole request.
 */
export function checkCgiOptions(options: unknown): asserts options is CgiOptions {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) fail('options must be an object');
  const o = options as Record<string, unknown>;
  const known = new Set(['env', 'stdin', 'stdout', 'log', 'scriptName', 'maxBodyBytes', 'nph', 'shutdownTimeoutMs', 'holdOnFailureMs', 'lingerMs', 'exit']);
  for (const key of Object.keys(o)) if (!known.has(key)) fail(`unknown option ${JSON.stringify(key)}`);
  if (o.env !== undefined && (typeof o.env !== 'object' || o.env === null)) fail('env must be an object of strings');
  if (o.stdin !== undefined && typeof o.stdin !== 'function' && typeof (o.stdin as Readable)?.on !== 'function') fail('stdin must be a readable stream or a function returning one');
  if (o.stdout !== undefined && typeof (o.stdout as Writable)?.write !== 'function') fail('stdout must be a writable stream');
  if (o.log !== undefined && typeof o.log !== 'function') fail('log must be a function');
  if (o.scriptName !== undefined && (typeof o.scriptName !== 'string' || (o.scriptName !== '' && (!o.scriptName.startsWith('/') || o.scriptName.endsWith('/'))))) {
    fail('scriptName must be "" or start with "/" and not end with "/" (ENV-PATH-1)');
  }
  for (const key of ['maxBodyBytes', 'shutdownTimeoutMs', 'holdOnFailureMs', 'lingerMs'] as const) {
    const value = o[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) fail(`${key} must be a non-negative integer`);
  }
  for (const key of ['nph', 'exit'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') fail(`${key} must be a boolean`);
  }
}
