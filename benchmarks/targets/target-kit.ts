/**
 * The few lines every Node target process shares: where to listen, how to
 * never outlive the harness, and the stream body as a generator.
 * @module
 */
import { ENV_HOST, ENV_PORT, ENV_SCENARIO, STREAM_CHUNK, STREAM_CHUNK_BYTES, STREAM_CHUNK_COUNT } from './contract.js';

/** A target exits by itself after this long, whatever the harness does. */
export const MAX_LIFETIME_MS = 30 * 60 * 1000;
/** How often a target checks that the harness that spawned it is still there. */
export const PARENT_CHECK_MS = 1000;

export interface TargetEnv {
  readonly host: string;
  readonly port: number;
  readonly scenario: string;
}

/** Reads where to listen; throws when the harness did not say. */
export function targetEnv(env: NodeJS.ProcessEnv = process.env): TargetEnv {
  const host = env[ENV_HOST] ?? '127.0.0.1';
  const port = Number(env[ENV_PORT]);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`${ENV_PORT} must be a TCP port, got ${JSON.stringify(env[ENV_PORT])}`);
  }
  return { host, port, scenario: env[ENV_SCENARIO] ?? '' };
}

/**
 * Starts a target: `listen` binds the server and resolves once it accepts
 * connections. The harness kills targets by PID; the guards here only cover
 * a harness that died without doing so (its PID is re-parented away).
 */
export function runTarget(listen: (env: TargetEnv) => Promise<unknown>): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, PARENT_CHECK_MS).unref();
  setTimeout(() => process.exit(1), MAX_LIFETIME_MS).unref();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => process.exit(0));
  listen(targetEnv()).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * A new 64 KiB chunk, as a real stream produces (read from a file, rendered):
 * its own memory, so that queueing it costs what queueing real data costs.
 */
export function freshStreamChunk(): Buffer {
  const chunk = Buffer.allocUnsafe(STREAM_CHUNK_BYTES);
  STREAM_CHUNK.copy(chunk);
  return chunk;
}

/** The `/stream` body: 16384 fresh 64 KiB chunks (1 GiB), made only when asked for. */
export function* streamChunks(): Generator<Buffer, void, undefined> {
  for (let i = 0; i < STREAM_CHUNK_COUNT; i++) yield freshStreamChunk();
}
