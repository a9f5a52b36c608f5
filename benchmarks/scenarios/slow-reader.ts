/**
 * `slow-reader`: a client reads `/stream` (1 GiB) at most 64 KiB every 10 ms
 * for a few seconds, then hangs up. A server that honours backpressure stops
 * producing while the socket is full, so its memory stays flat; one that
 * ignores it buffers the body at memory speed.
 * @module
 */
import { fileURLToPath } from 'node:url';
import { runClient } from '../lib/client-process.js';
import { fmtMB, fmtMBps, fmtMiB, MIB } from '../lib/format.js';
import {
  RSS_PEAK_COLUMN, SERVER_CPU_COLUMN, USAGE_KEYS,
  type Column, type Scenario, type ScenarioContext,
} from '../lib/scenario.js';
import { ROUTES } from '../targets/contract.js';
import type { SlowClientOutput } from './slow-client.js';

export const SLOW_CLIENT = 'slow-client';
/** The slow read lasts the run's duration, capped at this. */
export const SLOW_READ_MAX_S = 5;
export const SLOW_READ_BYTES_PER_TICK = 64 * 1024;
export const SLOW_READ_TICK_MS = 10;
export const SLOW_GOAL_RSS_BYTES = 100 * MIB;
/**
 * "Flat": RSS grows by less than the bytes the client read plus this much.
 * Sent chunks are garbage V8 collects late (after tens of MiB of external
 * memory), so even a perfect server grows by up to what it sent; one that
 * ignores backpressure grows by what it produced, hundreds of MiB a second.
 */
export const SLOW_GOAL_GROWTH_SLACK_BYTES = 16 * MIB;

/** Compared with the baseline: the worst peak across rounds. */
const RSS_PEAK_PRIMARY: Column = { ...RSS_PEAK_COLUMN, header: 'RSS peak' };

export function slowReadSeconds(durationS: number): number {
  return Math.min(durationS, SLOW_READ_MAX_S);
}

export const slowReader: Scenario = {
  name: 'slow-reader',
  title: 'slow client on a 1 GiB stream: backpressure',
  measures: `A client (its own process) reads at most ${SLOW_READ_BYTES_PER_TICK / 1024} KiB every ${SLOW_READ_TICK_MS} ms from \`${ROUTES.stream}\` `
    + `for min(duration, ${SLOW_READ_MAX_S}) s, then hangs up; no warm-up. Server RSS is sampled every 100 ms; growth is the last second's peak minus the first's. `
    + 'A server that waits for the socket grows by at most what it sent (uncollected chunks); one that buffers the body grows by hundreds of MiB.',
  columns: [
    { key: 'readBytes', header: 'read MB', aggregate: 'median', format: fmtMB },
    { key: 'readBytesPerS', header: 'read MB/s', aggregate: 'median', format: fmtMBps },
    SERVER_CPU_COLUMN,
    { key: USAGE_KEYS.rssGrowth, header: 'RSS growth MiB (max)', aggregate: 'max', format: fmtMiB },
    RSS_PEAK_COLUMN,
  ],
  primary: RSS_PEAK_PRIMARY,
  goal: {
    text: 'peak RSS < 100 MiB and growth < bytes read + 16 MiB',
    met: (m) => (m[USAGE_KEYS.rssPeak] ?? Infinity) < SLOW_GOAL_RSS_BYTES
      && (m[USAGE_KEYS.rssGrowth] ?? Infinity) < (m.readBytes ?? 0) + SLOW_GOAL_GROWTH_SLACK_BYTES,
  },
  seriesHeader: 'RSS MiB per second (worst round)',
  clients: new Map([
    [SLOW_CLIENT, fileURLToPath(new URL('./slow-client.ts', import.meta.url))],
  ]),
  async check(): Promise<void> {
    // The measured read checks the status and that bytes flowed.
  },
  async warmup(): Promise<void> {
    // None: this scenario measures memory, not speed, and a warm-up stream would
    // leave tens of MiB of uncollected chunks that raise the floor for no reason.
  },
  async measure(ctx: ScenarioContext) {
    const bin = ctx.bins.get(SLOW_CLIENT);
    if (bin === undefined) throw new Error(`${SLOW_CLIENT} was not built`);
    const seconds = slowReadSeconds(ctx.options.durationS);
    const { output } = await runClient<SlowClientOutput>(
      [process.execPath, bin, ctx.baseUrl + ROUTES.stream, String(seconds), String(SLOW_READ_BYTES_PER_TICK), String(SLOW_READ_TICK_MS)],
      ctx.pinning,
      seconds * 1000 + 30_000,
    );
    if (output.status !== 200) throw new Error(`GET ${ROUTES.stream} answered ${output.status}`);
    if (output.bytes < SLOW_READ_BYTES_PER_TICK) throw new Error(`only ${output.bytes} bytes arrived in ${seconds} s`);
    return { readBytes: output.bytes, readBytesPerS: output.bytes / (output.ms / 1000) };
  },
};
