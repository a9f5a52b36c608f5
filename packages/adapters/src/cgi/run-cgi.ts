import { writeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import {
  BadRequest, callApplication, cancelReason, createErrorStream, describeError, serverResponse, startApplication,
  type AppInstance, type ApplicationObject, type Environ, type TsgiResponse,
} from '@tsgi/gateway-spec/server-kit';
import { cgiEnviron, parseCgiRequest, type CgiVariables } from '../shared/cgi-variables.js';
import { removeProxyVariable } from './httpoxy.js';
import { LOCAL_REDIRECT, localRedirectOf } from './local-redirect.js';
import { CGI_SHUTDOWN_TIMEOUT_MS, checkCgiOptions, type CgiOptions } from './options.js';
import { fdSink } from './fd-sink.js';
import { streamSink, type OutputSink } from './output-sink.js';
import { cgiVariablesFromEnv } from './process-env.js';
import { formatLocalRedirect, headBytes } from './response-head.js';
import { writeCgiResponse, type WriteOptions, type WriteOutcome } from './response-writer.js';
import { StdinInput } from './stdin-input.js';
import { closeStdio } from './stdio.js';

/** What the CGI adapter declares in `tsgi.extensions` (EXT-DECL-1). */
const EXTENSIONS = Object.freeze({ [LOCAL_REDIRECT]: true });

/** Time the application gets to stop after the host's SIGTERM before the process exits. */
export const SIGTERM_GRACE_MS = 2_000;

/** Longest the process stays after the response for the application's pending work (see `lingerMs`). */
export const CGI_LINGER_MS = 2_000;

/** Exit codes: the host ignores them, but they name the outcome in its log and in tests. */
export const CGI_EXIT = Object.freeze({
  /** A response was written whole (also a 4xx or 500 the adapter made). */
  OK: 0,
  /** Output ended early (ERR-APP-2), the host went away, or the application could not start. */
  FAILED: 1,
  /** Not started as a CGI script (no REQUEST_METHOD). */
  USAGE: 2,
});

/** One line to standard error, which CGI hosts put into their error log. Synchronous: no stream to set up, nothing lost at exit. */
function stderrLine(line: string): void {
  try {
    writeSync(2, line.endsWith('\n') ? line : line + '\n');
  } catch {
    process.stderr.write(line + '\n');
  }
}

/**
 * An NPH script (RFC 3875 §5): its file name starts with `nph-` and the host
 * is Apache, whose mod_cgi/mod_cgid send such a script's output to the client
 * unread. Other hosts (lighttpd, nginx + fcgiwrap) parse the output of every
 * script, so there an `nph-` name gets an ordinary parsed-header response: an
 * HTTP head of our own would be parsed, and a chunked body framed twice.
 */
function isNphScript(vars: CgiVariables): boolean {
  const file = vars.SCRIPT_FILENAME ?? vars.SCRIPT_NAME ?? '';
  return file.slice(file.lastIndexOf('/') + 1).startsWith('nph-') && /^Apache\b/.test(vars.SERVER_SOFTWARE ?? '');
}

function nphProtocol(vars: CgiVariables): string {
  return vars.SERVER_PROTOCOL === 'HTTP/1.0' ? 'HTTP/1.0' : 'HTTP/1.1';
}

/**
 * Serves one CGI request with a TSGI application (RFC 3875): the request from
 * the environment and standard input, the response to standard output, log
 * lines to standard error. Runs `startup`, the request and `shutdown`
 * (section 9), then, unless `exit: false`, ends the process with the exit
 * code it also resolves to (see CGI_EXIT).
 */
export async function runCgi(app: unknown, options: CgiOptions = {}): Promise<number> {
  checkCgiOptions(options);
  const env = options.env ?? process.env;
  if (env === process.env) removeProxyVariable();
  const exit = options.exit ?? options.stdout === undefined;
  const log = options.log ?? stderrLine;
  const controller = new AbortController();
  // CANCEL-SIG-3: once the response is complete (and the output closed), nothing aborts the signal.
  const state = { complete: false };
  const onGone = (error: unknown) => {
    if (state.complete || controller.signal.aborted) return;
    log(`tsgi-cgi: the host stopped taking the response (client gone): ${String((error as Error)?.message ?? error)}`);
    controller.abort(cancelReason('TSGI_ERR_CLIENT_GONE', String((error as Error)?.message ?? error)));
  };
  // The process's own standard output is written with write(2) on fd 1 (fd-sink.ts); an injected stream as a stream.
  const sink = options.stdout ? streamSink(options.stdout, onGone) : fdSink(onGone);
  let onSigterm: (() => void) | undefined;
  if (exit) {
    // The host ends a script it gave up on (client gone, its Timeout) with SIGTERM, then SIGKILL.
    onSigterm = () => {
      if (!state.complete) controller.abort(cancelReason('TSGI_ERR_CLIENT_GONE', 'the CGI host sent SIGTERM'));
      setTimeout(() => process.exit(128 + 15), SIGTERM_GRACE_MS).unref();
    };
    process.once('SIGTERM', onSigterm);
  }
  // The request in flight keeps the process alive, as a listening socket keeps a server: an
  // application that awaits only unref'd timers or promises must not see Node exit mid-response.
  const inFlight = setInterval(() => {}, 2 ** 31 - 1);
  let code: number;
  try {
    code = await serve(app, env, options, sink, log, controller, state);
  } catch (error) {
    // A bug of the adapter itself: the host sees what was written, the log says why.
    log(`tsgi-cgi: internal error: ${describeError(error)}`);
    code = CGI_EXIT.FAILED;
  }
  clearInterval(inFlight);
  if (onSigterm) process.off('SIGTERM', onSigterm);
  // Paths that answered without reading the request (a refusal, a failed startup) close the same way.
  if (options.stdin === undefined && options.stdout === undefined) closeStdio(0);
  await sink.close();
  const lingerMs = options.lingerMs ?? (options.stdout === undefined ? CGI_LINGER_MS : 0);
  if (lingerMs > 0) await quiescence(lingerMs);
  if (exit) process.exit(code);
  return code;
}

/**
 * Resolves when the event loop has nothing left to do (the application's
 * last timers and writes after the response are done), or after `ms` when
 * something keeps it busy (a connection pool left open).
 */
function quiescence(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      process.off('beforeExit', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    process.once('beforeExit', done);
  });
}

async function serve(
  app: unknown, env: NodeJS.ProcessEnv, options: CgiOptions, sink: OutputSink, log: (line: string) => void,
  controller: AbortController, state: { complete: boolean },
): Promise<number> {
  const vars = cgiVariablesFromEnv(env);
  if (vars.REQUEST_METHOD === undefined) {
    log('tsgi-cgi: REQUEST_METHOD is not set: this is a CGI script, to be run by a web server (for a test by hand: REQUEST_METHOD=GET)');
    return CGI_EXIT.USAGE;
  }
  const method = vars.REQUEST_METHOD;
  const label = `${method} ${vars.REQUEST_URI ?? (vars.SCRIPT_NAME ?? '') + (vars.PATH_INFO ?? '')}`;
  const errors = createErrorStream(log);
  const writeOptions: WriteOptions = {
    method,
    nphProtocol: options.nph ?? isNphScript(vars) ? nphProtocol(vars) : null,
    log,
    signal: controller.signal,
    label,
  };

  let instance: AppInstance;
  try {
    instance = await startApplication(app, { errors, multithread: false, multiprocess: true, extensions: EXTENSIONS });
  } catch (error) {
    // LIFE-START-2: this instance never serves; the client gets a plain 500, the log the reason.
    log(`tsgi-cgi: the application failed to start (LIFE-START-2): ${describeError(error)}`);
    await writeCgiResponse(await serverResponse(500), sink, writeOptions);
    return CGI_EXIT.FAILED;
  }

  let stdin: StdinInput | undefined;
  try {
    let request;
    try {
      request = parseCgiRequest(vars, options);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      log(`tsgi-cgi: ${label}: refused with ${error.status} (${error.message})`);
      const outcome = await writeCgiResponse(await serverResponse(error.status), sink, writeOptions);
      return outcome === 'complete' ? CGI_EXIT.OK : CGI_EXIT.FAILED;
    }
    const source = options.stdin;
    stdin = new StdinInput({
      open: typeof source === 'function' ? source : () => (source as Readable | undefined) ?? process.stdin,
      contentLength: request.contentLength,
      toEof: request.bodyToEof,
      // Only when the whole request is the process's own (tests inject streams and keep their descriptors).
      processStdin: source === undefined && options.stdout === undefined,
    });
    const environ = cgiEnviron(request, {
      input: stdin.input,
      errors,
      signal: controller.signal,
      state: instance.state,
      extensions: instance.extensions,
      multithread: false,
      multiprocess: true,
      runOnce: true,
    });
    const outcome = await respond(instance.app, environ, sink, writeOptions);
    errors.flush();
    if (outcome === 'truncated' && options.holdOnFailureMs) {
      log(`tsgi-cgi: ${label}: holding standard output open for ${options.holdOnFailureMs} ms, so that the host aborts the response (holdOnFailureMs)`);
      await new Promise((resolve) => setTimeout(resolve, options.holdOnFailureMs));
    }
    if (outcome === 'complete') state.complete = true;
    // The host ends the response when standard output (and, for mod_cgid, input: one socket) is
    // closed: now, not after shutdown and the linger. The unread body is drained first.
    await stdin.drain();
    stdin.close();
    await sink.close();
    return outcome === 'complete' ? CGI_EXIT.OK : CGI_EXIT.FAILED;
  } finally {
    try {
      await instance.stop(options.shutdownTimeoutMs ?? CGI_SHUTDOWN_TIMEOUT_MS);
    } catch (error) {
      log(`tsgi-cgi: the application's shutdown failed: ${describeError(error)}`);
    }
  }
}

/** Calls the application and writes what it answered: a response, or a local redirect (RFC 3875 §6.2.2). */
async function respond(app: ApplicationObject, environ: Environ, sink: OutputSink, options: WriteOptions): Promise<WriteOutcome> {
  let answered: TsgiResponse | undefined;
  // callApplication checks the response and keeps status, headers and body; the extension key is read here.
  const handle = async (env: Environ) => (answered = await app.handle(env));
  const prepared = await callApplication({ handle }, environ, options.log, options.label);
  if (prepared.isServerError) return writeCgiResponse(prepared, sink, options);
  let location: string | null;
  try {
    location = localRedirectOf(answered);
    // An NPH script's output goes to the client unread: the host cannot redirect.
    if (location !== null && options.nphProtocol !== null) throw new Error(`${LOCAL_REDIRECT} is not possible from an NPH script`);
  } catch (error) {
    options.log(`${options.label}: answered 500: ${(error as Error).message}`);
    logClose(await prepared.body.close(), options);
    return writeCgiResponse(await serverResponse(500), sink, options);
  }
  if (location === null) return writeCgiResponse(prepared, sink, options);
  logClose(await prepared.body.close(), options);
  try {
    await sink.write(headBytes(formatLocalRedirect(location)));
    return 'complete';
  } catch {
    return 'gone';
  }
}

function logClose(error: unknown, options: WriteOptions): void {
  if (error !== undefined) options.log(`${options.label}: the body's return() failed: ${describeError(error)}`);
}
