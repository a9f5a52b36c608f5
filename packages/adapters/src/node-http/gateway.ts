/**
 * `attachTsgi()`: serves a started application instance on an http.Server or
 * https.Server: listeners, limits, the per-request path, in-flight accounting
 * and the graceful drain. `serve()` builds on it; the reference server uses it
 * directly in worker processes that inherit a listening handle.
 * @module
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { BadRequest, type AppInstance, type ApplicationObject, type ErrorLog } from '@tsgi/gateway-spec/server-kit';
import { parseTrustedProxies, type TrustedProxies } from '../shared/trusted-proxies.js';
import { onClientError, onConnect, onTimeout } from './client-errors.js';
import { Connection, type ConnectionOwner } from './connection.js';
import { RequestCycle, type CycleOwner } from './cycle.js';
import { resolveAttachOptions, type AttachOptions, type ResolvedAttachOptions } from './options.js';
import { inspectRequest, isRefusal } from './request-checks.js';
import { requestEnviron } from './request-environ.js';
import { refuse } from './refuse.js';

/** How long aborted requests get to finalise their bodies before a drain gives up on them. */
export const ABORT_SETTLE_MS = 1_000;

/** A node HTTP server: http.Server or https.Server. */
export type NodeHttpServer = HttpServer | HttpsServer;

/** What `attachTsgi()` returns: the live view of the requests and the graceful stop. */
export interface TsgiAttachment {
  /** Requests received whose application call or response is not finished. */
  readonly inFlight: number;
  /** True once `drain()` has been called. */
  readonly draining: boolean;
  /**
   * Graceful stop (SRV-GRACE-1): every response from now on closes its
   * connection, idle keep-alive connections close at once, and in-flight
   * requests get `timeoutMs` (default gracefulTimeoutMs) to finish. Then their
   * `tsgi.signal` aborts with TSGI_ERR_SHUTDOWN and their connections are
   * destroyed. Resolves to the number of requests that had to be aborted.
   * Stopping the listener and running the lifespan shutdown are the caller's.
   */
  drain(options?: { timeoutMs?: number }): Promise<number>;
  /** Removes the listeners from the server (requests already running go on). */
  detach(): void;
}

class HttpGateway implements CycleOwner, ConnectionOwner, TsgiAttachment {
  readonly app: ApplicationObject;
  readonly log: ErrorLog;
  readonly trusted: TrustedProxies;
  readonly connections = new Set<Connection>();
  draining = false;
  inFlight = 0;
  #idle: Array<() => void> = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node's listener signature
  readonly #listeners: Array<[string, (...args: any[]) => void]>;

  constructor(
    readonly server: NodeHttpServer,
    readonly instance: AppInstance,
    readonly options: ResolvedAttachOptions,
  ) {
    this.app = instance.app;
    this.log = options.errorLog;
    this.trusted = parseTrustedProxies(options.trustedProxies);
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      try {
        this.handle(req, res);
      } catch (error) {
        // A fault of the adapter must not escape into node's parser callback and end the process (ERR-APP-3).
        this.log(`${req.method} ${req.url}: internal error of the HTTP adapter: ${(error as Error)?.stack ?? String(error)}`, error);
        req.socket.destroy();
      }
    };
    this.#listeners = [
      ['request', onRequest],
      // node answers 100 itself unless these are listened to; INPUT-CONT-1 wants it on first read only.
      ['checkContinue', onRequest],
      ['checkExpectation', onRequest],
      ['clientError', onClientError],
      ['connect', onConnect],
      ['timeout', onTimeout],
    ];
    applyServerSettings(server, options);
    for (const [event, listener] of this.#listeners) server.on(event, listener);
  }

  /** One request: checks, environ, the application, the response. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    const socket = req.socket;
    let conn = Connection.of(socket);
    if (conn === undefined) {
      conn = new Connection(socket, this.trusted, this);
      this.connections.add(conn);
    }
    // After a refusal the connection is closing: a request pipelined behind it is never served.
    if (conn.refusing) return;
    const max = this.options.maxRequestsPerConnection;
    // The last request allowed on this connection: its response closes it, nothing after it is served.
    if (max > 0 && ++conn.requests >= max) {
      conn.refusing = true;
      res.shouldKeepAlive = false;
    }

    const head = inspectRequest(req.method!, req.url!, req.httpVersionMajor, req.httpVersionMinor, req.rawHeaders, this.options, conn.trusted);
    if (isRefusal(head)) {
      conn.refusing = true;
      conn.refused = true;
      refuse(res, head.status);
      return;
    }
    if (head.asterisk) {
      // SRV-HTTP-6: `OPTIONS *` asks about the server, not a resource: the server answers.
      if (this.draining || head.chunked || (head.contentLength ?? 0) > 0) res.shouldKeepAlive = false;
      res.writeHead(200, [['content-length', '0']]);
      res.end();
      return;
    }

    const cycle = new RequestCycle(this, conn, req, res, head);
    let environ;
    try {
      environ = requestEnviron(this, conn, cycle, req, head);
    } catch (error) {
      if (!(error instanceof BadRequest)) throw error;
      // ENV-PATH-4 (a path that does not decode), ENV-SERVER-1 (a bad Host): 400, app not called.
      conn.refusing = true;
      conn.refused = true;
      cycle.responded = true;
      refuse(res, error.status);
      return;
    }
    conn.cycles.add(cycle);
    this.inFlight++;
    cycle.run(environ);
  }

  cycleSettled(_cycle: RequestCycle): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.#idle.length > 0) {
      const waiters = this.#idle;
      this.#idle = [];
      for (const wake of waiters) wake();
    }
  }

  connectionClosed(conn: Connection): void {
    this.connections.delete(conn);
  }

  /** Resolves when nothing is in flight, or after `ms`; true when nothing is. */
  #settled(ms: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.inFlight === 0), ms);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  async drain(options: { timeoutMs?: number } = {}): Promise<number> {
    const timeoutMs = options.timeoutMs ?? this.options.gracefulTimeoutMs;
    this.draining = true;
    // Keep-alive connections waiting for a next request close now (node skips those mid-response).
    this.server.closeIdleConnections();
    for (const conn of this.connections) if (conn.cycles.size === 0) conn.endSoon();
    if (await this.#settled(timeoutMs)) return 0;
    // The deadline passed (SRV-GRACE-1): abandon what is left (CANCEL-SIG-1, TSGI_ERR_SHUTDOWN).
    let aborted = 0;
    for (const conn of this.connections) {
      for (const cycle of conn.cycles) {
        if (!cycle.responded) aborted++;
        cycle.abort('TSGI_ERR_SHUTDOWN');
      }
      conn.destroy('TSGI_ERR_SHUTDOWN');
    }
    await this.#settled(ABORT_SETTLE_MS);
    return aborted;
  }

  detach(): void {
    for (const [event, listener] of this.#listeners) this.server.removeListener(event, listener);
  }
}

/** node:http settings that carry the adapter's limits (SRV-HTTP-4). */
function applyServerSettings(server: NodeHttpServer, o: ResolvedAttachOptions): void {
  const s = server as NodeHttpServer & {
    maxHeaderSize?: number;
    requireHostHeader?: boolean;
    connectionsCheckingInterval?: number;
  };
  s.maxHeaderSize = o.maxHeaderBytes;
  // One more than allowed, so that inspectRequest sees the excess and answers 431
  // (node would silently drop the fields past its limit).
  s.maxHeadersCount = o.maxHeaderCount + 1;
  s.headersTimeout = o.headersTimeoutMs;
  s.requestTimeout = o.requestTimeoutMs;
  s.keepAliveTimeout = o.keepAliveTimeoutMs;
  s.timeout = o.idleTimeoutMs;
  // node's own maxRequestsPerSocket announces `Connection: close` but keeps the socket open and
  // answers what follows with 503; the limit is kept in handle() instead.
  s.maxRequestsPerSocket = 0;
  // SRV-HTTP-2 is checked in inspectRequest for both the missing and the repeated Host,
  // so that both get the same answer.
  s.requireHostHeader = false;
  // Read by node when the server starts listening.
  s.connectionsCheckingInterval = o.timeoutCheckIntervalMs;
}

/**
 * Serves `instance` (from startApplication, startup done) on `server`, which
 * may already be listening (an inherited handle) or be started later. Options
 * are the request-side ones of `serve()`. Timeouts and limits are set on the
 * server; the deadline check interval takes effect when it starts listening.
 */
export function attachTsgi(server: NodeHttpServer, instance: AppInstance, options?: AttachOptions): TsgiAttachment {
  return new HttpGateway(server, instance, resolveAttachOptions(options));
}

/** For serve(): attach with options already resolved. */
export function attachResolved(server: NodeHttpServer, instance: AppInstance, options: ResolvedAttachOptions): TsgiAttachment {
  return new HttpGateway(server, instance, options);
}
