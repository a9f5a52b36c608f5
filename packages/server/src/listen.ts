/**
 * The listening socket, held by the supervisor. It is bound once, here, and
 * never closed until the server stops: workers of every generation inherit a
 * duplicate of its file descriptor and call listen(2)/accept(2) on it, so a
 * reload or a crash never refuses a connection (the kernel queues them in the
 * backlog while no worker accepts). The supervisor itself never accepts.
 *
 * Node has no public call that binds without also accepting in this process;
 * `net._createServerHandle` is what node:cluster uses for the same purpose
 * (lib/internal/cluster/shared_handle.js) and has kept its signature since
 * Node 0.12.
 * @module
 */
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { ServerError } from './errors.js';
import type { ServerOptions } from './options.js';

interface ServerHandle {
  readonly fd: number;
  getsockname?(out: Record<string, unknown>): number;
  close(callback?: () => void): void;
}

type CreateServerHandle = (address: string, port: number, addressType: number, fd?: number, flags?: number) => ServerHandle | number;

/** What the supervisor holds: the handle to give workers and where it listens. */
export interface ListeningSocket {
  readonly fd: number;
  /** `http://127.0.0.1:8000`, or `http+unix://<encoded path>`. */
  readonly url: string;
  readonly address: { readonly host: string; readonly port: number; readonly family: 'IPv4' | 'IPv6' } | { readonly path: string };
  close(): void;
}

function createHandle(): CreateServerHandle {
  const fn = (net as unknown as { _createServerHandle?: CreateServerHandle })._createServerHandle;
  if (typeof fn !== 'function') throw new ServerError('TSGI_ERR_LISTEN_FAILED', 'this Node.js has no net._createServerHandle; the server cannot bind a shared socket');
  return fn;
}

function failed(where: string, code: number): never {
  const name = getSystemErrorName(code);
  const hint = name === 'EADDRINUSE' ? ' (another process listens there)' : name === 'EACCES' ? ' (ports below 1024 need root or CAP_NET_BIND_SERVICE)' : '';
  throw new ServerError('TSGI_ERR_LISTEN_FAILED', `cannot listen on ${where}: ${name}${hint}`);
}

/** Binds `o.host:o.port` or `o.unixSocket`; throws TSGI_ERR_LISTEN_FAILED. */
export async function bindListeningSocket(o: Pick<ServerOptions, 'host' | 'port' | 'unixSocket' | 'socketMode'>): Promise<ListeningSocket> {
  const create = createHandle();
  if (o.unixSocket !== null) {
    const path = o.unixSocket;
    removeStaleSocket(path);
    const handle = create(path, -1, -1);
    if (typeof handle === 'number') failed(path, handle);
    // Before any worker listens, so no client connects through looser permissions (S1).
    chmodSync(path, o.socketMode);
    return {
      fd: handle.fd,
      url: `http+unix://${encodeURIComponent(path)}`,
      address: { path },
      close() {
        handle.close();
        try { unlinkSync(path); } catch { /* already gone */ }
      },
    };
  }
  let ip: string;
  let family: number;
  if (net.isIP(o.host) !== 0) {
    ip = o.host;
    family = net.isIP(o.host);
  } else {
    try {
      const found = await lookup(o.host);
      ip = found.address;
      family = found.family;
    } catch (error) {
      throw new ServerError('TSGI_ERR_LISTEN_FAILED', `cannot listen on ${o.host}:${o.port}: the host name does not resolve (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const handle = create(ip, o.port, family);
  if (typeof handle === 'number') failed(`${o.host}:${o.port}`, handle);
  const out: Record<string, unknown> = {};
  const err = handle.getsockname?.(out) ?? -1;
  if (err !== 0) failed(`${o.host}:${o.port}`, err);
  const port = out.port as number;
  const shown = family === 6 ? `[${ip === '::' ? '::1' : ip}]` : ip === '0.0.0.0' ? '127.0.0.1' : ip;
  return {
    fd: handle.fd,
    url: `http://${shown}:${port}`,
    address: { host: ip, port, family: family === 6 ? 'IPv6' : 'IPv4' },
    close() {
      handle.close();
    },
  };
}

/** A socket file left by a crashed server is removed; any other file is an error. */
function removeStaleSocket(path: string): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new ServerError('TSGI_ERR_LISTEN_FAILED', `cannot listen on ${path}: the path exists and is not a socket`);
  // A live server would still hold it; binding would then fail with EADDRINUSE below, which says so.
  unlinkSync(path);
}
