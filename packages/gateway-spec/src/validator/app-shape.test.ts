import t from 'tap';
import { isTsgiError } from '../errors.js';
import type { Application } from '../types.js';
import { validate } from './validate.js';
import { harness, violates } from './test-fixtures/harness.js';

const invalid = { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /^APP-SHAPE-1: / };

t.test('APP-SHAPE-1: validate() accepts a handler or an object with handle', async (t) => {
  t.doesNotThrow(() => validate(() => ({ status: 204 })));
  t.doesNotThrow(() => validate(async function handler(_environ) { return { status: 204 }; }));
  t.doesNotThrow(() => validate({ handle: () => ({ status: 204 }) }));
  class App { handle() { return { status: 204 }; } }
  t.doesNotThrow(() => validate(new App()), 'methods on the prototype');
  t.doesNotThrow(() => validate({ handle: () => ({ status: 204 }), startup: undefined }), 'an undefined hook is absent');
});

t.test('APP-SHAPE-1: anything else throws TSGI_ERR_INVALID_ARGUMENT naming what it got', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /got undefined/],
    [null, /got null/],
    [42, /got the number 42/],
    ['app', /got the string "app"/],
    [{}, /has handle = undefined/],
    [{ handle: 'x' }, /has handle = the string "x"/],
    [{ fetch: () => new Response() }, /fetch method/],
    [{ handle: () => ({ status: 200 }), startup: 1 }, /has startup = the number 1; it must be a function or absent/],
    [{ handle: () => ({ status: 200 }), shutdown: null }, /shutdown = null/],
    [(req: unknown, res: unknown) => [req, res], /of 2 parameters.*\(req, res\)/],
    [function express(_req: unknown, _res: unknown, _next: unknown) {}, /"express" of 3 parameters/],
    [class App {}, /a class .*instance/],
    [function* gen() {}, /generator function/],
    [{ handle: async function* () {} }, /generator function/],
  ];
  for (const [app, message] of cases) {
    t.throws(() => validate(app as Application), { ...invalid, message }, String(message));
  }
  const thrown = (() => { try { validate(null as never); } catch (error) { return error; } })();
  t.ok(isTsgiError(thrown) && thrown.name === 'TsgiError', 'a TsgiError, not a SpecViolation');
});

t.test('APP-SHAPE-1: a Proxy whose traps throw is an invalid argument, not a crash', async (t) => {
  const hostile = new Proxy({}, { get: () => { throw new Error('trap'); } });
  t.throws(() => validate(hostile as never), { ...invalid, message: /threw Error: trap/ });
  const { proxy, revoke } = Proxy.revocable(() => ({ status: 204 }), {});
  revoke();
  t.throws(() => validate(proxy as never), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
});

t.test('validate() checks its options once, at the boundary', async (t) => {
  const app = () => ({ status: 204 });
  t.throws(() => validate(app, { mode: 'warn' } as never), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /options\.mode/ });
  t.throws(() => validate(app, { onViolation: 'log' } as never), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /options\.onViolation/ });
  t.throws(() => validate(app, { onviolation: () => {} } as never), { code: 'TSGI_ERR_INVALID_ARGUMENT' }, 'a misspelt key');
  t.throws(() => validate(app, null as never), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
});

t.test('APP-SHAPE-2: the handler returns a response object or a promise of one', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [undefined, /returned undefined \(a missing return\?\)/],
    [null, /returned null/],
    [200, /returned the number 200/],
    ['OK', /returned the string "OK"/],
    [new Response('x'), /Fetch Response/],
    [[200, {}, ['x']], /Rack-style/],
    [() => ({ status: 200 }), /returned a function/],
  ];
  for (const [result, message] of cases) {
    const h = await harness(() => result as never);
    await t.rejects(h.call(), { requirement: 'APP-SHAPE-2', message }, String(message));
    const ha = await harness(async () => result as never);
    await t.rejects(ha.call(), { requirement: 'APP-SHAPE-2', message }, `async ${String(message)}`);
  }
  const thenable = await harness(() => ({ then: (resolve: (v: unknown) => void) => resolve({ status: 204 }) }) as never);
  t.same(await thenable.call(), { status: 204 }, 'a promise-like');
});

t.test('APP-SHAPE-2: what the handler throws or rejects with passes through unchanged', async (t) => {
  const boom = new Error('boom');
  await t.rejects((await harness(() => { throw boom; })).call(), boom);
  await t.rejects((await harness(async () => { throw boom; })).call(), boom);
  await t.rejects((await harness(() => Promise.reject('a string'))).call(), 'a string' as never);
  const badThen = { get then() { throw boom; } };
  await t.rejects((await harness(() => badThen as never)).call(), boom, 'a then getter that throws');
});

t.test('APP-SHAPE-3: the server calls the handler with one argument, a new environ each time', async (t) => {
  const h = await harness(() => ({ status: 204 }));
  const environ = h.environ();
  await h.app.handle(environ);
  await t.rejects(h.app.handle(environ), { requirement: 'APP-SHAPE-3', message: /already/ });
  await t.rejects((h.app.handle as (...args: unknown[]) => Promise<unknown>)(h.environ(), {}), { requirement: 'APP-SHAPE-3', message: /2 arguments/ });
  await t.rejects((h.app.handle as () => Promise<unknown>)(), violates('APP-SHAPE-3'));
});
