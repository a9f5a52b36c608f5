/**
 * The environ of one node:http request (section 2 of the spec), built by the
 * server kit's buildEnviron from what the socket and the parser know, with the
 * values a trusted proxy gives applied on top (ENV-REMOTE-2).
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { buildEnviron, parseAuthority, type AppInstance, type Environ } from '@tsgi/gateway-spec/server-kit';
import { resolveClientOrigin } from '../shared/forwarded.js';
import type { TrustedProxies } from '../shared/trusted-proxies.js';
import type { Connection } from './connection.js';
import type { RequestCycle } from './cycle.js';
import type { ResolvedAttachOptions } from './options.js';
import type { RequestHead } from './request-checks.js';

/** What the environ needs from the gateway. */
export interface EnvironSource {
  readonly instance: AppInstance;
  readonly options: ResolvedAttachOptions;
  readonly trusted: TrustedProxies;
}

/**
 * Builds the environ. Throws BadRequest (400, the application is not called)
 * for a path that does not decode (ENV-PATH-4) or an invalid Host (ENV-SERVER-1).
 */
export function requestEnviron(source: EnvironSource, conn: Connection, cycle: RequestCycle, req: IncomingMessage, head: RequestHead): Environ {
  let scheme = conn.scheme;
  let remoteAddr = conn.remoteAddr;
  let remotePort = conn.remotePort;
  const origin = head.forwarding === undefined ? null : resolveClientOrigin(remoteAddr, remotePort, head.forwarding, source.trusted);
  if (origin !== null) {
    scheme = origin.scheme ?? scheme;
    remoteAddr = origin.remoteAddr;
    remotePort = origin.remotePort;
  }
  const { instance, options } = source;
  const environ = buildEnviron({
    method: req.method!,
    target: req.url!,
    protocol: req.httpVersionMinor === 1 ? 'HTTP/1.1' : 'HTTP/1.0',
    headers: req.rawHeaders,
    scheme,
    remoteAddr,
    remotePort,
    defaultServerName: options.serverName,
    // ENV-SERVER-2 for a request without Host (HTTP/1.0): the port the client connected to.
    defaultServerPort: conn.localPort ?? (scheme === 'https' ? '443' : '80'),
    input: cycle.input,
    errors: cycle.errors,
    signal: cycle.cancel,
    state: instance.state,
    extensions: instance.extensions,
    multithread: false,
    multiprocess: options.multiprocess,
    runOnce: false,
  });
  if (origin !== null) {
    // ENV-REMOTE-2: the host the client addressed, as the trusted proxy reports it.
    const authority = origin.host === undefined ? null : parseAuthority(origin.host, scheme);
    if (authority !== null) {
      environ.SERVER_NAME = authority.name;
      environ.SERVER_PORT = authority.port;
    }
    if (origin.port !== undefined) environ.SERVER_PORT = origin.port;
  }
  return environ;
}
