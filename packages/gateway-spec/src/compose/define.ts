import type { ApplicationObject, Application, RequestHandler } from '../types.js';
import { normalizeApplication } from '../server-kit/application.js';

/** Types an application object; returns it unchanged. */
export function defineApp<T extends ApplicationObject>(app: T): T {
  return app;
}

/**
 * Builds a middleware that changes only the request handler and forwards the
 * lifespan hooks of the wrapped application (MW-COMP-2), so that a pool opened
 * in `startup` is not lost behind a middleware.
 */
export function wrapHandler(app: Application, wrap: (inner: RequestHandler) => RequestHandler): ApplicationObject {
  const inner = normalizeApplication(app);
  const wrapped: ApplicationObject = { handle: wrap(inner.handle) };
  if (inner.startup) wrapped.startup = inner.startup;
  if (inner.shutdown) wrapped.shutdown = inner.shutdown;
  return wrapped;
}
