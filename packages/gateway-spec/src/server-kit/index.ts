/**
 * Building blocks for TSGI servers and adapters, shared so that no adapter
 * writes its own environ, input stream, body reader or error handling (the
 * role Plack::Util and wsgiref.handlers play for their protocols).
 * @module
 */
export { normalizeApplication, startApplication, describeValue } from './application.js';
export type { AppInstance, InstanceOptions } from './application.js';
export { BodyInput, INPUT_HIGH_WATER_MARK_BYTES } from './input.js';
export type { BodyInputOptions } from './input.js';
export { openBody, enforceLength, discardResponseBody, chunkBytes, FILE_CHUNK_BYTES } from './body.js';
export type { BodySource } from './body.js';
export { buildEnviron, headerKey, addRequestHeader, splitTarget, decodePath, parseAuthority, assertMountPrefix, BadRequest } from './environ.js';
export type { RequestFacts, FlatHeaderList } from './environ.js';
export { MountTable, mountEnviron, prefixMatches } from './mount.js';
export { callApplication, prepareResponse, serverResponse, describeError, isBodyless } from './respond.js';
export type { PreparedResponse, ErrorLog } from './respond.js';
export { cancelReason, inputError, RequestSignal } from './cancel.js';
export { createErrorStream } from './errors-stream.js';
// The contract types and version, so that adapters importing only the server
// kit (CGI: every import costs start-up time) need not load the package root.
export { TSGI_VERSION } from '../types.js';
export type { Application, ApplicationObject, Environ, ErrorStream, Extensions, AppState, HeaderList, InputStream, TsgiResponse } from '../types.js';
export { TsgiError, isTsgiError } from '../errors.js';
export { statusText } from './status-text.js';
