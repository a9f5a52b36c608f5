/**
 * Errors of @tsgi/gateway-spec. Each class carries a stable `code`; `SpecViolation`
 * also names the requirement of `spec/tsgi-1.0.md` that was broken.
 * @module
 */

/** The areas of requirement ids, as in `spec/tsgi-1.0.md`. */
export type RequirementArea =
  | 'APP' | 'ENV' | 'INPUT' | 'RESP' | 'BODY' | 'ERR' | 'CANCEL'
  | 'MOUNT' | 'LIFE' | 'MW' | 'SRV' | 'SEC' | 'EXT' | 'VER';

/** A requirement id such as `RESP-HDR-3`. */
export type RequirementId = `${RequirementArea}-${string}-${number}`;

/** Every operational error code this package throws; documented in Appendix B of spec/tsgi-1.0.md (errors.test.ts checks). */
export const ERROR_CODES = {
  TSGI_ERR_SPEC_VIOLATION: 'an application or server broke a requirement of the spec',
  TSGI_ERR_CLIENT_GONE: 'the client went away before the response was complete',
  TSGI_ERR_TIMEOUT: 'the server gave up on the request: it took too long',
  TSGI_ERR_SHUTDOWN: 'the server is shutting down and abandoned the request',
  TSGI_ERR_INPUT_ABORTED: 'the request body ended before its declared length, or the client went away while it was read',
  TSGI_ERR_INPUT_TOO_LARGE: 'the request body is larger than the server accepts',
  TSGI_ERR_INPUT_CONSUMED: 'the request body was already read (it can be read once)',
  TSGI_ERR_INVALID_ARGUMENT: 'a function of this package was called with an argument of the wrong kind',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const BRAND = Symbol.for('tsgi.error');

/** Base of every error this package throws; `isTsgiError` works across copies of the package. */
export class TsgiError extends Error {
  readonly [BRAND] = true;
  constructor(readonly code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TsgiError';
  }
}

/** True for any error made by any copy of this package. */
export function isTsgiError(value: unknown): value is TsgiError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A broken requirement: the message starts with the id, as `RESP-HDR-3: ...`. */
export class SpecViolation extends TsgiError {
  constructor(readonly requirement: RequirementId, readonly detail: string, options?: ErrorOptions) {
    super('TSGI_ERR_SPEC_VIOLATION', `${requirement}: ${detail}`, options);
    this.name = 'SpecViolation';
  }
}

/** True when `value` is a SpecViolation from any copy of this package. */
export function isSpecViolation(value: unknown): value is SpecViolation {
  return isTsgiError(value) && value.code === 'TSGI_ERR_SPEC_VIOLATION';
}
