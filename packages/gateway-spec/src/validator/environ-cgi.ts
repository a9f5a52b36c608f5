/**
 * The values of the CGI-style keys (sections 2, 2.2 to 2.4 of the spec): the
 * method, content keys, server and peer, and the request headers. Their types
 * were checked against the schemas already; this module checks their form.
 * @module
 */
import { isIP } from 'node:net';
import type { Flag } from './report.js';
import { quote } from './inspect.js';

/** tchar of RFC 9110 §5.6.2: what a method and a header name are made of. */
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DIGITS = /^[0-9]+$/;
const MAX_PORT = 65535;
/** The protocols ENV-SERVER-3 names. */
const PROTOCOLS: ReadonlySet<string> = new Set(['HTTP/1.0', 'HTTP/1.1', 'HTTP/2', 'HTTP/3']);
/** reg-name or IPv4 of RFC 3986 §3.2.2; no ":" (the port is SERVER_PORT). */
const REG_NAME = /^[A-Za-z0-9\-._~!$&'()*+,;=%]+$/;
/** An IPv6 literal keeps its brackets (RFC 3986 §3.2.2, RFC 3875 §4.1.14). */
const IP_LITERAL = /^\[([0-9A-Fa-f:.]+)\]$/;
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
/** `HTTP_` + an upper-cased token with "-" turned into "_" (ENV-HTTP-1). */
const HEADER_KEY = /^HTTP_[!#$%&'*+.^_`|~0-9A-Z]+$/;
const CR_LF_NUL = /[\r\n\0]/;
/** Controls other than HTAB (and CR, LF, NUL, named apart), and DEL: never in a field value (RFC 9110 §5.5). */
const OTHER_CONTROL = /[\x01-\x08\x0B\x0C\x0E-\x1F\x7F]/;
const ABOVE_LATIN1 = /[^\x00-\xFF]/;

function stringAt(values: ReadonlyMap<string, unknown>, key: string): string | undefined {
  const value = values.get(key);
  return typeof value === 'string' ? value : undefined;
}

/// ENV-HTTP-1: a request header appears as HTTP_ + its name upper-cased, "-" as "_".
/// ENV-HTTP-4: a header value is latin-1 (code units 0 to 255), without leading or trailing whitespace.
/// SRV-HTTP-3: a control character in a value is refused with 400, so none reaches the application.
/// SEC-PROXY-1: the Proxy header never becomes HTTP_PROXY (httpoxy).
/// ENV-CONTENT-3: Content-Type and Content-Length are CONTENT_TYPE and CONTENT_LENGTH, never HTTP_*.
function checkRequestHeader(key: string, value: unknown, flag: Flag): void {
  if (key === 'HTTP_PROXY') flag('SEC-PROXY-1', 'the environ has HTTP_PROXY: the Proxy request header must be dropped (httpoxy)');
  if (key === 'HTTP_CONTENT_TYPE' || key === 'HTTP_CONTENT_LENGTH') {
    flag('ENV-CONTENT-3', `the environ has ${key}; the header belongs in ${key.slice(5)}`);
  }
  if (!HEADER_KEY.test(key)) {
    flag('ENV-HTTP-1', `environ key ${quote(key)} is not HTTP_ + an upper-cased header name with "-" as "_"`);
  }
  if (typeof value !== 'string') return;
  if (CR_LF_NUL.test(value)) {
    flag('ENV-HTTP-4', `${key} ${quote(value)} contains CR, LF or NUL`);
  } else if (ABOVE_LATIN1.test(value)) {
    flag('ENV-HTTP-4', `${key} ${quote(value)} has a code unit above 255: header bytes are passed as latin-1, one code unit each`);
  } else if (/^[ \t]|[ \t]$/.test(value)) {
    flag('ENV-HTTP-4', `${key} ${quote(value)} has leading or trailing whitespace`);
  }
  if (OTHER_CONTROL.test(value)) flag('SRV-HTTP-3', `${key} ${quote(value)} contains a control character; the request must be refused with 400`);
}

/** Checks the form of the CGI-style values of a snapshot of the environ. */
export function checkCgiValues(values: ReadonlyMap<string, unknown>, flag: Flag): void {
  const method = stringAt(values, 'REQUEST_METHOD');
  /// ENV-METHOD-1: REQUEST_METHOD is a token, case preserved (Rack::Lint checks the same).
  if (method !== undefined && !TOKEN.test(method)) flag('ENV-METHOD-1', `REQUEST_METHOD ${quote(method)} is not an HTTP token`);

  const contentLength = stringAt(values, 'CONTENT_LENGTH');
  /// ENV-CONTENT-2: CONTENT_LENGTH is decimal digits, never "".
  if (contentLength !== undefined && !DIGITS.test(contentLength)) {
    flag('ENV-CONTENT-2', `CONTENT_LENGTH ${quote(contentLength)} must be decimal digits (absent when the body is not framed by Content-Length)`);
  }

  const serverName = stringAt(values, 'SERVER_NAME');
  /// ENV-SERVER-1: SERVER_NAME is the host the client addressed, without the port; an IPv6 literal keeps its brackets.
  if (serverName !== undefined && !REG_NAME.test(serverName) && isIP(IP_LITERAL.exec(serverName)?.[1] ?? '') !== 6) {
    const hint = isIP(serverName) === 6 ? ' (an IPv6 literal keeps its brackets)' : '';
    flag('ENV-SERVER-1', `SERVER_NAME ${quote(serverName)} is not a host name or address without a port${hint}`);
  }

  const port = stringAt(values, 'SERVER_PORT');
  /// ENV-SERVER-2: SERVER_PORT is the port as decimal digits.
  if (port !== undefined && (!DIGITS.test(port) || Number(port) > MAX_PORT)) {
    flag('ENV-SERVER-2', `SERVER_PORT ${quote(port)} must be a port number in decimal digits`);
  }

  const protocol = stringAt(values, 'SERVER_PROTOCOL');
  /// ENV-SERVER-3: SERVER_PROTOCOL is HTTP/1.0, HTTP/1.1, HTTP/2 or HTTP/3.
  if (protocol !== undefined && !PROTOCOLS.has(protocol)) {
    flag('ENV-SERVER-3', `SERVER_PROTOCOL ${quote(protocol)} must be "HTTP/1.0", "HTTP/1.1", "HTTP/2" or "HTTP/3"`);
  }

  const remoteAddr = stringAt(values, 'REMOTE_ADDR');
  /// ENV-REMOTE-1: REMOTE_ADDR is an IPv4 or IPv6 address (no brackets), or "" on a unix socket.
  if (remoteAddr !== undefined && remoteAddr !== '' && isIP(remoteAddr) === 0) {
    flag('ENV-REMOTE-1', `REMOTE_ADDR ${quote(remoteAddr)} is not an IP address (IPv6 without brackets) or ""`);
  }
  /// ENV-REMOTE-4: an IPv4-mapped IPv6 address is given in its IPv4 form (a warning).
  const mapped = remoteAddr === undefined ? null : IPV4_MAPPED.exec(remoteAddr);
  if (mapped) flag('ENV-REMOTE-4', `REMOTE_ADDR ${quote(remoteAddr ?? '')} should be given in its IPv4 form ${quote(mapped[1] ?? '')}`);

  const remotePort = stringAt(values, 'REMOTE_PORT');
  /// ENV-OBJ-2: an optional key that does not apply is absent, not an empty placeholder.
  if (remotePort === '') flag('ENV-OBJ-2', 'REMOTE_PORT is "": an unknown port is left out, not set to ""');
  /// ENV-REMOTE-3: REMOTE_PORT is the client's port as decimal digits.
  else if (remotePort !== undefined && (!DIGITS.test(remotePort) || Number(remotePort) > MAX_PORT)) {
    flag('ENV-REMOTE-3', `REMOTE_PORT ${quote(remotePort)} should be a port number in decimal digits`);
  }

  for (const [key, value] of values) {
    if (key.startsWith('HTTP_')) checkRequestHeader(key, value, flag);
  }
}
