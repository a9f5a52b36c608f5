/**
 * What the worker knows about the request being served, reachable from code
 * that only sees the environ (middleware) or only a log line (the adapter's
 * error log, `tsgi.errors`): an AsyncLocalStorage entered by the worker's
 * 'request' listener. node:http emits 'request' to the worker's listener and
 * then to the adapter's in the same synchronous turn, and the adapter calls the
 * application from there, so the store follows the request into the
 * application and every promise it starts.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  /** Unique id of the request: the access log's request_id and `tsgi_server.request_id`. */
  readonly id: string;
  /** REMOTE_ADDR as the environ has it (after trusted proxies); the socket's address until the app is called. */
  remoteAddr: string;
  /** Body bytes written so far. */
  bytes: number;
  /** The request was answered 504 by --timeout. */
  timedOut: boolean;
  /**
   * Set by request-timeout.ts: aborts the signal the application holds. The
   * worker calls it when the response closes before it is complete (the
   * client left, or the adapter abandoned the request), with the adapter's
   * own reason when it has one.
   */
  cancel: ((reason: unknown) => void) | null;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The request being served in this async context, if any. */
export function currentRequest(): RequestContext | undefined {
  return requestContext.getStore();
}
