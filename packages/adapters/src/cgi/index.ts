/**
 * CGI adapter (RFC 3875): one request per process, the environ from the
 * process environment, the body from standard input, the response to
 * standard output.
 * @module
 */
export { runCgi, CGI_EXIT, CGI_LINGER_MS, SIGTERM_GRACE_MS } from './run-cgi.js';
export type { CgiOptions } from './options.js';
export { CGI_SHUTDOWN_TIMEOUT_MS } from './options.js';
export { cgiMain, CGI_USAGE } from './cli.js';
export { LOCAL_REDIRECT } from './local-redirect.js';
export { cgiVariablesFromEnv } from './process-env.js';
export { formatHead, formatLocalRedirect } from './response-head.js';
export { DRAIN_TIMEOUT_MS, DRAIN_LIMIT_BYTES } from './stdin-input.js';
export type { WrapOptions, WrapResult } from './wrap.js';

export { wrapCgi } from './wrap-lazy.js';
