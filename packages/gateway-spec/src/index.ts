/**
 * @tsgi/gateway-spec: the TSGI 1.0 contract (types and errors), the `validate()`
 * middleware, the in-process test client and composition helpers. The building
 * blocks for servers live at `@tsgi/gateway-spec/server-kit`.
 * @module
 */
export type * from './types.js';
export { TSGI_VERSION } from './types.js';
export { SpecViolation, TsgiError, isSpecViolation, isTsgiError, ERROR_CODES } from './errors.js';
export type { ErrorCode, RequirementArea, RequirementId } from './errors.js';
export { validate, assertValidResponse } from './validator/index.js';
export type { ValidateOptions, ViolationHandler, ViolationLevel } from './validator/index.js';
export * from './test-client/index.js';
export * from './compose/index.js';
