/**
 * The checks of RFC 9112 that node:http's parser (llhttp, strict mode) leaves
 * to the server, made on the parsed request before anything else runs. llhttp
 * already refuses, through 'clientError': CL with TE, repeated or malformed
 * Content-Length, a TE whose last coding is not chunked, obs-fold, whitespace
 * before the colon, bad name characters, control characters in values, bare CR
 * or LF, bad versions and oversized heads. What remains is here.
 * @module
 */
import type { ForwardingHeaders } from '../shared/forwarded.js';

/** A request the server answers itself, never the application. */
export interface Refusal {
  readonly status: number;
  /** The requirement that refuses it, for tests and debugging. */
  readonly requirement: string;
  readonly detail: string;
}

/** What the checks learned about an accepted request. */
export interface RequestHead {
  /** The declared Content-Length, or null (none, or chunked). */
  readonly contentLength: number | null;
  /** The body is chunked (Transfer-Encoding: chunked). */
  readonly chunked: boolean;
  /** An HTTP/1.1 `Expect: 100-continue` the server honours (INPUT-CONT-1). */
  readonly expectContinue: boolean;
  /** `OPTIONS *`: answered by the server (SRV-HTTP-6). */
  readonly asterisk: boolean;
  /** The forwarding headers, collected only when asked for (a trusted peer). */
  readonly forwarding: ForwardingHeaders | undefined;
}

/** The limits the checks apply. */
export interface CheckLimits {
  readonly maxHeaderCount: number;
  readonly maxBodyBytes: number;
}

function refusal(status: number, requirement: string, detail: string): Refusal {
  return { status, requirement, detail };
}

const ABSOLUTE_FORM = /^https?:\/\/[^/?#]/i;

function append(previous: string | undefined, value: string): string {
  return previous === undefined ? value : `${previous}, ${value}`;
}

/**
 * Checks one request as node:http parsed it: version, request target, Host,
 * Transfer-Encoding, Expect, the header count and the declared body length.
 * `rawHeaders` is node's flat `[name, value, ...]` list, in order with repeats.
 * Returns the refusal to send (and then close), or what the request declares.
 */
export function inspectRequest(
  method: string,
  target: string,
  major: number,
  minor: number,
  rawHeaders: readonly string[],
  limits: CheckLimits,
  collectForwarding: boolean,
): RequestHead | Refusal {
  // RFC 9112 §2.3: this server speaks HTTP/1.0 and HTTP/1.1; llhttp also lets 0.9 and 2.0 through.
  if (major !== 1 || minor > 1) return refusal(505, 'ENV-SERVER-3', `HTTP/${major}.${minor} is not supported`);

  let asterisk = false;
  if (target.charCodeAt(0) !== 0x2f /* / */) {
    if (target === '*') {
      // RFC 9112 §3.2.4: asterisk-form is for OPTIONS only.
      if (method !== 'OPTIONS') return refusal(400, 'SRV-HTTP-6', `"*" is the target of ${method}; only OPTIONS may use it`);
      asterisk = true;
    } else if (!ABSOLUTE_FORM.test(target)) {
      // RFC 9112 §3.2: origin-form or absolute-form (authority-form is CONNECT's, refused elsewhere).
      return refusal(400, 'ENV-PATH-3', 'the request target is neither origin-form nor an http(s) absolute-form');
    }
  }

  const fields = rawHeaders.length >> 1;
  // node:http keeps at most maxHeaderCount + 1 fields (see gateway.ts), so one more means too many.
  if (fields > limits.maxHeaderCount) return refusal(431, 'SRV-HTTP-4', `more than ${limits.maxHeaderCount} header fields`);

  let hosts = 0;
  let transferEncoding: string | undefined;
  let contentLength: string | undefined;
  let expect: string | undefined;
  let forwarding: ForwardingHeaders | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    // Names are matched by length first: most fields are none of these, and lower-casing is the cost.
    switch (name.length) {
      case 4:
        if (name === 'Host' || name.toLowerCase() === 'host') hosts++;
        break;
      case 6:
        if (name.toLowerCase() === 'expect') expect = append(expect, rawHeaders[i + 1]!);
        break;
      case 14:
        if (name.toLowerCase() === 'content-length') contentLength = rawHeaders[i + 1]!;
        break;
      case 17:
        if (name.toLowerCase() === 'transfer-encoding') transferEncoding = append(transferEncoding, rawHeaders[i + 1]!);
        else if (collectForwarding && name.toLowerCase() === 'x-forwarded-proto') {
          forwarding ??= {};
          forwarding.xForwardedProto = append(forwarding.xForwardedProto, rawHeaders[i + 1]!);
        }
        break;
      case 9:
        if (collectForwarding && name.toLowerCase() === 'forwarded') {
          forwarding ??= {};
          forwarding.forwarded = append(forwarding.forwarded, rawHeaders[i + 1]!);
        }
        break;
      case 15:
        if (collectForwarding && name.toLowerCase() === 'x-forwarded-for') {
          forwarding ??= {};
          forwarding.xForwardedFor = append(forwarding.xForwardedFor, rawHeaders[i + 1]!);
        }
        break;
      case 16:
        if (collectForwarding) {
          const lower = name.toLowerCase();
          if (lower === 'x-forwarded-host') {
            forwarding ??= {};
            forwarding.xForwardedHost = append(forwarding.xForwardedHost, rawHeaders[i + 1]!);
          } else if (lower === 'x-forwarded-port') {
            forwarding ??= {};
            forwarding.xForwardedPort = append(forwarding.xForwardedPort, rawHeaders[i + 1]!);
          }
        }
        break;
    }
  }

  // SRV-HTTP-2 (RFC 9112 §3.2): exactly one Host in HTTP/1.1, at most one in HTTP/1.0.
  if (minor === 1 ? hosts !== 1 : hosts > 1) {
    return refusal(400, 'SRV-HTTP-2', hosts === 0 ? 'an HTTP/1.1 request without Host' : `${hosts} Host header fields`);
  }

  let chunked = false;
  if (transferEncoding !== undefined) {
    // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 means faulty framing.
    if (minor === 0) return refusal(400, 'SRV-HTTP-1', 'Transfer-Encoding in an HTTP/1.0 request');
    const codings = transferEncoding.toLowerCase().split(',').map((c) => c.trim());
    // RFC 9112 §6.3: a last coding other than chunked leaves the length unknown: 400 (llhttp
    // refuses it too, but only after the request event).
    if (codings[codings.length - 1] !== 'chunked') {
      return refusal(400, 'SRV-HTTP-1', `Transfer-Encoding ${JSON.stringify(transferEncoding)} does not end in chunked`);
    }
    // Codings before chunked (gzip, chunked) are ones this server does not decode: 501 (RFC 9112 §6.1).
    if (codings.length !== 1) return refusal(501, 'SRV-HTTP-1', `unsupported transfer coding ${JSON.stringify(transferEncoding)}`);
    chunked = true;
  }

  let expectContinue = false;
  if (expect !== undefined) {
    if (expect.trim().toLowerCase() !== '100-continue') {
      return refusal(417, 'INPUT-CONT-2', `Expect: ${JSON.stringify(expect)}`);
    }
    // RFC 9110 §10.1.1: a 100-continue expectation in an HTTP/1.0 request is ignored.
    expectContinue = minor === 1;
  }

  let length: number | null = null;
  if (contentLength !== undefined) {
    // llhttp has checked the syntax (digits only, no repeats); the number may still be large.
    length = Number(contentLength);
    if (!(length <= limits.maxBodyBytes)) {
      return refusal(413, 'INPUT-FLOW-3', `Content-Length ${contentLength} is over the limit of ${limits.maxBodyBytes} bytes`);
    }
  }

  return { contentLength: length, chunked, expectContinue, asterisk, forwarding };
}

/** True for what inspectRequest refuses. */
export function isRefusal(result: RequestHead | Refusal): result is Refusal {
  return (result as Refusal).status !== undefined;
}
