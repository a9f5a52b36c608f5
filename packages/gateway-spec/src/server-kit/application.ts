import { TsgiError } from '../errors.js';
import type { AppState, ApplicationObject, ErrorStream, Extensions, LifespanContext, RequestHandler } from '../types.js';

/** Describes a value for an error message without dumping it. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name;
    return name && name !== 'Object' ? `an object of class ${name}` : 'a plain object';
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return `${typeof value} ${String(value)}`;
}

/**
 * Turns either form of application into an application object (APP-SHAPE-4).
 * Throws TSGI_ERR_INVALID_ARGUMENT, naming what it got, for anything else.
 */
export function normalizeApplication(app: unknown): ApplicationObject {
  if (typeof app === 'function') return { handle: app as RequestHandler };
  if (typeof app === 'object' && app !== null && typeof (app as ApplicationObject).handle === 'function') {
    const obj = app as ApplicationObject;
    for (const hook of ['startup', 'shutdown'] as const) {
      if (obj[hook] !== undefined && typeof obj[hook] !== 'function') {
        throw new TsgiError('TSGI_ERR_INVALID_ARGUMENT', `the application's ${hook} is ${describeValue(obj[hook])}; it must be a function or absent (APP-SHAPE-1)`);
      }
    }
    // Bind so that `this` inside handle/startup/shutdown is the object, as users expect of methods.
    const bound: ApplicationObject = { handle: obj.handle.bind(obj) };
    if (obj.startup) bound.startup = obj.startup.bind(obj);
    if (obj.shutdown) bound.shutdown = obj.shutdown.bind(obj);
    return bound;
  }
  throw new TsgiError(
    'TSGI_ERR_INVALID_ARGUMENT',
    `expected a TSGI application (a function, or an object with a handle method), got ${describeValue(app)} (APP-SHAPE-1)`,
  );
}

export interface InstanceOptions {
  errors: ErrorStream;
  /**
   * Deadline for `startup` (LIFE-START-3): when it passes, `ctx.signal` aborts
   * and the start fails with TSGI_ERR_TIMEOUT. No deadline when absent.
   */
  startupTimeoutMs?: number;
  multithread?: boolean;
  multiprocess?: boolean;
  extensions?: Extensions;
}

/** One started application: its state and the way to stop it (section 9 of the spec). */
export interface AppInstance {
  readonly app: ApplicationObject;
  readonly state: AppState;
  readonly extensions: Extensions;
  /** Runs `shutdown` once (LIFE-STOP-1); its ctx.signal aborts after `timeoutMs` (LIFE-STOP-2). */
  stop(timeoutMs?: number): Promise<void>;
}

const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;

/** Runs `startup` under its deadline, if any (LIFE-START-3). */
async function runStartup(
  startup: NonNullable<ApplicationObject['startup']>,
  context: (signal: AbortSignal) => LifespanContext,
  timeoutMs: number | undefined,
): Promise<void> {
  const controller = new AbortController();
  if (timeoutMs === undefined) return startup(context(controller.signal));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const reason = new TsgiError('TSGI_ERR_TIMEOUT', `startup did not finish within ${timeoutMs} ms (LIFE-START-3)`);
      controller.abort(reason);
      reject(reason);
    }, timeoutMs);
  });
  try {
    await Promise.race([startup(context(controller.signal)), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `startup` and resolves once the instance may take requests (LIFE-START-1).
 * A failing startup rejects with the application's own error (LIFE-START-2): the
 * caller reports it and decides whether to exit.
 */
export async function startApplication(app: unknown, options: InstanceOptions): Promise<AppInstance> {
  const normalized = normalizeApplication(app);
  const state: AppState = {};
  const extensions = Object.freeze({ ...(options.extensions ?? {}) });
  const context = (signal: AbortSignal): LifespanContext => ({
    state,
    errors: options.errors,
    signal,
    multithread: options.multithread ?? false,
    multiprocess: options.multiprocess ?? false,
    extensions,
  });
  if (normalized.startup) await runStartup(normalized.startup, context, options.startupTimeoutMs);
  let stopping: Promise<void> | undefined;
  return {
    app: normalized,
    state,
    extensions,
    stop(timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS) {
      stopping ??= (async () => {
        if (!normalized.shutdown) return;
        const deadline = new AbortController();
        // Not unref()'d: a shutdown that waits only for this signal would otherwise let the
        // process exit mid-shutdown; the timer is cleared as soon as shutdown settles.
        const timer = setTimeout(() => deadline.abort(new TsgiError('TSGI_ERR_SHUTDOWN', 'the shutdown deadline passed')), timeoutMs);
        try {
          await normalized.shutdown(context(deadline.signal));
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopping;
    },
  };
}
