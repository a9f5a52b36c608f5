import { isBodyless, statusText, type PreparedResponse } from '@tsgi/gateway-spec/server-kit';

/** How the head of a response is written: as CGI header lines, or as HTTP itself for an NPH script. */
export interface HeadOptions {
  readonly method: string;
  /**
   * For a non-parsed-header script (RFC 3875 §5, `nph-` file names), the HTTP
   * version of the status line; null for a parsed-header (ordinary) script.
   */
  readonly nphProtocol: string | null;
  /** Where a header the host would misread is reported. */
  readonly log: (line: string) => void;
}

const CRLF = '\r\n';

/**
 * The head of a CGI response (RFC 3875 §6): header lines, then an empty line.
 *
 * A `Status:` line is always written, also for 200, so that no response is
 * taken for a redirect by accident: without it, a `Location` makes Apache and
 * lighttpd answer 302 or run a local redirect (§6.2.2, §6.2.3). For the same
 * reason a `Location` on a 200 response is dropped (and logged): Apache turns
 * "Status: 200" + Location into an internal redirect or a 302 whatever the
 * Status line says, and on a 200 the field has no meaning (RFC 9110 §10.2.2).
 *
 * Content-Length is added when the body's length is known, so that the host
 * need not chunk it; never for HEAD (the body that was not sent says nothing
 * of the length a GET would get), 204 or 304.
 *
 * An NPH head is a whole HTTP/1.x head: status line, Date, the application's
 * headers, `Connection: close` (the host closes the connection after an NPH
 * script), and for a body of unknown length `Transfer-Encoding: chunked` on
 * HTTP/1.1 (BODY-LEN-1), so that a body failing half-way stays visible as
 * such (ERR-APP-2); on HTTP/1.0 the end of the connection ends the body.
 */
export function formatHead(response: PreparedResponse, options: HeadOptions): string {
  const { status } = response;
  const nph = options.nphProtocol !== null;
  let head = nph
    ? `${options.nphProtocol} ${status} ${statusText(status)}${CRLF}Date: ${new Date().toUTCString()}${CRLF}`
    : `Status: ${status} ${statusText(status)}${CRLF}`;
  for (const [name, value] of response.headers) {
    if (!nph && status === 200 && name.length === 8 && name.toLowerCase() === 'location') {
      options.log(`tsgi-cgi: dropped "Location: ${value}" from a 200 response: CGI hosts would turn it into a redirect (RFC 3875 §6.2.2)`);
      continue;
    }
    head += `${name}: ${value}${CRLF}`;
  }
  const bodyless = isBodyless(options.method, status);
  if (!response.hasContentLength && response.contentLength !== null && !bodyless) {
    head += `Content-Length: ${response.contentLength}${CRLF}`;
  }
  if (nph && nphChunked(response, options)) head += `Transfer-Encoding: chunked${CRLF}`;
  if (nph) head += `Connection: close${CRLF}`;
  return head + CRLF;
}

/** True when an NPH response frames its body with chunked coding: HTTP/1.1, a body, no known length. */
export function nphChunked(response: PreparedResponse, options: HeadOptions): boolean {
  return options.nphProtocol === 'HTTP/1.1' && response.contentLength === null && !isBodyless(options.method, response.status);
}

/** The whole output of a local redirect (RFC 3875 §6.2.2): one Location line and nothing else. */
export function formatLocalRedirect(location: string): string {
  return `Location: ${location}${CRLF}${CRLF}`;
}

/** Bytes of a head: header values are latin-1 strings, one code unit per byte (RESP-HDR-3). */
export function headBytes(head: string): Buffer {
  return Buffer.from(head, 'latin1');
}
