/**
 * The probe application a server under test serves for the conformance
 * suite. Mount it in your server (`createProbeApp()`), then run
 * `tsgi-conformance --url http://host:port/prefix`.
 * @module
 */
export { createProbeApp } from './app.js';
export type { ProbeApplication, ProbeOptions, ShutdownInfo } from './app.js';
export { PROBE_HEADER, PROBE_ARGS_HEADER, PROBE_TOKEN_HEADER, PROBE_HIT_HEADER, PROBE_MARKER_HEADER } from './protocol.js';
export type { ProbeRecord, BodyHistory, InputSummary } from './protocol.js';
