import { describeError, isBodyless, serverResponse, type PreparedResponse } from '@tsgi/gateway-spec/server-kit';
import type { OutputSink } from './output-sink.js';
import { formatHead, headBytes, nphChunked, type HeadOptions } from './response-head.js';

/** How writing a response ended. */
export type WriteOutcome =
  /** The whole response reached standard output. */
  | 'complete'
  /** The body failed after the head was written: the host sees a short body (ERR-APP-2). */
  | 'truncated'
  /** The host stopped reading (the client went away). */
  | 'gone';

export interface WriteOptions extends HeadOptions {
  /** Aborts when the request is abandoned (SIGTERM from the host): writing stops (CANCEL-SIG-4). */
  readonly signal: AbortSignal;
  /** A short name of the request for log lines (ERR-APP-4). */
  readonly label: string;
}

/**
 * Writes a prepared response to standard output as a CGI response.
 *
 * The head is held back until the first chunk of the body is there, and goes
 * out with it in one write: a body that fails on its first chunk still gets a
 * clean 500 (ERR-APP-1, "before any byte of the head is sent"), and a short
 * response costs one write(2). An empty first chunk (BODY-FORM-6) sends the
 * head at once. Each later chunk is written after the previous one was taken
 * by the pipe (BODY-ITER-1). For HEAD, 204 and 304 the body is finalised
 * without being read (BODY-HEAD-1, BODY-NOBODY-1).
 *
 * After the head, a failing body can only end the output early: the outcome
 * is 'truncated' and the caller exits non-zero (see README: what the hosts
 * make of that).
 */
export async function writeCgiResponse(response: PreparedResponse, sink: OutputSink, options: WriteOptions): Promise<WriteOutcome> {
  const { body } = response;
  if (isBodyless(options.method, response.status)) {
    logClose(await body.close(), options);
    return write(sink, headBytes(formatHead(response, options)));
  }
  let first: Uint8Array | null;
  try {
    first = await body.next();
  } catch (error) {
    options.log(`${options.label}: the response body failed before the head was sent, answered 500 (ERR-APP-1): ${describeError(error)}`);
    logClose(await body.close(), options);
    return writeCgiResponse(await serverResponse(500), sink, options);
  }
  const head = headBytes(formatHead(response, options));
  // An NPH script frames its own body; the last chunk is written only when the body completes (ERR-APP-2).
  const frame = nphChunked(response, options) ? chunked : (bytes: Uint8Array) => bytes;
  const firstBytes = first === null || first.byteLength === 0 ? [] : [frame(first)];
  if (first === null && frame === chunked) firstBytes.push(LAST_CHUNK);
  let outcome = await write(sink, firstBytes.length === 0 ? head : Buffer.concat([head, ...firstBytes]));
  if (first === null) return outcome;
  try {
    while (outcome === 'complete') {
      if (options.signal.aborted) {
        outcome = 'gone';
        break;
      }
      const chunk = await body.next();
      if (chunk === null) {
        if (frame === chunked) outcome = await write(sink, LAST_CHUNK);
        break;
      }
      if (chunk.byteLength > 0) outcome = await write(sink, frame(chunk));
    }
  } catch (error) {
    options.log(`${options.label}: the response body failed after the head was sent; the output ends here (ERR-APP-2): ${describeError(error)}`);
    outcome = 'truncated';
  }
  // BODY-ITER-2, BODY-ITER-4: finalised in every outcome; a no-op when the body ran to its end.
  logClose(await body.close(), options);
  return outcome;
}

const LAST_CHUNK = Buffer.from('0\r\n\r\n', 'latin1');

/** One chunk of chunked transfer coding (RFC 9112 §7.1). */
function chunked(bytes: Uint8Array): Uint8Array {
  return Buffer.concat([Buffer.from(`${bytes.byteLength.toString(16)}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1')]);
}

async function write(sink: OutputSink, bytes: Uint8Array): Promise<WriteOutcome> {
  try {
    await sink.write(bytes);
    return 'complete';
  } catch {
    return 'gone';
  }
}

function logClose(error: unknown, options: WriteOptions): void {
  if (error !== undefined) options.log(`${options.label}: the body's return() failed: ${describeError(error)}`);
}
