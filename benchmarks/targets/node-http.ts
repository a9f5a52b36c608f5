/**
 * The baseline: raw node:http, written about as fast as Node allows
 * (writeHead with a flat header array, then end; no router, no framework).
 * Every ratio in RESULTS.md is against this target measured in the same run.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import {
  BODY_64K, BODY_64K_BYTES, ECHO_LIMIT_BYTES, HELLO_BODY, OCTET_STREAM, ROUTES,
  STREAM_CHUNK_COUNT, STREAM_TOTAL_BYTES, TEXT_PLAIN,
} from './contract.js';
import { freshStreamChunk, runTarget } from './target-kit.js';

const HELLO_HEADERS = ['content-type', TEXT_PLAIN, 'content-length', String(Buffer.byteLength(HELLO_BODY))];
const BODY_64K_HEADERS = ['content-type', OCTET_STREAM, 'content-length', String(BODY_64K_BYTES)];
const STREAM_HEADERS = ['content-type', OCTET_STREAM, 'content-length', String(STREAM_TOTAL_BYTES)];

function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let length = 0;
  req.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > ECHO_LIMIT_BYTES) {
      res.writeHead(413, ['content-length', '0', 'connection', 'close']).end();
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on('end', () => {
    if (res.headersSent) return;
    res.writeHead(200, ['content-type', OCTET_STREAM, 'content-length', String(length)]);
    res.end(Buffer.concat(chunks, length));
  });
}

/** Resolves true on 'drain', false when the client went away first. */
function drained(res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    function done(ok: boolean): void {
      res.off('drain', onDrain).off('close', onClose);
      resolve(ok);
    }
    res.on('drain', onDrain).on('close', onClose);
  });
}

/** Writes the 1 GiB stream, waiting for 'drain' whenever the socket is full. */
async function stream(res: ServerResponse): Promise<void> {
  res.writeHead(200, STREAM_HEADERS);
  for (let i = 0; i < STREAM_CHUNK_COUNT; i++) {
    if (res.destroyed) return;
    if (!res.write(freshStreamChunk()) && !(await drained(res))) return;
  }
  res.end();
}

runTarget(async ({ host, port }) => {
  const server = createServer((req, res) => {
    switch (req.url) {
      case ROUTES.hello:
        res.writeHead(200, HELLO_HEADERS).end(HELLO_BODY);
        return;
      case ROUTES.body64k:
        res.writeHead(200, BODY_64K_HEADERS).end(BODY_64K);
        return;
      case ROUTES.echo:
        echo(req, res);
        return;
      case ROUTES.stream:
        stream(res).catch(() => res.destroy());
        return;
      default:
        res.writeHead(404, ['content-length', '0']).end();
    }
  });
  server.listen(port, host);
  await once(server, 'listening');
});
