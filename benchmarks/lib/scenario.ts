/**
 * What a scenario is: the reportable part (columns, the figure compared with
 * the baseline, an optional goal) and the three steps the harness runs against
 * a fresh server (check the answer, warm up, measure).
 * @module
 */
import type { BenchOptions } from './args.js';
import { fmtMiB, fmtPercent } from './format.js';
import type { Pinning } from './processes.js';
import type { Aggregate } from './stats.js';

/** Figures of one round, by key, in base units (bytes, bytes/s, ms, percent). */
export type Metrics = Readonly<Record<string, number>>;

export interface Column {
  /** Key in Metrics. */
  readonly key: string;
  readonly header: string;
  /** How the rounds are combined. */
  readonly aggregate: Aggregate;
  readonly format: (value: number) => string;
}

export interface Goal {
  readonly text: string;
  readonly met: (metrics: Metrics) => boolean;
}

/** The pure part of a scenario, all that report rendering needs. */
export interface ScenarioSpec {
  readonly name: string;
  readonly title: string;
  /** One or two sentences: what the figures mean. */
  readonly measures: string;
  readonly columns: readonly Column[];
  /** The figure compared with the baseline (and listed per round). */
  readonly primary: Column;
  readonly goal?: Goal;
  /** When set, a column shows RSS per second of the round with the highest peak. */
  readonly seriesHeader?: string;
}

export interface ScenarioContext {
  readonly baseUrl: string;
  readonly options: BenchOptions;
  readonly pinning: Pinning;
  /** Built client scripts by name (see `clients`). */
  readonly bins: ReadonlyMap<string, string>;
}

export interface Scenario extends ScenarioSpec {
  /** Client entries (name -> .ts path) this scenario runs as their own processes. */
  readonly clients: ReadonlyMap<string, string>;
  /** Throws when the target's answer is wrong, so that nothing wrong is ever measured. */
  check(ctx: ScenarioContext): Promise<void>;
  /** Unmeasured load. */
  warmup(ctx: ScenarioContext): Promise<void>;
  /** Measured load; the harness samples the server's memory and CPU meanwhile. */
  measure(ctx: ScenarioContext): Promise<Metrics>;
}

/** Metrics the harness adds to every round from sampling the server. */
export const USAGE_KEYS = Object.freeze({
  rssPeak: 'rssPeakBytes',
  rssMedian: 'rssMedianBytes',
  rssGrowth: 'rssGrowthBytes',
  serverCpu: 'serverCpuPercent',
});

export const SERVER_CPU_COLUMN: Column = { key: USAGE_KEYS.serverCpu, header: 'server CPU', aggregate: 'median', format: fmtPercent };
export const RSS_MEDIAN_COLUMN: Column = { key: USAGE_KEYS.rssMedian, header: 'RSS median MiB', aggregate: 'median', format: fmtMiB };
export const RSS_PEAK_COLUMN: Column = { key: USAGE_KEYS.rssPeak, header: 'RSS peak MiB (max)', aggregate: 'max', format: fmtMiB };
