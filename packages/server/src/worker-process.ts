/**
 * The supervisor's view of one worker process: how it is started (fork, with
 * the listening socket and the log files as inherited descriptors), what it
 * last reported, and the states it goes through. The arbiter in
 * supervisor.ts decides; this module only records and signals.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptySnapshot, type MetricsSnapshot } from './metrics.js';
import { KILL_GRACE_MS } from './heartbeat.js';
import { LIFESPAN_SHUTDOWN_TIMEOUT_MS, type RetireReason, type SupervisorMessage, type WorkerConfig } from './messages.js';

/** booting: loading the app and running lifespan startup; ready: accepting; draining: told to stop. */
export type WorkerState = 'booting' | 'ready' | 'draining';

/** Stdio slots of a worker: 0-2 as usual, 3 the IPC channel, then the inherited descriptors. */
export const LISTEN_FD = 4;
export const ACCESS_LOG_FD = 5;
export const ERROR_LOG_FD = 6;

export interface SpawnOptions {
  readonly listenFd: number;
  readonly accessLogFd: number | null;
  readonly errorLogFd: number | null;
  readonly config: Omit<WorkerConfig, 'listenFd' | 'accessLogFd' | 'errorLogFd'>;
}

/** The worker module next to this one: worker-entry.js when built, worker-entry.ts when run through tsx. */
function workerEntry(): { path: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  const ext = extname(self);
  const path = fileURLToPath(new URL(`./worker-entry${ext}`, import.meta.url));
  // The supervisor's debugger port cannot be shared; a loader it was started with is kept.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect') && !a.startsWith('--debug'));
  if (ext === '.ts' && !execArgv.some((a) => a.includes('tsx'))) execArgv.push('--import', 'tsx');
  return { path, execArgv };
}

export class WorkerProcess {
  readonly child: ChildProcess;
  readonly startedAt = Date.now();
  state: WorkerState = 'booting';
  readyAt = 0;
  lastBeat = Date.now();
  rss = 0;
  metrics: MetricsSnapshot = emptySnapshot();
  /** The worker asked to be replaced (max requests, memory). */
  retire: RetireReason | null = null;
  /** Why the supervisor stops or kills it; null while it is wanted. */
  stopReason: string | null = null;
  /** When a draining worker is killed if still alive. */
  drainDeadline = 0;
  /** After SIGABRT: when SIGKILL follows. */
  killAt = 0;
  /** What the worker said when it could not boot. */
  bootError: { readonly code: string; readonly message: string } | null = null;

  constructor(
    readonly id: number,
    readonly generation: number,
    options: SpawnOptions,
  ) {
    const { path, execArgv } = workerEntry();
    const stdio: Array<'ignore' | 'inherit' | 'ipc' | number> = ['ignore', 'inherit', 'inherit', 'ipc', options.listenFd, options.accessLogFd ?? 'ignore', options.errorLogFd ?? 'ignore'];
    this.child = fork(path, [], { stdio, execArgv, serialization: 'json' });
    const config: WorkerConfig = {
      ...options.config,
      listenFd: LISTEN_FD,
      accessLogFd: options.accessLogFd === null ? null : ACCESS_LOG_FD,
      errorLogFd: options.errorLogFd === null ? null : ERROR_LOG_FD,
    };
    this.send({ t: 'config', config });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The child has exited (or could not be started). */
  get gone(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  send(message: SupervisorMessage): void {
    if (!this.child.connected) return;
    try {
      this.child.send(message);
    } catch {
      // The channel closed between the check and the send: the exit event follows.
    }
  }

  /** Asks for a graceful stop; the deadline covers in-flight requests, lifespan shutdown and a margin. */
  drain(reason: string, timeoutMs: number): void {
    if (this.state === 'draining') return;
    this.state = 'draining';
    this.stopReason ??= reason;
    this.drainDeadline = Date.now() + timeoutMs + LIFESPAN_SHUTDOWN_TIMEOUT_MS + KILL_GRACE_MS;
    this.send({ t: 'drain', timeoutMs });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.gone) return;
    try {
      this.child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}
