/**
 * The supervisor (gunicorn's arbiter): it holds the listening socket and the
 * log files, starts N workers, and keeps them at N. Signal handlers and worker
 * events only enqueue; one loop takes them off the queue and dispatches each
 * to a `handle*` method, then checks heartbeats and deadlines
 * (`#murderWorkers`) and the worker count (`#manageWorkers`), as gunicorn's
 * arbiter does. Nothing else changes its state, so no two decisions race.
 * @module
 */
import { randomInt } from 'node:crypto';
import { dirname } from 'node:path';
import { splitAppSpec } from './app-spec.js';
import { EXIT_APP_BOOT, EXIT_OK, isServerError, ServerError } from './errors.js';
import { heartbeatIntervalMs, isSilent, KILL_GRACE_MS } from './heartbeat.js';
import { bindListeningSocket, type ListeningSocket } from './listen.js';
import { ErrorLog, fdSink, openLogFile, streamSink } from './log.js';
import { isMessage, type RetireReason, type WorkerMessage } from './messages.js';
import { addSnapshots, emptySnapshot, renderPrometheus, type MetricsSnapshot } from './metrics.js';
import { MetricsPoll } from './metrics-poll.js';
import type { ServerOptions } from './options.js';
import { checkPrivileges, type DropTarget } from './privileges.js';
import { watchSources } from './reload-watcher.js';
import { RESTART_BACKOFF_MAX_MS, RestartPolicy } from './restart-policy.js';
import { WorkerProcess } from './worker-process.js';
import { VERSION } from './version.js';

/** How often the loop wakes when nothing happens (gunicorn: 1 s). */
export const LOOP_INTERVAL_MS = 100;
/** Past --max-memory times this, a worker is killed at once instead of recycled. */
export const MEMORY_HARD_LIMIT_FACTOR = 1.5;

export type SignalName = 'TERM' | 'INT' | 'QUIT' | 'HUP' | 'TTIN' | 'TTOU';

type Event =
  | { readonly kind: 'signal'; readonly name: SignalName | 'RELOAD' }
  | { readonly kind: 'exit'; readonly worker: WorkerProcess; readonly code: number | null; readonly signal: NodeJS.Signals | null }
  | { readonly kind: 'ready'; readonly worker: WorkerProcess }
  | { readonly kind: 'retire'; readonly worker: WorkerProcess; readonly reason: RetireReason; readonly detail: string };

type Phase = 'starting' | 'running' | 'stopping' | 'stopped';

export interface WorkerInfo {
  readonly id: number;
  readonly pid: number;
  readonly generation: number;
  readonly state: string;
}

export interface SupervisorControl {
  /** Install handlers for SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGTTIN, SIGTTOU (the CLI does). */
  readonly handleSignals?: boolean;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `was killed by signal ${signal}` : `exited with code ${code}`;
}

export class Supervisor {
  readonly log: ErrorLog;
  readonly ready: Promise<void>;
  readonly exited: Promise<number>;
  #socket: ListeningSocket | null = null;
  #accessFd: number | null = null;
  #errorFd: number | null = null;
  #drop: DropTarget | null = null;
  #phase: Phase = 'starting';
  #queue: Event[] = [];
  #wake: (() => void) | null = null;
  #workers = new Map<number, WorkerProcess>();
  #nextId = 1;
  #target: number;
  #generation = 1;
  /** The newest generation that reached the target count. */
  #stableGeneration = 0;
  #restartPolicy = new RestartPolicy();
  #restarts: Record<string, number> = { crash: 0, timeout: 0, memory: 0, max_requests: 0, reload: 0 };
  #retired: MetricsSnapshot = emptySnapshot();
  #exitCode = EXIT_OK;
  #fatal: ServerError | null = null;
  #resolveReady!: () => void;
  #rejectReady!: (e: unknown) => void;
  #resolveExited!: (code: number) => void;
  #reloadWaiters: Array<{ generation: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  #signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  #stopWatcher: (() => void) | null = null;
  #metricsPoll = new MetricsPoll();

  constructor(
    readonly options: ServerOptions,
    readonly control: SupervisorControl = {},
  ) {
    this.#target = options.workers;
    const errorFd = openLogFile(options.errorLog, '--error-log');
    this.#errorFd = errorFd;
    this.log = new ErrorLog(errorFd === null ? streamSink(process.stderr) : fdSink(errorFd), options.logLevel, 'supervisor');
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // A caller that only awaits `exited` must not get an unhandled rejection.
    this.ready.catch(() => {});
    this.exited = new Promise((resolve) => (this.#resolveExited = resolve));
  }

  get #stopped(): boolean {
    return this.#phase === 'stopped';
  }

  get url(): string | null {
    return this.#socket?.url ?? null;
  }

  get address(): ListeningSocket['address'] | null {
    return this.#socket?.address ?? null;
  }

  workers(): WorkerInfo[] {
    return [...this.#workers.values()].map((w) => ({ id: w.id, pid: w.pid, generation: w.generation, state: w.state }));
  }

  /** Binds, starts the loop and the first generation; `ready` settles when it is up or cannot start. */
  async start(): Promise<void> {
    const o = this.options;
    try {
      this.#drop = checkPrivileges(o);
      if (o.accessLog !== null) this.#accessFd = openLogFile(o.accessLog, '--access-log');
      this.#socket = await bindListeningSocket(o);
    } catch (error) {
      this.#fail(isServerError(error) ? error : new ServerError('TSGI_ERR_LISTEN_FAILED', String(error)));
      this.#finish();
      return;
    }
    process.title = `${o.procName}: supervisor`;
    const timeouts = `timeout ${o.timeout || 'off'}${o.timeout ? ' s' : ''}, graceful ${o.gracefulTimeout} s`;
    const recycle = o.maxRequests > 0 ? `, max requests ${o.maxRequests}+${o.maxRequestsJitter}` : '';
    const who = this.#drop ? `, as uid ${this.#drop.uid} gid ${this.#drop.gid}` : '';
    this.log.info(`tsgi ${VERSION} listening at ${this.#socket.url} (pid ${process.pid}): ${this.#target} worker(s), ${timeouts}${recycle}${who}`);
    if (this.control.handleSignals) this.#installSignals();
    if (o.reload) this.#startWatcher();
    void this.#loop();
  }

  /** Enqueues a signal as if the process had received it. */
  signal(name: SignalName | 'RELOAD'): void {
    this.#enqueue({ kind: 'signal', name });
  }

  /** SIGHUP: resolves once the new generation serves, rejects when it could not start. */
  reload(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#reloadWaiters.push({ generation: this.#generation + 1, resolve, reject });
      this.signal('HUP');
    });
  }

  /** SIGTERM: resolves with the exit status once every worker has stopped. */
  stop(): Promise<number> {
    this.signal('TERM');
    return this.exited;
  }

  #enqueue(event: Event): void {
    this.#queue.push(event);
    this.#wake?.();
  }

  #installSignals(): void {
    for (const name of ['TERM', 'INT', 'QUIT', 'HUP', 'TTIN', 'TTOU'] as const) {
      const sig = `SIG${name}` as NodeJS.Signals;
      const handler = () => this.signal(name);
      process.on(sig, handler);
      this.#signalHandlers.push([sig, handler]);
    }
  }

  #startWatcher(): void {
    const specs = [...(this.options.app !== null ? [this.options.app] : []), ...this.options.mounts.map((m) => m.app)];
    const dirs = specs.map((s) => dirname(splitAppSpec(s).path));
    this.#stopWatcher = watchSources(dirs, (file) => {
      this.log.info(`--reload: ${file} changed, reloading`);
      this.signal('RELOAD');
    });
  }

  async #loop(): Promise<void> {
    while (this.#phase !== 'stopped') {
      if (this.#queue.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, LOOP_INTERVAL_MS);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
      for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) this.#dispatch(event);
      if (this.#stopped) break;
      this.#murderWorkers();
      this.#manageWorkers();
      if (this.#phase === 'stopping' && this.#workers.size === 0) this.#finish();
    }
  }

  #dispatch(event: Event): void {
    switch (event.kind) {
      case 'signal':
        return this.#handleSignal(event.name);
      case 'exit':
        return this.#handleExit(event.worker, event.code, event.signal);
      case 'ready':
        return this.#handleReady(event.worker);
      case 'retire':
        return this.#handleRetire(event.worker, event.reason, event.detail);
    }
  }

  #handleSignal(name: SignalName | 'RELOAD'): void {
    switch (name) {
      case 'TERM':
        return this.#handleTerm();
      case 'INT':
        return this.#handleInt();
      case 'QUIT':
        return this.#handleQuit();
      case 'HUP':
      case 'RELOAD':
        return this.#handleHup(name);
      case 'TTIN':
        this.#target++;
        this.log.info(`SIGTTIN: ${this.#target} worker(s)`);
        return;
      case 'TTOU':
        if (this.#target > 1) this.#target--;
        this.log.info(`SIGTTOU: ${this.#target} worker(s)`);
        return;
    }
  }

  /** Graceful stop (SRV-GRACE-1): drain every worker within --graceful-timeout, then exit 0. */
  #handleTerm(timeoutMs = this.options.gracefulTimeout * 1000): void {
    if (this.#phase === 'stopping' || this.#phase === 'stopped') return;
    this.log.info(`stopping: draining ${this.#workers.size} worker(s), graceful timeout ${timeoutMs / 1000} s`);
    this.#phase = 'stopping';
    this.#rejectReady(new ServerError('TSGI_ERR_BOOT_FAILED', 'the server was stopped before it was ready'));
    for (const w of this.#workers.values()) w.drain('stop', timeoutMs);
  }

  /** Ctrl-C drains like SIGTERM; a second one stops at once. */
  #handleInt(): void {
    if (this.#phase === 'stopping') {
      this.log.warning('second SIGINT: killing the workers');
      for (const w of this.#workers.values()) w.signal('SIGKILL');
      return;
    }
    this.#handleTerm();
  }

  /** Quick stop (gunicorn QUIT): in-flight requests are aborted with TSGI_ERR_SHUTDOWN, lifespan shutdown still runs. */
  #handleQuit(): void {
    if (this.#phase === 'stopping') return;
    this.#handleTerm(0);
  }

  /** Reload: a new generation starts beside the old, which drains once the new one is ready (the socket stays open). */
  #handleHup(name: string): void {
    if (this.#phase !== 'running') {
      this.log.warning(`${name === 'HUP' ? 'SIGHUP' : 'reload'} ignored: the server is ${this.#phase}`);
      this.#settleReloads(new ServerError('TSGI_ERR_RELOAD_FAILED', `reload ignored: the server is ${this.#phase}`));
      return;
    }
    this.#generation++;
    this.log.info(`${name === 'HUP' ? 'SIGHUP' : 'reload'}: starting generation ${this.#generation}`);
  }

  #handleReady(w: WorkerProcess): void {
    if (w.state !== 'booting') return;
    w.state = 'ready';
    w.readyAt = Date.now();
    this.#restartPolicy.booted();
    this.log.debug(`worker ${w.id} (pid ${w.pid}) is ready`);
    if (w.generation !== this.#generation || this.#phase === 'stopping') {
      // A generation that was superseded while it booted.
      w.drain('superseded', 0);
      return;
    }
    const serving = this.#active().filter((x) => x.state === 'ready').length;
    if (serving < this.#target) return;
    // The current generation is complete: whoever it replaces can go.
    const reload = this.#stableGeneration !== 0 && this.#stableGeneration !== this.#generation;
    this.#stableGeneration = this.#generation;
    for (const old of this.#workers.values()) {
      if (old.state === 'draining' || (old.generation === this.#generation && old.retire === null)) continue;
      const reason = old.generation !== this.#generation ? 'reload' : old.retire!;
      this.#restarts[reason] = (this.#restarts[reason] ?? 0) + 1;
      old.drain(reason, this.options.gracefulTimeout * 1000);
    }
    if (this.#phase === 'starting') {
      this.#phase = 'running';
      this.log.info(`ready: ${serving} worker(s) serving`);
      this.#resolveReady();
    } else if (reload) {
      this.log.info(`reloaded: generation ${this.#generation} serving`);
    }
    this.#settleReloads();
  }

  #settleReloads(failed?: ServerError): void {
    this.#reloadWaiters = this.#reloadWaiters.filter((waiter) => {
      if (failed && waiter.generation > this.#stableGeneration) {
        waiter.reject(failed);
        return false;
      }
      if (waiter.generation <= this.#stableGeneration) {
        waiter.resolve();
        return false;
      }
      return true;
    });
  }

  #handleRetire(w: WorkerProcess, reason: RetireReason, detail: string): void {
    if (w.retire !== null || w.state === 'draining') return;
    w.retire = reason;
    if (reason === 'memory') this.log.warning(`TSGI_ERR_WORKER_MEMORY: worker ${w.id} (pid ${w.pid}): ${detail}; recycling it`);
    else this.log.info(`worker ${w.id} (pid ${w.pid}) ${detail}; recycling it`);
  }

  #handleExit(w: WorkerProcess, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.delete(w.id);
    this.#retired = addSnapshots([], addSnapshots([{ ...w.metrics, inFlight: 0 }], this.#retired));
    const how = describeExit(code, signal);
    if (w.state === 'booting') return this.#bootFailed(w, how);
    if (w.state === 'draining') {
      if (w.stopReason === 'timeout' || w.stopReason === 'memory' || w.stopReason === 'shutdown-timeout') return;
      if (code !== 0) this.log.warning(`worker ${w.id} (pid ${w.pid}) ${how} while stopping (${w.stopReason})`);
      else this.log.debug(`worker ${w.id} (pid ${w.pid}) stopped (${w.stopReason})`);
      return;
    }
    if (w.stopReason !== null) return; // killed for a missed heartbeat or memory: logged when killed
    if (code === 0) {
      // SIGTERM sent to the worker alone: it drained and left (gunicorn replaces such a worker too).
      this.log.warning(`worker ${w.id} (pid ${w.pid}) stopped by itself (exit code 0); replacing it`);
      return;
    }
    // P1: only this worker's requests failed; it is replaced after a back-off.
    this.#restarts.crash = (this.#restarts.crash ?? 0) + 1;
    const ranMs = Date.now() - w.readyAt;
    const delay = this.#restartPolicy.crashed(ranMs);
    this.log.error(`TSGI_ERR_WORKER_CRASH: worker ${w.id} (pid ${w.pid}) ${how}; replacing it in ${delay} ms`);
  }

  #bootFailed(w: WorkerProcess, how: string): void {
    const error = w.bootError;
    const detail = error ? `${error.code}: ${error.message}` : `the worker ${how} before it was ready`;
    if (this.#phase === 'stopping') return;
    if (this.#phase === 'starting') {
      // P4, LIFE-START-2: the first generation cannot start: exit with the application's error, no restart loop.
      return this.#fail(new ServerError('TSGI_ERR_BOOT_FAILED', `worker ${w.id} (pid ${w.pid}) could not start, so the server stops.\n${detail}`));
    }
    if (w.generation === this.#generation && this.#stableGeneration < this.#generation && this.#stableGeneration > 0) {
      // A reload whose new code cannot start: keep serving the old generation.
      const failure = new ServerError('TSGI_ERR_RELOAD_FAILED', `generation ${this.#generation} could not start; generation ${this.#stableGeneration} keeps serving.\n${detail}`);
      this.log.error(`TSGI_ERR_RELOAD_FAILED: ${failure.message}`);
      for (const x of this.#workers.values()) {
        if (x.generation === this.#generation) x.drain('reload failed', 0);
      }
      this.#generation = this.#stableGeneration;
      this.#settleReloads(failure);
      return;
    }
    const { inARow, delay } = this.#restartPolicy.bootFailed();
    if (delay === null) {
      return this.#fail(new ServerError('TSGI_ERR_BOOT_FAILED', `${inARow} replacement workers in a row could not start, so the server stops.\n${detail}`));
    }
    this.log.error(`worker ${w.id} (pid ${w.pid}) could not start (${inARow} in a row), retrying in ${delay} ms: ${detail}`);
  }

  /** Stops everything because the server cannot run; `exited` gets the error's exit status. */
  #fail(error: ServerError): void {
    this.#fatal ??= error;
    this.#exitCode = error.exitCode === EXIT_OK ? EXIT_APP_BOOT : error.exitCode;
    this.log.error(`${error.code}: ${error.message}`);
    this.#rejectReady(error);
    this.#phase = 'stopping';
    for (const w of this.#workers.values()) w.drain('stop', 0);
  }

  /** Workers of the current generation that count toward the target. */
  #active(): WorkerProcess[] {
    return [...this.#workers.values()].filter((w) => w.generation === this.#generation && w.retire === null && w.state !== 'draining' && w.stopReason === null);
  }

  /** gunicorn's murder_workers, plus start-up, memory and drain deadlines. */
  #murderWorkers(): void {
    const now = Date.now();
    const o = this.options;
    for (const w of this.#workers.values()) {
      if (w.killAt !== 0) {
        if (now >= w.killAt) {
          w.signal('SIGKILL');
          w.killAt = Number.MAX_SAFE_INTEGER;
        }
        continue;
      }
      if (w.state === 'booting' && now - w.startedAt > o.startupTimeout * 1000) {
        w.bootError ??= { code: 'TSGI_ERR_APP_STARTUP_TIMEOUT', message: `not ready within --startup-timeout ${o.startupTimeout} s` };
        this.#kill(w, 'startup-timeout', 'SIGKILL');
      } else if (w.state === 'ready' && isSilent(w.lastBeat, now, o.timeout)) {
        // P2: a blocked event loop cannot send heartbeats. SIGABRT ends a blocked Node at once (and dumps core where enabled).
        this.log.error(`TSGI_ERR_WORKER_TIMEOUT: worker ${w.id} (pid ${w.pid}) sent no heartbeat for ${((now - w.lastBeat) / 1000).toFixed(1)} s (--timeout ${o.timeout}); killing it`);
        this.#restarts.timeout = (this.#restarts.timeout ?? 0) + 1;
        this.#kill(w, 'timeout', 'SIGABRT');
      } else if (o.maxMemory > 0 && w.rss > o.maxMemory * MEMORY_HARD_LIMIT_FACTOR && w.state !== 'booting') {
        this.log.error(`TSGI_ERR_WORKER_MEMORY: worker ${w.id} (pid ${w.pid}) RSS ${w.rss} bytes is past ${MEMORY_HARD_LIMIT_FACTOR} x --max-memory; killing it`);
        this.#restarts.memory = (this.#restarts.memory ?? 0) + 1;
        this.#kill(w, 'memory', 'SIGKILL');
      } else if (w.state === 'draining' && now > w.drainDeadline) {
        this.log.error(`TSGI_ERR_SHUTDOWN_TIMEOUT: worker ${w.id} (pid ${w.pid}) did not stop within its graceful timeout; killing it`);
        w.stopReason = 'shutdown-timeout';
        w.signal('SIGKILL');
        w.killAt = Number.MAX_SAFE_INTEGER;
      }
    }
  }

  #kill(w: WorkerProcess, reason: string, signal: NodeJS.Signals): void {
    w.stopReason = reason;
    w.signal(signal);
    w.killAt = signal === 'SIGKILL' ? Number.MAX_SAFE_INTEGER : Date.now() + KILL_GRACE_MS;
  }

  /** gunicorn's manage_workers: start workers up to the target, or drain the extra ones. */
  #manageWorkers(): void {
    if (this.#phase !== 'starting' && this.#phase !== 'running') return;
    const active = this.#active();
    if (active.length < this.#target) {
      if (!this.#restartPolicy.canSpawn()) return;
      for (let i = active.length; i < this.#target; i++) this.#spawn();
    } else if (active.length > this.#target) {
      for (const w of active.slice(0, active.length - this.#target)) {
        w.drain('fewer workers', this.options.gracefulTimeout * 1000);
      }
    }
  }

  #spawn(): void {
    const o = this.options;
    const id = this.#nextId++;
    const maxRequests = o.maxRequests > 0 ? o.maxRequests + (o.maxRequestsJitter > 0 ? randomInt(0, o.maxRequestsJitter + 1) : 0) : 0;
    let w: WorkerProcess;
    try {
      w = new WorkerProcess(id, this.#generation, {
        listenFd: this.#socket!.fd,
        accessLogFd: this.#accessFd,
        errorLogFd: this.#errorFd,
        config: {
          id,
          generation: this.#generation,
          options: o,
          maxRequests,
          heartbeatIntervalMs: heartbeatIntervalMs(o.timeout),
          drop: this.#drop,
          title: `${o.procName}: worker ${id}`,
        },
      });
    } catch (error) {
      this.log.error(`could not start a worker process: ${(error as Error).message}`);
      this.#restartPolicy.pause(RESTART_BACKOFF_MAX_MS);
      return;
    }
    this.#workers.set(id, w);
    this.log.debug(`worker ${id} (pid ${w.pid}) started, generation ${this.#generation}`);
    w.child.on('message', (message: unknown) => this.#onMessage(w, message));
    // 'close', not 'exit': it comes after the last IPC message, so a boot error is known when the exit is handled.
    w.child.on('close', (code: number | null, signal: NodeJS.Signals | null) => this.#enqueue({ kind: 'exit', worker: w, code, signal }));
    w.child.on('error', (error) => this.log.error(`worker ${id}: ${error.message}`));
  }

  /** Heartbeats only update the record; everything that changes state goes through the queue. */
  #onMessage(w: WorkerProcess, message: unknown): void {
    if (!isMessage<WorkerMessage>(message)) return;
    switch (message.t) {
      case 'heartbeat':
        w.lastBeat = Date.now();
        w.rss = message.rss;
        w.metrics = message.metrics;
        return;
      case 'ready':
        w.lastBeat = Date.now();
        return this.#enqueue({ kind: 'ready', worker: w });
      case 'boot-error':
        w.bootError = { code: message.code, message: message.message };
        return;
      case 'retire':
        return this.#enqueue({ kind: 'retire', worker: w, reason: message.reason, detail: message.detail });
      case 'metrics-request':
        w.metrics = message.metrics;
        void this.#metricsPoll.collect([...this.#workers.values()], w).then(() => {
          const live = [...this.#workers.values()].map((x) => x.metrics);
          const text = renderPrometheus(addSnapshots(live, this.#retired), { workers: this.#workers.size, restarts: this.#restarts });
          w.send({ t: 'metrics-text', id: message.id, text });
        });
        return;
      case 'metrics-snapshot':
        w.metrics = message.metrics;
        this.#metricsPoll.answered(message.id, w);
        return;
      case 'bye':
        w.metrics = { ...message.metrics, inFlight: 0 };
        return;
    }
  }

  #finish(): void {
    if (this.#phase === 'stopped') return;
    this.#phase = 'stopped';
    this.#socket?.close();
    this.#stopWatcher?.();
    for (const [sig, handler] of this.#signalHandlers) process.removeListener(sig, handler);
    this.#signalHandlers = [];
    const failure = this.#fatal ?? new ServerError('TSGI_ERR_BOOT_FAILED', 'the server stopped');
    this.#settleReloads(failure);
    this.#rejectReady(failure);
    if (this.#fatal === null) this.log.info('stopped');
    this.#wake?.();
    this.#resolveExited(this.#exitCode);
  }
}
