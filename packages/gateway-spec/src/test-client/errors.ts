/**
 * What reading a response rejects with when the server cut the body short
 * (ERR-APP-2: the body failed after the head; BODY-LEN-2: it disagreed with its
 * Content-Length), as an HTTP client sees a connection closed too early. Only
 * with `rethrow: false`; otherwise the read rejects with the original error.
 */
export class TruncatedResponseError extends Error {
  /**
   * @param received the body bytes that arrived before the cut
   * @param contentLength the length the head announced, or null for a chunked body
   * @param cause the server-side error (a real client could not see it; tests can)
   */
  constructor(readonly received: Uint8Array, readonly contentLength: number | null, cause: unknown) {
    super(
      `the response body was cut short after ${received.byteLength}${contentLength === null ? '' : ` of ${contentLength}`} bytes (ERR-APP-2); the error log says why`,
      { cause },
    );
    this.name = 'TruncatedResponseError';
  }
}
