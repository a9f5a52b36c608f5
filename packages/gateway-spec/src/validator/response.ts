/**
 * The response object (section 5 of the spec), checked synchronously before a
 * server writes anything: RESP-HDR-8 makes the server answer 500 instead of
 * sending a response that breaks these rules, so `assertValidResponse` is what
 * servers call. Warnings (SHOULDs) are returned by `checkResponseWarnings`.
 * The response is read once into a snapshot, so a getter that throws or a
 * symbol key is a violation, not a crash.
 * @module
 */
import type { SpecViolation } from '../errors.js';
import { RESPONSE_KEYS } from '../schemas.js';
import type { TsgiResponse } from '../types.js';
import { levelOf } from './checked-ids.js';
import { checkBody, type BodyFacts } from './body-form.js';
import { checkHeaders, type HeaderFacts } from './headers.js';
import { describe, errorText, isPlainObject, isProxy, quote, snapshot } from './inspect.js';
import { violation, type Flag } from './report.js';

/** What the response checks may know of the request. */
export interface RequestInfo {
  /** `REQUEST_METHOD`: a HEAD response without a body may declare the Content-Length a GET would get (RFC 9110 §8.6). */
  readonly method?: string;
}

/** What is known of a response that is an object, for the body wrapper. */
export interface ResponseFacts {
  readonly status: unknown;
  readonly body: unknown;
  readonly headers: HeaderFacts;
  readonly bodyFacts: BodyFacts;
}

/** The outcome of checking one response. */
export interface ResponseReview {
  readonly errors: SpecViolation[];
  readonly warnings: SpecViolation[];
  /** Undefined when the response is not an object that can be read. */
  readonly facts: ResponseFacts | undefined;
}

/// RESP-STATUS-1: status is an integer from 200 to 599; 1xx responses are the server's.
function checkStatus(status: unknown, flag: Flag): void {
  if (typeof status !== 'number' || !Number.isInteger(status)) {
    const hint = typeof status === 'string' ? ' (a number, not a string)' : '';
    flag('RESP-STATUS-1', `status must be an integer from 200 to 599, got ${describe(status)}${hint}`);
  } else if (status < 200 || status > 599) {
    const hint = status >= 100 && status < 200 ? '; informational responses are sent by the server or an extension' : '';
    flag('RESP-STATUS-1', `status ${status} is not from 200 to 599${hint}`);
  }
}

/// RESP-HDR-9: the Content-Length equals the number of bytes the body yields (here: when that is known before reading).
/// RESP-HDR-10: a response with a non-empty body has a Content-Type (a warning).
function checkAgreement(facts: ResponseFacts, request: RequestInfo | undefined, flag: Flag): void {
  const declared = facts.headers.contentLength;
  const known = facts.bodyFacts.knownLength;
  if (declared !== undefined && known !== undefined && declared !== known) {
    const bodiless = known === 0 && (request?.method === 'HEAD' || facts.status === 304);
    if (!bodiless) flag('RESP-HDR-9', `Content-Length is ${declared} but the body is ${known} bytes`);
  }
  const nonEmpty = (known !== undefined && known > 0) || (facts.bodyFacts.kind === 'file' && known === undefined);
  if (nonEmpty && !facts.headers.hasContentType) flag('RESP-HDR-10', 'a response with a non-empty body should have a Content-Type');
}

/**
 * Checks everything about a response that can be checked without reading an
 * iterable body. Never throws, whatever `response` is.
 */
export function reviewResponse(response: unknown, request?: RequestInfo): ResponseReview {
  const found: SpecViolation[] = [];
  const flag: Flag = (id, detail) => found.push(violation(id, detail));
  const review = (facts: ResponseFacts | undefined): ResponseReview => ({
    errors: found.filter((v) => levelOf(v.requirement) === 'error'),
    warnings: found.filter((v) => levelOf(v.requirement) === 'warning'),
    facts,
  });

  /// RESP-SHAPE-1: a response is a plain object with a status, optional headers and body, and dotted extension keys.
  if (typeof response !== 'object' || response === null) {
    flag('RESP-SHAPE-1', `the response is ${describe(response)}, not an object { status, headers?, body? }`);
    return review(undefined);
  }
  if (isProxy(response)) {
    // A Proxy can answer the server differently from the validator: nothing checked here would hold.
    flag('RESP-SHAPE-1', 'the response is a Proxy; it must be a plain object');
    return review(undefined);
  }
  if (!isPlainObject(response)) {
    // One violation is enough: the keys of a class instance (a Fetch Response) would only add noise.
    flag('RESP-SHAPE-1', `the response is ${describe(response)}, not a plain object`);
    return review(undefined);
  }
  const snap = snapshot(response);
  if (snap.keysError !== undefined) {
    flag('RESP-SHAPE-1', `the keys of the response cannot be listed: ${errorText(snap.keysError)}`);
    return review(undefined);
  }
  for (const failure of snap.failures) flag('RESP-SHAPE-1', `reading response[${quote(failure.key)}] threw ${errorText(failure.error)}`);
  for (const key of snap.symbolKeys) flag('RESP-SHAPE-1', `the response has the symbol key ${String(key)}; extension keys are strings that contain a dot`);
  for (const key of snap.values.keys()) {
    if (!RESPONSE_KEYS.has(key) && !key.includes('.')) {
      flag('RESP-SHAPE-1', `the response has the key ${quote(key)}; other keys than status, headers and body must contain a dot`);
    }
  }
  const status = snap.values.get('status');
  if (!snap.values.has('status')) flag('RESP-SHAPE-1', 'the response has no status');
  else checkStatus(status, flag);
  const headers = checkHeaders(snap.values.get('headers'), status, flag);
  const body = snap.values.get('body');
  const facts: ResponseFacts = { status, body, headers, bodyFacts: checkBody(body, status, flag) };
  checkAgreement(facts, request, flag);
  return review(facts);
}

/**
 * Throws the first SpecViolation of a MUST that `response` breaks; returns
 * when a server may write it (RESP-HDR-8: otherwise it answers 500 and logs the
 * id). Synchronous and never reads an iterable body. Pass the request method
 * so that a HEAD response without a body may declare a Content-Length.
 */
export function assertValidResponse(response: unknown, request?: RequestInfo): asserts response is TsgiResponse {
  const first = reviewResponse(response, request).errors[0];
  if (first !== undefined) throw first;
}

/** The SHOULDs `response` breaks (RESP-HDR-4, RESP-HDR-10), as warnings; never throws. */
export function checkResponseWarnings(response: unknown, request?: RequestInfo): SpecViolation[] {
  return reviewResponse(response, request).warnings;
}
