/**
 * The probe application: what a server under test serves while the suite
 * checks it over HTTP. A request header picks the behaviour; what the server
 * does after the response (finalising the body, aborting the signal) is kept
 * in records that a follow-up request reads back.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplicationObject, Environ, LifespanContext, TsgiResponse } from '../../types.js';
import { BAD_RESPONSES } from './bad-responses.js';
import { abortedOrTimeout, countedBody, patternSource, readInput, sleep, type ReadMode, type Update } from './bodies.js';
import { bodyResponse, json, num, throwing, watchSignal } from './behaviours.js';
import { dumpEnviron } from './environ-dump.js';
import { PROBE_TEXT, type ProbeRecord } from './protocol.js';
import { ProbeRecords } from './records.js';
import { withValidator } from './validate.js';

export interface ProbeOptions {
  /**
   * Where records, the probe's file body and the shutdown marker go; the
   * processes of a multi-process server share it. Without it records stay in
   * memory and the file body is written under os.tmpdir().
   */
  readonly stateDir?: string;
  /** Wrap each request in `validate()` in report mode and record server-party violations (default true). */
  readonly validate?: boolean;
  /** Make startup throw (LIFE-START-2). */
  readonly failStartup?: boolean;
  /** Called when shutdown runs, with what it found. */
  readonly onShutdown?: (info: ShutdownInfo) => void;
}

/** What the probe's shutdown hook found (LIFE-STOP-1, LIFE-CTX-1, SRV-GRACE-1). */
export interface ShutdownInfo {
  pid: number;
  /** How many times shutdown ran in this process. */
  calls: number;
  /** ctx.state is the object startup got. */
  sameState: boolean;
  /** Did startup succeed before? */
  startupSucceeded: boolean;
  /** `slow` responses still being written when shutdown ran. */
  inflight: number;
  atMs: number;
}

export interface ProbeApplication extends ApplicationObject {
  readonly records: ProbeRecords;
  readonly stateDir: string;
}

const FILE_NAME = 'probe-file.txt';
/** The record under which lifespan violations are kept. */
export const LIFESPAN_TOKEN = '_lifespan';
/** Size of the probe's file body: more than one 64 KiB read. */
const FILE_REPEAT = 4000;

/** Creates a probe application. Its state lives in the returned object: create one per server. */
export function createProbeApp(options: ProbeOptions = {}): ProbeApplication {
  const stateDir = options.stateDir ?? join(tmpdir(), `tsgi-probe-${process.pid}-${randomUUID().slice(0, 8)}`);
  // Records go to files only in a directory the caller chose (several processes share it); else memory is enough.
  const records = new ProbeRecords(options.stateDir);
  const seenEnvirons = new WeakSet<object>();
  let startupState: object | undefined;
  let startupCalls = 0;
  let startupDone = false;
  let requestsBeforeStartup = 0;
  let shutdownCalls = 0;
  let inflight = 0;
  let filePath: string | undefined;
  const instance = randomUUID();

  const probeFile = (): string => {
    if (!filePath) {
      mkdirSync(stateDir, { recursive: true });
      filePath = join(stateDir, FILE_NAME);
      writeFileSync(filePath, PROBE_TEXT.repeat(FILE_REPEAT));
    }
    return filePath;
  };

  async function handle(environ: Environ, token: string | undefined, update: Update): Promise<TsgiResponse> {
    const env = environ as unknown as Record<string, unknown>;
    const behaviour = typeof env.HTTP_X_TSGI_PROBE === 'string' ? env.HTTP_X_TSGI_PROBE : 'environ';
    const args = new URLSearchParams(typeof env.HTTP_X_TSGI_PROBE_ARGS === 'string' ? env.HTTP_X_TSGI_PROBE_ARGS : '');
    const signal = environ['tsgi.signal'] as AbortSignal | undefined;
    const input = environ['tsgi.input'];

    switch (behaviour) {
      case 'environ': {
        const inputSummary = args.get('read') ? await readInput(input, args.get('read') as ReadMode) : undefined;
        const state = environ['tsgi.state'] as Record<string, unknown> | undefined;
        const probeState = state && typeof state === 'object' ? (state.probe as { instance: string; calls: number } | undefined) : undefined;
        const dump = dumpEnviron(env, {
          pid: process.pid,
          startup: probeState ? { instance: probeState.instance, calls: probeState.calls, done: startupDone } : null,
          requestsBeforeStartup,
          argc: 0,
        });
        return json({ ...dump, input: inputSummary });
      }
      case 'record': {
        const wanted = args.get('token') ?? '';
        const record = records.get(wanted);
        return json({ found: record !== undefined, record: record ?? null });
      }
      case 'read': {
        const mode = (args.get('mode') ?? 'all') as ReadMode;
        await sleep(num(args, 'delay', 0));
        const summary = await readInput(input, mode, {
          checkSecondIteration: args.get('second') === '1',
          onProgress: (s) => update((r) => { r.input = { ...s }; }),
        });
        update((r) => { r.input = summary; });
        return json(summary);
      }
      case 'body':
        return bodyResponse(args, update, probeFile, signal);
      case 'status': {
        const code = num(args, 'code', 204);
        const headers: Array<[string, string]> = code === 304 ? [['etag', '"probe"']] : [];
        return { status: code, headers, body: countedBody(update, (i) => (i === 0 ? 'must not be sent' : null)) };
      }
      case 'head': {
        // The same response for GET and HEAD; for HEAD no body byte may be sent and the body must not be iterated.
        const size = Buffer.byteLength(PROBE_TEXT);
        const headers: Array<[string, string]> = [['content-type', 'text/plain; charset=utf-8']];
        if (args.get('cl') === '1') headers.push(['content-length', String(size)]);
        return { status: 200, headers, body: countedBody(update, (i) => (i === 0 ? PROBE_TEXT : null)) };
      }
      case 'stream': {
        const size = num(args, 'size', 64 * 1024 * 1024);
        const chunk = num(args, 'chunk', 16 * 1024);
        const pattern = patternSource(size, chunk);
        return { status: 200, headers: [['content-type', 'application/octet-stream']], body: countedBody(update, pattern) };
      }
      case 'hang': {
        watchSignal(signal, update);
        if (args.get('before') === '1') {
          // The client goes away while the handler is still working: the signal must abort (CANCEL-SIG-1).
          await abortedOrTimeout(signal, 10_000);
        }
        const first = args.get('before') === '1' ? null : 'first chunk\n';
        return {
          status: 200,
          headers: [['content-type', 'text/plain']],
          body: countedBody(update, async (i) => {
            if (i === 0 && first) return first;
            await abortedOrTimeout(signal, 10_000);
            return 'after abort\n';
          }),
        };
      }
      case 'signal-watch':
        watchSignal(signal, update);
        return { status: 200, headers: [['content-type', 'text/plain']], body: 'ok\n' };
      case 'throw':
        return throwing(args, update, token ?? '');
      case 'bad-response': {
        const kind = args.get('kind') ?? '';
        const make = BAD_RESPONSES[kind];
        if (!make) return json({ error: `unknown kind ${kind}` }, 400);
        return make(countedBody(update, (i) => (i === 0 ? 'must not be sent' : null))) as TsgiResponse;
      }
      case 'cookies':
        return {
          status: 200,
          headers: [
            ['content-type', 'text/plain'],
            ['set-cookie', 'a=1; Path=/'],
            ['x-order', '1'],
            ['set-cookie', 'b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT; HttpOnly'],
            ['x-order', '2'],
            ['set-cookie', 'c=3'],
          ],
          body: 'ok\n',
        };
      case 'delay':
        await sleep(num(args, 'ms', 0));
        return { status: 200, headers: [['content-type', 'text/plain']], body: `${args.get('id') ?? ''}` };
      case 'slow': {
        // A response that takes a while: in flight while the server stops (SRV-GRACE-1).
        inflight++;
        const ms = num(args, 'ms', 500);
        let finished = false;
        const done = () => { if (!finished) { finished = true; inflight--; } };
        update((r) => { r.slow = 'started'; });
        async function* slowBody() {
          try {
            yield 'start\n';
            await sleep(ms);
            yield 'end\n';
            update((r) => { r.slow = 'finished'; });
          } finally {
            done();
          }
        }
        return { status: 200, headers: [['content-type', 'text/plain']], body: slowBody() };
      }
      case 'errors-write':
        environ['tsgi.errors'].write(`tsgi-probe-errors-marker ${token ?? ''}\n`);
        return { status: 200, headers: [['content-type', 'text/plain']], body: 'ok\n' };
      default:
        return json({ error: `unknown probe behaviour ${behaviour}` }, 400);
    }
  }

  const tokenOf = (environ: unknown): string | undefined => {
    const value = typeof environ === 'object' && environ !== null ? (environ as Record<string, unknown>).HTTP_X_TSGI_PROBE_TOKEN : undefined;
    return typeof value === 'string' ? value : undefined;
  };
  const addViolation = (token: string | undefined) => (id: string, message: string) =>
    records.update(token, (r) => { (r.violations ??= []).push({ id, message }); });

  const core: ApplicationObject = {
    async startup(ctx: LifespanContext) {
      startupCalls++;
      if (options.failStartup) throw new Error('the probe was asked to fail its startup (LIFE-START-2)');
      // Asynchronous on purpose: a server that does not wait for the promise is caught (LIFE-START-1).
      await sleep(50);
      ctx.state.probe = { instance, calls: startupCalls };
      startupState = ctx.state;
      startupDone = true;
    },
    async shutdown(ctx: LifespanContext) {
      shutdownCalls++;
      const info: ShutdownInfo = {
        pid: process.pid,
        calls: shutdownCalls,
        sameState: startupState !== undefined && ctx.state === startupState,
        startupSucceeded: startupDone,
        inflight,
        atMs: Date.now(),
      };
      try {
        if (options.stateDir) {
          mkdirSync(stateDir, { recursive: true });
          writeFileSync(join(stateDir, `shutdown-${process.pid}.json`), JSON.stringify(info));
        }
      } catch {
        // The callback below still reports it in-process.
      }
      options.onShutdown?.(info);
    },
    handle(environ: Environ) {
      const token = tokenOf(environ);
      return handle(environ, token, (change) => records.update(token, change)).then(addHitHeader);
    },
  };
  const checked = options.validate === false ? core : withValidator(core, (environ) => addViolation(tokenOf(environ)), addViolation(LIFESPAN_TOKEN));

  const probe: ProbeApplication = {
    records,
    stateDir,
    startup: (ctx: LifespanContext) => checked.startup!(ctx),
    shutdown: (ctx: LifespanContext) => checked.shutdown!(ctx),
    handle(environ: Environ) {
      // What the server passed, before anything wraps it (APP-SHAPE-3).
      const argc = arguments.length;
      if (!startupDone) requestsBeforeStartup++;
      const token = tokenOf(environ);
      const reused = typeof environ === 'object' && environ !== null && seenEnvirons.has(environ);
      if (typeof environ === 'object' && environ !== null) seenEnvirons.add(environ);
      records.update(token, (r: ProbeRecord) => {
        r.calls = (r.calls ?? 0) + 1;
        r.argc = argc;
        if (reused) r.reusedEnviron = true;
      });
      return checked.handle(environ);
    },
  };
  return probe;
}

function addHitHeader(response: TsgiResponse): TsgiResponse {
  if (typeof response !== 'object' || response === null || !Array.isArray(response.headers)) return response;
  return { ...response, headers: [...response.headers, ['x-tsgi-probe-hit', '1']] };
}

