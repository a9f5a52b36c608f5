import t from 'tap';
import type { Environ, TsgiResponse } from '../types.js';
import { validate } from './validate.js';
import { collector, lifespanContext, makeEnviron, violates } from './test-fixtures/harness.js';

const ok = () => ({ status: 204 });

t.test('MW-COMP-2: startup and shutdown are forwarded once, as methods of the application', async (t) => {
  const calls: string[] = [];
  const inner = {
    name: 'inner',
    async startup(this: { name: string }, ctx: { state: Record<string, unknown> }) { calls.push(`startup:${this.name}`); ctx.state.db = 'pool'; },
    handle(this: { name: string }, environ: Environ) { calls.push(`handle:${this.name}:${String(environ['tsgi.state'].db)}`); return { status: 204 }; },
    async shutdown(this: { name: string }) { calls.push(`shutdown:${this.name}`); },
  };
  const app = validate(inner);
  const ctx = lifespanContext();
  await app.startup?.(ctx);
  await app.handle(makeEnviron({}, { state: ctx.state, extensions: ctx.extensions }));
  await app.shutdown?.(ctx);
  t.same(calls, ['startup:inner', 'handle:inner:pool', 'shutdown:inner']);
});

t.test('a bare handler gets startup and shutdown that do nothing but check', async (t) => {
  const app = validate(ok);
  t.type(app.startup, 'function');
  t.type(app.shutdown, 'function');
  const ctx = lifespanContext();
  await app.startup?.(ctx);
  t.same(await app.handle(makeEnviron({}, { state: ctx.state, extensions: ctx.extensions })), { status: 204 });
  await app.shutdown?.(ctx);
});

t.test('errors of startup and shutdown pass through unchanged', async (t) => {
  const boom = new Error('no database');
  await t.rejects(validate({ handle: ok, startup() { throw boom; } }).startup?.(lifespanContext()) as Promise<void>, boom);
  const app = validate({ handle: ok, async shutdown() { throw boom; } });
  const ctx = lifespanContext();
  await app.startup?.(ctx);
  await t.rejects(app.shutdown?.(ctx) as Promise<void>, boom);
});

t.test('LIFE-START-1: startup runs once, before the first request', async (t) => {
  const before = validate(ok);
  await t.rejects(before.handle(makeEnviron()), { requirement: 'LIFE-START-1', message: /before startup ran/ });
  let release = () => {};
  const slow = validate({ handle: ok, startup: () => new Promise<void>((r) => { release = r; }) });
  const ctx = lifespanContext();
  const starting = slow.startup?.(ctx);
  await t.rejects(slow.handle(makeEnviron({}, { state: ctx.state })), { requirement: 'LIFE-START-1', message: /before startup finished/ });
  release();
  await starting;
  await t.rejects(slow.startup?.(ctx) as Promise<void>, { requirement: 'LIFE-START-1', message: /2 times/ });
});

t.test('LIFE-START-2: an instance whose startup failed never serves', async (t) => {
  const app = validate({ handle: ok, startup() { throw new Error('x'); } });
  const ctx = lifespanContext();
  await t.rejects(app.startup?.(ctx) as Promise<void>);
  await t.rejects(app.handle(makeEnviron({}, { state: ctx.state })), violates('LIFE-START-2'));
});

t.test('LIFE-STOP-1: shutdown once, after a successful startup and the last request', async (t) => {
  const never = validate(ok);
  await t.rejects(never.shutdown?.(lifespanContext()) as Promise<void>, { requirement: 'LIFE-STOP-1', message: /startup never ran/ });

  const failed = validate({ handle: ok, startup() { throw new Error('x'); } });
  const ctx1 = lifespanContext();
  await t.rejects(failed.startup?.(ctx1) as Promise<void>);
  await t.rejects(failed.shutdown?.(ctx1) as Promise<void>, { requirement: 'LIFE-STOP-1', message: /after startup failed/ });

  const twice = validate(ok);
  const ctx2 = lifespanContext();
  await twice.startup?.(ctx2);
  await twice.shutdown?.(ctx2);
  await t.rejects(twice.shutdown?.(ctx2) as Promise<void>, { requirement: 'LIFE-STOP-1', message: /2 times/ });
  await t.rejects(twice.handle(makeEnviron({}, { state: ctx2.state })), { requirement: 'LIFE-STOP-1', message: /after shutdown began/ });

  let release: (response: TsgiResponse) => void = () => {};
  const busy = validate(() => new Promise((r) => { release = r; }));
  const ctx3 = lifespanContext();
  await busy.startup?.(ctx3);
  const controller = new AbortController();
  const running = busy.handle(makeEnviron({ 'tsgi.signal': controller.signal }, { state: ctx3.state }));
  await t.rejects(busy.shutdown?.(ctx3) as Promise<void>, { requirement: 'LIFE-STOP-1', message: /1 request\(s\) were still running/ });
  release({ status: 204 });
  await running;

  const deadline = validate(() => new Promise((r) => { release = r; }));
  const ctx4 = lifespanContext();
  await deadline.startup?.(ctx4);
  const aborted = new AbortController();
  const late = deadline.handle(makeEnviron({ 'tsgi.signal': aborted.signal }, { state: ctx4.state }));
  aborted.abort(Object.assign(new Error('deadline'), { code: 'TSGI_ERR_SHUTDOWN' }));
  await deadline.shutdown?.(ctx4);
  t.pass('a request past its deadline (signal aborted) does not hold shutdown');
  release({ status: 204 });
  await late;
});

t.test('LIFE-CTX-1: ctx.state is a plain object, the same in startup, shutdown and every request', async (t) => {
  await t.rejects(validate(ok).startup?.({ ...lifespanContext(), state: new Map() } as never) as Promise<void>, violates('LIFE-CTX-1'));
  await t.rejects(validate(ok).startup?.(undefined as never) as Promise<void>, violates('LIFE-CTX-1'));
  const app = validate(ok);
  const ctx = lifespanContext();
  await app.startup?.(ctx);
  await t.rejects(app.handle(makeEnviron()), { requirement: 'LIFE-CTX-1', message: /tsgi\.state/ }, 'a request with another state');
  await t.rejects(app.shutdown?.(lifespanContext()) as Promise<void>, { requirement: 'LIFE-CTX-1', message: /shutdown/ });
});

t.test('ENV-TSGI-7: tsgi.state is the same object in every request of an instance', async (t) => {
  const seen = collector();
  const app = validate(ok, { mode: 'report', onViolation: seen.onViolation });
  const ctx = lifespanContext();
  await app.startup?.(ctx);
  seen.seen.length = 0;
  await app.handle(makeEnviron({}, { state: ctx.state, extensions: ctx.extensions }));
  t.same(seen.seen, []);
  const other = validate(ok, { mode: 'report', onViolation: seen.onViolation });
  const ctx2 = lifespanContext();
  await other.startup?.({ ...ctx2, state: undefined } as never); // startup saw no usable state
  seen.seen.length = 0;
  await other.handle(makeEnviron({}, { state: {}, extensions: ctx2.extensions }));
  await other.handle(makeEnviron({}, { state: {}, extensions: ctx2.extensions }));
  t.same(seen.seen.map((s) => s.id), ['ENV-TSGI-7']);
});

t.test('EXT-DECL-3: tsgi.extensions is the same object in every request and in ctx (a warning)', async (t) => {
  const seen = collector();
  const app = validate(ok, { onViolation: seen.onViolation });
  const ctx = lifespanContext();
  await app.startup?.(ctx);
  await app.handle(makeEnviron({}, { state: ctx.state, extensions: Object.freeze({}) }));
  t.same(seen.seen.map((s) => [s.id, s.level]), [['EXT-DECL-3', 'warning']]);
});

t.test('APP-SHAPE-5: handle, startup and shutdown are called as methods (a warning)', async (t) => {
  const seen = collector();
  const app = validate(ok, { onViolation: seen.onViolation });
  const ctx = lifespanContext();
  const { startup, handle, shutdown } = app;
  await startup?.(ctx);
  await handle(makeEnviron({}, { state: ctx.state, extensions: ctx.extensions }));
  await shutdown?.(ctx);
  t.same(seen.seen.map((s) => [s.id, s.level]), [['APP-SHAPE-5', 'warning'], ['APP-SHAPE-5', 'warning'], ['APP-SHAPE-5', 'warning']]);
});
