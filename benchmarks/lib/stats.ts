/**
 * The arithmetic of a run: medians across rounds and ratios against the
 * baseline. Pure functions, tested in `harness.test.ts`.
 * @module
 */

/** The median of a list of numbers; NaN for an empty list, so a missing figure never reads as 0. */
export function median(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
}

/** The largest finite value; NaN for an empty list. */
export function max(values: readonly number[]): number {
  const finite = values.filter((v) => Number.isFinite(v));
  return finite.length === 0 ? Number.NaN : Math.max(...finite);
}

/** The sum of finite values (counts such as errors); 0 for an empty list. */
export function sum(values: readonly number[]): number {
  return values.filter((v) => Number.isFinite(v)).reduce((a, b) => a + b, 0);
}

/** How a figure is combined across rounds. */
export type Aggregate = 'median' | 'max' | 'sum';

export function aggregate(kind: Aggregate, values: readonly number[]): number {
  if (kind === 'max') return max(values);
  if (kind === 'sum') return sum(values);
  return median(values);
}

/** `value / baseline`; NaN when either is missing or the baseline is 0. */
export function ratio(value: number, baseline: number): number {
  if (!Number.isFinite(value) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return value / baseline;
}

/**
 * CPU use of a process between two samples of its `/proc/PID/stat` ticks, in
 * percent of one core: 100 means one core fully busy.
 */
export function cpuPercent(ticksDelta: number, elapsedMs: number, ticksPerSecond: number): number {
  if (elapsedMs <= 0 || ticksPerSecond <= 0) return Number.NaN;
  return (ticksDelta / ticksPerSecond) / (elapsedMs / 1000) * 100;
}
