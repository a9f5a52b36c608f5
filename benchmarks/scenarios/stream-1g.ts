/**
 * `stream-1g`: one client reads a 1 GiB response (64 KiB chunks) as fast as it
 * can. Measures streaming throughput and what streaming costs in memory.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runClient } from '../lib/client-process.js';
import { fmtFixed, fmtGBps, fmtPercent, MIB } from '../lib/format.js';
import {
  RSS_MEDIAN_COLUMN, RSS_PEAK_COLUMN, SERVER_CPU_COLUMN, USAGE_KEYS,
  type Column, type Scenario, type ScenarioContext,
} from '../lib/scenario.js';
import { ROUTES, STREAM_TOTAL_BYTES } from '../targets/contract.js';
import type { StreamClientOutput } from './stream-client.js';

export const STREAM_CLIENT = 'stream-client';
/** The warm-up reads this much, then hangs up. */
export const STREAM_WARMUP_BYTES = 64 * MIB;
export const STREAM_TIMEOUT_MS = 120_000;
export const STREAM_GOAL_BYTES_PER_S = 1e9;
export const STREAM_GOAL_RSS_BYTES = 100 * MIB;

const GBPS_COLUMN: Column = { key: 'bytesPerS', header: 'GB/s', aggregate: 'median', format: fmtGBps };

/** Runs the stream client against `/stream`; throws on a wrong status or a short body. */
export async function readStream(ctx: ScenarioContext, limitBytes: number): Promise<{ output: StreamClientOutput; cpuPercent: number }> {
  const bin = ctx.bins.get(STREAM_CLIENT);
  if (bin === undefined) throw new Error(`${STREAM_CLIENT} was not built`);
  const run = await runClient<StreamClientOutput>(
    [process.execPath, bin, ctx.baseUrl + ROUTES.stream, String(limitBytes), String(STREAM_TIMEOUT_MS)],
    ctx.pinning,
    STREAM_TIMEOUT_MS + 5000,
  );
  const { status, bytes, complete } = run.output;
  if (status !== 200) throw new Error(`GET ${ROUTES.stream} answered ${status}`);
  if (limitBytes === 0 && (!complete || bytes !== STREAM_TOTAL_BYTES)) {
    throw new Error(`GET ${ROUTES.stream} sent ${bytes} bytes, expected ${STREAM_TOTAL_BYTES}`);
  }
  return run;
}

export const stream1g: Scenario = {
  name: 'stream-1g',
  title: '1 GiB response streamed in 64 KiB chunks, one client',
  measures: 'One client (its own process, on the load core) reads a 1 GiB body as fast as it can; GB/s is 10^9 bytes per second from request to last byte. '
    + 'Memory shows whether the server streams or buffers.',
  columns: [
    GBPS_COLUMN,
    { key: 'seconds', header: 'seconds', aggregate: 'median', format: fmtFixed(2) },
    SERVER_CPU_COLUMN,
    { key: 'clientCpuPercent', header: 'client CPU', aggregate: 'median', format: fmtPercent },
    RSS_MEDIAN_COLUMN,
    RSS_PEAK_COLUMN,
  ],
  primary: GBPS_COLUMN,
  goal: {
    text: '≥ 1 GB/s and peak RSS < 100 MiB',
    met: (m) => (m.bytesPerS ?? 0) >= STREAM_GOAL_BYTES_PER_S && (m[USAGE_KEYS.rssPeak] ?? Infinity) < STREAM_GOAL_RSS_BYTES,
  },
  clients: new Map([[STREAM_CLIENT, fileURLToPath(new URL('./stream-client.ts', import.meta.url))]]),
  async check(): Promise<void> {
    // The measured read itself checks the status and every byte count.
  },
  async warmup(ctx: ScenarioContext): Promise<void> {
    await readStream(ctx, STREAM_WARMUP_BYTES);
  },
  async measure(ctx: ScenarioContext) {
    const { output, cpuPercent } = await readStream(ctx, 0);
    return { bytesPerS: output.bytes / (output.ms / 1000), seconds: output.ms / 1000, clientCpuPercent: cpuPercent };
  },
};
