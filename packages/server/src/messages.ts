/**
 * What the supervisor and its workers say to each other over the IPC channel
 * of child_process.fork. Each message is a plain object with a `t` tag.
 * @module
 */
import type { MetricsSnapshot } from './metrics.js';
import type { ServerOptions } from './options.js';

/** mod_wsgi `shutdown-timeout`: how long a worker's lifespan shutdown may take after its drain. */
export const LIFESPAN_SHUTDOWN_TIMEOUT_MS = 5_000;

/** Everything a worker needs to know, sent as its first message. */
export interface WorkerConfig {
  readonly id: number;
  readonly generation: number;
  readonly options: ServerOptions;
  /** File descriptors the worker inherited (stdio slots). */
  readonly listenFd: number;
  readonly accessLogFd: number | null;
  readonly errorLogFd: number | null;
  /** This worker's --max-requests after jitter; 0 for none. */
  readonly maxRequests: number;
  readonly heartbeatIntervalMs: number;
  /** Set when started as root with --user/--group: what to switch to before loading the app. */
  readonly drop: { readonly uid: number; readonly gid: number; readonly user: string | number } | null;
  /** The process title: "tsgi: worker 2". */
  readonly title: string;
}

/** Why a worker asks to be replaced. */
export type RetireReason = 'max_requests' | 'memory';

export type WorkerMessage =
  | { readonly t: 'ready' }
  | { readonly t: 'boot-error'; readonly code: string; readonly message: string }
  | { readonly t: 'heartbeat'; readonly rss: number; readonly metrics: MetricsSnapshot }
  | { readonly t: 'retire'; readonly reason: RetireReason; readonly detail: string }
  | { readonly t: 'metrics-request'; readonly id: number; readonly metrics: MetricsSnapshot }
  | { readonly t: 'metrics-snapshot'; readonly id: number; readonly metrics: MetricsSnapshot }
  | { readonly t: 'bye'; readonly metrics: MetricsSnapshot; readonly aborted: number };

export type SupervisorMessage =
  | { readonly t: 'config'; readonly config: WorkerConfig }
  | { readonly t: 'drain'; readonly timeoutMs: number }
  | { readonly t: 'metrics-poll'; readonly id: number }
  | { readonly t: 'metrics-text'; readonly id: number; readonly text: string };

/** True for an object that looks like one of our messages. */
export function isMessage<T extends { t: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
