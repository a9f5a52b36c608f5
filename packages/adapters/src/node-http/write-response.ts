/**
 * Writes a checked response (from callApplication) to node's ServerResponse:
 * framing (BODY-LEN-1), bodyless responses (BODY-HEAD-1, BODY-NOBODY-1),
 * backpressure (BODY-ITER-1), flush hints (BODY-FORM-6), cancellation
 * (CANCEL-SIG-4) and failures after the head (ERR-APP-2, BODY-LEN-2).
 * @module
 */
import {
  describeError,
  isBodyless,
  isTsgiError,
  serverResponse,
  type BodySource,
  type HeaderList,
  type PreparedResponse,
} from '@tsgi/gateway-spec/server-kit';
import type { RequestCycle } from './cycle.js';
import { refuse } from './refuse.js';

/**
 * The header list node gets: the application's pairs in order, each its own
 * field (RESP-HDR-7), plus Content-Length when the server knows the length and
 * the application did not say it (BODY-LEN-1). node takes `[name, value]`
 * pairs as they are, so the common case passes the application's array itself.
 */
function headersFor(response: PreparedResponse, status: number, bodyless: boolean): HeaderList {
  const length = response.contentLength;
  if (response.hasContentLength || length === null || status === 204 || status === 304) return response.headers;
  // HEAD: announce the length the body would have had (RFC 9110 §9.3.2), unless there is nothing to tell.
  if (bodyless && length === 0) return response.headers;
  return response.headers.concat([['content-length', String(length)]]);
}

/** Decides, just before the head, whether the connection stays open after this response. */
function keepAliveDecision(cycle: RequestCycle): void {
  const { res, owner } = cycle;
  // Not `conn.refusing`: a request refused behind this one (or the last one a connection may
  // carry) closes the connection with its own response, after this one.
  if (owner.draining) {
    res.shouldKeepAlive = false;
  } else if (cycle.hasBody && !cycle.req.complete) {
    // INPUT-DRAIN-1: node reads and discards an unread body before the next request;
    // past a bound (or for a chunked body of unknown size) closing is cheaper.
    const declared = cycle.head.contentLength;
    if (declared === null || cycle.input.failed || declared - cycle.input.received > owner.options.maxDrainBytes) {
      res.shouldKeepAlive = false;
    }
  }
  // RFC 9112 §6.1: never chunked to an HTTP/1.0 client (node would, given `TE: chunked`).
  if (cycle.req.httpVersionMinor === 0) res.useChunkedEncodingByDefault = false;
}

/** Writes the head; false (after answering 500) when node refuses a header the validator let through. */
function writeHead(cycle: RequestCycle, status: number, headers: HeaderList): boolean {
  try {
    cycle.res.writeHead(status, headers as unknown as [string, string][]);
    return true;
  } catch (error) {
    cycle.owner.log(`${cycle.req.method} ${cycle.req.url}: node refused the response head, answered 500 (RESP-HDR-8): ${describeError(error)}`, error);
    refuse(cycle.res, 500);
    cycle.responded = true;
    return false;
  }
}

/** Finalises a body the server will not (or no longer) send (BODY-ITER-2, BODY-ITER-4). */
async function finalise(cycle: RequestCycle, body: BodySource): Promise<void> {
  if (body.bytes !== undefined) return;
  const error = await body.close();
  if (error !== undefined) {
    cycle.owner.log(`${cycle.req.method} ${cycle.req.url}: the body's return() threw: ${describeError(error)}`, error);
  }
}

/** Resolves true on 'drain', false when the request is aborted first. */
function drained(cycle: RequestCycle): Promise<boolean> {
  return new Promise((resolve) => {
    const { res } = cycle;
    const done = () => {
      res.removeListener('drain', done);
      cycle.wake = undefined;
      resolve(!cycle.aborted);
    };
    cycle.wake = done;
    res.on('drain', done);
  });
}

/**
 * Writes `response`. In-memory bodies are written at once and nothing is
 * returned; otherwise the promise settles once the response is handed to
 * node, cut, or given up. Never rejects for the application's faults.
 */
export function writeResponse(cycle: RequestCycle, response: PreparedResponse): Promise<void> | undefined {
  const { res } = cycle;
  const { body } = response;
  if (cycle.aborted) return finalise(cycle, body); // BODY-ITER-4: cancelled before the first chunk
  if (cycle.input.tooLarge) return refuseTooLarge(cycle, body);
  const status = response.status;
  const bodyless = isBodyless(cycle.req.method!, status);
  const headers = headersFor(response, status, bodyless);
  keepAliveDecision(cycle);

  if (bodyless) {
    // BODY-HEAD-1, BODY-NOBODY-1: the head only; the body is finalised without being iterated.
    if (writeHead(cycle, status, headers)) {
      res.end();
      cycle.responded = true;
    }
    return body.bytes === undefined ? finalise(cycle, body) : undefined;
  }

  if (body.bytes !== undefined) {
    // In memory with a known length: head and body in one write. A string goes to node as
    // it is: node encodes it (UTF-8, BODY-FORM-2) straight into the write with the head.
    if (!writeHead(cycle, status, headers)) return undefined;
    if (body.length === 0) res.end();
    else res.end(body.text ?? body.bytes);
    cycle.responded = true;
    return undefined;
  }
  return writeStream(cycle, status, headers, body);
}

/** INPUT-FLOW-3: the body crossed the limit and nothing is sent yet: 413, whatever the application said. */
async function refuseTooLarge(cycle: RequestCycle, body: BodySource): Promise<void> {
  await finalise(cycle, body);
  if (!cycle.aborted) refuse(cycle.res, 413);
  cycle.responded = true;
}

/** Writes a streamed body (iterable or file) with backpressure. */
async function writeStream(cycle: RequestCycle, status: number, headers: HeaderList, body: BodySource): Promise<void> {
  const { res } = cycle;
  // A stream (iterable or file). The head waits for the first chunk, so that a
  // body failing at once still gets a clean 500 (ERR-APP-1).
  let chunk: Uint8Array | null;
  try {
    chunk = await body.next();
  } catch (error) {
    cycle.owner.log(`${cycle.req.method} ${cycle.req.url}: the body failed before the head was sent, answered 500 (${failureId(error)}): ${describeError(error)}`, error);
    await finalise(cycle, body);
    if (cycle.aborted) return;
    const fallback = await serverResponse(500);
    if (writeHead(cycle, fallback.status, headersFor(fallback, 500, false))) res.end(fallback.body.text ?? fallback.body.bytes);
    cycle.responded = true;
    return;
  }
  if (cycle.aborted) return finalise(cycle, body);
  if (!writeHead(cycle, status, headers)) return finalise(cycle, body);

  let flushed = false;
  try {
    while (chunk !== null) {
      if (chunk.byteLength === 0) {
        // BODY-FORM-6: an empty chunk sends the head now (server-sent events, long polls).
        if (!flushed) res.flushHeaders();
      } else if (!res.write(chunk)) {
        // BODY-ITER-1: the next chunk is asked for only once the socket takes more.
        if (!(await drained(cycle))) break;
      }
      flushed = true;
      if (cycle.aborted) break;
      chunk = await body.next();
      if (cycle.aborted) break;
    }
  } catch (error) {
    // ERR-APP-2, BODY-LEN-2: the head is out; only a cut connection (no last chunk,
    // fewer bytes than Content-Length) tells the client the response is broken.
    cycle.owner.log(`${cycle.req.method} ${cycle.req.url}: the body failed after the head was sent, connection cut (${failureId(error)}): ${describeError(error)}`, error);
    cycle.responded = true;
    cycle.conn.endSoon();
    return;
  }
  if (cycle.aborted) return finalise(cycle, body); // CANCEL-SIG-4
  res.end();
  cycle.responded = true;
}

/** The requirement a body failure breaks: the SpecViolation's own (RESP-HDR-9, BODY-FORM-3), else ERR-APP-2. */
function failureId(error: unknown): string {
  const requirement = isTsgiError(error) ? (error as { requirement?: unknown }).requirement : undefined;
  return typeof requirement === 'string' ? requirement : 'ERR-APP-2';
}
