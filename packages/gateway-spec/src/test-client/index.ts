/**
 * The in-process test client: runs a TSGI application the way a correct server
 * would (spec-exact environ, `validate()` around the app, lifespan, lazy
 * bodies), with no network. Rack's MockRequest with `lint:`, for TSGI.
 * @module
 */
export { createTestClient, TestClient } from './client.js';
export type { TestResponse } from './response.js';
export type { BodyState } from './exchange.js';
export { TruncatedResponseError } from './errors.js';
export { environFor } from './environ.js';
export type { EnvironForOptions } from './environ.js';
export type { TestClientOptions, ResolvedClientOptions, TestProtocol } from './options.js';
export type { TestRequestInit, RequestHeaders, RequestBody, RequestQuery } from './request.js';
export { REQUEST_CHUNK_BYTES } from './upload.js';
