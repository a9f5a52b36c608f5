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
