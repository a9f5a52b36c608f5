/** Standalone HTTP/1.1 adapter on node:http (and node:https): `serve()` an application, or `attachTsgi()` it to a server you hold. @module */
export { serve } from './serve.js';
export type { HttpServerHandle } from './serve.js';
export { attachTsgi, ABORT_SETTLE_MS } from './gateway.js';
export type { TsgiAttachment, NodeHttpServer } from './gateway.js';
export * from './options.js';
export { InvalidOptionError, TSGI_ERR_OPTS_INVALID } from '../shared/options.js';
