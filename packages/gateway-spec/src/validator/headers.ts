/**
 * Response headers (section 5 of the spec). Like Rack::Lint's check_headers
 * and Plack::Middleware::Lint's validate_res, every message names the header
 * and shows the bad value, JSON-quoted so that CR, LF and NUL are visible.
 * @module
 */
import { describe, isArray, quote, read } from './inspect.js';
import { TOKEN } from './environ-cgi.js';
import type { Flag } from './report.js';

/** The hop-by-hop headers of RESP-HDR-5, lower case: framing and connection management are the server's. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
]);

/** HTAB, SP, VCHAR and obs-text: field-value of RFC 9110 §5.5, as RESP-HDR-3 states it. */
const VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;
const DIGITS = /^[0-9]+$/;

/** What the rest of the response checks need to know of the headers. */
export interface HeaderFacts {
  /** The Content-Length when there is exactly one and it is digits; else undefined. */
  readonly contentLength: number | undefined;
  readonly contentLengthCount: number;
  readonly hasContentType: boolean;
}

function lower(name: string): string {
  return name.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/** What is wrong with a value's characters, for the message: the first kind of bad character found. */
function valueProblem(value: string): string {
  if (/[\r\n]/.test(value)) return 'contains CR/LF';
  if (value.includes('\0')) return 'contains NUL';
  const above = /[^\x00-\xFF]/.exec(value);
  if (above) return `contains U+${above[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, above 0xFF (encode it, e.g. as RFC 8187 or percent-encoding)`;
  const control = /[\x00-\x08\x0A-\x1F\x7F]/.exec(value);
  const code = control ? control[0].charCodeAt(0).toString(16).toUpperCase().padStart(2, '0') : '??';
  return `contains the control character 0x${code}`;
}

/// RESP-HDR-2: each header name is a token (RFC 9110 §5.6.2).
/// RESP-HDR-3: each value is HTAB, SP, visible ASCII and obs-text only: no CR, LF, NUL, other controls or code units above 0xFF.
/// RESP-HDR-4: a value has no leading or trailing whitespace (a warning).
/// RESP-HDR-5: no hop-by-hop header; RESP-HDR-6: no Status header (a CGI artefact).
function checkPair(name: string, value: string, flag: Flag): void {
  if (!TOKEN.test(name)) {
    flag('RESP-HDR-2', `header name ${quote(name)} is not a token (RFC 9110 §5.6.2)`);
    return;
  }
  if (!VALUE.test(value)) flag('RESP-HDR-3', `header value for ${quote(name)} ${valueProblem(value)} (${quote(value)})`);
  else if (/^[ \t]|[ \t]$/.test(value)) flag('RESP-HDR-4', `header value for ${quote(name)} has leading or trailing whitespace (${quote(value)})`);
  const key = lower(name);
  if (HOP_BY_HOP_HEADERS.has(key)) flag('RESP-HDR-5', `header ${quote(name)} is hop-by-hop; framing and connection management are the server's`);
  if (key === 'status') flag('RESP-HDR-6', `header ${quote(name)} is not allowed; the status is the response's status`);
}

/**
 * Checks `headers` (the value of the response's `headers` key, possibly
 * absent) and returns what the body checks need. Never throws.
 */
export function checkHeaders(headers: unknown, status: unknown, flag: Flag): HeaderFacts {
  const facts = { contentLength: undefined as number | undefined, contentLengthCount: 0, hasContentType: false };
  if (headers === undefined) return facts;
  /// RESP-HDR-1: headers, when present, is an array of [name, value] pairs of strings.
  if (!isArray(headers)) {
    flag('RESP-HDR-1', `headers must be an array of [name, value] pairs, got ${describe(headers)}`);
    return facts;
  }
  const length = read(headers, 'length');
  if (!length.ok || typeof length.value !== 'number') {
    flag('RESP-HDR-1', 'the length of the headers array cannot be read');
    return facts;
  }
  for (let i = 0; i < length.value; i++) {
    const pair = read(headers, i);
    if (!pair.ok) {
      flag('RESP-HDR-1', `headers[${i}] cannot be read`);
      continue;
    }
    const name = read(pair.value, 0);
    const value = read(pair.value, 1);
    const pairLength = read(pair.value, 'length');
    if (!isArray(pair.value) || !pairLength.ok || pairLength.value !== 2 || !name.ok || !value.ok) {
      flag('RESP-HDR-1', `headers[${i}] must be a [name, value] pair, got ${describe(pair.value)}`);
      continue;
    }
    if (typeof name.value !== 'string' || typeof value.value !== 'string') {
      const which = typeof name.value !== 'string' ? `name ${describe(name.value)}` : `value ${describe(value.value)} for ${quote(name.value)}`;
      flag('RESP-HDR-1', `headers[${i}] has the ${which}; names and values are strings`);
      continue;
    }
    checkPair(name.value, value.value, flag);
    const key = lower(name.value);
    if (key === 'content-type') facts.hasContentType = true;
    if (key !== 'content-length') continue;
    facts.contentLengthCount++;
    /// RESP-HDR-9: at most one Content-Length, whose value is decimal digits.
    if (facts.contentLengthCount === 2) flag('RESP-HDR-9', 'the response has more than one Content-Length header');
    if (!DIGITS.test(value.value)) flag('RESP-HDR-9', `Content-Length ${quote(value.value)} is not decimal digits`);
    else if (facts.contentLengthCount === 1) facts.contentLength = Number(value.value);
    /// RESP-HDR-11: a 204 response has no Content-Length (RFC 9110 §8.6).
    if (status === 204 && facts.contentLengthCount === 1) flag('RESP-HDR-11', 'a 204 response must not have a Content-Length header');
    /// RESP-HDR-12: a 304 response has no Content-Length (a warning).
    if (status === 304 && facts.contentLengthCount === 1) flag('RESP-HDR-12', 'a 304 response should not have a Content-Length header');
  }
  if (facts.contentLengthCount > 1) facts.contentLength = undefined;
  return facts;
}
