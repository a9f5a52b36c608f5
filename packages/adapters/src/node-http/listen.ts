/**
 * Puts a server on its socket: host and port, a unix-domain socket (with its
 * file mode, replacing a stale socket file left by a crash), an inherited file
 * descriptor, or an already-listening handle.
 * @module
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import type { NodeHttpServer } from './gateway.js';
import { socketModeOf, type ResolvedHttpOptions } from './options.js';

/** How long a probe of an existing unix socket file may take before it counts as live. */
const STALE_SOCKET_PROBE_MS = 1_000;

/** True when something accepts connections on the unix socket at `path`. */
function socketIsLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path });
    const done = (live: boolean) => {
      clearTimeout(timer);
      probe.destroy();
      resolve(live);
    };
    const timer = setTimeout(() => done(true), STALE_SOCKET_PROBE_MS);
    probe.once('connect', () => done(true));
    probe.once('error', (error: NodeJS.ErrnoException) => done(error.code !== 'ECONNREFUSED' && error.code !== 'ENOENT'));
  });
}

/** Removes a socket file nobody listens on (a crashed predecessor); leaves anything else alone. */
async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => null);
  if (stat === null) return;
  if (!stat.isSocket()) throw new Error(`cannot listen on ${path}: the path exists and is not a socket`);
  if (await socketIsLive(path)) throw new Error(`cannot listen on ${path}: another process is listening on it`);
  await unlink(path);
}

function listening(server: NodeHttpServer, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      server.removeListener('listening', onListening);
      reject(error);
    };
    const onListening = () => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    start();
  });
}

/** Starts listening as the options say; resolves once the server accepts connections. */
export async function listen(server: NodeHttpServer, o: ResolvedHttpOptions): Promise<void> {
  if (o.handle !== undefined) {
    await listening(server, () => server.listen(o.handle as object, o.backlog));
  } else if (o.fd !== undefined) {
    await listening(server, () => server.listen({ fd: o.fd, backlog: o.backlog }));
  } else if (o.path !== undefined) {
    const path = o.path;
    await removeStaleSocket(path);
    await listening(server, () => server.listen({ path, backlog: o.backlog }));
    if (o.socketMode !== undefined) {
      try {
        await chmod(path, socketModeOf(o.socketMode));
      } catch (error) {
        server.close();
        throw error;
      }
    }
  } else {
    await listening(server, () => server.listen({ host: o.host, port: o.port, backlog: o.backlog }));
  }
}

/** A URL that reaches the server: `http(s)://host:port`, or `http+unix://<encoded path>` for a unix socket. */
export function urlOf(address: AddressInfo | string | null, secure: boolean): string {
  const scheme = secure ? 'https' : 'http';
  if (address === null) return `${scheme}://`;
  if (typeof address === 'string') return `${scheme}+unix://${encodeURIComponent(address)}`;
  let host = address.address;
  // A wildcard address is not one to connect to; loopback of the same family is.
  if (host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '::') host = '::1';
  return `${scheme}://${address.family === 'IPv6' || host.includes(':') ? `[${host}]` : host}:${address.port}`;
}
