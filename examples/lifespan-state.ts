/**
 * An application with per-process state. `startup` opens a resource once per
 * application instance, before the first request (LIFE-START-1), and keeps it
 * in `ctx.state`, which every request sees as `tsgi.state` (LIFE-CTX-1);
 * `shutdown` closes it after the last request (LIFE-STOP-1). The resource here
 * is a small in-memory key-value "pool" standing in for a database pool: each
 * request takes a connection and gives it back, and the pool counts them.
 *
 * Routes (below the mount prefix):
 *   GET    /keys/<key>   the value, or 404
 *   PUT    /keys/<key>   stores the request body (text, at most 64 KiB): 204
 *   DELETE /keys/<key>   204, or 404
 *   GET    /stats        the pool's counters, as JSON
 */
import { defineApp } from '@tsgi/gateway-spec';
import type { AppState, Environ, HeaderPair, TsgiResponse } from '@tsgi/gateway-spec';

/** Largest value PUT accepts. */
export const MAX_VALUE_BYTES = 64 * 1024;

/** One borrowed connection of the pool. */
export interface Connection {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): boolean;
  release(): void;
}

/** A stand-in for a database pool: opened once per process, shared by every request. */
export class KeyValuePool {
  readonly #data = new Map<string, string>();
  #closed = false;
  /** Connections handed out since the pool opened. */
  opened = 0;
  /** Connections borrowed and not yet released. */
  active = 0;

  get closed(): boolean { return this.#closed; }

  acquire(): Connection {
    if (this.#closed) throw new Error('the key-value pool is closed');
    this.opened++;
    this.active++;
    let released = false;
    const data = this.#data;
    return {
      get: (key) => data.get(key),
      set: (key, value) => { data.set(key, value); },
      delete: (key) => data.delete(key),
      release: () => {
        if (released) return;
        released = true;
        this.active--;
      },
    };
  }

  get size(): number { return this.#data.size; }

  close(): void {
    this.#closed = true;
    this.#data.clear();
  }
}

/** The pool of this instance; a clear error when startup did not run, instead of "undefined is not a function". */
export function poolOf(state: AppState): KeyValuePool {
  const pool = state.pool;
  if (!(pool instanceof KeyValuePool)) throw new Error('tsgi.state.pool is missing: was startup run?');
  return pool;
}

const TEXT: HeaderPair = ['content-type', 'text/plain; charset=utf-8'];

function text(status: number, message: string, extra: HeaderPair[] = []): TsgiResponse {
  return { status, headers: [TEXT, ...extra], body: `${message}\n` };
}

/** Reads a text body of at most MAX_VALUE_BYTES, or returns null when it is larger. */
async function readValue(environ: Environ): Promise<string | null> {
  if (environ.CONTENT_LENGTH !== undefined && Number(environ.CONTENT_LENGTH) > MAX_VALUE_BYTES) return null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of environ['tsgi.input']) {
    total += chunk.byteLength;
    if (total > MAX_VALUE_BYTES) return null; // leaving the loop stops the read (INPUT-DRAIN-1)
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function route(environ: Environ, conn: Connection, pool: KeyValuePool): Promise<TsgiResponse> {
  const method = environ.REQUEST_METHOD;
  const path = environ.PATH_INFO;
  if (path === '/stats') {
    if (method !== 'GET' && method !== 'HEAD') return text(405, 'stats is read-only', [['allow', 'GET, HEAD']]);
    const stats = JSON.stringify({ opened: pool.opened, active: pool.active, keys: pool.size });
    return { status: 200, headers: [['content-type', 'application/json']], body: stats };
  }
  if (!path.startsWith('/keys/') || path.length === '/keys/'.length) return text(404, 'no such route');
  const key = path.slice('/keys/'.length); // PATH_INFO is already percent-decoded (ENV-PATH-4)
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const value = conn.get(key);
      return value === undefined ? text(404, `no key ${JSON.stringify(key)}`) : { status: 200, headers: [TEXT], body: value };
    }
    case 'PUT': {
      const value = await readValue(environ);
      if (value === null) return text(413, `a value may be at most ${MAX_VALUE_BYTES} bytes`);
      conn.set(key, value);
      return { status: 204 };
    }
    case 'DELETE':
      return conn.delete(key) ? { status: 204 } : text(404, `no key ${JSON.stringify(key)}`);
    default:
      return text(405, `${method} is not allowed here`, [['allow', 'GET, HEAD, PUT, DELETE']]);
  }
}

export default defineApp({
  startup(ctx) {
    ctx.state.pool = new KeyValuePool();
    ctx.errors.write('key-value pool opened\n');
  },
  async handle(environ) {
    const pool = poolOf(environ['tsgi.state']);
    const conn = pool.acquire();
    try {
      return await route(environ, conn, pool);
    } finally {
      conn.release(); // every response here is built in full, so the connection is free once it returns
    }
  },
  shutdown(ctx) {
    const pool = poolOf(ctx.state);
    ctx.errors.write(`key-value pool closed after ${pool.opened} connections\n`);
    pool.close();
  },
});
