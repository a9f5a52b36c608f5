/**
 * CGI meta-variables (RFC 3875 §4.1) to a TSGI environ. Shared by the CGI
 * adapter (variables from the process environment) and the FastCGI adapter
 * (FCGI_PARAMS are the same variables).
 *
 * Values come in as byte strings: one code unit (0-255) per byte the host
 * gave, which is what `buffer.toString('latin1')` makes of FastCGI params and
 * what `cgi/process-env.ts` makes of `process.env`. Paths are then decoded as
 * UTF-8 (ENV-PATH-4) and header values stay one code unit per byte (ENV-HTTP-4).
 * @module
 */
import { BadRequest, TSGI_VERSION, parseAuthority, prefixMatches } from '@tsgi/gateway-spec/server-kit';
import type { AppState, Environ, ErrorStream, Extensions, InputStream } from '@tsgi/gateway-spec/server-kit';

/** Meta-variables as byte strings (one code unit per byte); absent variables are undefined. */
export type CgiVariables = Readonly<Record<string, string | undefined>>;

/**
 * Variables other than SCRIPT_NAME, PATH_INFO, the HTTP_* ones and the keys
 * of ENV-OBJ-3 that are passed on as extra CGI-style keys (ENV-EXT-2). The
 * rest of a host's environment (PATH, SetEnv values, ...) is the process's,
 * not the request's, and stays out of the environ.
 */
const EXTRA_VARIABLES = new Set([
  'AUTH_TYPE', 'REMOTE_USER', 'REMOTE_IDENT', 'REMOTE_HOST', 'GATEWAY_INTERFACE',
  'PATH_TRANSLATED', 'SCRIPT_FILENAME', 'DOCUMENT_ROOT', 'DOCUMENT_URI',
  'SERVER_SOFTWARE', 'SERVER_ADDR', 'SERVER_ADMIN', 'SERVER_SIGNATURE',
  'REQUEST_SCHEME', 'CONTEXT_PREFIX', 'CONTEXT_DOCUMENT_ROOT', 'HTTPS', 'UNIQUE_ID',
  'REDIRECT_STATUS', 'REDIRECT_URL', 'REDIRECT_QUERY_STRING',
]);

/** Variables read into required or framing keys. */
const CORE_VARIABLES = new Set([
  'REQUEST_METHOD', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING', 'REQUEST_URI',
  'CONTENT_TYPE', 'CONTENT_LENGTH', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL',
  'REMOTE_ADDR', 'REMOTE_PORT',
]);

const HTTP_VARIABLE = /^HTTP_[A-Z0-9_]+$/;
/** mod_ssl's request variables (not OpenSSL's own SSL_CERT_FILE and the like, which may sit in a host's environment). */
const SSL_VARIABLE = /^SSL_(?:PROTOCOL|SESSION_|SECURE_RENEG|CIPHER|COMPRESS_METHOD|VERSION_|CLIENT_|SERVER_|SRP_|TLS_SNI)/;

/** True for a variable name this module reads; the CGI adapter converts only these. */
export function isCgiVariableName(name: string): boolean {
  return name.startsWith('HTTP_') || SSL_VARIABLE.test(name) || CORE_VARIABLES.has(name) || EXTRA_VARIABLES.has(name);
}

/**
 * Request variables the environ must never carry. HTTP_PROXY is the httpoxy
 * vector (SEC-PROXY-1); HTTP_CONTENT_* duplicate the CGI keys (ENV-CONTENT-3).
 */
const DROPPED_HTTP_VARIABLES = new Set(['HTTP_PROXY', 'HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']);

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const DIGITS = /^\d+$/;
const ASCII = /^[\x00-\x7f]*$/;
const OWS = /^[ \t]+|[ \t]+$/g;
/** Made on first use: ASCII values, the everyday case, never need it. */
let utf8: TextDecoder | undefined;

/** Decodes a byte string as UTF-8, or returns null when it is not valid UTF-8. */
function decodeUtf8(bytes: string): string | null {
  if (ASCII.test(bytes)) return bytes;
  try {
    return (utf8 ??= new TextDecoder('utf-8', { fatal: true })).decode(Buffer.from(bytes, 'latin1'));
  } catch {
    return null;
  }
}

/** A path variable decoded per ENV-PATH-4: 400 for invalid UTF-8 or a NUL (FastCGI params can carry one). */
function decodePathVariable(name: string, bytes: string): string {
  if (bytes.includes('\0')) throw new BadRequest(400, 'ENV-PATH-4', `${name} contains NUL`);
  const text = decodeUtf8(bytes);
  if (text === null) throw new BadRequest(400, 'ENV-PATH-4', `${name} is not valid UTF-8`);
  return text;
}

/** Characters left as they are when a path is percent-encoded: RFC 3986 pchar plus "/". */
const PATH_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:@/]/;

/** Percent-encodes a decoded path so that decoding it gives the same path back (ENV-PATH-3, ENV-PATH-4). */
export function encodePath(path: string): string {
  let out = '';
  for (const ch of path) {
    if (ch.length === 1 && PATH_SAFE.test(ch)) out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

/** The percent-decoded path of a raw request target, or null when it does not decode. */
function targetPath(target: string): string | null {
  const q = target.indexOf('?');
  const raw = q === -1 ? target : target.slice(0, q);
  if (!raw.startsWith('/')) return null;
  try {
    return decodeUtf8(decodeURIComponentBytes(raw));
  } catch {
    return null;
  }
}

/** %XX to the byte XX, keeping a byte string; throws on a malformed escape. */
function decodeURIComponentBytes(raw: string): string {
  return raw.replace(/%([0-9A-Fa-f]{2})?/g, (_, hex: string | undefined) => {
    if (hex === undefined) throw new Error('malformed escape');
    return String.fromCharCode(parseInt(hex, 16));
  });
}

/**
 * SCRIPT_NAME and PATH_INFO as ENV-PATH-1/2 want them, from what the host
 * gave. The host's split is kept (ENV-PATH-5: it has normalised the path and
 * knows where the script is mounted); only shapes TSGI forbids are repaired
 * without changing SCRIPT_NAME + PATH_INFO:
 * - SCRIPT_NAME "/" or ending in "/" (a script mapped at the root, plack#147):
 *   the trailing slashes move to PATH_INFO.
 * - IIS-style hosts put the whole path into PATH_INFO (wsgiref's
 *   IISCGIHandler): when PATH_INFO equals the request's decoded path and
 *   starts with SCRIPT_NAME, the prefix is removed.
 * - A non-empty PATH_INFO without a leading "/" gets one.
 */
export function splitScriptPath(scriptName: string, pathInfo: string, requestPath: string | null): { scriptName: string; pathInfo: string } {
  if (scriptName.endsWith('/')) {
    const trimmed = scriptName.replace(/\/+$/, '');
    // Moving the slashes keeps SCRIPT_NAME + PATH_INFO; a host that counted the
    // slash twice (SCRIPT_NAME "/", PATH_INFO "/x" for "/x") is told apart by the request's path.
    const countedTwice = requestPath !== null && pathInfo.startsWith('/') && requestPath === trimmed + pathInfo;
    pathInfo = countedTwice ? pathInfo : scriptName.slice(trimmed.length) + pathInfo;
    scriptName = trimmed;
  }
  if (scriptName !== '' && requestPath !== null && pathInfo === requestPath && scriptName + pathInfo !== requestPath
      && prefixMatches(scriptName, pathInfo)) {
    pathInfo = pathInfo.slice(scriptName.length);
  }
  if (pathInfo !== '' && !pathInfo.startsWith('/')) pathInfo = '/' + pathInfo;
  return { scriptName, pathInfo };
}

/** What the CGI-style part of a request says, before the `tsgi.*` keys are added. */
export interface CgiRequest {
  /** The CGI-style keys of the environ (section 2 of the spec and ENV-EXT-2). */
  readonly keys: Record<string, string>;
  readonly scheme: 'http' | 'https';
  /** CONTENT_LENGTH as a number, or null when absent. */
  readonly contentLength: number | null;
  /**
   * True when the body runs to the end of the input without a length: a
   * chunked request the host streams without CONTENT_LENGTH (Apache's mod_cgi
   * does). Without CONTENT_LENGTH and without Transfer-Encoding there is no
   * body (RFC 3875 §4.2), and the input is not read at all.
   */
  readonly bodyToEof: boolean;
}

export interface CgiRequestOptions {
  /**
   * The URL prefix the application is mounted at, when the host's SCRIPT_NAME
   * is not it (a catch-all ScriptAliasMatch or rewrite, plack#147, plack#161):
   * SCRIPT_NAME + PATH_INFO is split again at this prefix, and a path outside
   * it is answered 404 (MOUNT-PATH-3).
   */
  scriptName?: string;
  /** Largest CONTENT_LENGTH accepted; over it the request is answered 413 (INPUT-FLOW-3). */
  maxBodyBytes?: number;
}

function scheme(vars: CgiVariables): 'http' | 'https' {
  const https = vars.HTTPS?.toLowerCase();
  if (https === 'on' || https === '1' || https === 'true') return 'https';
  return vars.REQUEST_SCHEME?.toLowerCase() === 'https' ? 'https' : 'http';
}

/**
 * Reads the meta-variables of one request. Throws BadRequest (the server
 * answers with its status and does not call the application) for what
 * section 2 of the spec refuses: a malformed method, path, length or host.
 */
export function parseCgiRequest(vars: CgiVariables, options: CgiRequestOptions = {}): CgiRequest {
  const method = vars.REQUEST_METHOD ?? '';
  /// ENV-METHOD-1: the method as received, a token.
  if (!TOKEN.test(method)) throw new BadRequest(400, 'ENV-METHOD-1', `REQUEST_METHOD ${JSON.stringify(method)} is not a token`);
  const urlScheme = scheme(vars);

  const rawUri = vars.REQUEST_URI;
  const requestPath = rawUri ? targetPath(rawUri) : null;
  let { scriptName, pathInfo } = splitScriptPath(
    decodePathVariable('SCRIPT_NAME', vars.SCRIPT_NAME ?? ''),
    decodePathVariable('PATH_INFO', vars.PATH_INFO ?? ''),
    requestPath,
  );
  if (options.scriptName !== undefined) {
    const full = scriptName + pathInfo;
    if (!prefixMatches(options.scriptName, full)) {
      throw new BadRequest(404, 'MOUNT-PATH-3', `${JSON.stringify(full)} is outside the mount prefix ${JSON.stringify(options.scriptName)}`);
    }
    scriptName = options.scriptName;
    pathInfo = full.slice(scriptName.length);
  }
  const query = vars.QUERY_STRING ?? '';
  /// ENV-PATH-6: REQUEST_URI as the host received it (Apache, lighttpd, nginx set it); otherwise rebuilt.
  // A target is never empty: the root is "/" (a host that sets neither SCRIPT_NAME nor PATH_INFO).
  const requestUri = rawUri ? rawUri : (encodePath(scriptName + pathInfo) || '/') + (query === '' ? '' : '?' + query);

  const keys: Record<string, string> = {
    REQUEST_METHOD: method,
    SCRIPT_NAME: scriptName,
    PATH_INFO: pathInfo,
    QUERY_STRING: query,
    REQUEST_URI: requestUri,
    SERVER_PROTOCOL: vars.SERVER_PROTOCOL || 'HTTP/1.0',
    REMOTE_ADDR: vars.REMOTE_ADDR ?? '',
  };
  if (vars.REMOTE_PORT && DIGITS.test(vars.REMOTE_PORT)) keys.REMOTE_PORT = vars.REMOTE_PORT;

  let contentLength: number | null = null;
  const rawLength = vars.CONTENT_LENGTH;
  if (rawLength !== undefined && rawLength !== '') {
    /// ENV-CONTENT-2: digits only.
    if (!DIGITS.test(rawLength) || !Number.isSafeInteger(Number(rawLength))) {
      throw new BadRequest(400, 'ENV-CONTENT-2', `CONTENT_LENGTH ${JSON.stringify(rawLength)} is not a decimal length`);
    }
    contentLength = Number(rawLength);
    if (options.maxBodyBytes !== undefined && contentLength > options.maxBodyBytes) {
      throw new BadRequest(413, 'INPUT-FLOW-3', `CONTENT_LENGTH ${contentLength} is over the limit of ${options.maxBodyBytes} bytes`);
    }
    keys.CONTENT_LENGTH = String(contentLength);
  }
  if (vars.CONTENT_TYPE !== undefined) keys.CONTENT_TYPE = vars.CONTENT_TYPE;

  for (const name of Object.keys(vars)) {
    const value = vars[name];
    if (value === undefined) continue;
    if (name.startsWith('HTTP_')) {
      /// SEC-PROXY-1, ENV-CONTENT-3: never HTTP_PROXY, never HTTP_CONTENT_*.
      if (DROPPED_HTTP_VARIABLES.has(name) || !HTTP_VARIABLE.test(name)) continue;
      /// ENV-HTTP-4: one code unit per byte, without surrounding whitespace.
      keys[name] = value.replace(OWS, '');
    } else if (EXTRA_VARIABLES.has(name) || SSL_VARIABLE.test(name)) {
      /// ENV-EXT-2: other meta-variables as extra CGI-style keys; file paths are decoded as UTF-8 when they are UTF-8.
      keys[name] = decodeUtf8(value) ?? value;
    }
  }

  /// ENV-HTTP-3: repeated Cookie fields are joined with "; ". Apache joins them with ", " like any
  // other field; a cookie-pair never holds ", " (RFC 6265 §4.2.1: cookie-octet excludes comma and
  // space), so under Apache (CGI or mod_proxy_fcgi) ", " in HTTP_COOKIE is where two fields met.
  if (keys.HTTP_COOKIE?.includes(', ') && /^Apache\b/.test(vars.SERVER_SOFTWARE ?? '')) keys.HTTP_COOKIE = keys.HTTP_COOKIE.replaceAll(', ', '; ');

  /// ENV-SERVER-1, ENV-SERVER-2: the authority the client addressed (Host), else what the host configured.
  // The port comes from Host only when Host names one: Debian's nginx fastcgi_params
  // passes HTTP_HOST as $host, without the port, and the host's SERVER_PORT is then right.
  const hostPort = vars.SERVER_PORT && DIGITS.test(vars.SERVER_PORT) ? String(Number(vars.SERVER_PORT)) : null;
  const defaultPort = urlScheme === 'https' ? '443' : '80';
  const host = keys.HTTP_HOST;
  if (host !== undefined && host !== '') {
    const parsed = parseAuthority(host, urlScheme);
    if (!parsed) throw new BadRequest(400, 'ENV-SERVER-1', `invalid Host ${JSON.stringify(host)}`);
    keys.SERVER_NAME = parsed.name;
    keys.SERVER_PORT = /:\d+$/.test(host) ? parsed.port : hostPort ?? defaultPort;
  } else {
    keys.SERVER_NAME = vars.SERVER_NAME || 'localhost';
    keys.SERVER_PORT = hostPort ?? defaultPort;
  }

  const bodyToEof = contentLength === null && keys.HTTP_TRANSFER_ENCODING !== undefined;
  return { keys, scheme: urlScheme, contentLength, bodyToEof };
}

/** The per-request objects a server adds to the CGI-style keys. */
export interface TsgiKeys {
  input: InputStream;
  errors: ErrorStream;
  signal: AbortSignal;
  state: AppState;
  extensions: Extensions;
  multithread: boolean;
  multiprocess: boolean;
  runOnce: boolean;
}

/** The environ of one request: the CGI-style keys plus the `tsgi.*` keys (ENV-TSGI-1..8). */
export function cgiEnviron(request: CgiRequest, tsgi: TsgiKeys): Environ {
  const environ: Record<string, unknown> = { ...request.keys };
  environ['tsgi.version'] = TSGI_VERSION;
  environ['tsgi.url_scheme'] = request.scheme;
  environ['tsgi.input'] = tsgi.input;
  environ['tsgi.errors'] = tsgi.errors;
  environ['tsgi.multithread'] = tsgi.multithread;
  environ['tsgi.multiprocess'] = tsgi.multiprocess;
  environ['tsgi.run_once'] = tsgi.runOnce;
  environ['tsgi.signal'] = tsgi.signal;
  environ['tsgi.state'] = tsgi.state;
  environ['tsgi.extensions'] = tsgi.extensions;
  return environ as unknown as Environ;
}
