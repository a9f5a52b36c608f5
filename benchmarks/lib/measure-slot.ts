/**
 * One slot of the schedule: a fresh server for one target, the scenario's
 * check, warm-up and measurement, server memory and CPU sampled during the
 * measurement, and the server stopped whatever happened.
 * @module
 */
import type { BenchOptions } from './args.js';
import type { Pinning } from './processes.js';
import { UsageSampler, type UsageSummary } from './proc.js';
import type { RoundResult } from './report.js';
import { USAGE_KEYS, type Metrics, type Scenario } from './scenario.js';
import { startServer, stopServer, type RunningServer } from './server.js';
import type { Slot } from './schedule.js';
import type { TargetDefinition } from '../targets/index.js';

export interface SlotContext {
  readonly options: BenchOptions;
  readonly pinning: Pinning;
  /** Built scripts (targets and clients) by name. */
  readonly bins: ReadonlyMap<string, string>;
}

export async function measureSlot(slot: Slot, target: TargetDefinition, scenario: Scenario, ctx: SlotContext): Promise<RoundResult> {
  const base = { round: slot.round, scenario: slot.scenario, target: slot.target };
  let server: RunningServer | undefined;
  try {
    server = await startServer(target, scenario.name, { pinning: ctx.pinning, builtEntry: ctx.bins.get(target.name) });
    const scenarioCtx = { baseUrl: server.baseUrl, options: ctx.options, pinning: ctx.pinning, bins: ctx.bins };
    await scenario.check(scenarioCtx);
    await scenario.warmup(scenarioCtx);
    const sampler = new UsageSampler(server.pid, target.usageScope).start();
    let measured: Metrics;
    let usage: UsageSummary;
    try {
      measured = await scenario.measure(scenarioCtx);
    } finally {
      usage = sampler.stop();
    }
    const series = usage.rssSeries;
    const growth = series.length >= 2 ? series[series.length - 1]! - series[0]! : Number.NaN;
    return {
      ...base,
      metrics: {
        ...measured,
        [USAGE_KEYS.rssPeak]: usage.rssPeakBytes,
        [USAGE_KEYS.rssMedian]: usage.rssMedianBytes,
        [USAGE_KEYS.rssGrowth]: growth,
        [USAGE_KEYS.serverCpu]: usage.cpuPercent,
      },
      rssSeries: series,
    };
  } catch (error) {
    const exited = server !== undefined && server.tracked.child.exitCode !== null;
    const stderr = server?.tracked.stderrTail().trim() ?? '';
    const detail = exited && stderr !== '' ? ` (server exited: ${stderr.slice(-300)})` : '';
    return { ...base, metrics: {}, rssSeries: [], error: `${(error as Error).message}${detail}` };
  } finally {
    if (server !== undefined) await stopServer(server);
  }
}
