/**
 * The TSGI server conformance suite: probe application, cases as data, a
 * runner for a server's own tests (`runConformance`, `tapConformance`) and
 * the `tsgi-conformance` command (`main`). Every case names the requirement
 * ids of `spec/tsgi-1.0.md` it covers; `COVERED_IDS` is the union.
 * @module
 */
export { runConformance, selects, writeProbeModule, DEFAULT_MOUNT_PREFIX } from './runner.js';
export type { RunOptions } from './runner.js';
export { tapConformance } from './tap.js';
export type { TapLike } from './tap.js';
export { ALL_CASES, COVERED_IDS } from './cases/index.js';
export { createProbeApp } from './probe/index.js';
export type { ProbeApplication, ProbeOptions, ShutdownInfo, ProbeRecord } from './probe/index.js';
export { formatHuman, formatTap, formatJson, formatList } from './reporters.js';
export { commandStarter, fillTemplate, shellQuote } from './command-server.js';
export type { CommandServerOptions } from './command-server.js';
export { main, parseCli, USAGE } from './cli.js';
export { CAPABILITIES, DEFAULT_CAPABILITIES } from './types.js';
export type {
  Capability, ConformanceCase, ConformanceReport, CaseResult, CaseStatus, CaseLevel, Failure, Instance,
  ServerHandle, ServerLimits, StartOptions, StartServer,
} from './types.js';
export type { CaseContext, RequestSpec, Exchange, CaseHooks, FailingStart } from './context.js';
export { WireConnection, header, headerValues } from './wire.js';
export type { WireResponse, Framing, InterimResponse } from './wire.js';
