/**
 * The response extension for a CGI local redirect (RFC 3875 §6.2.2): the host
 * answers the request as if it had been made for this path and query, on the
 * same server, and the client never sees a redirect (Apache: an internal
 * redirect, made a GET; lighttpd: with `cgi.local-redir = "enable"`).
 *
 *     return { status: 200, 'cgi.local_redirect': '/static/report.pdf' };
 *
 * It is declared in `tsgi.extensions` (EXT-DECL-1) by the CGI adapter, and an
 * application checks for it there (EXT-DECL-2): other servers have no such
 * thing. When the key is present, the response's status, headers and body are
 * not sent (the body is finalised): the host makes the response.
 */
export const LOCAL_REDIRECT = 'cgi.local_redirect';

/** A local-pathquery: an absolute path (not `//`, which would name a host), then an optional query, in visible ASCII. */
const LOCAL_PATH_QUERY = /^\/(?!\/)[\x21-\x7e]*$/;

/**
 * The local redirect a response asks for, or null when it asks for none.
 * Throws (the server answers 500) for a value that is not a
 * local path: a CGI host would otherwise take it for a client redirect.
 */
export function localRedirectOf(response: unknown): string | null {
  if (typeof response !== 'object' || response === null || !(LOCAL_REDIRECT in response)) return null;
  const location = (response as Record<string, unknown>)[LOCAL_REDIRECT];
  if (typeof location !== 'string' || !LOCAL_PATH_QUERY.test(location)) {
    throw new Error(`${LOCAL_REDIRECT} must be a path starting with "/" (RFC 3875 §6.2.2 local-pathquery), got ${JSON.stringify(location)}`);
  }
  return location;
}
