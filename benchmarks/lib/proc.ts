/**
 * Memory and CPU of a process (or of its process group) from /proc, sampled
 * while a scenario runs. Linux only: elsewhere the figures are NaN.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpuPercent, median } from './stats.js';

export const SAMPLE_INTERVAL_MS = 100;
/** RSS over time is reported per bucket of this length (the largest sample in each). */
export const SERIES_BUCKET_MS = 1000;

/** Clock ticks per second of the utime/stime fields of /proc/PID/stat. */
export const CLOCK_TICKS_PER_S: number = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface Usage {
  readonly rssBytes: number;
  /** utime + stime, in clock ticks. */
  readonly cpuTicks: number;
}

/** VmRSS of one process in bytes; NaN once it is gone. */
export function readRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? Number.NaN : Number(match[1]) * 1024;
  } catch {
    return Number.NaN;
  }
}

interface StatFields {
  readonly pgrp: number;
  readonly cpuTicks: number;
}

/** Fields of /proc/PID/stat after the command name, which may hold spaces and parentheses. */
function readStat(pid: number | string): StatFields | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state): pgrp is field 5, utime 14, stime 15.
    return { pgrp: Number(rest[2]), cpuTicks: Number(rest[11]) + Number(rest[12]) };
  } catch {
    return null;
  }
}

/** Usage of `pid` alone, or summed over every process of the group `pid` leads. */
export function readUsage(pid: number, scope: 'process' | 'group'): Usage {
  if (scope === 'process') {
    return { rssBytes: readRssBytes(pid), cpuTicks: readStat(pid)?.cpuTicks ?? Number.NaN };
  }
  let rssBytes = 0;
  let cpuTicks = 0;
  let found = false;
  for (const entry of safeReaddir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat === null || stat.pgrp !== pid) continue;
    const rss = readRssBytes(Number(entry));
    if (Number.isFinite(rss)) rssBytes += rss;
    cpuTicks += stat.cpuTicks;
    found = true;
  }
  return found ? { rssBytes, cpuTicks } : { rssBytes: Number.NaN, cpuTicks: Number.NaN };
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export interface UsageSummary {
  readonly rssPeakBytes: number;
  readonly rssMedianBytes: number;
  /** Percent of one core between the first and last sample. */
  readonly cpuPercent: number;
  /** Largest RSS in each SERIES_BUCKET_MS bucket, in bytes. */
  readonly rssSeries: readonly number[];
  readonly samples: number;
}

/** Samples a process every SAMPLE_INTERVAL_MS from start() until stop(). */
export class UsageSampler {
  readonly #samples: { at: number; usage: Usage }[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(readonly pid: number, readonly scope: 'process' | 'group') {}

  start(): this {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), SAMPLE_INTERVAL_MS);
    return this;
  }

  #sample(): void {
    const usage = readUsage(this.pid, this.scope);
    if (Number.isFinite(usage.rssBytes)) this.#samples.push({ at: performance.now(), usage });
  }

  stop(): UsageSummary {
    clearInterval(this.#timer);
    this.#sample();
    return summarize(this.#samples);
  }
}

export function summarize(samples: readonly { at: number; usage: Usage }[]): UsageSummary {
  const rss = samples.map((s) => s.usage.rssBytes);
  const first = samples[0];
  const last = samples[samples.length - 1];
  const cpu = first !== undefined && last !== undefined && last.at > first.at
    ? cpuPercent(last.usage.cpuTicks - first.usage.cpuTicks, last.at - first.at, CLOCK_TICKS_PER_S)
    : Number.NaN;
  const series: number[] = [];
  for (const s of samples) {
    const bucket = first === undefined ? 0 : Math.floor((s.at - first.at) / SERIES_BUCKET_MS);
    series[bucket] = Math.max(series[bucket] ?? 0, s.usage.rssBytes);
  }
  return {
    rssPeakBytes: rss.length === 0 ? Number.NaN : Math.max(...rss),
    rssMedianBytes: median(rss),
    cpuPercent: cpu,
    rssSeries: Array.from(series, (v) => v ?? Number.NaN),
    samples: samples.length,
  };
}
