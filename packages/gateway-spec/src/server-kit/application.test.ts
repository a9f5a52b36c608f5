import t from 'tap';
import type { ApplicationObject, LifespanContext } from '../types.js';
import { describeValue, normalizeApplication, startApplication } from './application.js';

const errors = { write() {} };

t.test('describeValue names a value without dumping it', async (t) => {
  t.equal(describeValue(null), 'null');
  t.equal(describeValue([1]), 'an array');
  t.equal(describeValue({}), 'a plain object');
  t.equal(describeValue(new Map()), 'an object of class Map');
  t.equal(describeValue(Object.create(null)), 'a plain object');
  t.equal(describeValue('x'.repeat(50)), `the string "${'x'.repeat(40)}…"`);
  t.equal(describeValue(42), 'number 42');
  t.equal(describeValue(undefined), 'undefined undefined');
});

t.test('APP-SHAPE-4: both forms become an application object', async (t) => {
  const handler = () => ({ status: 200 });
  const fromFunction = normalizeApplication(handler);
  t.equal(fromFunction.handle, handler);
  t.equal(fromFunction.startup, undefined);
  t.equal(fromFunction.shutdown, undefined);

  const obj = {
    name: 'app',
    handle() { return { status: 200, body: this.name }; },
    startup() { return void (this.started = true); },
    started: false,
  };
  const normalized = normalizeApplication(obj);
  t.same(await normalized.handle({} as never), { status: 200, body: 'app' }, 'methods keep their `this`');
  await normalized.startup!({} as LifespanContext);
  t.equal(obj.started, true);
  t.equal(normalized.shutdown, undefined, 'absent hooks stay absent');
});

t.test('APP-SHAPE-1: anything else is TSGI_ERR_INVALID_ARGUMENT naming what it got', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /got undefined/], [null, /got null/], ['app', /the string "app"/], [{}, /a plain object/],
    [{ handle: 1 }, /a plain object/], [{ handle() {}, startup: 'x' }, /startup is the string "x"/], [{ handle() {}, shutdown: {} }, /shutdown is a plain object/],
  ];
  for (const [app, message] of cases) t.throws(() => normalizeApplication(app), { code: 'TSGI_ERR_INVALID_ARGUMENT', message }, String(message));
});

t.test('LIFE-START-1, LIFE-CTX-1: startApplication runs startup with the context', async (t) => {
  let ctx: LifespanContext | undefined;
  const ext = { 'x.y': 1 };
  const instance = await startApplication({ handle: () => ({ status: 200 }), startup(c: LifespanContext) { ctx = c; c.state.pool = 'open'; } }, { errors, multiprocess: true, extensions: ext });
  t.equal(ctx!.state, instance.state, 'the state the instance keeps');
  t.same(instance.state, { pool: 'open' });
  t.equal(ctx!.errors, errors);
  t.match(ctx, { multithread: false, multiprocess: true });
  t.same(instance.extensions, ext);
  t.not(instance.extensions, ext, 'a copy');
  t.ok(Object.isFrozen(instance.extensions));
  t.equal(ctx!.extensions, instance.extensions);
  t.equal(ctx!.signal.aborted, false);
  t.equal(Object.getPrototypeOf(instance.state), Object.prototype, 'a plain object');
});

t.test('LIFE-START-2: a failing startup rejects with the application\'s own error', async (t) => {
  const failure = new Error('no db');
  await t.rejects(startApplication({ handle: () => ({ status: 200 }), startup() { throw failure; } }, { errors }), failure);
  await t.rejects(startApplication({ handle: () => ({ status: 200 }), async startup() { throw failure; } }, { errors }), failure);
  await t.rejects(startApplication('nope', { errors }), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
});

t.test('LIFE-STOP-1: stop() runs shutdown once, with the same state', async (t) => {
  let stops = 0;
  let stopState: unknown;
  const app: ApplicationObject = { handle: () => ({ status: 200 }), shutdown(ctx) { stops++; stopState = ctx.state; } };
  const instance = await startApplication(app, { errors });
  await Promise.all([instance.stop(), instance.stop()]);
  await instance.stop();
  t.equal(stops, 1);
  t.equal(stopState, instance.state);
  const bare = await startApplication(() => ({ status: 200 }), { errors });
  await bare.stop();
  t.pass('an application without shutdown stops quietly');
  const failure = new Error('close failed');
  const failing = await startApplication({ handle: () => ({ status: 200 }), shutdown() { throw failure; } }, { errors });
  await t.rejects(failing.stop(), failure);
});

t.test('LIFE-STOP-2: the shutdown signal aborts at the deadline with TSGI_ERR_SHUTDOWN', async (t) => {
  let reason: unknown;
  const instance = await startApplication({
    handle: () => ({ status: 200 }),
    async shutdown(ctx: LifespanContext) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      reason = ctx.signal.reason;
    },
  }, { errors });
  await instance.stop(5);
  t.match(reason, { code: 'TSGI_ERR_SHUTDOWN', message: /deadline/ });
  let quickSignal: AbortSignal | undefined;
  const quick = await startApplication({ handle: () => ({ status: 200 }), shutdown(ctx: LifespanContext) { quickSignal = ctx.signal; } }, { errors });
  await quick.stop(5);
  await new Promise((resolve) => setTimeout(resolve, 15));
  t.equal(quickSignal!.aborted, false, 'a shutdown that finished in time is never aborted');
});

t.test('LIFE-START-3: startupTimeoutMs aborts ctx.signal and fails the start with TSGI_ERR_TIMEOUT', async (t) => {
  let reason: unknown;
  const slow = {
    handle: () => ({ status: 200 }),
    async startup(ctx: LifespanContext) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      reason = ctx.signal.reason;
    },
  };
  await t.rejects(startApplication(slow, { errors, startupTimeoutMs: 5 }), { code: 'TSGI_ERR_TIMEOUT', message: /within 5 ms/ });
  t.match(reason, { code: 'TSGI_ERR_TIMEOUT' });
  let signal: AbortSignal | undefined;
  await startApplication({ handle: () => ({ status: 200 }), startup(ctx: LifespanContext) { signal = ctx.signal; } }, { errors, startupTimeoutMs: 5 });
  await new Promise((resolve) => setTimeout(resolve, 15));
  t.equal(signal!.aborted, false, 'a startup that finished in time is never aborted');
  const failure = new Error('boom');
  await t.rejects(startApplication({ handle: () => ({ status: 200 }), startup() { throw failure; } }, { errors, startupTimeoutMs: 50 }), failure, 'its own error still wins');
});
