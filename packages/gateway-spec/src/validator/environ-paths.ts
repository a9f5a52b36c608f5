/**
 * The request target in the environ (section 2.1 and 2.2 of the spec):
 * SCRIPT_NAME and PATH_INFO, REQUEST_URI, QUERY_STRING, and that they agree.
 * Rack::Lint checks the forms of SCRIPT_NAME and PATH_INFO; Plack's suite checks
 * REQUEST_URI; neither checks that the decoded target and the split agree,
 * which is where CVE-2019-11043 (an empty PATH_INFO after a `%0a`) lived.
 * @module
 */
import type { Flag } from './report.js';
import { quote } from './inspect.js';

/** A request target split as RFC 9112 §3.2 describes it. */
interface Target {
  readonly form: 'origin' | 'absolute' | 'asterisk' | 'authority';
  /** The path, still percent-encoded; "" for the asterisk and authority forms. */
  readonly path: string;
  /** After the first "?", or undefined when there is none. */
  readonly query: string | undefined;
}

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*(.*)$/;
const AUTHORITY_FORM = /^[^/?#@\s]+:[0-9]*$/;
/** SP, HTAB and the other controls cannot appear in a target as received (RFC 9112 §3). */
const RAW_TARGET_FORBIDDEN = /[\x00-\x20\x7F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

function parseTarget(uri: string): Target | undefined {
  if (uri === '*') return { form: 'asterisk', path: '', query: undefined };
  const q = uri.indexOf('?');
  const beforeQuery = q < 0 ? uri : uri.slice(0, q);
  const query = q < 0 ? undefined : uri.slice(q + 1);
  if (beforeQuery.startsWith('/')) return { form: 'origin', path: beforeQuery, query };
  const absolute = ABSOLUTE_FORM.exec(beforeQuery);
  if (absolute) return { form: 'absolute', path: absolute[1] ?? '', query };
  if (query === undefined && AUTHORITY_FORM.test(uri)) return { form: 'authority', path: '', query: undefined };
  return undefined;
}

type Decoded = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: string };

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Percent-decoding as ENV-PATH-4 defines it. Characters outside ASCII are raw
 * bytes of the target: read as latin-1 (one code unit per byte, as Node's
 * parser gives them) or, when `latin1` is false, as the UTF-8 of the character.
 */
function percentDecode(path: string, latin1: boolean): Decoded {
  const bytes: number[] = [];
  for (let i = 0; i < path.length; i++) {
    const unit = path.charCodeAt(i);
    if (unit === 0x25) {
      const hex = path.slice(i + 1, i + 3);
      if (!HEX_PAIR.test(hex)) return { ok: false, problem: `has a malformed escape ${quote(path.slice(i, i + 3))}` };
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (unit < 0x80 || (latin1 && unit <= 0xff)) {
      bytes.push(unit);
    } else {
      const point = path.codePointAt(i) ?? unit;
      if (point > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(point), 'utf8'));
    }
  }
  let text: string;
  try {
    text = UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return { ok: false, problem: 'decodes to bytes that are not valid UTF-8' };
  }
  if (text.includes('\0')) return { ok: false, problem: 'decodes to a NUL' };
  return { ok: true, text };
}

/** RFC 3986 §5.2.4, as Apache applies it before a CGI or FastCGI application sees the path. */
function removeDotSegments(path: string): string {
  const output: string[] = [];
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] ?? '';
    const last = i === segments.length - 1;
    if (segment === '.' || segment === '..') {
      if (segment === '..' && output.length > 1) output.pop();
      if (last) output.push('');
    } else {
      output.push(segment);
    }
  }
  return output.join('/');
}

/** The forms a front-end host may have normalised a decoded path to (ENV-PATH-5). */
function normalisedForms(path: string): string[] {
  const merged = path.replace(/\/{2,}/g, '/');
  return [merged, removeDotSegments(path), removeDotSegments(merged)];
}

/// ENV-PATH-3: SCRIPT_NAME + PATH_INFO is the percent-decoded path of the request target.
/// ENV-PATH-4: a malformed escape, bytes that are not UTF-8 or a NUL are refused with 400, never passed on.
/// ENV-PATH-5: a server does not otherwise change the path (a warning: CGI hosts may have normalised it).
function checkSplitAgainstTarget(target: Target, uri: string, scriptName: string, pathInfo: string, flag: Flag): void {
  if (target.form === 'asterisk' || target.form === 'authority') return;
  const joined = scriptName + pathInfo;
  const readings = [percentDecode(target.path, true)];
  if (/[^\x00-\x7F]/.test(target.path)) readings.push(percentDecode(target.path, false));
  const texts = readings.flatMap((r) => (r.ok ? [target.form === 'absolute' && r.text === '' ? '/' : r.text] : []));
  if (texts.length === 0) {
    const problem = readings[0] !== undefined && !readings[0].ok ? readings[0].problem : 'cannot be decoded';
    flag('ENV-PATH-4', `the path of REQUEST_URI ${quote(uri)} ${problem}; the server must refuse it with 400 and not call the application`);
    return;
  }
  if (texts.includes(joined) || (target.form === 'absolute' && texts.includes('/') && joined === '')) return;
  if (texts.some((text) => normalisedForms(text).includes(joined))) {
    flag(
      'ENV-PATH-5',
      `SCRIPT_NAME + PATH_INFO ${quote(joined)} is a normalised form of the path of REQUEST_URI ${quote(uri)}; only a front-end host (CGI, FastCGI) may normalise it`,
    );
    return;
  }
  flag('ENV-PATH-3', `SCRIPT_NAME + PATH_INFO is ${quote(joined)} but the decoded path of REQUEST_URI ${quote(uri)} is ${quote(texts[0] ?? '')}`);
}

/** Checks the target keys of a snapshot of the environ; keys of the wrong type were flagged already (ENV-OBJ-2). */
export function checkPaths(values: ReadonlyMap<string, unknown>, flag: Flag): void {
  const scriptName = values.get('SCRIPT_NAME');
  const pathInfo = values.get('PATH_INFO');
  const uri = values.get('REQUEST_URI');
  const queryString = values.get('QUERY_STRING');

  if (typeof scriptName === 'string') {
    /// ENV-PATH-1: SCRIPT_NAME is "" at the root, else starts with "/" and does not end with "/" (wsgiref and Rack::Lint reject "/").
    if (scriptName !== '' && (!scriptName.startsWith('/') || scriptName.endsWith('/'))) {
      flag('ENV-PATH-1', `SCRIPT_NAME ${quote(scriptName)} must be "" or start with "/" and not end with "/"`);
    }
  }
  if (typeof pathInfo === 'string') {
    /// ENV-PATH-2: PATH_INFO is "" or starts with "/".
    if (pathInfo !== '' && !pathInfo.startsWith('/')) {
      flag('ENV-PATH-2', `PATH_INFO ${quote(pathInfo)} must be "" or start with "/"`);
    }
  }
  for (const [key, value] of [['SCRIPT_NAME', scriptName], ['PATH_INFO', pathInfo]] as const) {
    if (typeof value !== 'string') continue;
    /// ENV-PATH-4: a decoded path never contains a NUL, and decoded UTF-8 never leaves a lone surrogate.
    if (value.includes('\0')) flag('ENV-PATH-4', `${key} ${quote(value)} contains a NUL; the server must refuse such a path with 400`);
    else if (LONE_SURROGATE.test(value)) flag('ENV-PATH-4', `${key} ${quote(value)} has a lone surrogate: it was not decoded from UTF-8`);
  }

  if (typeof uri !== 'string') return;
  const target = parseTarget(uri);
  /// ENV-PATH-6: REQUEST_URI is the request target as received: one of the four forms of RFC 9112 §3.2, still encoded.
  if (target === undefined || RAW_TARGET_FORBIDDEN.test(uri)) {
    flag('ENV-PATH-6', `REQUEST_URI ${quote(uri)} is not a request target as received (origin-form, absolute-form, "*" or authority-form, percent-encoded)`);
    return;
  }
  if (typeof queryString === 'string') {
    /// ENV-QUERY-1: QUERY_STRING is the target after the first "?", not decoded; "" when there is none.
    const expected = target.query ?? '';
    if (queryString !== expected) {
      flag('ENV-QUERY-1', `QUERY_STRING is ${quote(queryString)} but REQUEST_URI ${quote(uri)} gives ${quote(expected)}`);
    }
  }
  if (typeof scriptName === 'string' && typeof pathInfo === 'string') checkSplitAgainstTarget(target, uri, scriptName, pathInfo, flag);
}
