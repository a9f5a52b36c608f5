/**
 * Responses the server makes itself, before or instead of the application: a
 * status and its reason phrase as a short plain-text body, nothing about the
 * cause (SEC-ERR-1), and the connection closed after it.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { statusText } from '@tsgi/gateway-spec/server-kit';

const bodies = new Map<number, Buffer>();
const raws = new Map<number, Buffer>();

function bodyOf(status: number): Buffer {
  let body = bodies.get(status);
  if (body === undefined) {
    body = Buffer.from(`${statusText(status)}\n`, 'latin1');
    bodies.set(status, body);
  }
  return body;
}

/**
 * Answers through node's ServerResponse with `status` and `Connection: close`:
 * whatever follows on the connection (a body, pipelined requests) is not read
 * as a request (INPUT-DRAIN-1, SRV-HTTP-1).
 */
export function refuse(res: ServerResponse, status: number): void {
  const body = bodyOf(status);
  res.shouldKeepAlive = false;
  res.writeHead(status, [
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', String(body.byteLength)],
  ]);
  res.end(body);
}

/**
 * The same response as bytes, for a socket node:http has given up on (a parse
 * error, a timeout, CONNECT): there is no ServerResponse to write it with.
 */
export function rawRefusal(status: number): Buffer {
  let raw = raws.get(status);
  if (raw === undefined) {
    const body = bodyOf(status);
    raw = Buffer.concat([
      Buffer.from(
        `HTTP/1.1 ${status} ${statusText(status)}\r\nConnection: close\r\n` +
          `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.byteLength}\r\n\r\n`,
        'latin1',
      ),
      body,
    ]);
    raws.set(status, raw);
  }
  return raw;
}
