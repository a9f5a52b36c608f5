/**
 * What every target serves, shared by the target processes and the harness
 * that checks their answers. A target listens on BENCH_HOST:BENCH_PORT and
 * answers each route below; the harness probes `/hello` to know it is up.
 * @module
 */

/** Routes, one per kind of response; `slow-reader` reads `/stream` too. */
export const ROUTES = Object.freeze({
  hello: '/hello',
  body64k: '/64k',
  echo: '/echo',
  stream: '/stream',
});

/** `hello`: a 13-byte text body. */
export const HELLO_BODY = 'Hello, World!';

export const BODY_64K_BYTES = 64 * 1024;
/** `64k`: one 64 KiB body, allocated once per process. */
export const BODY_64K: Buffer = Buffer.alloc(BODY_64K_BYTES, 'x');

/** `echo-1m`: the size of the request body that is POSTed and sent back. */
export const ECHO_BODY_BYTES = 1024 * 1024;
/** Largest body a target accepts on `/echo` (fastify's default limit is exactly 1 MiB). */
export const ECHO_LIMIT_BYTES = 2 * ECHO_BODY_BYTES;

/** `/stream`: this many bytes, in chunks of STREAM_CHUNK_BYTES, with a Content-Length. */
export const STREAM_TOTAL_BYTES = 1024 * 1024 * 1024;
export const STREAM_CHUNK_BYTES = 64 * 1024;
/**
 * What every chunk holds. Targets send fresh copies of it (`freshStreamChunk`
 * in target-kit.ts), never this buffer itself: a server that ignores
 * backpressure queues every chunk it writes, and 16384 references to one
 * buffer would cost no memory, hiding exactly what `slow-reader` looks for.
 */
export const STREAM_CHUNK: Buffer = Buffer.alloc(STREAM_CHUNK_BYTES, 'y');
export const STREAM_CHUNK_COUNT = STREAM_TOTAL_BYTES / STREAM_CHUNK_BYTES;

export const OCTET_STREAM = 'application/octet-stream';
export const TEXT_PLAIN = 'text/plain; charset=utf-8';

/** Environment variables the harness sets for a target process. */
export const ENV_HOST = 'BENCH_HOST';
export const ENV_PORT = 'BENCH_PORT';
/** The scenario about to run, for targets that care (the node targets serve every route). */
export const ENV_SCENARIO = 'BENCH_SCENARIO';
