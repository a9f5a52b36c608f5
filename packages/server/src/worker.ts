/**
 * A worker process: the contract the supervisor relies on (gunicorn's
 * workers/base.py). In order: take the config, open the logs, switch user
 * (before any application code runs, SEC-PRIV-1), load the application, run
 * its lifespan startup (LIFE-START-1), and only then accept connections and say
 * "ready". On "drain", SIGTERM or the loss of the supervisor: stop accepting,
 * let in-flight requests finish, run lifespan shutdown (LIFE-STOP-1), exit 0.
 * A failure before "ready" is reported as "boot-error" and ends the process
 * with exit status 3, so the supervisor can tell a broken application from a
 * crash.
 * @module
 */
import { createErrorStream, describeError, startApplication, type AppInstance } from '@tsgi/gateway-spec/server-kit';
import type { ApplicationObject, Environ } from '@tsgi/gateway-spec';
import { loadServedApplication } from './app-loader.js';
import { EXIT_APP_BOOT, isServerError, ServerError } from './errors.js';
import { startHeartbeat } from './heartbeat.js';
import { ErrorLog, fdSink, streamSink, type LogSink } from './log.js';
import { isMessage, LIFESPAN_SHUTDOWN_TIMEOUT_MS, type SupervisorMessage, type WorkerConfig, type WorkerMessage } from './messages.js';
import { WorkerMetrics } from './metrics.js';
import { dropPrivileges } from './privileges.js';
import { currentRequest } from './request-context.js';
import { withRequestTimeout } from './request-timeout.js';
import { withServerEndpoints } from './server-endpoints.js';
import { createWorkerHttp, type WorkerHttp } from './worker-http.js';

/** How long a worker waits for the supervisor's metrics before answering 503. */
const METRICS_WAIT_MS = 1_000;
/** The environ key of the request id (ENV-EXT-1: the server's own namespace). */
export const REQUEST_ID_KEY = 'tsgi_server.request_id';

function send(message: WorkerMessage, then?: () => void): void {
  if (!process.connected) {
    then?.();
    return;
  }
  process.send!(message, undefined, {}, () => then?.());
}

function receiveConfig(): Promise<WorkerConfig> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (isMessage<SupervisorMessage>(message) && message.t === 'config') {
        process.removeListener('message', onMessage);
        resolve(message.config);
      }
    };
    process.on('message', onMessage);
    process.once('disconnect', () => reject(new Error('the supervisor went away before sending the config')));
  });
}

/** Puts the request id into the environ and remembers REMOTE_ADDR (after trusted proxies) for the access log. */
function withRequestId(app: ApplicationObject): ApplicationObject {
  return {
    ...app,
    handle(environ: Environ) {
      const context = currentRequest();
      if (context) {
        environ[REQUEST_ID_KEY] = context.id;
        context.remoteAddr = environ.REMOTE_ADDR;
      }
      return app.handle(environ);
    },
  };
}

class Worker {
  readonly metrics = new WorkerMetrics();
  readonly log: ErrorLog;
  readonly accessSink: LogSink | null;
  #http: WorkerHttp | undefined;
  #instance: AppInstance | undefined;
  #draining = false;
  #retiring = false;
  #metricsWaiters = new Map<number, (text: string | null) => void>();
  #nextMetricsId = 1;

  constructor(readonly config: WorkerConfig) {
    const o = config.options;
    const errorSink = config.errorLogFd !== null ? fdSink(config.errorLogFd) : streamSink(process.stderr);
    this.log = new ErrorLog(errorSink, o.logLevel, `worker ${config.id}`);
    this.accessSink = o.accessLog === null ? null : config.accessLogFd !== null ? fdSink(config.accessLogFd) : streamSink(process.stdout);
  }

  /** Error-log lines of the adapter and of `tsgi.errors`, tagged with the request they belong to. */
  readonly requestLog = (line: string): void => {
    const context = currentRequest();
    this.log.error(context ? `[request ${context.id}] ${line}` : line);
  };

  async boot(): Promise<void> {
    const { config } = this;
    const o = config.options;
    if (config.drop !== null) dropPrivileges(config.drop);
    else if (process.geteuid?.() === 0 && !o.allowRoot) {
      throw new ServerError('TSGI_ERR_PRIV_ROOT', 'the worker runs as root without --allow-root (SEC-PRIV-1)');
    }
    const app = await loadServedApplication(o);
    const errors = createErrorStream((line) => this.log.error(line));
    try {
      this.#instance = await startApplication(app, { errors, multithread: false, multiprocess: true });
    } catch (error) {
      throw new ServerError('TSGI_ERR_APP_STARTUP', `lifespan startup failed (LIFE-START-2): ${describeError(error)}`, { cause: error });
    }
    const instance = this.#instance;
    const served: ApplicationObject = withRequestId(
      withServerEndpoints(withRequestTimeout(instance.app, o.timeout * 1000, this.#reportTimeout), {
        healthPath: o.healthPath,
        metricsPath: o.metricsPath,
        isDraining: () => this.#draining,
        metricsText: () => this.#fetchMetrics(),
      }),
    );
    this.#http = createWorkerHttp({
      instance: { ...instance, app: served },
      listenFd: config.listenFd,
      backlog: o.backlog,
      workerId: config.id,
      metrics: this.metrics,
      access: this.accessSink === null ? null : { sink: this.accessSink, format: o.accessLogFormat },
      adapter: {
        errorLog: this.requestLog,
        multiprocess: true,
        trustedProxies: [...o.trustedProxies],
        maxBodyBytes: o.maxBodySize === 0 ? Number.MAX_SAFE_INTEGER : o.maxBodySize,
        keepAliveTimeoutMs: Math.round(o.keepAlive * 1000),
        gracefulTimeoutMs: Math.round(o.gracefulTimeout * 1000),
        shutdownTimeoutMs: LIFESPAN_SHUTDOWN_TIMEOUT_MS,
      },
      onFinished: (total) => {
        if (config.maxRequests > 0 && total >= config.maxRequests) this.#retire('max_requests', `served ${total} requests (--max-requests ${config.maxRequests})`);
      },
    });
    await this.#http.listen();
  }

  readonly #reportTimeout = (environ: Environ, answered: boolean): void => {
    const what = answered ? 'answered 504' : 'its response was cut';
    this.requestLog(`TSGI_ERR_REQUEST_TIMEOUT: ${environ.REQUEST_METHOD} ${environ.REQUEST_URI} ran longer than --timeout ${this.config.options.timeout} s; ${what}, tsgi.signal aborted with TSGI_ERR_TIMEOUT`);
  };

  #retire(reason: 'max_requests' | 'memory', detail: string): void {
    if (this.#retiring || this.#draining) return;
    this.#retiring = true;
    send({ t: 'retire', reason, detail });
  }

  beat = (): void => {
    const rss = process.memoryUsage.rss();
    const max = this.config.options.maxMemory;
    if (max > 0 && rss > max) this.#retire('memory', `RSS ${rss} bytes is over --max-memory ${max}`);
    send({ t: 'heartbeat', rss, metrics: this.metrics.snapshot() });
  };

  #fetchMetrics(): Promise<string | null> {
    const id = this.#nextMetricsId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#metricsWaiters.delete(id);
        resolve(null);
      }, METRICS_WAIT_MS);
      this.#metricsWaiters.set(id, (text) => {
        clearTimeout(timer);
        this.#metricsWaiters.delete(id);
        resolve(text);
      });
      send({ t: 'metrics-request', id, metrics: this.metrics.snapshot() });
    });
  }

  onMessage = (message: unknown): void => {
    if (!isMessage<SupervisorMessage>(message)) return;
    if (message.t === 'drain') void this.drain(message.timeoutMs);
    else if (message.t === 'metrics-text') this.#metricsWaiters.get(message.id)?.(message.text);
    else if (message.t === 'metrics-poll') send({ t: 'metrics-snapshot', id: message.id, metrics: this.metrics.snapshot() });
  };

  async drain(timeoutMs: number): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    let aborted = 0;
    let status = 0;
    try {
      if (this.#http) aborted = await this.#http.drain(timeoutMs);
      if (aborted > 0) this.log.warning(`graceful timeout: ${aborted} request(s) aborted with TSGI_ERR_SHUTDOWN`);
      if (this.#instance) await this.#instance.stop(LIFESPAN_SHUTDOWN_TIMEOUT_MS);
    } catch (error) {
      this.log.error(`lifespan shutdown failed: ${describeError(error)}`);
      status = 1;
    }
    send({ t: 'bye', metrics: this.metrics.snapshot(), aborted }, () => process.exit(status));
  }
}

/** The body of a worker process (started by worker-entry.ts). */
export async function runWorker(): Promise<void> {
  // Ctrl-C reaches the whole process group; the supervisor decides what happens.
  process.on('SIGINT', () => {});
  const config = await receiveConfig();
  process.title = config.title;
  const worker = new Worker(config);
  process.on('message', worker.onMessage);
  process.on('uncaughtExceptionMonitor', (error, origin) => worker.log.error(`${origin}: ${describeError(error)}`));
  // SIGTERM straight to a worker (systemd's KillMode=control-group, an operator): drain like gunicorn's workers.
  process.on('SIGTERM', () => void worker.drain(config.options.gracefulTimeout * 1000));
  // The supervisor is gone: nobody will tell this worker to stop, so it stops now.
  process.on('disconnect', () => void worker.drain(config.options.gracefulTimeout * 1000));
  const stopBeat = startHeartbeat(config.heartbeatIntervalMs, worker.beat);
  try {
    await worker.boot();
  } catch (error) {
    stopBeat();
    const code = isServerError(error) ? error.code : 'TSGI_ERR_APP_IMPORT';
    const message = isServerError(error) ? error.message : describeError(error);
    // The supervisor reports it (once, however many workers fail the same way).
    send({ t: 'boot-error', code, message }, () => process.exit(EXIT_APP_BOOT));
    return;
  }
  send({ t: 'ready' });
}
