/**
 * What a check gets: requests to the probe over raw HTTP, follow-up reads of
 * the probe's records, and expectations that record failures by requirement id.
 * @module
 */
import type { RequirementId } from '../errors.js';
import { PROBE_ARGS_HEADER, PROBE_HEADER, PROBE_TOKEN_HEADER, type ProbeRecord } from './probe/protocol.js';
import type { EnvironDump } from './probe/environ-dump.js';
import type { Capability, Failure, ServerHandle, ServerLimits } from './types.js';
import { WireConnection, type WireResponse } from './wire.js';

export interface RequestSpec {
  method?: string;
  /** Path below the probe's mount prefix (`/a/b?x`); the prefix is added. */
  path?: string;
  /** The request target exactly; the prefix is not added. */
  target?: string;
  /** `1.1` (default) or `1.0`. */
  version?: string;
  /** Host header value; null sends none. Default: the server's host:port. */
  host?: string | null;
  headers?: ReadonlyArray<readonly [string, string]>;
  /** Probe behaviour and its arguments. */
  probe?: string;
  args?: Readonly<Record<string, string | number>>;
  /** Sent with Content-Length (unless a content-length header is given). */
  body?: string | Uint8Array;
  /** Sent with chunked transfer coding, one chunk each. */
  chunks?: ReadonlyArray<string | Uint8Array>;
  /** A token to record under; default a new one. false: none. */
  token?: string | false;
}

export interface Exchange {
  readonly res: WireResponse;
  readonly conn: WireConnection;
  readonly token: string | undefined;
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Builds the bytes of a request (latin-1: every code unit one byte). */
export function buildRequest(spec: RequestSpec, defaults: { host: string; prefix: string; token?: string | undefined }): Buffer {
  const method = spec.method ?? 'GET';
  const target = spec.target ?? defaults.prefix + (spec.path ?? '/');
  const lines = [`${method} ${target} HTTP/${spec.version ?? '1.1'}`];
  const host = spec.host === undefined ? defaults.host : spec.host;
  if (host !== null) lines.push(`Host: ${host}`);
  if (spec.probe) lines.push(`${PROBE_HEADER}: ${spec.probe}`);
  if (spec.args) lines.push(`${PROBE_ARGS_HEADER}: ${new URLSearchParams(Object.entries(spec.args).map(([k, v]) => [k, String(v)])).toString()}`);
  if (defaults.token) lines.push(`${PROBE_TOKEN_HEADER}: ${defaults.token}`);
  const headers = spec.headers ?? [];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  let body: Buffer = Buffer.alloc(0);
  if (spec.chunks) {
    if (!has('transfer-encoding')) lines.push('Transfer-Encoding: chunked');
    const parts: Buffer[] = [];
    for (const chunk of spec.chunks) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk);
      if (bytes.length === 0) continue;
      parts.push(Buffer.from(`${bytes.length.toString(16)}\r\n`, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'));
    }
    parts.push(Buffer.from('0\r\n\r\n', 'latin1'));
    body = Buffer.concat(parts);
  } else if (spec.body !== undefined) {
    body = typeof spec.body === 'string' ? Buffer.from(spec.body, 'utf8') : Buffer.from(spec.body);
    if (!has('content-length')) lines.push(`Content-Length: ${body.length}`);
  }
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** Describes a request for failure messages: `GET /a%2Fb`. */
export function describeRequest(spec: RequestSpec, prefix: string): string {
  const target = spec.target ?? prefix + (spec.path ?? '/');
  const probe = spec.probe ? ` [probe ${spec.probe}${spec.args ? ' ' + new URLSearchParams(Object.entries(spec.args).map(([k, v]) => [k, String(v)])).toString() : ''}]` : '';
  return `${spec.method ?? 'GET'} ${target}${spec.version === '1.0' ? ' HTTP/1.0' : ''}${probe}`;
}

/** What the runner gives a case beyond HTTP: lifespan control. */
export interface CaseHooks {
  /** The directory the probe of this instance writes its records and shutdown marker to. */
  readonly stateDir: string;
  /** Stops the server (once); resolves when its close() did. */
  closeServer(): Promise<void>;
  /** Starts another server whose probe's startup throws, and says how that went. */
  startFailing(): Promise<FailingStart>;
  /** Starts another server with the probe as a bare request handler (APP-SHAPE-4); rejects when the server will not. */
  startHandler(): Promise<{ hostname: string; port: number; prefix: string; close(): Promise<void> }>;
}

/** What became of a server started with an application whose startup throws (LIFE-START-2). */
export interface FailingStart {
  /** start() resolved: the server claims to serve. */
  readonly started: boolean;
  /** start() neither resolved nor rejected in time. */
  readonly hung: boolean;
  readonly error?: unknown;
  /** Where that probe would have written its shutdown marker. */
  readonly stateDir: string;
}

export interface CaseTarget {
  readonly server: ServerHandle;
  /** Host name or address of the server. */
  readonly hostname: string;
  readonly port: number;
  /** The probe's mount prefix as served (the SCRIPT_NAME the probe should see): "" or `/x`. */
  readonly prefix: string;
  readonly limits: ServerLimits;
  readonly hooks: CaseHooks;
  /** Whether the server has a capability (for checks with an optional part). */
  readonly has: (capability: Capability) => boolean;
}

export class CaseContext {
  readonly failures: Failure[] = [];
  readonly notes: string[] = [];
  readonly #connections = new Set<WireConnection>();
  readonly #used: string[] = [];
  #tokens = 0;
  readonly server: ServerHandle;
  readonly hostname: string;
  readonly port: number;
  readonly prefix: string;
  readonly limits: ServerLimits;
  readonly hooks: CaseHooks;
  /** Whether the server has a capability (for checks with an optional part). */
  readonly has: (capability: Capability) => boolean;

  constructor(target: CaseTarget, readonly caseName: string) {
    this.server = target.server;
    this.hostname = target.hostname;
    this.port = target.port;
    this.prefix = target.prefix;
    this.limits = target.limits;
    this.hooks = target.hooks;
    this.has = target.has;
  }

  /** Tokens this case sent, for the validator's findings. */
  usedTokens(): string[] {
    return [...this.#used];
  }

  /** The Host header value the suite sends by default. */
  get host(): string {
    return this.hostname.includes(':') ? `[${this.hostname}]:${this.port}` : `${this.hostname}:${this.port}`;
  }

  /** A new token: the probe records what happened to the request under it. */
  token(): string {
    const token = `${this.caseName.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 60)}.${++this.#tokens}.${Math.random().toString(36).slice(2, 8)}`;
    this.#used.push(token);
    return token;
  }

  async connect(): Promise<WireConnection> {
    const conn = await WireConnection.open(this.hostname, this.port);
    this.#connections.add(conn);
    return conn;
  }

  /** The bytes of `spec`, with a token when it has one. */
  bytes(spec: RequestSpec, token?: string): Buffer {
    return buildRequest(spec, { host: this.host, prefix: this.prefix, token });
  }

  describe(spec: RequestSpec): string {
    return describeRequest(spec, this.prefix);
  }

  /** Sends one request on a new connection and reads its response. */
  async request(spec: RequestSpec, options: { timeoutMs?: number } = {}): Promise<Exchange> {
    const token = spec.token === false ? undefined : spec.token ?? this.token();
    const conn = await this.connect();
    await conn.write(this.bytes(spec, token));
    const res = await conn.readResponse({ method: spec.method ?? 'GET', timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS });
    return { res, conn, token };
  }

  /** A request to the probe's environ dump; fails the case (and throws) when it does not answer 200 with JSON. */
  async environ(spec: RequestSpec, ids: readonly RequirementId[]): Promise<{ env: EnvironDump; res: WireResponse; token: string | undefined }> {
    const { res, token, conn } = await this.request(spec);
    conn.destroy();
    if (res.status !== 200) {
      throw this.abort(ids, `${this.describe(spec)} answered ${res.status}, expected 200 with the probe's environ dump: ${res.body.toString('utf8').slice(0, 200)}`);
    }
    try {
      return { env: JSON.parse(res.body.toString('utf8')) as EnvironDump, res, token };
    } catch {
      throw this.abort(ids, `${this.describe(spec)}: the body is not the probe's JSON: ${JSON.stringify(res.body.toString('utf8').slice(0, 200))}`);
    }
  }

  /** Reads the probe's record of `token`; polls until `until` holds or `timeoutMs` passes. */
  async record(token: string, until?: (r: ProbeRecord) => boolean, timeoutMs = 2000): Promise<ProbeRecord | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { res, conn } = await this.request({ probe: 'record', args: { token }, token: false });
      conn.destroy();
      let record: ProbeRecord | undefined;
      if (res.status === 200) {
        const parsed = JSON.parse(res.body.toString('utf8')) as { found: boolean; record: ProbeRecord | null };
        record = parsed.record ?? undefined;
      }
      if (!until || (record && until(record)) || Date.now() >= deadline) return record;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Records a failure. */
  fail(ids: readonly RequirementId[], message: string): void {
    this.failures.push({ ids, message });
  }

  /** Records a failure and returns an error to throw: the rest of the check depends on it. */
  abort(ids: readonly RequirementId[], message: string): Error {
    this.fail(ids, message);
    return new CaseAborted(message);
  }

  check(ok: boolean, ids: readonly RequirementId[], message: string): boolean {
    if (!ok) this.fail(ids, message);
    return ok;
  }

  equal(actual: unknown, expected: unknown, ids: readonly RequirementId[], what: string): boolean {
    const same = JSON.stringify(actual) === JSON.stringify(expected);
    if (!same) this.fail(ids, `${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
    return same;
  }

  note(message: string): void {
    this.notes.push(message);
  }

  /** The server's log, when the harness can read it. */
  logs(): string | undefined {
    return this.server.logs?.();
  }

  /** Closes every connection the case opened. */
  cleanup(): void {
    for (const conn of this.#connections) conn.destroy();
    this.#connections.clear();
  }
}

/** Thrown to end a check early; its failure is already recorded. */
export class CaseAborted extends Error {
  override name = 'CaseAborted';
}
