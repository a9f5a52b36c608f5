/**
 * A request/response scenario driven by autocannon: many connections, fixed
 * duration, req/s and latency. `hello`, `64k` and `echo-1m` are made with it.
 * @module
 */
import { fmtFixed, fmtInt, fmtMBps, fmtPercent } from '../lib/format.js';
import { probe, type ProbeResponse } from '../lib/http-probe.js';
import {
  RSS_MEDIAN_COLUMN, RSS_PEAK_COLUMN, SERVER_CPU_COLUMN,
  type Column, type Scenario, type ScenarioContext,
} from '../lib/scenario.js';
import { runAutocannon, type AutocannonRun } from './autocannon.js';

export const REQ_PER_S_COLUMN: Column = { key: 'reqPerS', header: 'req/s', aggregate: 'median', format: fmtInt };

export const LOAD_COLUMNS: readonly Column[] = Object.freeze([
  REQ_PER_S_COLUMN,
  { key: 'latencyP50Ms', header: 'p50 ms', aggregate: 'median', format: fmtFixed(1) },
  { key: 'latencyP99Ms', header: 'p99 ms', aggregate: 'median', format: fmtFixed(1) },
  { key: 'throughputBytesPerS', header: 'MB/s', aggregate: 'median', format: fmtMBps },
  { key: 'errors', header: 'errors', aggregate: 'sum', format: fmtInt },
  SERVER_CPU_COLUMN,
  { key: 'loadCpuPercent', header: 'load CPU', aggregate: 'median', format: fmtPercent },
  RSS_MEDIAN_COLUMN,
  RSS_PEAK_COLUMN,
]);

export interface LoadScenarioDefinition {
  readonly name: string;
  readonly title: string;
  readonly measures: string;
  readonly route: string;
  readonly method: 'GET' | 'POST';
  /** The request body, written to a file for autocannon (POST only). */
  readonly body?: { readonly file: () => Promise<string>; readonly bytes: () => Buffer; readonly contentType: string };
  /** A reason the answer is wrong, or null. */
  readonly verify: (res: ProbeResponse) => string | null;
}

export function loadScenario(def: LoadScenarioDefinition): Scenario {
  async function autocannonRun(ctx: ScenarioContext, durationS: number): Promise<AutocannonRun> {
    return {
      url: ctx.baseUrl + def.route,
      method: def.method,
      connections: ctx.options.connections,
      durationS,
      ...(def.body === undefined ? {} : { bodyFile: await def.body.file(), headers: { 'content-type': def.body.contentType } }),
    };
  }
  return Object.freeze({
    name: def.name,
    title: def.title,
    measures: def.measures,
    columns: LOAD_COLUMNS,
    primary: REQ_PER_S_COLUMN,
    clients: new Map<string, string>(),
    async check(ctx: ScenarioContext): Promise<void> {
      const res = await probe(ctx.baseUrl + def.route, {
        method: def.method,
        ...(def.body === undefined ? {} : { body: def.body.bytes(), headers: { 'content-type': def.body.contentType } }),
      });
      const problem = def.verify(res);
      if (problem !== null) throw new Error(`${def.method} ${def.route}: ${problem}`);
    },
    async warmup(ctx: ScenarioContext): Promise<void> {
      if (ctx.options.warmupS > 0) await runAutocannon(await autocannonRun(ctx, ctx.options.warmupS), ctx.pinning);
    },
    async measure(ctx: ScenarioContext) {
      const result = await runAutocannon(await autocannonRun(ctx, ctx.options.durationS), ctx.pinning);
      return { ...result };
    },
  });
}
