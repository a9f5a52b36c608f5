import { SpecViolation, isSpecViolation } from '../errors.js';
import type { ApplicationObject, Environ, HeaderList, TsgiResponse } from '../types.js';
import { isPlainlyValidResponse } from './fast-check.js';
import { describeValue } from './application.js';
import { discardResponseBody, enforceLength, inMemoryBody, openBody, type BodySource } from './body.js';
import { statusText } from './status-text.js';

/**
 * The full response validator, loaded the first time a response is not plainly
 * valid. It imports the zod schemas: about 40 ms of start-up a CGI process
 * would otherwise pay on every request for a check the fast path makes moot.
 */
let validator: Promise<typeof import('../validator/response.js')> | undefined;
function loadValidator(): Promise<typeof import('../validator/response.js')> {
  return (validator ??= import('../validator/response.js'));
}

/** A response checked and ready to write: what every server's writer starts from. */
export interface PreparedResponse {
  readonly status: number;
  /** The application's headers, checked (RESP-HDR-8), in order (RESP-HDR-7). */
  readonly headers: HeaderList;
  readonly body: BodySource;
  /** Length to frame with (BODY-LEN-1): the application's Content-Length, else the known length, else null. */
  readonly contentLength: number | null;
  /** True when the application sent Content-Length itself. */
  readonly hasContentLength: boolean;
  /** True when this is a response the server made for an error (ERR-APP-1). */
  readonly isServerError: boolean;
}

/**
 * Where the request cycle reports problems: the server's error log. `error` is
 * the thrown value behind the line, when there is one, for servers that log
 * structured data or, like the test client, hand it back to the caller.
 */
export type ErrorLog = (message: string, error?: unknown) => void;

/** One line for the log: the error's message and stack, never sent to the client (SEC-ERR-1). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `non-Error thrown: ${describeValue(error)}`;
}

/** A short plain-text response the server makes itself, revealing nothing (SEC-ERR-1). */
export async function serverResponse(status: number, extraHeaders: HeaderList = []): Promise<PreparedResponse> {
  const text = `${statusText(status)}\n`;
  const body = await openBody(text);
  return {
    status,
    headers: [['content-type', 'text/plain; charset=utf-8'], ...extraHeaders],
    body,
    contentLength: body.length,
    hasContentLength: false,
    isServerError: true,
  };
}


/**
 * The application's Content-Length (RESP-HDR-9), or null. Throws a SpecViolation
 * when the server could not frame the response by it: a value that is not
 * decimal digits, differing repeats, or a body of known length that disagrees
 * (caught here, before the head is sent, so the client gets a clean 500 rather
 * than a truncated body). A bodyless response (HEAD, 204, 304) may announce the
 * length the body would have had (RFC 9110 §8.6).
 */
function declaredLength(headers: HeaderList, knownLength: number | null, bodyless: boolean): number | null {
  let declared: string | null = null;
  for (const [name, value] of headers) {
    if (name.length !== 14 || name.toLowerCase() !== 'content-length') continue;
    if (!/^\d+$/.test(value)) throw new SpecViolation('RESP-HDR-9', `Content-Length ${JSON.stringify(value)} is not decimal digits`);
    if (declared !== null && Number(declared) !== Number(value)) {
      throw new SpecViolation('RESP-HDR-9', `two different Content-Length values: ${declared} and ${value}`);
    }
    declared = value;
  }
  if (declared === null) return null;
  const length = Number(declared);
  if (!Number.isSafeInteger(length)) throw new SpecViolation('RESP-HDR-9', `Content-Length ${declared} is too large`);
  if (!bodyless && knownLength !== null && knownLength !== length) {
    throw new SpecViolation('RESP-HDR-9', `Content-Length is ${length} but the body is ${knownLength} bytes`);
  }
  return length;
}

/**
 * Calls the application for one request and returns a response that is safe to
 * write: the application's own, or a 500 when it threw, rejected or returned
 * something invalid (ERR-APP-1, RESP-HDR-8). `label` names the request in logs
 * (ERR-APP-4).
 */
export async function callApplication(
  app: ApplicationObject,
  environ: Environ,
  log: ErrorLog,
  label?: string,
): Promise<PreparedResponse> {
  return prepareResponse(app, environ, log, label);
}

/**
 * `callApplication` without a promise where none is needed: when the handler
 * answers synchronously with a plainly valid response whose body is in memory
 * (the common case), the PreparedResponse comes back at once; otherwise a
 * promise of it. Never throws or rejects. For servers on a hot path: a promise
 * and an async frame per request are measurable.
 */
export function prepareResponse(
  app: ApplicationObject,
  environ: Environ,
  log: ErrorLog,
  label?: string,
): PreparedResponse | Promise<PreparedResponse> {
  let returned: unknown;
  try {
    returned = app.handle(environ);
  } catch (error) {
    return handlerFailed(error, environ, log, label);
  }
  if (isThenable(returned)) {
    return Promise.resolve(returned).then(
      (response) => checkResponse(response, environ, log, label),
      (error: unknown) => handlerFailed(error, environ, log, label),
    );
  }
  return checkResponse(returned as TsgiResponse, environ, log, label);
}

function labelOf(environ: Environ, label: string | undefined): string {
  return label ?? `${environ.REQUEST_METHOD} ${environ.REQUEST_URI}`;
}

function handlerFailed(error: unknown, environ: Environ, log: ErrorLog, label: string | undefined): Promise<PreparedResponse> {
  // A SpecViolation here comes from a validate() wrapper inside the application: name its id (RESP-HDR-8).
  const what = isSpecViolation(error) ? `broke ${error.requirement}, answered 500` : 'the application failed';
  log(`${labelOf(environ, label)}: ${what} (ERR-APP-1): ${describeError(error)}`, error);
  return serverResponse(500);
}

function checkResponse(response: TsgiResponse, environ: Environ, log: ErrorLog, label: string | undefined): PreparedResponse | Promise<PreparedResponse> {
  // The full validator only when the quick check cannot vouch for the response.
  if (!isPlainlyValidResponse(response, environ.REQUEST_METHOD)) return validateFully(response, environ, log, label);
  return openChecked(response, environ, log, label);
}

async function validateFully(response: TsgiResponse, environ: Environ, log: ErrorLog, label: string | undefined): Promise<PreparedResponse> {
  try {
    const validator: typeof import('../validator/response.js') = await loadValidator();
    validator.assertValidResponse(response, { method: environ.REQUEST_METHOD });
  } catch (error) {
    const id = isSpecViolation(error) ? error.requirement : 'RESP-SHAPE-1';
    log(`${labelOf(environ, label)}: invalid response, answered 500 (${id}, RESP-HDR-8): ${error instanceof Error ? error.message : String(error)}`, error);
    await discardResponseBody(response);
    return serverResponse(500);
  }
  return openChecked(response, environ, log, label);
}

function openChecked(response: TsgiResponse, environ: Environ, log: ErrorLog, label: string | undefined): PreparedResponse | Promise<PreparedResponse> {
  const body = inMemoryBody(response.body);
  if (body === null) return openStreamed(response, environ, log, label);
  return framed(response, body, environ, log, label);
}

async function openStreamed(response: TsgiResponse, environ: Environ, log: ErrorLog, label: string | undefined): Promise<PreparedResponse> {
  let body: BodySource;
  try {
    body = await openBody(response.body);
  } catch (error) {
    log(`${labelOf(environ, label)}: the response body could not be opened (ERR-APP-1): ${describeError(error)}`, error);
    await discardResponseBody(response);
    return serverResponse(500);
  }
  return framed(response, body, environ, log, label);
}

function framed(response: TsgiResponse, body: BodySource, environ: Environ, log: ErrorLog, label: string | undefined): PreparedResponse | Promise<PreparedResponse> {
  const headers = response.headers ?? [];
  let declared: number | null;
  try {
    declared = declaredLength(headers, body.length, isBodyless(environ.REQUEST_METHOD, response.status));
  } catch (error) {
    log(`${labelOf(environ, label)}: invalid response, answered 500 (RESP-HDR-9): ${(error as Error).message}`, error);
    return body.close().then(() => serverResponse(500));
  }
  if (declared !== null && body.length === null) body = enforceLength(body, declared);
  return {
    status: response.status,
    headers,
    body,
    contentLength: declared ?? body.length,
    hasContentLength: declared !== null,
    isServerError: false,
  };
}

function isThenable(value: unknown): value is PromiseLike<TsgiResponse> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/** True when the response to this request carries no body: HEAD, 204, 304 (BODY-HEAD-1, BODY-NOBODY-1). */
export function isBodyless(method: string, status: number): boolean {
  return method === 'HEAD' || status === 204 || status === 304;
}
