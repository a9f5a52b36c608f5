/**
 * autocannon, run through its own CLI in a separate process (so the harness
 * never competes with it), with JSON output.
 * @module
 */
import { createRequire } from 'node:module';
import { runClient } from '../lib/client-process.js';
import type { Pinning } from '../lib/processes.js';

const require = createRequire(import.meta.url);

/** Extra time allowed beyond the run's duration before the run is killed. */
export const AUTOCANNON_SLACK_MS = 30_000;

export interface AutocannonRun {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly connections: number;
  readonly durationS: number;
  /** File whose bytes are every request's body. */
  readonly bodyFile?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The part of autocannon's JSON result the harness uses. */
interface AutocannonJson {
  readonly requests: { readonly average: number; readonly total: number };
  readonly latency: { readonly p50: number; readonly p99: number };
  readonly throughput: { readonly average: number };
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
}

export interface AutocannonResult {
  readonly reqPerS: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Response bytes per second. */
  readonly throughputBytesPerS: number;
  /** Connection errors, timeouts and non-2xx answers. */
  readonly errors: number;
  readonly loadCpuPercent: number;
}

export function autocannonBin(): string {
  return require.resolve('autocannon/autocannon.js');
}

export async function runAutocannon(run: AutocannonRun, pinning: Pinning): Promise<AutocannonResult> {
  const argv = [process.execPath, autocannonBin(), '--json', '--no-progress',
    '--connections', String(run.connections), '--duration', String(run.durationS), '--method', run.method];
  if (run.bodyFile !== undefined) argv.push('--input', run.bodyFile);
  for (const [name, value] of Object.entries(run.headers ?? {})) argv.push('--headers', `${name}=${value}`);
  argv.push(run.url);
  const { output, cpuPercent } = await runClient<AutocannonJson>(argv, pinning, run.durationS * 1000 + AUTOCANNON_SLACK_MS);
  return {
    reqPerS: output.requests.average,
    latencyP50Ms: output.latency.p50,
    latencyP99Ms: output.latency.p99,
    throughputBytesPerS: output.throughput.average,
    errors: output.errors + output.timeouts + output.non2xx,
    loadCpuPercent: cpuPercent,
  };
}
