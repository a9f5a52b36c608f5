import { SpecViolation } from '../errors.js';
import { TSGI_VERSION } from '../types.js';
import type { AppState, Environ, ErrorStream, Extensions, InputStream } from '../types.js';
import { RequestSignal } from './cancel.js';

const kRequestSignal = Symbol('tsgi.requestSignal');

/**
 * `tsgi.signal` read through the environ's RequestSignal. One shared getter and
 * setter, so that every environ keeps the same shape. Assigning replaces the
 * accessor with a plain value, as middleware that narrows the signal expects.
 */
const LAZY_SIGNAL: PropertyDescriptor = {
  get(this: Record<PropertyKey, unknown>): AbortSignal {
    return (this[kRequestSignal] as RequestSignal).signal;
  },
  set(this: object, value: unknown): void {
    Object.defineProperty(this, 'tsgi.signal', { value, writable: true, enumerable: true, configurable: true });
  },
  enumerable: true,
  configurable: true,
};

/**
 * The environ key of a request header (ENV-HTTP-1), or null when the header
 * is not passed: names with `_` (ENV-HTTP-2) and `Proxy` (SEC-PROXY-1).
 * Content-Type and Content-Length map to their CGI keys (ENV-CONTENT-3).
 */
export function headerKey(name: string): string | null {
  // Every request repeats the same few names: remember their keys (bounded, so that
  // a client inventing names cannot grow it).
  const known = HEADER_KEYS.get(name);
  if (known !== undefined) return known;
  const key = computeHeaderKey(name);
  if (HEADER_KEYS.size < HEADER_KEY_CACHE_SIZE) HEADER_KEYS.set(name, key);
  return key;
}

const HEADER_KEY_CACHE_SIZE = 512;
const HEADER_KEYS = new Map<string, string | null>();

function computeHeaderKey(name: string): string | null {
  const lower = name.toLowerCase();
  if (lower === 'content-type') return 'CONTENT_TYPE';
  if (lower === 'content-length') return 'CONTENT_LENGTH';
  if (lower === 'proxy' || lower.includes('_')) return null;
  return 'HTTP_' + lower.toUpperCase().replaceAll('-', '_');
}

const OWS = /^[ \t]+|[ \t]+$/g;

function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** Adds one received header field to the environ, combining repeats (ENV-HTTP-3, ENV-HTTP-4). */
export function addRequestHeader(environ: Record<string, unknown>, name: string, value: string): void {
  const key = headerKey(name);
  if (key === null) return;
  // Parsers (llhttp) usually trim already: skip the regex when there is nothing to trim.
  const last = value.length - 1;
  const trimmed = last >= 0 && (isOws(value.charCodeAt(0)) || isOws(value.charCodeAt(last))) ? value.replace(OWS, '') : value;
  const previous = environ[key];
  if (key === 'CONTENT_LENGTH') {
    // ENV-CONTENT-2 wants bare digits, so repeats cannot be joined: identical ones
    // are one value (RFC 9110 §8.6), differing or malformed ones are ambiguous framing.
    if (!/^\d+$/.test(trimmed)) throw new BadRequest(400, 'SRV-HTTP-1', `invalid Content-Length ${JSON.stringify(trimmed)}`);
    const digits = trimmed.replace(/^0+(?=\d)/, '');
    if (typeof previous === 'string' && previous !== digits) {
      throw new BadRequest(400, 'SRV-HTTP-1', `two different Content-Length values: ${previous} and ${trimmed}`);
    }
    environ[key] = digits;
    return;
  }
  if (typeof previous !== 'string') environ[key] = trimmed;
  else environ[key] = previous + (key === 'HTTP_COOKIE' ? '; ' : ', ') + trimmed;
}

/** A request refused before the application is called: the status and a short reason for the log. */
export class BadRequest extends Error {
  constructor(readonly status: number, readonly requirement: string, detail: string) {
    super(`${requirement}: ${detail}`);
    this.name = 'BadRequest';
  }
}

/** Splits a request target into its raw path and raw query (ENV-QUERY-1). */
export function splitTarget(target: string): { rawPath: string; query: string } {
  let rest = target;
  // absolute-form (RFC 9112 §3.2.2): the path starts after the authority. (Origin-form, the common case, starts with "/".)
  const scheme = target.charCodeAt(0) === 0x2f ? null : /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
  // An empty path there means "/" (RFC 9112 §3.2.2 + RFC 3986 §6.2.3), also before a query.
  if (scheme) {
    rest = rest.slice(scheme[0].length);
    if (!rest.startsWith('/')) rest = '/' + rest;
  }
  const q = rest.indexOf('?');
  return q === -1 ? { rawPath: rest, query: '' } : { rawPath: rest.slice(0, q), query: rest.slice(q + 1) };
}

// Made on first use: an ASCII path never needs it, and a CGI process pays for everything it sets up.
let utf8: TextDecoder | undefined;

/**
 * Percent-decodes a raw path and decodes it as UTF-8 (ENV-PATH-4). Throws
 * BadRequest(400) for a malformed escape, invalid UTF-8 or a NUL.
 */
export function decodePath(rawPath: string): string {
  if (!rawPath.includes('%')) {
    if (rawPath.includes('\0')) throw new BadRequest(400, 'ENV-PATH-4', 'the path contains NUL');
    return rawPath;
  }
  const bytes: number[] = [];
  for (let i = 0; i < rawPath.length; i++) {
    const c = rawPath.charCodeAt(i);
    if (c === 0x25) {
      const hex = rawPath.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new BadRequest(400, 'ENV-PATH-4', `malformed percent-escape at offset ${i}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // A raw non-ASCII character (only from lenient hosts): keep it as its UTF-8 bytes,
      // taking both halves of a surrogate pair so that astral characters survive.
      const char = String.fromCodePoint(rawPath.codePointAt(i)!);
      for (const b of Buffer.from(char, 'utf8')) bytes.push(b);
      i += char.length - 1;
    }
  }
  if (bytes.includes(0)) throw new BadRequest(400, 'ENV-PATH-4', 'the path decodes to a NUL byte');
  try {
    return (utf8 ??= new TextDecoder('utf-8', { fatal: true })).decode(Uint8Array.from(bytes));
  } catch {
    throw new BadRequest(400, 'ENV-PATH-4', 'the path does not decode to valid UTF-8');
  }
}

/**
 * Splits an authority (`host`, `host:port`, `[v6]:port`) into name and port
 * (ENV-SERVER-1, ENV-SERVER-2). Returns null when it is not a valid authority.
 */
export function parseAuthority(authority: string, scheme: 'http' | 'https'): { name: string; port: string } | null {
  // An empty port ("host:") means the default port (RFC 3986 §3.2.3).
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^\s:@/?#[\]]+)(?::(\d{0,5}))?$/.exec(authority);
  if (!m) return null;
  const port = m[2] || (scheme === 'https' ? '443' : '80');
  if (Number(port) > 65535) return null;
  return { name: m[1]!, port: String(Number(port)) };
}

const AUTHORITY_CACHE_SIZE = 256;
type Authority = Readonly<{ name: string; port: string }>;
const AUTHORITIES = { http: new Map<string, Authority | null>(), https: new Map<string, Authority | null>() };

/** parseAuthority, remembered (bounded): a server sees the same few Host values again and again. */
function knownAuthority(authority: string, scheme: 'http' | 'https'): Authority | null {
  const cache = AUTHORITIES[scheme];
  let parsed = cache.get(authority);
  if (parsed === undefined) {
    const fresh = parseAuthority(authority, scheme);
    parsed = fresh === null ? null : Object.freeze(fresh);
    if (cache.size >= AUTHORITY_CACHE_SIZE) cache.clear();
    cache.set(authority, parsed);
  }
  return parsed;
}

/** Header fields as one flat list, `[name, value, name, value, ...]`, like node:http's `rawHeaders`. */
export type FlatHeaderList = readonly string[];

/** What a server knows about a request, from which `buildEnviron` makes the environ. */
export interface RequestFacts {
  method: string;
  /** The request target exactly as received (ENV-PATH-6). */
  target: string;
  /** `HTTP/1.1`, `HTTP/1.0`, ... (ENV-SERVER-3). */
  protocol: string;
  /** Header fields in the order received, repeats separate: pairs, or a flat list (node's `rawHeaders`). */
  headers: Iterable<readonly [string, string]> | FlatHeaderList;
  scheme: 'http' | 'https';
  remoteAddr: string;
  remotePort?: string | undefined;
  /** Used when the request names no host (HTTP/1.0 without Host). */
  defaultServerName: string;
  defaultServerPort: string;
  input: InputStream;
  errors: ErrorStream;
  /** The request's abort signal, or a RequestSignal that creates it when first read. */
  signal: AbortSignal | RequestSignal;
  state: AppState;
  extensions: Extensions;
  multithread?: boolean;
  multiprocess?: boolean;
  runOnce?: boolean;
}

/**
 * Builds the environ of section 2 with SCRIPT_NAME "" and the whole decoded
 * path in PATH_INFO; `mountEnviron` then moves a prefix over. Throws
 * BadRequest for what must be refused before the application runs.
 */
export function buildEnviron(facts: RequestFacts): Environ {
  const { rawPath, query } = splitTarget(facts.target);
  // Every key that is always there goes into one literal: the object is then
  // allocated once with room for them, instead of growing key by key.
  const environ: Record<PropertyKey, unknown> = {
    REQUEST_METHOD: facts.method,
    SCRIPT_NAME: '',
    PATH_INFO: decodePath(rawPath),
    QUERY_STRING: query,
    REQUEST_URI: facts.target,
    SERVER_NAME: facts.defaultServerName,
    SERVER_PORT: facts.defaultServerPort,
    SERVER_PROTOCOL: facts.protocol,
    REMOTE_ADDR: facts.remoteAddr,
    'tsgi.version': TSGI_VERSION,
    'tsgi.url_scheme': facts.scheme,
    'tsgi.input': facts.input,
    'tsgi.errors': facts.errors,
    'tsgi.multithread': facts.multithread ?? false,
    'tsgi.multiprocess': facts.multiprocess ?? false,
    'tsgi.run_once': facts.runOnce ?? false,
    'tsgi.state': facts.state,
    'tsgi.extensions': facts.extensions,
  };
  if (facts.signal instanceof RequestSignal) {
    // ENV-TSGI-6 through an accessor: the AbortSignal exists once something reads it.
    environ[kRequestSignal] = facts.signal;
    Object.defineProperty(environ, 'tsgi.signal', LAZY_SIGNAL);
  } else {
    environ['tsgi.signal'] = facts.signal;
  }
  if (facts.remotePort !== undefined && facts.remotePort !== '') environ.REMOTE_PORT = facts.remotePort;
  const headers = facts.headers;
  if (Array.isArray(headers) && typeof headers[0] === 'string') {
    // node:http's rawHeaders: no pair arrays to allocate on the hot path.
    const flat = headers as FlatHeaderList;
    for (let i = 0; i + 1 < flat.length; i += 2) addRequestHeader(environ, flat[i]!, flat[i + 1]!);
  } else {
    for (const [name, value] of headers as Iterable<readonly [string, string]>) addRequestHeader(environ, name, value);
  }
  const absolute = facts.target.charCodeAt(0) === 0x2f ? null : /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)/.exec(facts.target);
  const authority = absolute ? absolute[1]! : (environ.HTTP_HOST as string | undefined);
  if (authority !== undefined) {
    const parsed = knownAuthority(authority, facts.scheme);
    if (!parsed) throw new BadRequest(400, 'ENV-SERVER-1', `invalid host ${JSON.stringify(authority)}`);
    environ.SERVER_NAME = parsed.name;
    environ.SERVER_PORT = parsed.port;
  }
  return environ as unknown as Environ;
}

/** Throws if `SCRIPT_NAME` would break ENV-PATH-1; used on configured prefixes. */
export function assertMountPrefix(prefix: string): void {
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw new SpecViolation('MOUNT-PATH-1', `mount prefix ${JSON.stringify(prefix)} must be "" or start with "/" and not end with "/"`);
  }
}
