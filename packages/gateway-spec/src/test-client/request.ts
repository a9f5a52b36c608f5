import { describeValue } from '../server-kit/application.js';
import type { HeaderList, HeaderPair } from '../types.js';
import { invalidArgument, type ResolvedClientOptions } from './options.js';

/**
 * Request headers: pairs in order (repeats stay separate, as on the wire), any
 * iterable of pairs (a `Headers`, a `Map`), or a record whose array values send
 * one field each. An empty array sends no field: `{ host: [] }` suppresses the
 * Host header the client would add.
 */
export type RequestHeaders =
  | HeaderList
  | Headers
  | Iterable<readonly [string, string]>
  | Readonly<Record<string, string | readonly string[]>>;

/** A request body: sent as is (strings as UTF-8), in chunks of at most 16 KiB. */
export type RequestBody =
  | string
  | Uint8Array
  | Iterable<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>;

/** A query added to the target, encoded as `application/x-www-form-urlencoded`. */
export type RequestQuery =
  | URLSearchParams
  | Readonly<Record<string, string | number | boolean | ReadonlyArray<string | number | boolean>>>;

/** The second argument of `client.request()` and its shorthands. */
export interface TestRequestInit {
  headers?: RequestHeaders;
  /** Appended to the target after `?` (or `&` when it already has a query). */
  query?: RequestQuery;
  /** The request body. An iterable body is sent chunked unless a `content-length` header is given. */
  body?: RequestBody;
  /** A body as JSON, with `content-type: application/json` unless one is given. Excludes `body` and `form`. */
  json?: unknown;
  /** A body as a urlencoded form, with its content type unless one is given. Excludes `body` and `json`. */
  form?: URLSearchParams | Readonly<Record<string, string>>;
  /** Send the body with chunked transfer coding: no `CONTENT_LENGTH` (ENV-CONTENT-2). HTTP/1.1 only. */
  chunked?: boolean;
  /** Send `Expect: 100-continue` and hold the body until the application first reads (INPUT-CONT-1). */
  expectContinue?: boolean;
  /**
   * Aborting it is the client going away: `tsgi.signal` aborts with
   * TSGI_ERR_CLIENT_GONE, input reads reject with TSGI_ERR_INPUT_ABORTED, the
   * body is finalised, and this request (or the read in progress) rejects with
   * the signal's reason, as `fetch` does.
   */
  signal?: AbortSignal;
}

/** A request checked and reduced to what goes on the wire. */
export interface RequestPlan {
  readonly method: string;
  /** The request target, query included: REQUEST_URI (ENV-PATH-6). */
  readonly target: string;
  readonly scheme: 'http' | 'https';
  /** Header fields in the order sent, the client's own (Host, framing) included. */
  readonly headers: HeaderList;
  /** The body source, or null for a request without a body. */
  readonly body: Iterable<unknown> | AsyncIterable<unknown> | null;
  readonly chunked: boolean;
  readonly expectContinue: boolean;
  readonly signal: AbortSignal | undefined;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null
    && (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
      || typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function');
}

function checkMethod(method: unknown): string {
  if (typeof method !== 'string' || !TOKEN.test(method)) {
    throw invalidArgument(`method ${describeValue(method)} is not an HTTP token (ENV-METHOD-1)`);
  }
  return method;
}

/** The scheme of an absolute-form target, or null for the other forms. */
function checkTarget(method: string, target: unknown): 'http' | 'https' | null {
  if (typeof target !== 'string') throw invalidArgument(`the request target is ${describeValue(target)}, not a string`);
  // A request-target is visible ASCII (RFC 9112 §3.2); "#" starts a fragment, which is never sent.
  const problem = /[^\x21-\x7E]|#/.exec(target);
  if (problem) {
    const what = problem[0] === '#' ? 'a "#" (fragments are never sent)' : `the character ${JSON.stringify(problem[0])}`;
    throw invalidArgument(`the target ${JSON.stringify(target)} contains ${what}; percent-encode it (encodeURI): REQUEST_URI is the target exactly as given`);
  }
  if (target.startsWith('/')) return null;
  if (target === '*') return null;
  const absolute = /^(https?):\/\/[^/?#]+/i.exec(target);
  if (absolute) return absolute[1]!.toLowerCase() as 'http' | 'https';
  if (method === 'CONNECT' && /^[^/?#]+:\d+$/.test(target)) return null;
  throw invalidArgument(`the target ${JSON.stringify(target)} must start with "/" (origin-form), be "*" (asterisk-form) or an absolute http(s) URL`);
}

function addQuery(target: string, query: RequestQuery | undefined): string {
  if (query === undefined) return target;
  let params: URLSearchParams;
  if (query instanceof URLSearchParams) {
    params = query;
  } else if (typeof query === 'object' && query !== null) {
    params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v));
    }
  } else {
    throw invalidArgument(`query must be a URLSearchParams or a record, got ${describeValue(query)}`);
  }
  const text = params.toString();
  if (text === '') return target;
  if (target === '*') throw invalidArgument('an asterisk-form target ("*") takes no query');
  return target + (target.includes('?') ? '&' : '?') + text;
}

function checkHeaders(headers: RequestHeaders | undefined): HeaderPair[] {
  if (headers === undefined) return [];
  if (typeof headers !== 'object' || headers === null) throw invalidArgument(`headers must be pairs or a record, got ${describeValue(headers)}`);
  const pairs: Array<readonly [unknown, unknown]> = [];
  if (isIterable(headers) && Symbol.iterator in headers) {
    for (const pair of headers as Iterable<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2) throw invalidArgument(`each header must be a [name, value] pair, got ${describeValue(pair)}`);
      pairs.push([pair[0], pair[1]]);
    }
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
      if (Array.isArray(value)) for (const v of value) pairs.push([name, v]);
      else pairs.push([name, value]);
    }
  }
  return pairs.map(([name, value]) => {
    if (typeof name !== 'string' || !TOKEN.test(name)) throw invalidArgument(`header name ${describeValue(name)} is not a token`);
    if (typeof value !== 'string') throw invalidArgument(`the value of header ${name} is ${describeValue(value)}, not a string`);
    if (!FIELD_VALUE.test(value)) {
      const bad = /[^\t\x20-\x7E\x80-\xFF]/.exec(value)![0];
      const what = bad === '\r' || bad === '\n' ? 'CR or LF (a header injection)'
        : bad.charCodeAt(0) > 0xff ? `${JSON.stringify(bad)}, above U+00FF: send bytes as latin-1, e.g. Buffer.from(value).toString('latin1') (ENV-HTTP-4)`
          : `the control character U+${bad.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
      throw invalidArgument(`the value of header ${name} contains ${what}`);
    }
    return [name, value] as const;
  });
}

function has(headers: HeaderList, name: string): boolean {
  return headers.some(([n]) => n.toLowerCase() === name);
}

/** The body, its content type when the client picks one, and its length when known. */
function checkBody(init: TestRequestInit): { body: RequestPlan['body']; type: string | null; length: number | null } {
  const given = (['body', 'json', 'form'] as const).filter((k) => init[k] !== undefined);
  if (given.length > 1) throw invalidArgument(`give one of body, json and form, not ${given.join(' and ')}`);
  if (init.json !== undefined) {
    const text = JSON.stringify(init.json);
    if (text === undefined) throw invalidArgument(`json ${describeValue(init.json)} has no JSON form`);
    const bytes = Buffer.from(text, 'utf8');
    return { body: [bytes], type: 'application/json', length: bytes.byteLength };
  }
  if (init.form !== undefined) {
    if (typeof init.form !== 'object' || init.form === null) throw invalidArgument(`form must be a URLSearchParams or a record, got ${describeValue(init.form)}`);
    const bytes = Buffer.from(new URLSearchParams(init.form as Record<string, string>).toString(), 'utf8');
    return { body: [bytes], type: 'application/x-www-form-urlencoded', length: bytes.byteLength };
  }
  const body: unknown = init.body;
  if (body === undefined || body === null) return { body: null, type: null, length: null };
  if (typeof body === 'string') {
    const bytes = Buffer.from(body, 'utf8');
    return { body: [bytes], type: null, length: bytes.byteLength };
  }
  if (body instanceof Uint8Array) return { body: [body], type: null, length: body.byteLength };
  if (isIterable(body)) return { body, type: null, length: null };
  throw invalidArgument(`body must be a string, a Uint8Array or an iterable of them, got ${describeValue(body)}`);
}

/**
 * Checks a request the way a careful HTTP client would before sending it, and
 * adds what such a client adds: Host (first, as clients send it), the body's
 * content type, and its framing: Content-Length when the length is known,
 * `Transfer-Encoding: chunked` otherwise (HTTP/1.1; HTTP/2 has no such field).
 * A Content-Length the test gives wins, so that a short or long body can be
 * simulated (INPUT-FLOW-2, INPUT-ITER-2).
 */
export function planRequest(method: unknown, target: unknown, init: TestRequestInit | undefined, options: ResolvedClientOptions): RequestPlan {
  init ??= {};
  if (typeof init !== 'object' || init === null) throw invalidArgument(`the request options must be an object, got ${describeValue(init)}`);
  const verb = checkMethod(method);
  const targetScheme = checkTarget(verb, target);
  const fullTarget = addQuery(target as string, init.query);
  const given = checkHeaders(init.headers);
  const { body, type, length } = checkBody(init);
  if (init.signal !== undefined && !(init.signal instanceof AbortSignal)) throw invalidArgument(`signal must be an AbortSignal, got ${describeValue(init.signal)}`);
  if (has(given, 'transfer-encoding')) throw invalidArgument('do not set Transfer-Encoding; use { chunked: true } (framing is the client\'s)');
  const userLength = has(given, 'content-length');
  const chunked = init.chunked ?? (body !== null && length === null && !userLength);
  if (chunked && userLength) throw invalidArgument('a request is either chunked or has a Content-Length, not both (SRV-HTTP-1)');
  if (!chunked && body !== null && length === null && !userLength) {
    throw invalidArgument('a body of unknown length needs chunked framing or a content-length header (RFC 9112 §6.3: a request with neither has no body)');
  }
  if (chunked && options.protocol === 'HTTP/1.0') throw invalidArgument('HTTP/1.0 has no chunked transfer coding: give a content-length header or a body of known length');
  const expectHeader = given.find(([n]) => n.toLowerCase() === 'expect');
  const expectContinue = init.expectContinue === true || (expectHeader !== undefined && expectHeader[1].trim().toLowerCase() === '100-continue');

  const headers: HeaderPair[] = [];
  const absoluteAuthority = targetScheme ? /^https?:\/\/([^/?#]+)/i.exec(fullTarget)![1]! : undefined;
  if (!has(given, 'host') && !(init.headers && hasEmptyHost(init.headers))) headers.push(['host', absoluteAuthority ?? options.host]);
  headers.push(...given);
  if (type !== null && !has(given, 'content-type')) headers.push(['content-type', type]);
  if (!chunked && !userLength && length !== null) headers.push(['content-length', String(length)]);
  if (chunked && options.protocol === 'HTTP/1.1') headers.push(['transfer-encoding', 'chunked']);
  if (init.expectContinue === true && expectHeader === undefined) headers.push(['expect', '100-continue']);
  return Object.freeze({
    method: verb,
    target: fullTarget,
    scheme: targetScheme ?? options.scheme,
    headers: Object.freeze(headers),
    body,
    chunked,
    expectContinue,
    signal: init.signal,
  });
}

/** True when a record of headers names Host with no value: the test asks for no Host field. */
function hasEmptyHost(headers: RequestHeaders): boolean {
  if (isIterable(headers)) return false;
  return Object.entries(headers).some(([n, v]) => n.toLowerCase() === 'host' && Array.isArray(v) && v.length === 0);
}
