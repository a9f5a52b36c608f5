/**
 * Echoes the request body back, chunk for chunk, with its content type.
 *
 * The response body is a generator that reads one chunk of `tsgi.input` for
 * each chunk it yields, so the whole path has backpressure: the server pulls
 * the next response chunk only when the client can take it (BODY-ITER-1), and
 * the server reads from the client only while the application asks for input
 * (INPUT-FLOW-1). Memory stays at a chunk or two whatever the body's size.
 *
 * The size limit shows the one trade-off of streaming: a body that declares
 * its length over the limit gets a clean 413 before anything is read; a
 * chunked body can only be caught while it is echoed, after the 200 is out,
 * so crossing the limit cuts the response short (ERR-APP-2) and the client
 * sees a truncated body. An echo that must answer 413 in every case has to
 * buffer first.
 */
import type { Environ, HeaderPair, InputStream, RequestHandler, TsgiResponse } from '@tsgi/gateway-spec';

/** Largest body echoed. */
export const MAX_ECHO_BYTES = 1024 * 1024;

export interface EchoOptions {
  maxBytes?: number;
}

const TEXT: HeaderPair = ['content-type', 'text/plain; charset=utf-8'];

async function* echoBody(input: InputStream, maxBytes: number): AsyncGenerator<Uint8Array> {
  let total = 0;
  for await (const chunk of input) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new RangeError(`echo: the request body is over ${maxBytes} bytes; the response is cut short`);
    yield chunk;
  }
}

export function createEchoApp(options: EchoOptions = {}): RequestHandler {
  const maxBytes = options.maxBytes ?? MAX_ECHO_BYTES;
  return (environ: Environ): TsgiResponse => {
    if (environ.REQUEST_METHOD !== 'POST' && environ.REQUEST_METHOD !== 'PUT') {
      return { status: 405, headers: [TEXT, ['allow', 'POST, PUT']], body: 'echo takes POST or PUT\n' };
    }
    const declared = environ.CONTENT_LENGTH;
    if (declared !== undefined && Number(declared) > maxBytes) {
      // Refused unread: with `Expect: 100-continue` the client never even sends it (INPUT-CONT-1).
      return { status: 413, headers: [TEXT], body: `the body may be at most ${maxBytes} bytes\n` };
    }
    const headers: HeaderPair[] = [['content-type', environ.CONTENT_TYPE ?? 'application/octet-stream']];
    // The echo is exactly as long as the request, so a declared length carries over (BODY-LEN-1).
    if (declared !== undefined) headers.push(['content-length', declared]);
    return { status: 200, headers, body: echoBody(environ['tsgi.input'], maxBytes) };
  };
}

export default createEchoApp();
