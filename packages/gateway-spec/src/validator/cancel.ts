/**
 * `tsgi.signal` as the application sees it (section 7 of the spec): when it
 * aborts, its reason says why, with one of the codes the spec names, so that
 * an application can tell a client that left from a deadline.
 * @module
 */
import { describe, readOrUndefined } from './inspect.js';
import { violation, type Reporter } from './report.js';

/** The codes of CANCEL-SIG-2. */
const CANCEL_CODES: ReadonlySet<unknown> = new Set(['TSGI_ERR_CLIENT_GONE', 'TSGI_ERR_TIMEOUT', 'TSGI_ERR_SHUTDOWN']);

/// CANCEL-SIG-2: the signal's reason is an Error whose code is TSGI_ERR_CLIENT_GONE, TSGI_ERR_TIMEOUT or TSGI_ERR_SHUTDOWN.
/**
 * Checks the reason when the signal aborts (now, if it has already). The
 * violation is reported, never thrown: an abort listener has no caller to fail.
 */
export function watchSignal(signal: AbortSignal, reporter: Reporter): void {
  const check = (): void => {
    const reason: unknown = signal.reason;
    const code = readOrUndefined(reason, 'code');
    let isError = false;
    try {
      isError = reason instanceof Error;
    } catch {
      // A Proxy reason whose getPrototypeOf trap throws is not an Error either.
    }
    if (!isError || !CANCEL_CODES.has(code)) {
      reporter.report(
        violation(
          'CANCEL-SIG-2',
          `tsgi.signal aborted with ${describe(reason)}${isError ? ` (code ${describe(code)})` : ''}; the reason must be an Error whose code is TSGI_ERR_CLIENT_GONE, TSGI_ERR_TIMEOUT or TSGI_ERR_SHUTDOWN`,
        ),
      );
    }
  };
  if (signal.aborted) check();
  else signal.addEventListener('abort', check, { once: true });
}
