/**
 * Runs the real `tsgi` command for end-to-end tests: spawns
 * `node packages/server/bin/tsgi.js serve ...`, reads the address from its log,
 * remembers every worker pid it logs, and kills them all by pid in teardown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(PACKAGE_DIR, 'bin', 'tsgi.js');
export const FIXTURES = join(PACKAGE_DIR, 'test', 'fixtures');
export const fixture = (name: string) => join(FIXTURES, name);

/** Options every test server gets: a free port, debug logs (they carry the worker pids), root allowed in CI. */
export const BASE_ARGS = ['--host', '127.0.0.1', '--port', '0', '--log-level', 'debug'];
export const AS_ROOT = process.getuid?.() === 0 ? ['--allow-root'] : [];

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface RunningTsgi {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the URL once "listening at" is logged. */
  readonly url: Promise<string>;
  /** Resolves once "ready:" is logged; rejects if the process exits first. */
  readonly ready: Promise<string>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Worker pids logged so far. */
  workerPids(): number[];
  /** Resolves when `pattern` appears in stderr (or rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  kill(signal?: NodeJS.Signals): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `tsgi <args>`; everything it starts is killed by pid when the test ends. */
export function runTsgi(t: Teardown, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; readyMs?: number } = {}): RunningTsgi {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? PACKAGE_DIR,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const pids = new Set<number>();
  const watchers: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (const w of watchers) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    for (const m of d.matchAll(/\(pid (\d+)\) started/g)) pids.add(Number(m[1]));
    for (const w of watchers) w();
  });
  const exit = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  t.teardown(async () => {
    for (const pid of [child.pid!, ...pids]) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await exit;
  });
  const waitFor = (pattern: RegExp, ms = 15_000): Promise<RegExpMatchArray> =>
    new Promise((resolvePromise, reject) => {
      const check = () => {
        const m = err.match(pattern);
        if (m) {
          cleanup();
          resolvePromise(m);
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${pattern} in:\n${err}`));
      }, ms);
      const onExit = () => {
        setImmediate(() => {
          const m = err.match(pattern);
          cleanup();
          if (m) resolvePromise(m);
          else reject(new Error(`tsgi exited before ${pattern}:\n${err}`));
        });
      };
      const cleanup = () => {
        clearTimeout(timer);
        const i = watchers.indexOf(check);
        if (i >= 0) watchers.splice(i, 1);
        child.removeListener('exit', onExit);
      };
      watchers.push(check);
      child.once('exit', onExit);
      check();
    });
  const url = waitFor(/listening at (\S+)/, opts.readyMs).then((m) => m[1]!);
  const ready = waitFor(/\] ready: /, opts.readyMs).then(() => url);
  // Tests that expect a failure do not await these.
  url.catch(() => {});
  ready.catch(() => {});
  return {
    child,
    pid: child.pid!,
    url,
    ready,
    exit,
    stdout: () => out,
    stderr: () => err,
    workerPids: () => [...pids],
    waitFor,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}

/** A temporary directory removed in teardown. */
export function tempDir(t: Teardown): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-server-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** One GET; rejects on a network error (a failed request). */
export function get(url: string, opts: { agent?: http.Agent; timeoutMs?: number; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolvePromise, reject) => {
    const req = http.get(url, { agent: opts.agent ?? false, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolvePromise({ status: res.statusCode!, body, headers: res.headers }));
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 10_000, () => req.destroy(new Error(`no answer from ${url} in time`)));
    req.on('error', reject);
  });
}

/** Polls `fn` until it returns a truthy value, or fails after `ms`. */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, ms = 10_000, stepMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface LoadResult {
  readonly ok: number;
  readonly failed: Array<string>;
  readonly bodies: string[];
}

/**
 * Bounded load: `connections` keep-alive connections, each sending requests
 * one after another until `total` have been sent or `until()` says stop.
 * Every status other than 200 and every network error counts as failed.
 */
export async function load(opts: {
  url: (i: number) => string;
  total: number;
  connections: number;
  onSent?: (i: number) => void;
  onReply?: (i: number, reply: Reply) => void;
  until?: () => boolean;
  /** A keep-alive agent to reuse (then it is not destroyed at the end). */
  agent?: http.Agent;
}): Promise<LoadResult> {
  const agent = opts.agent ?? new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const failed: string[] = [];
  const bodies: string[] = [];
  let next = 0;
  let ok = 0;
  const lane = async () => {
    while (next < opts.total && !(opts.until?.() ?? false)) {
      const i = next++;
      opts.onSent?.(i);
      try {
        const r = await get(opts.url(i), { agent });
        opts.onReply?.(i, r);
        if (r.status === 200) ok++;
        else failed.push(`#${i}: status ${r.status}`);
        bodies.push(r.body);
      } catch (error) {
        failed.push(`#${i}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, lane));
  if (opts.agent === undefined) agent.destroy();
  return { ok, failed, bodies };
}
