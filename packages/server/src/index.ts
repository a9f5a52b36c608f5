/**
 * @tsgi/server: the reference server of TSGI. `startServer(options)` runs a
 * supervisor and its worker processes, as the `tsgi serve` command does.
 * @module
 */
export { createSupervisor, startServer } from './start.js';
export type { ServerHandle, StartControl } from './start.js';
export { Supervisor } from './supervisor.js';
export type { SignalName, SupervisorControl, WorkerInfo } from './supervisor.js';
export { OPTIONS } from './options.js';
export type { MountSpec, OptionSpec, ServerOptions, ServerOptionsInput } from './options.js';
export { resolveOptions } from './resolve-options.js';
export { ERRORS, ServerError, isServerError, EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_APP_BOOT } from './errors.js';
export type { ServerErrorCode } from './errors.js';
export { main } from './cli.js';
export { VERSION } from './version.js';
