/**
 * The HTTP side of a worker: an http.Server on the inherited listening socket,
 * the HTTP adapter of @tsgi/adapters attached to it, and around each request
 * what the server adds: a request id, metrics, the access log, and a drain that
 * loses no request.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';
import { attachTsgi, type TsgiAttachment } from '@tsgi/adapters/http';
import type { AppInstance } from '@tsgi/gateway-spec/server-kit';
import { formatAccess, type AccessLogFormat } from './access-log.js';
import type { LogSink } from './log.js';
import type { WorkerMetrics } from './metrics.js';
import { requestContext, type RequestContext } from './request-context.js';

/**
 * How long, at most, a drain waits for each idle keep-alive connection to
 * carry one more request (answered with `Connection: close`) before closing it.
 * Closing an idle connection at once races with a client that is sending on it
 * at that moment, and that request fails; waiting a moment lets a busy client
 * learn of the close from a response instead.
 */
export const IDLE_CONNECTION_GRACE_MS = 1_000;

/** Status logged and counted for a request whose client left before any response head. */
export const CLIENT_CLOSED_STATUS = 499;

export interface WorkerHttpOptions {
  readonly instance: AppInstance;
  readonly listenFd: number;
  readonly backlog: number;
  readonly workerId: number;
  readonly metrics: WorkerMetrics;
  readonly access: { readonly sink: LogSink; readonly format: AccessLogFormat } | null;
  /** The adapter's request-side options (limits, timeouts, error log). */
  readonly adapter: Parameters<typeof attachTsgi>[2];
  /** Called after each request, with the number finished so far. */
  readonly onFinished: (total: number) => void;
}

export interface WorkerHttp {
  readonly server: Server;
  readonly attachment: TsgiAttachment;
  /** Open client connections. */
  readonly connections: number;
  /** Starts accepting on the inherited socket. */
  listen(): Promise<void>;
  /** Graceful stop (SRV-GRACE-1); resolves to the number of requests that had to be aborted. */
  drain(timeoutMs: number): Promise<number>;
}

function byteLength(chunk: unknown, encoding: unknown): number {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return 0;
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  return (chunk as Uint8Array).byteLength ?? 0;
}

/** Counts body bytes handed to `res`, for the access log's %b. */
function countBytes(res: ServerResponse, context: RequestContext): void {
  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    context.bytes += byteLength(chunk, rest[0]);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof res.write;
  res.end = function (this: ServerResponse, chunk?: unknown, ...rest: unknown[]) {
    context.bytes += byteLength(chunk, rest[0]);
    return (end as (...a: unknown[]) => ServerResponse).call(this, chunk, ...rest);
  } as typeof res.end;
}

export function createWorkerHttp(o: WorkerHttpOptions): WorkerHttp {
  const server = createServer();
  const sockets = new Set<Socket>();
  let closingConnections = false;
  let finished = 0;

  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  // Registered before the adapter's listeners, so it runs first for every request (see request-context.ts).
  const observe = (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const time = new Date();
    const context: RequestContext = { id: randomUUID(), remoteAddr: req.socket.remoteAddress ?? '', bytes: 0, timedOut: false, cancel: null };
    requestContext.enterWith(context);
    o.metrics.started();
    // During a drain each connection carries this one last request (IDLE_CONNECTION_GRACE_MS).
    if (closingConnections) res.shouldKeepAlive = false;
    if (o.access !== null) countBytes(res, context);
    res.once('close', () => {
      // CANCEL-SIG-1/3: a response closed before its end means the request was abandoned.
      if (context.cancel !== null && !res.writableFinished) context.cancel(null);
      const status = res.headersSent ? res.statusCode : CLIENT_CLOSED_STATUS;
      const seconds = (performance.now() - started) / 1000;
      o.metrics.finished(status, seconds);
      if (o.access !== null) {
        o.access.sink.write(
          formatAccess(o.access.format, {
            remoteAddr: context.remoteAddr.startsWith('::ffff:') ? context.remoteAddr.slice(7) : context.remoteAddr,
            time,
            method: req.method ?? '-',
            uri: req.url ?? '-',
            protocol: `HTTP/${req.httpVersion}`,
            status,
            bytes: context.bytes,
            referer: header(req, 'referer'),
            userAgent: header(req, 'user-agent'),
            durationMs: seconds * 1000,
            requestId: context.id,
            worker: o.workerId,
          }),
        );
      }
      finished++;
      o.onFinished(finished);
    });
  };
  for (const event of ['request', 'checkContinue', 'checkExpectation']) server.on(event, observe);
  const attachment = attachTsgi(server, o.instance, o.adapter);

  const allClosed = () =>
    new Promise<void>((resolve) => {
      if (sockets.size === 0) return resolve();
      const check = () => {
        if (sockets.size === 0) resolve();
      };
      for (const s of sockets) s.once('close', () => setImmediate(check));
    });

  return {
    server,
    attachment,
    get connections() {
      return sockets.size;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen({ fd: o.listenFd, backlog: o.backlog }, () => {
          server.removeListener('error', reject);
          resolve();
        });
      });
    },
    async drain(timeoutMs) {
      const start = Date.now();
      // Stop accepting; the socket stays open in the supervisor and in other workers.
      // net.Server's close, not http.Server's: since Node 19 the latter also closes
      // idle keep-alive connections at once, which is the race described above.
      net.Server.prototype.close.call(server);
      closingConnections = true;
      // Connections between requests: give their clients a moment to send one more
      // (it is answered with Connection: close) or to go; in-flight ones finish below.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([allClosed(), new Promise<void>((resolve) => (grace = setTimeout(resolve, Math.min(IDLE_CONNECTION_GRACE_MS, timeoutMs))))]);
      clearTimeout(grace);
      const aborted = await attachment.drain({ timeoutMs: Math.max(0, timeoutMs - (Date.now() - start)) });
      server.closeAllConnections();
      return aborted;
    },
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
