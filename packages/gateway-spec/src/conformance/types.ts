/**
 * The shapes of the server conformance suite: a case is data (a stable name,
 * the requirement ids it covers, what it needs of the server, and a check run
 * over HTTP), a server is whatever `start()` returns, and a result says pass,
 * fail or n/a with the reason.
 * @module
 */
import type { RequirementId } from '../errors.js';
import type { Application } from '../types.js';
import type { CaseContext } from './context.js';

/**
 * What a check may need of the server under test. A server supports every
 * capability it does not say otherwise about (`ServerHandle.capabilities`),
 * except those the harness itself decides (`start`, `mount`).
 */
export const CAPABILITIES = {
  'raw-socket': 'the suite talks to the server\'s own HTTP/1.1 parser (no front web server rewrites framing or refuses bad requests first)',
  'keep-alive': 'persistent connections: several requests on one connection',
  'http/1.0': 'the server answers HTTP/1.0 requests itself (close-delimited bodies)',
  'expect-continue': 'the server handles Expect: 100-continue itself',
  'client-disconnect': 'the server notices promptly when the client goes away',
  backpressure: 'nothing between the client and the server buffers whole bodies',
  'untrusted-client': 'the suite\'s address is not a configured trusted proxy, so Forwarded/X-Forwarded-* must be ignored',
  'log-observable': 'the harness can read the server\'s error log (ServerHandle.logs)',
  mount: 'the probe can be served under a mount prefix',
  start: 'the harness starts and stops the server itself (library or --server-cmd mode)',
  'lifespan-stop-observable': 'after close() resolves, the application\'s shutdown hook has run (the probe writes a marker file)',
} as const;

export type Capability = keyof typeof CAPABILITIES;

/** Capabilities a server has unless it says otherwise. */
export const DEFAULT_CAPABILITIES: readonly Capability[] = Object.freeze(
  (Object.keys(CAPABILITIES) as Capability[]).filter((c) => c !== 'log-observable' && c !== 'mount' && c !== 'start' && c !== 'lifespan-stop-observable'),
);

/** Limits the server enforces, so that the checks of them know where to push. */
export interface ServerLimits {
  /** Largest request body accepted (INPUT-FLOW-3). */
  readonly maxBodyBytes?: number;
  /** Largest request head accepted; the check of 431 sends more (default: it sends 128 KiB) (SRV-HTTP-4). */
  readonly maxHeaderBytes?: number;
  /** Time allowed to receive the request head; checked only when at most 3 s (SRV-HTTP-4). */
  readonly headersTimeoutMs?: number;
}

/** A running server serving the probe application. */
export interface ServerHandle {
  /** Base URL of the probe: `http://127.0.0.1:8080` or with its mount prefix `http://127.0.0.1:8080/mnt`. */
  readonly url: string;
  /** Stops the server gracefully; for `lifespan-stop-observable`, resolves after the shutdown hook ran. */
  close(): Promise<void> | void;
  /**
   * What the server supports. An array replaces the defaults; an object adds
   * (`true`) or removes capabilities, a string value removing one with the
   * reason shown for every check that needs it.
   */
  readonly capabilities?: readonly Capability[] | Readonly<Partial<Record<Capability, boolean | string>>>;
  readonly limits?: ServerLimits;
  /** The server's error log so far, for checks that a line names a requirement id. */
  logs?(): string;
  /** A name for reports. */
  readonly name?: string;
}

/** How the harness asks for a server. */
export interface StartOptions {
  /** Serve the application under this prefix ("" or `/x`, no trailing slash). */
  readonly mountPrefix?: string;
  /** A directory the probe writes its records and shutdown marker to. */
  readonly stateDir: string;
  /** Absolute path of a module whose default export is this application, for servers run in another process. */
  readonly appModule?: string;
}

export type StartServer = (app: Application, options: StartOptions) => Promise<ServerHandle>;

/** Which running instance a case runs against. */
export type Instance = 'root' | 'mount';

/** Requirement level of a case: a failed 'recommended' check (a SHOULD) warns and does not fail the run. */
export type CaseLevel = 'required' | 'recommended';

/** One conformance check, as data. */
export interface ConformanceCase {
  /** Stable, kebab-case name, used by --only/--skip and in reports. */
  readonly name: string;
  /** Requirement ids of `spec/tsgi-1.0.md` this check covers. */
  readonly ids: readonly RequirementId[];
  /** One line: what the check proves. */
  readonly title: string;
  /** The probe behaviour (x-tsgi-probe) the check drives: documentation for readers of reports. */
  readonly app: string;
  /** Capabilities the check needs; without one it is reported n/a with the reason. */
  readonly requires?: readonly Capability[];
  /** Default 'required'. */
  readonly level?: CaseLevel;
  /** Default 'root'. */
  readonly instance?: Instance;
  /** Run alone, after the parallel batch: the check measures timing or buffering. */
  readonly exclusive?: boolean;
  /** Runs after the server was closed (lifespan stop). */
  readonly afterClose?: boolean;
  /** Per-case time limit; default 8 s. */
  readonly timeoutMs?: number;
  /** The check. Failures are recorded on `ctx`; a thrown error fails the case too. */
  readonly expect: (ctx: CaseContext) => Promise<void>;
}

/** One failed expectation, naming the requirement it breaks. */
export interface Failure {
  readonly ids: readonly RequirementId[];
  readonly message: string;
}

export type CaseStatus = 'pass' | 'fail' | 'warn' | 'n/a';

export interface CaseResult {
  readonly name: string;
  readonly ids: readonly RequirementId[];
  readonly title: string;
  readonly level: CaseLevel;
  /** 'warn': a recommended check failed. */
  readonly status: CaseStatus;
  /** Why the check does not apply (status 'n/a'). */
  readonly reason?: string;
  readonly failures: readonly Failure[];
  readonly durationMs: number;
}

export interface ConformanceReport {
  readonly server: string;
  readonly results: readonly CaseResult[];
  readonly counts: Readonly<Record<CaseStatus, number>>;
  /** True when no required check failed. */
  readonly ok: boolean;
  readonly durationMs: number;
}
