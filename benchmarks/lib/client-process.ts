/**
 * Runs a load generator or client as its own process pinned to the load core,
 * reads the JSON it prints last on stdout, and samples its CPU meanwhile (a
 * load generator near 100% of its core means the figures are the client's
 * limit, not the server's).
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { pinnedArgv, spawnTracked, stopTracked, type Pinning } from './processes.js';
import { UsageSampler } from './proc.js';

export interface ClientRun<T> {
  readonly output: T;
  /** CPU of the client process, percent of one core. */
  readonly cpuPercent: number;
}

export async function runClient<T>(argv: readonly string[], pinning: Pinning, timeoutMs: number): Promise<ClientRun<T>> {
  const tracked = spawnTracked(pinnedArgv(pinning, 'load', argv));
  const { child } = tracked;
  // 'close' comes after 'exit' once stdout is drained, so the JSON is complete.
  const closed = new Promise<true>((resolve) => child.once('close', () => resolve(true)));
  const sampler = new UsageSampler(tracked.pid, 'process').start();
  let stdout = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  const timer = new AbortController();
  const finished = await Promise.race([closed, sleep(timeoutMs, false, { signal: timer.signal }).catch(() => false)]);
  timer.abort();
  const usage = sampler.stop();
  if (!finished) {
    await stopTracked(tracked);
    throw new Error(`${describe(argv)} did not finish within ${timeoutMs} ms`);
  }
  if (child.exitCode !== 0) {
    throw new Error(`${describe(argv)} exited ${child.exitCode ?? child.signalCode}: ${tracked.stderrTail().trim()}`);
  }
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  try {
    return { output: JSON.parse(lastLine) as T, cpuPercent: usage.cpuPercent };
  } catch {
    throw new Error(`${describe(argv)} printed no JSON: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
}

function describe(argv: readonly string[]): string {
  return argv.map((a) => a.split('/').pop()).join(' ').slice(0, 200);
}
