/**
 * Child processes of a run: pinned to a core with taskset, each the leader of
 * its own process group, tracked so that every one is killed by PID when the
 * harness ends, on Ctrl-C or on an error.
 * @module
 */
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** The server gets one core, the load generator (and this harness) the other. */
export const SERVER_CPU = '0';
export const LOAD_CPU = '1';
/** How long a stopped process may take to exit on SIGTERM before SIGKILL. */
export const STOP_GRACE_MS = 2000;
/** How much of a child's stderr is kept to explain a failure. */
export const STDERR_TAIL_BYTES = 4096;

export type Role = 'server' | 'load';

export interface Pinning {
  readonly enabled: boolean;
  /** One sentence for RESULTS.md. */
  readonly note: string;
}

export function detectPinning(): Pinning {
  const cores = availableParallelism();
  if (cores < 2) return { enabled: false, note: `not pinned: ${cores} core available` };
  try {
    // Both cores must be usable here: a container's cpuset may exclude one.
    for (const cpu of [SERVER_CPU, LOAD_CPU]) execFileSync('taskset', ['-c', cpu, 'true'], { stdio: 'ignore' });
  } catch {
    return { enabled: false, note: `not pinned: taskset missing, or CPU ${SERVER_CPU} or ${LOAD_CPU} not usable` };
  }
  return {
    enabled: true,
    note: `server pinned to CPU ${SERVER_CPU}, load generator and harness to CPU ${LOAD_CPU} (taskset)`,
  };
}

export function pinnedArgv(pinning: Pinning, role: Role, argv: readonly string[]): string[] {
  if (!pinning.enabled) return [...argv];
  return ['taskset', '-c', role === 'server' ? SERVER_CPU : LOAD_CPU, ...argv];
}

/** Moves every thread of this harness to the load core, off the server's. */
export function pinSelf(pinning: Pinning): void {
  if (!pinning.enabled) return;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  } catch {
    // Best effort: an unpinned harness only sleeps between samples.
  }
}

const live = new Set<ChildProcess>();

export interface Tracked {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The last STDERR_TAIL_BYTES of what the child wrote to stderr. */
  stderrTail(): string;
}

/**
 * Spawns `argv` as the leader of a new process group (taskset execs the
 * program, so the PID is the program's) and tracks it until it exits.
 */
export function spawnTracked(argv: readonly string[], options: SpawnOptions = {}): Tracked {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('spawnTracked: empty argv');
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
  if (child.pid === undefined) throw new Error(`could not spawn ${file}`);
  live.add(child);
  child.once('exit', () => live.delete(child));
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    tail = (tail + text).slice(-STDERR_TAIL_BYTES);
  });
  return { child, pid: child.pid, stderrTail: () => tail };
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the whole group is gone already.
  }
}

/** SIGTERM to the group, SIGKILL after STOP_GRACE_MS, then SIGKILL to any member left. */
export async function stopTracked(tracked: Tracked): Promise<void> {
  killGroup(tracked.pid, 'SIGTERM');
  if (!(await waitExit(tracked.child, STOP_GRACE_MS))) {
    killGroup(tracked.pid, 'SIGKILL');
    await waitExit(tracked.child, STOP_GRACE_MS);
  }
  killGroup(tracked.pid, 'SIGKILL');
  live.delete(tracked.child);
}

/** Synchronous, so that it also works from an 'exit' handler. */
export function killAllTracked(): void {
  for (const child of live) if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
  live.clear();
}

/** Kills every tracked child when the harness exits for any reason it can see. */
export function installCleanup(): void {
  process.on('exit', killAllTracked);
  const signals: [NodeJS.Signals, number][] = [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]];
  for (const [signal, code] of signals) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping ${live.size} child process(es)`);
      killAllTracked();
      process.exit(code);
    });
  }
}
