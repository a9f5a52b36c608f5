/**
 * Facts about the machine and the software under test, for the head of
 * RESULTS.md: CPU, cores and memory from /proc, versions from package.json.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { BENCH_DIR } from './paths.js';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** "AMD EPYC, 2 cores, 23.5 GiB memory, Linux 6.1.0" */
export function describeMachine(): string {
  const cpuinfo = readText('/proc/cpuinfo');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown CPU';
  const memKb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(readText('/proc/meminfo'))?.[1]);
  const memBytes = Number.isFinite(memKb) ? memKb * 1024 : totalmem();
  // Counted from /proc, not availableParallelism(): the harness has pinned itself to one core.
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length || cpus().length;
  return `${model}, ${cores} cores, ${(memBytes / 1024 ** 3).toFixed(1)} GiB memory, ${process.platform} ${release()}`;
}

/** The 1-minute load average from /proc/loadavg (NaN elsewhere): how busy the machine was. */
export function loadAverage(): number {
  return Number(readText('/proc/loadavg').split(' ')[0] ?? Number.NaN);
}

/** The version of an installed package, looked up from the benchmarks folder upwards. */
export function packageVersion(name: string): string {
  for (let dir = BENCH_DIR; ; dir = dirname(dir)) {
    const manifest = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) {
      try {
        return String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version ?? 'unknown');
      } catch {
        return 'unreadable';
      }
    }
    if (dirname(dir) === dir) return 'not installed';
  }
}

/** "3fb125e" or "3fb125e + uncommitted changes"; "unknown" outside git. */
export function describeCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: BENCH_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}
