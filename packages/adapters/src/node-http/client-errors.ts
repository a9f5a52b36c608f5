/**
 * What happens on a connection node:http gives up on: a parse error or an
 * expired deadline ('clientError'), a CONNECT ('connect') and a silent socket
 * ('timeout'). The application never sees these requests.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Connection } from './connection.js';
import { rawRefusal } from './refuse.js';

const kFailed = Symbol('tsgi.http.failed');

type FailedSocket = Socket & { [kFailed]?: true };

function noop(): void {}

/**
 * The status for a node:http client error, or 0 for a socket that is simply
 * gone (ECONNRESET, EPIPE, an HTTP/2 preface): no answer, just close.
 */
export function statusForClientError(code: string | undefined): number {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return 431; // SRV-HTTP-4: head over maxHeaderBytes
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 408; // SRV-HTTP-4: headersTimeoutMs or requestTimeoutMs passed
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 413; // node's own limit on chunk extensions
    case 'HPE_PAUSED_H2_UPGRADE':
      return 0; // "PRI * HTTP/2.0": an HTTP/2 client; HTTP/1.1 has nothing to say to it
    default:
      // Every other parser error is malformed framing or syntax (SRV-HTTP-1, SRV-HTTP-3): 400.
      return code !== undefined && code.startsWith('HPE_') ? 400 : 0;
  }
}

function endSoon(socket: Socket): void {
  const s = socket as Socket & { destroySoon?: () => void };
  if (s.destroySoon) s.destroySoon();
  else s.end();
}

/**
 * 'clientError': answer 400/408/431 and close, never reaching the application.
 * The answer must not be taken for the response to an earlier pipelined
 * request, so it goes out only when no response is pending, or after them.
 */
export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  const failed = socket as FailedSocket;
  // llhttp stays in its error state and reports again on every later read: answer once.
  if (failed[kFailed]) return;
  failed[kFailed] = true;
  const timeout = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const conn = Connection.of(socket);
  const cancel = timeout ? 'TSGI_ERR_TIMEOUT' : 'TSGI_ERR_CLIENT_GONE';
  const status = statusForClientError(error.code);
  if (status === 0 || !socket.writable) {
    if (conn) conn.destroy(cancel);
    else socket.destroy();
    return;
  }
  const refusal = rawRefusal(status);
  if (conn?.refused) {
    // The request was already refused by the adapter (llhttp reports some framing errors
    // only after the request event): one answer is enough.
    conn.endSoon();
    return;
  }
  if (conn === undefined || conn.cycles.size === 0) {
    if (conn) conn.refusing = true;
    socket.write(refusal);
    endSoon(socket);
    return;
  }
  conn.refusing = true;
  const latest = conn.latest()!;
  if (!latest.req.complete) {
    if (conn.cycles.size === 1 && !latest.res.headersSent) {
      // The request being answered broke (a bad chunk) or ran out of time: it gets the refusal.
      latest.abort(cancel);
      latest.responded = true;
      socket.write(refusal);
      conn.endSoon();
    } else {
      conn.destroy(cancel);
    }
    return;
  }
  // A later pipelined request failed: answer it after the pending responses (SRV-HTTP-5).
  conn.deferredRefusal = refusal;
}

/** 'connect': CONNECT is not for an application server (SRV-HTTP-6): 501 and close. */
export function onConnect(_req: IncomingMessage, socket: Socket): void {
  // node has detached its own handlers from this socket: without one, an error would throw.
  socket.on('error', noop);
  socket.write(rawRefusal(501));
  endSoon(socket);
}

/**
 * 'timeout': no byte either way for idleTimeoutMs, or a keep-alive connection
 * idle past keepAliveTimeoutMs. A request still arriving gets 408; anything in
 * flight is aborted with TSGI_ERR_TIMEOUT (CANCEL-SIG-2).
 */
export function onTimeout(socket: Socket): void {
  const conn = Connection.of(socket);
  if (conn === undefined) {
    socket.destroy();
    return;
  }
  const latest = conn.latest();
  if (latest !== undefined && conn.cycles.size === 1 && !latest.req.complete) {
    onClientError(Object.assign(new Error('no byte received within idleTimeoutMs'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
    return;
  }
  conn.destroy('TSGI_ERR_TIMEOUT');
}
