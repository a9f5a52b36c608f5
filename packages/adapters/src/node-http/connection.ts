/**
 * What the adapter knows about one client connection: the peer, whether it is
 * a trusted proxy, the requests whose responses are still to be written, and
 * what happens to them when the socket closes (CANCEL-SIG-1).
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { cancelReason } from '@tsgi/gateway-spec/server-kit';
import { normalizeAddress, type TrustedProxies } from '../shared/trusted-proxies.js';

/** The codes `tsgi.signal.reason.code` may carry (CANCEL-SIG-2). */
export type CancelCode = Parameters<typeof cancelReason>[0];

/** The part of a request cycle the connection drives. */
export interface ConnectionCycle {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** The response is complete or replaced by the server's: the signal no longer aborts. */
  responded: boolean;
  /** The server abandons the request (CANCEL-SIG-1). */
  abort(code: CancelCode): void;
  /** The connection is gone: abort unless the response is complete, fail unread input, settle. */
  connectionClosed(code: CancelCode): void;
}

/** Where the connection reports that it is gone. */
export interface ConnectionOwner {
  /** A graceful stop is under way: a connection with no response pending is closed. */
  readonly draining: boolean;
  connectionClosed(connection: Connection): void;
}

const kConnection = Symbol('tsgi.http.connection');

type TaggedSocket = Socket & { [kConnection]?: Connection };

export class Connection {
  /** REMOTE_ADDR of the peer (ENV-REMOTE-1): IPv4-mapped addresses unmapped, `""` on a unix socket. */
  readonly remoteAddr: string;
  /** REMOTE_PORT of the peer, absent on a unix socket (ENV-REMOTE-3). */
  readonly remotePort: string | undefined;
  /** The local port the client connected to: SERVER_PORT when a request names no host. */
  readonly localPort: string | undefined;
  readonly scheme: 'http' | 'https';
  /** The peer may speak for the client (ENV-REMOTE-2); decided once per connection. */
  readonly trusted: boolean;
  /** Requests whose response is not yet finished, in the order they came (pipelining). */
  readonly cycles = new Set<ConnectionCycle>();
  /** The server has answered a request on this connection itself (a refusal): nothing else is written. */
  refused = false;
  /** Requests received on this connection (maxRequestsPerConnection). */
  requests = 0;
  /** A request was refused or the connection is being closed: nothing more is served on it. */
  refusing = false;
  /** Why the server ends the connection, when it does (CANCEL-SIG-2); otherwise the client left. */
  cancelCode: CancelCode | undefined = undefined;
  /** A refusal for a later pipelined request that failed to parse, sent once earlier responses are out. */
  deferredRefusal: Buffer | undefined = undefined;

  constructor(
    readonly socket: Socket,
    trustedProxies: TrustedProxies,
    private readonly owner: ConnectionOwner,
  ) {
    this.remoteAddr = normalizeAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort === undefined ? undefined : String(socket.remotePort);
    this.localPort = socket.localPort === undefined ? undefined : String(socket.localPort);
    this.scheme = (socket as TLSSocket).encrypted ? 'https' : 'http';
    this.trusted = !trustedProxies.empty && trustedProxies.trusts(this.remoteAddr);
    (socket as TaggedSocket)[kConnection] = this;
    socket.once('close', onSocketClose);
  }

  /** No more requests on this connection: end it once the queued bytes are out. */
  endSoon(): void {
    this.refusing = true;
    const socket = this.socket as Socket & { destroySoon?: () => void };
    if (socket.destroySoon) socket.destroySoon();
    else socket.end();
  }

  /** The most recent request whose response is pending. */
  latest(): ConnectionCycle | undefined {
    let last: ConnectionCycle | undefined;
    for (const cycle of this.cycles) last = cycle;
    return last;
  }

  /** Ends the connection at once, giving `code` to the requests it cuts short. */
  destroy(code: CancelCode): void {
    this.refusing = true;
    this.cancelCode ??= code;
    this.socket.destroy();
  }

  /** Called when a cycle's response is finished or the connection is gone. */
  release(cycle: ConnectionCycle): void {
    this.cycles.delete(cycle);
    if (this.cycles.size !== 0 || this.socket.destroyed) return;
    if (this.deferredRefusal !== undefined) {
      const refusal = this.deferredRefusal;
      this.deferredRefusal = undefined;
      if (this.socket.writable) this.socket.write(refusal);
      this.endSoon();
    } else if (this.owner.draining) {
      // SRV-GRACE-1: an idle persistent connection is closed during a graceful stop.
      this.endSoon();
    }
  }

  #closed(): void {
    const code = this.cancelCode ?? 'TSGI_ERR_CLIENT_GONE';
    this.refusing = true;
    for (const cycle of [...this.cycles]) cycle.connectionClosed(code);
    this.cycles.clear();
    this.owner.connectionClosed(this);
  }

  /** @internal for the socket's 'close' listener. */
  static closed(socket: Socket): void {
    const conn = (socket as TaggedSocket)[kConnection];
    if (conn !== undefined) conn.#closed();
  }

  /** The connection state of `socket`, if a request has been seen on it. */
  static of(socket: Socket): Connection | undefined {
    return (socket as TaggedSocket)[kConnection];
  }
}

function onSocketClose(this: Socket): void {
  Connection.closed(this);
}
