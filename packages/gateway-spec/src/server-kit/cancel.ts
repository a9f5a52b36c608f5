import { TsgiError } from '../errors.js';
import type { CancelCode, InputErrorCode } from '../types.js';

const CANCEL_TEXT: Record<CancelCode, string> = {
  TSGI_ERR_CLIENT_GONE: 'the client went away before the response was complete',
  TSGI_ERR_TIMEOUT: 'the request took longer than the server allows',
  TSGI_ERR_SHUTDOWN: 'the server is shutting down',
};

/** The `reason` a server gives `tsgi.signal` when it aborts (CANCEL-SIG-2). */
export function cancelReason(code: CancelCode, detail?: string): TsgiError {
  return new TsgiError(code, detail ? `${CANCEL_TEXT[code]}: ${detail}` : CANCEL_TEXT[code]);
}

/** The error a failed read of `tsgi.input` rejects with (INPUT-FLOW-2, INPUT-FLOW-3). */
export function inputError(code: InputErrorCode, detail: string): TsgiError {
  return new TsgiError(code, detail);
}

/**
 * The `tsgi.signal` of one request, made only when something reads it. node
 * takes microseconds to create an AbortSignal, more than the rest of a small
 * request costs, and most applications never look at it. Give one to
 * `buildEnviron` as `signal`: the environ then reads it through an accessor.
 */
export class RequestSignal {
  #controller: AbortController | undefined = undefined;
  #reason: unknown = undefined;
  #aborted = false;

  /** True once `abort` was called (without creating the AbortSignal). */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** The AbortSignal, created on first use; already aborted if `abort` came first. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Aborts the signal once (CANCEL-SIG-1); later calls do nothing. */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
