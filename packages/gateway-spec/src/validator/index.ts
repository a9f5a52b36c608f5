/**
 * The run-time checker of the TSGI contract: `validate()` wraps an application
 * and checks both sides as requests pass (like wsgiref.validate and
 * Rack::Lint); `assertValidResponse()` is what servers call before writing a
 * response (RESP-HDR-8). Violations are SpecViolations naming their id.
 * @module
 */
export { validate } from './validate.js';
export type { ValidatedApplication } from './validate.js';
export type { ValidateOptions, ViolationHandler } from './report.js';
export type { ViolationLevel } from './checked-ids.js';
export { assertValidResponse, checkResponseWarnings } from './response.js';
export type { RequestInfo } from './response.js';
export { VALIDATOR_REQUIREMENTS } from './checked-ids.js';
