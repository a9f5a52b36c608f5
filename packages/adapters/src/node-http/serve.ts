/**
 * `serve()`: runs an application on its own HTTP/1.1 server: lifespan startup,
 * listen, serve, and a graceful close that ends with lifespan shutdown.
 * @module
 */
import { createServer as createHttpServer, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createErrorStream, startApplication, type Application } from '@tsgi/gateway-spec/server-kit';
import { attachResolved, type NodeHttpServer } from './gateway.js';
import { listen, urlOf } from './listen.js';
import { resolveHttpOptions, type HttpOptions, type ResolvedHttpOptions } from './options.js';

/** A running server. */
export interface HttpServerHandle {
  /** Where it listens: `http://127.0.0.1:8000`, `https://…`, or `http+unix://<encoded path>`. */
  readonly url: string;
  /** `server.address()` once listening: host, port and family, or the unix socket path. */
  readonly address: AddressInfo | string;
  /** The node server underneath (http.Server, or https.Server with `tls`). */
  readonly server: NodeHttpServer;
  /** Requests whose application call or response is not finished. */
  readonly inFlight: number;
  /**
   * Graceful close (SRV-GRACE-1, LIFE-STOP-1): stops accepting, closes idle
   * keep-alive connections, lets in-flight requests finish within `timeoutMs`
   * (default: the gracefulTimeoutMs option), then aborts the rest
   * (TSGI_ERR_SHUTDOWN) and destroys their connections, and last runs the
   * application's `shutdown`. Calling it again returns the same promise.
   * Rejects only when `shutdown` fails.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

function createNodeServer(o: ResolvedHttpOptions): NodeHttpServer {
  const http: ServerOptions = {
    maxHeaderSize: o.maxHeaderBytes,
    requireHostHeader: false,
    headersTimeout: o.headersTimeoutMs,
    requestTimeout: o.requestTimeoutMs,
    keepAliveTimeout: o.keepAliveTimeoutMs,
    connectionsCheckingInterval: o.timeoutCheckIntervalMs,
  };
  if (o.tls === undefined) return createHttpServer(http);
  const { key, cert, ca, passphrase } = o.tls;
  return createHttpsServer({
    ...http,
    key: pem(key),
    cert: pem(cert),
    ...(ca === undefined ? {} : { ca: Array.isArray(ca) ? ca.map(pem) : pem(ca as string | Uint8Array) }),
    ...(passphrase === undefined ? {} : { passphrase }),
  });
}

/** node:tls takes PEM as a string or a Buffer. */
function pem(value: string | Uint8Array): string | Buffer {
  return typeof value === 'string' || Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

/**
 * Starts `app`: runs its `startup` (LIFE-START-1; a failure rejects and nothing
 * listens, LIFE-START-2), listens as `options` say, and resolves once
 * connections are accepted. Throws InvalidOptionError for a bad option.
 */
export async function serve(app: Application, options?: HttpOptions): Promise<HttpServerHandle> {
  const o = resolveHttpOptions(options);
  const instance = await startApplication(app, { errors: createErrorStream(o.errorLog), multithread: false, multiprocess: o.multiprocess });
  const server = createNodeServer(o);
  const attachment = attachResolved(server, instance, o);
  try {
    await listen(server, o);
  } catch (error) {
    attachment.detach();
    // Startup opened the application's resources; an orderly stop closes them (LIFE-STOP-1).
    await instance.stop(o.shutdownTimeoutMs).catch((stopError: unknown) => o.errorLog(`shutdown after a failed listen: ${String(stopError)}`, stopError));
    throw error;
  }
  const address = server.address()!;
  let closing: Promise<void> | undefined;
  return {
    url: urlOf(address, o.tls !== undefined),
    address,
    server,
    get inFlight() {
      return attachment.inFlight;
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await attachment.drain({ timeoutMs: closeOptions.timeoutMs ?? o.gracefulTimeoutMs });
        // Whatever is left holds no request: connections mid-head, keep-alive ones.
        server.closeAllConnections();
        await closed;
        attachment.detach();
        await instance.stop(o.shutdownTimeoutMs);
      })();
      return closing;
    },
  };
}
