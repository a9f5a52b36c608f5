/**
 * Mounting (section 8) and lifespan (section 9, SRV-GRACE-1): the probe
 * under a prefix, startup that fails, and what happens when the harness stops
 * the server: in-flight requests finish, idle connections close, shutdown runs
 * once with the startup's state.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CaseContext } from '../context.js';
import type { RequirementId } from '../../errors.js';
import { LIFESPAN_TOKEN, type ShutdownInfo } from '../probe/app.js';
import type { ProbeRecord } from '../probe/protocol.js';
import type { ConformanceCase } from '../types.js';
import { WireConnection } from '../wire.js';
import { defineCases, expectKey, quote, sleep, within } from './helpers.js';

/** The shutdown markers the probe wrote in `dir`, one per process. */
export function readShutdownMarkers(dir: string): ShutdownInfo[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^shutdown-\d+\.json$/.test(n));
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as ShutdownInfo);
}

/** What validate() found wrong with the lifespan calls (kept by the probe under LIFESPAN_TOKEN). */
function readLifespanViolations(dir: string): Array<{ id: string; message: string }> {
  try {
    const record = JSON.parse(readFileSync(join(dir, 'records', `${LIFESPAN_TOKEN}.json`), 'utf8')) as ProbeRecord;
    return record.violations ?? [];
  } catch {
    return [];
  }
}

async function waitMarkers(dir: string, timeoutMs: number): Promise<ShutdownInfo[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const markers = readShutdownMarkers(dir);
    if (markers.length > 0 || Date.now() > deadline) return markers;
    await sleep(50);
  }
}

async function refusesNewConnections(ctx: CaseContext): Promise<boolean> {
  try {
    const conn = await WireConnection.open(ctx.hostname, ctx.port, 1000);
    await conn.write(ctx.bytes({ probe: 'delay', args: { id: 'late' } })).catch(() => undefined);
    try {
      const res = await conn.readResponse({ timeoutMs: 1500 });
      conn.destroy();
      return res.status === 503;
    } catch {
      conn.destroy();
      return true;
    }
  } catch {
    return true;
  }
}

export const lifespanCases: ConformanceCase[] = defineCases([
  {
    name: 'mount-prefix-itself', ids: ['MOUNT-PATH-3', 'ENV-PATH-1'], title: 'the mount prefix itself: SCRIPT_NAME the prefix, PATH_INFO ""', app: 'environ', instance: 'mount', requires: ['mount'],
    async expect(ctx) {
      const { env } = await ctx.environ({ path: '' }, ['MOUNT-PATH-3']);
      expectKey(ctx, env, 'SCRIPT_NAME', ctx.prefix, ['MOUNT-PATH-3', 'ENV-PATH-1'], `GET ${ctx.prefix}`);
      expectKey(ctx, env, 'PATH_INFO', '', ['MOUNT-PATH-3'], `GET ${ctx.prefix}`);
    },
  },
  {
    name: 'mount-segment-boundary', ids: ['MOUNT-PATH-1', 'MOUNT-PATH-3'], title: 'a path that only starts with the prefix\'s characters does not match: 404 from the server', app: 'environ', instance: 'mount', requires: ['mount'],
    async expect(ctx) {
      for (const path of [`${ctx.prefix}x`, `${ctx.prefix}x/y`, ctx.prefix.slice(0, ctx.prefix.lastIndexOf('/')) || '/']) {
        const token = ctx.token();
        const { res, conn } = await ctx.request({ target: path, token });
        conn.destroy();
        ctx.check(res.status === 404, ['MOUNT-PATH-1', 'MOUNT-PATH-3'], `GET ${path} (outside the mount ${ctx.prefix}): answered ${res.status}, expected 404`);
        const r = await ctx.record(token);
        ctx.check(!r?.calls, ['MOUNT-PATH-1'], `GET ${path} reached the application mounted at ${ctx.prefix}`);
      }
    },
  },
  {
    name: 'lifespan-startup-failure', ids: ['LIFE-START-2', 'LIFE-STOP-1'], title: 'an application whose startup throws is never served; the server reports it; shutdown is not called', app: 'startup',
    requires: ['start'], timeoutMs: 15000,
    async expect(ctx) {
      const attempt = await ctx.hooks.startFailing();
      if (attempt.started) {
        ctx.fail(['LIFE-START-2'], 'start() resolved for an application whose startup throws; the server must not serve it (and exit non-zero when no instance can start)');
        const { res, conn } = await ctx.request({ probe: 'delay', args: { id: 'x' } }).catch(() => ({ res: undefined, conn: undefined }));
        conn?.destroy();
        if (res) ctx.note(`the failed instance answered ${res.status}`);
      } else if (attempt.hung) {
        ctx.fail(['LIFE-START-2'], `${String((attempt.error as Error)?.message)}: the server neither served nor gave up on an application whose startup throws`);
      } else {
        ctx.note(`start failed as it must: ${String((attempt.error as Error)?.message ?? attempt.error).split('\n')[0]}`);
      }
      await sleep(200);
      const markers = readShutdownMarkers(attempt.stateDir);
      ctx.check(markers.length === 0, ['LIFE-STOP-1'], `shutdown ran ${markers.length} time(s) for an application whose startup failed; it must not`);
    },
  },
  {
    name: 'app-bare-handler', ids: ['APP-SHAPE-4'], title: 'a bare request handler (no startup, no shutdown) is served, and stopped without error', app: 'environ',
    requires: ['start'], timeoutMs: 15000,
    async expect(ctx) {
      let server;
      try {
        server = await ctx.hooks.startHandler();
      } catch (error) {
        throw ctx.abort(['APP-SHAPE-4'], `the server did not start with a bare request handler: ${String((error as Error)?.message ?? error).split('\n')[0]}`);
      }
      const conn = await WireConnection.open(server.hostname, server.port);
      await conn.write(ctx.bytes({ target: `${server.prefix}/bare` }));
      const res = await conn.readResponse();
      conn.destroy();
      ctx.check(res.status === 200 && res.body.toString().includes('"PATH_INFO":{"type":"string","value":"/bare"}'), ['APP-SHAPE-4'],
        `a bare request handler answered ${res.status} ${quote(res.body)}; the server must call it as the request handler`);
      try {
        await server.close();
      } catch (error) {
        ctx.fail(['APP-SHAPE-4'], `stopping a server of a bare handler failed: ${(error as Error)?.message}; it has no shutdown to run`);
      }
    },
  },
  {
    name: 'graceful-stop', ids: ['SRV-GRACE-1'], title: 'on a graceful stop: no new connections, the request in flight finishes, idle connections close, then shutdown runs', app: 'slow',
    requires: ['start'], afterClose: true, timeoutMs: 15000,
    async expect(ctx) {
      const idle = await ctx.connect();
      await idle.write(ctx.bytes({ probe: 'delay', args: { id: 'idle' } }, ctx.token()));
      await idle.readResponse();
      const token = ctx.token();
      const slow = await ctx.connect();
      await slow.write(ctx.bytes({ probe: 'slow', args: { ms: 1000 } }, token));
      await ctx.record(token, (r) => r.slow === 'started', 2000);
      const closing = ctx.hooks.closeServer();
      await sleep(200);
      ctx.check(await refusesNewConnections(ctx), ['SRV-GRACE-1'], 'a new connection was served after the graceful stop began');
      try {
        const res = await slow.readResponse({ timeoutMs: 5000 });
        ctx.check(res.status === 200 && res.complete && res.body.toString() === 'start\nend\n', ['SRV-GRACE-1'], `the request in flight ended as ${res.status} ${res.complete ? 'complete' : 'truncated'} ${quote(res.body)}; it must finish`);
      } catch (error) {
        ctx.fail(['SRV-GRACE-1'], `the request in flight did not finish: ${(error as Error).message}`);
      }
      ctx.check(await idle.waitClose(5000), ['SRV-GRACE-1'], 'an idle keep-alive connection stayed open during the graceful stop');
      await within(closing, 10000);
      const markers = await waitMarkers(ctx.hooks.stateDir, 2000);
      if (markers.length > 0) {
        for (const m of markers) ctx.check(m.inflight === 0, ['SRV-GRACE-1', 'LIFE-STOP-1'], `shutdown ran while ${m.inflight} response(s) were still being written`);
      }
    },
  },
  {
    name: 'lifespan-shutdown', ids: ['LIFE-STOP-1', 'LIFE-CTX-1'], title: 'on an orderly stop shutdown runs once, with the state startup filled', app: 'startup',
    requires: ['start', 'lifespan-stop-observable'], afterClose: true, timeoutMs: 15000,
    async expect(ctx) {
      await within(ctx.hooks.closeServer(), 10000);
      const markers = await waitMarkers(ctx.hooks.stateDir, 3000);
      if (!ctx.check(markers.length > 0, ['LIFE-STOP-1'], 'the application\'s shutdown did not run when the server stopped')) return;
      for (const m of markers) {
        ctx.check(m.calls === 1, ['LIFE-STOP-1'], `shutdown ran ${m.calls} times in process ${m.pid}; it runs once`);
        ctx.check(m.startupSucceeded, ['LIFE-STOP-1'], 'shutdown ran, but startup never finished');
        ctx.check(m.sameState, ['LIFE-CTX-1'], 'shutdown\'s ctx.state is not the object startup got');
      }
      for (const v of readLifespanViolations(ctx.hooks.stateDir)) ctx.fail([v.id as RequirementId], `validate() around the probe: ${v.message}`);
    },
  },
]);
