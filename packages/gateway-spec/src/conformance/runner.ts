/**
 * Runs the conformance cases against a server: starts it (or takes a URL),
 * decides which cases apply, runs the independent ones in parallel and the
 * timing-sensitive ones alone, reads the validator's findings back from the
 * probe, then stops the server for the lifespan checks.
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from '../types.js';
import { resolveCapabilities, type CapabilitySet } from './capabilities.js';
import { ALL_CASES } from './cases/index.js';
import { CaseAborted, CaseContext, type CaseHooks } from './context.js';
import { createProbeApp, type ProbeOptions } from './probe/app.js';
import { collectViolations, findingsResult, VALIDATOR_RESULT_NAME, type Finding } from './findings.js';
import { preflight, type Target } from './preflight.js';
import type { CaseResult, CaseStatus, ConformanceCase, ConformanceReport, Instance, ServerHandle, ServerLimits, StartServer } from './types.js';

/** Where the probe is mounted when the server supports mounting. */
export const DEFAULT_MOUNT_PREFIX = '/mnt/probe';
const DEFAULT_CASE_TIMEOUT_MS = 8000;
const DEFAULT_CONCURRENCY = 6;
/** How long a server may take to give up on an application whose startup throws (LIFE-START-2). */
const FAILING_START_TIMEOUT_MS = 10_000;

export interface RunOptions {
  /** Library mode: starts the server with an application (the probe) and returns its handle. */
  readonly start?: StartServer;
  /** URL mode: a server already serving the probe (`createProbeApp()`), with its mount prefix as the path. */
  readonly url?: string;
  /** URL mode: what the server supports, its limits and its log (as a ServerHandle would say). */
  readonly server?: Pick<ServerHandle, 'capabilities' | 'limits' | 'logs' | 'name'>;
  /** Library mode: also run the probe under `mountPrefix` (the server supports mounting). */
  readonly mount?: boolean;
  readonly mountPrefix?: string;
  /** Select checks by name or requirement id; `skip` removes them. */
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
  readonly concurrency?: number;
  /** Called as each result is known. */
  readonly onResult?: (result: CaseResult) => void;
  /** The cases to run; default every case of the suite. */
  readonly cases?: readonly ConformanceCase[];
  /** Wrap probe requests in validate() (default true). */
  readonly validate?: boolean;
  /** Name of the server, for reports. */
  readonly name?: string;
}

/** True when `c` is selected by the --only / --skip lists (names or ids). */
export function selects(c: ConformanceCase, only?: readonly string[], skip?: readonly string[]): boolean {
  const matches = (sel: string) => c.name === sel || (c.ids as readonly string[]).includes(sel) || (sel.endsWith('*') && c.name.startsWith(sel.slice(0, -1)));
  if (only && only.length > 0 && !only.some(matches)) return false;
  if (skip && skip.some(matches)) return false;
  return true;
}

/** Writes a module whose default export is a probe app with `options`, for servers run in another process. */
export function writeProbeModule(dir: string, options: ProbeOptions, form: 'object' | 'handler' = 'object'): string {
  mkdirSync(dir, { recursive: true });
  const here = import.meta.url;
  const ext = here.endsWith('.ts') ? '.ts' : '.js';
  const probeUrl = new URL(`./probe/index${ext}`, here).href;
  const file = join(dir, 'tsgi-probe-app.mjs');
  writeFileSync(
    file,
    `// The TSGI conformance probe application, written by tsgi-conformance.\n` +
      `import { createProbeApp } from ${JSON.stringify(probeUrl)};\n` +
      `export const app = createProbeApp(${JSON.stringify(options)});\n` +
      (form === 'object'
        ? `export default app;\n`
        : `// A bare request handler: no startup, no shutdown (APP-SHAPE-4).\nexport default function handler(environ) {\n  return app.handle(environ);\n}\n`),
  );
  return file;
}

function parseTarget(handle: ServerHandle, stateDir: string, requestedPrefix: string): Target {
  const url = new URL(handle.url);
  if (url.protocol !== 'http:') throw new Error(`the suite speaks plain HTTP; ${handle.url} is not an http: URL`);
  const path = url.pathname.replace(/\/+$/, '');
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  return { handle, hostname, port: Number(url.port || 80), prefix: path || requestedPrefix, stateDir };
}

function statusOf(c: ConformanceCase, failed: boolean): CaseStatus {
  if (!failed) return 'pass';
  return (c.level ?? 'required') === 'recommended' ? 'warn' : 'fail';
}

export async function runConformance(options: RunOptions): Promise<ConformanceReport> {
  if (!options.start && !options.url) throw new Error('runConformance needs `start` (library mode) or `url` (a running server)');
  const began = Date.now();
  const cases = (options.cases ?? ALL_CASES).filter((c) => selects(c, options.only, options.skip));
  const stateRoot = mkdtempSync(join(tmpdir(), 'tsgi-conformance-'));
  const targets: Partial<Record<Instance, Target>> = {};
  const results = new Map<ConformanceCase, CaseResult>();
  let caps: CapabilitySet;
  let limits: ServerLimits = {};
  let serverName = options.name ?? options.server?.name ?? options.url ?? 'server';
  const mountPrefix = options.mountPrefix ?? DEFAULT_MOUNT_PREFIX;
  const extraTargets: Target[] = [];
  const findings = new Map<string, Finding>();
  let mountError: string | undefined;
  let failingStarts = 0;

  const startProbe = async (instance: string, prefix: string, extra: ProbeOptions = {}, form: 'object' | 'handler' = 'object'): Promise<Target> => {
    const stateDir = join(stateRoot, instance);
    const probeOptions: ProbeOptions = { stateDir, validate: options.validate ?? true, ...extra };
    const appModule = writeProbeModule(stateDir, probeOptions, form);
    const probe = createProbeApp(probeOptions);
    const app: Application = form === 'object' ? probe : (environ) => probe.handle(environ);
    const handle = await options.start!(app, { stateDir, appModule, ...(prefix ? { mountPrefix: prefix } : {}) });
    return parseTarget(handle, stateDir, prefix);
  };

  try {
    if (options.start) {
      const root = await startProbe('root', '');
      targets.root = root;
      serverName = options.name ?? root.handle.name ?? serverName;
      limits = root.handle.limits ?? {};
      caps = resolveCapabilities(root.handle.capabilities, {
        start: true,
        'lifespan-stop-observable': true,
        'log-observable': typeof root.handle.logs === 'function',
        ...(options.mount ? { mount: true } : {}),
      });
      if (caps.has('mount') && cases.some((c) => c.instance === 'mount')) {
        try {
          targets.mount = await startProbe('mount', mountPrefix);
        } catch (error) {
          mountError = `the server did not start with the probe mounted at ${mountPrefix}: ${String((error as Error)?.message ?? error).split('\n')[0]}`;
        }
      }
    } else {
      const handle: ServerHandle = { url: options.url!, close() {}, ...options.server };
      const target = parseTarget(handle, join(stateRoot, 'remote'), '');
      await preflight(target);
      targets.root = target;
      limits = handle.limits ?? {};
      caps = resolveCapabilities(handle.capabilities, {
        start: false,
        'lifespan-stop-observable': false,
        'log-observable': typeof handle.logs === 'function',
        mount: target.prefix !== '',
      });
      if (target.prefix !== '') targets.mount = target;
    }

    const applicable = (c: ConformanceCase): string | null => {
      for (const cap of c.requires ?? []) if (!caps.has(cap)) return caps.why(cap);
      if ((c.instance ?? 'root') === 'mount' && mountError) return mountError;
      if ((c.instance ?? 'root') === 'mount' && !targets.mount) {
        return options.url ? 'needs the probe under a mount prefix: pass a --url with a path' : caps.why('mount');
      }
      return null;
    };

    const runOne = async (c: ConformanceCase): Promise<CaseResult> => {
      const began = Date.now();
      const level = c.level ?? 'required';
      const reason = applicable(c);
      if (reason !== null) {
        const result: CaseResult = { name: c.name, ids: c.ids, title: c.title, level, status: 'n/a', reason, failures: [], durationMs: 0 };
        options.onResult?.(result);
        return result;
      }
      const target = targets[c.instance ?? 'root']!;
      const hooks: CaseHooks = {
        stateDir: target.stateDir,
        closeServer: () => (target.closing ??= Promise.resolve(target.handle.close())),
        startFailing: async () => {
          const instance = `failing-${++failingStarts}`;
          const stateDir = join(stateRoot, instance);
          const starting = startProbe(instance, '', { failStartup: true });
          let timer: NodeJS.Timeout | undefined;
          const outcome = await Promise.race([
            starting.then((t) => ({ t }), (error: unknown) => ({ error })),
            new Promise<'hung'>((r) => { timer = setTimeout(() => r('hung'), FAILING_START_TIMEOUT_MS); }),
          ]);
          clearTimeout(timer);
          if (outcome === 'hung') {
            starting.then((t) => extraTargets.push(t), () => undefined);
            return { started: false, hung: true, error: new Error(`start() neither resolved nor rejected within ${FAILING_START_TIMEOUT_MS} ms`), stateDir };
          }
          if ('t' in outcome) {
            extraTargets.push(outcome.t);
            return { started: true, hung: false, stateDir };
          }
          return { started: false, hung: false, error: outcome.error, stateDir };
        },
        startHandler: async () => {
          // Without validate(): it checks the lifespan order, and a bare handler rightly has none.
          const t = await startProbe(`handler-${++failingStarts}`, '', { validate: false }, 'handler');
          extraTargets.push(t);
          return { hostname: t.hostname, port: t.port, prefix: t.prefix, close: () => (t.closing ??= Promise.resolve(t.handle.close())) };
        },
      };
      const ctx = new CaseContext({ server: target.handle, hostname: target.hostname, port: target.port, prefix: target.prefix, limits, hooks, has: (cap) => caps.has(cap) }, c.name);
      const timeoutMs = c.timeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          c.expect(ctx),
          new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs); }),
        ]);
      } catch (error) {
        if (!(error instanceof CaseAborted)) ctx.fail(c.ids.slice(0, 1), `the check could not complete: ${(error as Error)?.message ?? String(error)}`);
      } finally {
        clearTimeout(timer);
        ctx.cleanup();
      }
      if (!c.afterClose && (options.validate ?? true)) await collectViolations(ctx, c.ids, findings);
      const failed = ctx.failures.length > 0;
      const result: CaseResult = {
        name: c.name, ids: c.ids, title: c.title, level, status: statusOf(c, failed),
        failures: ctx.failures, durationMs: Date.now() - began,
        ...(ctx.notes.length ? { reason: ctx.notes.join('; ') } : {}),
      };
      options.onResult?.(result);
      return result;
    };

    const parallel = cases.filter((c) => !c.exclusive && !c.afterClose);
    const exclusive = cases.filter((c) => c.exclusive && !c.afterClose);
    const last = cases.filter((c) => c.afterClose);
    const queue = [...parallel];
    const workers = Array.from({ length: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) results.set(c, await runOne(c));
    });
    await Promise.all(workers);
    for (const c of exclusive) results.set(c, await runOne(c));
    for (const c of last) results.set(c, await runOne(c));
  } finally {
    for (const t of [...Object.values(targets), ...extraTargets]) {
      if (!t) continue;
      try {
        await (t.closing ??= Promise.resolve(t.handle.close()));
      } catch {
        // A server that fails to close is reported by the lifespan checks, not here.
      }
    }
    rmSync(stateRoot, { recursive: true, force: true });
  }

  const ordered = cases.map((c) => results.get(c)).filter((r): r is CaseResult => r !== undefined);
  if ((options.validate ?? true) && ordered.some((r) => r.status !== 'n/a') && !options.skip?.includes(VALIDATOR_RESULT_NAME)) {
    const result = findingsResult(findings);
    options.onResult?.(result);
    ordered.push(result);
  }
  const counts: Record<CaseStatus, number> = { pass: 0, fail: 0, warn: 0, 'n/a': 0 };
  for (const r of ordered) counts[r.status]++;
  return { server: serverName, results: ordered, counts, ok: counts.fail === 0, durationMs: Date.now() - began };
}
