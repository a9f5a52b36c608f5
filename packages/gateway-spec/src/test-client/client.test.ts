import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { isSpecViolation } from '../errors.js';
import type { AppState, ApplicationObject, LifespanContext, TsgiResponse } from '../types.js';
import { createTestClient } from './client.js';

t.test('APP-SHAPE-1: anything but an application is refused at once, naming what it got', async (t) => {
  for (const app of [null, 42, 'app', {}, { handle: 'x' }, { handle() { return { status: 200 }; }, startup: 1 }]) {
    t.throws(() => createTestClient(app as never), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /APP-SHAPE-1/ }, JSON.stringify(app));
  }
});

t.test('options are checked once, at creation', async (t) => {
  const app = () => ({ status: 200 });
  const bad: Array<[object, RegExp]> = [
    [{ scriptName: 'app' }, /scriptName/], [{ scriptName: '/app/' }, /scriptName/], [{ scriptName: '/a%20b' }, /decoded path prefix/],
    [{ scheme: 'ftp' }, /scheme/], [{ host: 'a b' }, /host/], [{ host: 'h:70000' }, /host/],
    [{ remoteAddr: 'localhost' }, /remoteAddr/], [{ remoteAddr: '[::1]' }, /without brackets/], [{ remotePort: 70000 }, /remotePort/],
    [{ protocol: 'HTTP/0.9' }, /protocol/], [{ maxBodyBytes: -1 }, /maxBodyBytes/], [{ errors: 'x' }, /errors/],
    [{ shutdownTimeoutMs: 1.5 }, /shutdownTimeoutMs/], [{ startupTimeoutMs: -1 }, /startupTimeoutMs/], [{ extensions: null }, /extensions/],
  ];
  for (const [options, message] of bad) {
    t.throws(() => createTestClient(app, options as never), { code: 'TSGI_ERR_INVALID_ARGUMENT', message }, JSON.stringify(options));
  }
  const client = createTestClient(app, { host: 'example.com:8080' });
  t.ok(Object.isFrozen(client.settings));
  t.match(client.settings, { validate: true, rethrow: true, scriptName: '', scheme: 'http', host: 'example.com:8080', protocol: 'HTTP/1.1' });
});

t.test('LIFE-START-1: startup runs once, before the first request, even under concurrency', async (t) => {
  const events: string[] = [];
  const app: ApplicationObject = {
    async startup(ctx) {
      events.push('startup');
      await sleep(5);
      ctx.state.ready = true;
    },
    handle(env) {
      events.push(`handle ${env.PATH_INFO} ready=${String(env['tsgi.state'].ready)}`);
      return { status: 200 };
    },
  };
  const client = createTestClient(app);
  t.equal(client.state, undefined, 'no state before startup');
  await Promise.all([client.get('/a'), client.get('/b')]);
  await client.get('/c');
  t.same(events, ['startup', 'handle /a ready=true', 'handle /b ready=true', 'handle /c ready=true']);
  await client.close();
});

t.test('LIFE-CTX-1, ENV-TSGI-7: ctx.state is tsgi.state in every request; LIFE-STOP-1: shutdown on close', async (t) => {
  let startState: AppState | undefined;
  let stopState: AppState | undefined;
  const requestStates: AppState[] = [];
  let ctx: LifespanContext | undefined;
  const requestExtensions: unknown[] = [];
  const client = createTestClient({
    startup(c) { startState = c.state; ctx = c; },
    shutdown(c) { stopState = c.state; },
    handle(env) { requestStates.push(env['tsgi.state']); requestExtensions.push(env['tsgi.extensions']); return { status: 204 }; },
  }, { multiprocess: true, extensions: { 'x.ext': 1 } });
  await client.start();
  await client.start();
  await client.get('/');
  await client.get('/');
  t.equal(requestStates[0], startState);
  t.equal(requestStates[1], startState);
  t.equal(client.state, startState);
  t.equal(stopState, undefined, 'no shutdown before close');
  await client.close();
  t.equal(stopState, startState);
  t.match(ctx, { multithread: false, multiprocess: true, extensions: { 'x.ext': 1 } });
  t.equal(requestExtensions[0], ctx!.extensions, 'EXT-DECL-3: the same frozen extensions object as the lifespan context');
  t.equal(requestExtensions[1], ctx!.extensions);
  t.equal(ctx!.signal.aborted, false);
});

t.test('LIFE-STOP-1: shutdown runs once, and only after a successful startup', async (t) => {
  let stops = 0;
  const app = { handle: () => ({ status: 200 }), shutdown() { stops++; } };
  const unused = createTestClient(app);
  await unused.close();
  t.equal(stops, 0, 'never started, never stopped');

  const client = createTestClient(app);
  await client.get('/');
  await Promise.all([client.close(), client.close()]);
  await client.close();
  t.equal(stops, 1);
  await t.rejects(client.get('/'), { code: 'TSGI_ERR_SHUTDOWN' }, 'a closed client takes no request');
  await t.rejects(client.start(), { code: 'TSGI_ERR_SHUTDOWN' });
});

t.test('LIFE-START-2: a failed startup rejects start() and every request with the app\'s error', async (t) => {
  const failure = new Error('db unreachable');
  let handled = 0;
  let stopped = 0;
  const client = createTestClient({ startup() { throw failure; }, shutdown() { stopped++; }, handle() { handled++; return { status: 200 }; } });
  await t.rejects(client.get('/'), failure);
  await t.rejects(client.start(), failure);
  await t.rejects(client.get('/'), failure);
  t.equal(handled, 0, 'the instance never serves');
  t.match(client.errorLog[0], /startup failed.*LIFE-START-2.*db unreachable/s);
  await client.close();
  t.equal(stopped, 0, 'no shutdown after a failed startup');
});

t.test('LIFE-START-3: a startup past its deadline aborts ctx.signal and fails with TSGI_ERR_TIMEOUT', async (t) => {
  let reason: unknown;
  let handled = false;
  const client = createTestClient({
    async startup(ctx) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      reason = ctx.signal.reason;
    },
    handle() { handled = true; return { status: 200 }; },
  }, { startupTimeoutMs: 10 });
  await t.rejects(client.get('/'), { code: 'TSGI_ERR_TIMEOUT', message: /within 10 ms \(LIFE-START-3\)/ });
  t.match(reason, { code: 'TSGI_ERR_TIMEOUT' });
  t.equal(handled, false);
  t.match(client.errorLog[0], /LIFE-START-2/);
});

t.test('LIFE-STOP-1: a failing shutdown rejects close() and is logged', async (t) => {
  const failure = new Error('flush failed');
  const client = createTestClient({ handle: () => ({ status: 200 }), shutdown() { throw failure; } });
  await client.start();
  await t.rejects(client.close(), failure);
  t.match(client.errorLog.join('\n'), /shutdown failed.*flush failed/s);
});

t.test('LIFE-STOP-2: shutdown\'s signal aborts at the deadline', async (t) => {
  let reason: unknown;
  const client = createTestClient({
    handle: () => ({ status: 200 }),
    async shutdown(ctx) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
      reason = ctx.signal.reason;
    },
  }, { shutdownTimeoutMs: 5 });
  await client.start();
  await client.close();
  t.match(reason, { code: 'TSGI_ERR_SHUTDOWN' });
});

t.test('CANCEL-SIG-5: close() abandons handlers in flight with TSGI_ERR_SHUTDOWN and answers 503', async (t) => {
  const events: string[] = [];
  const client = createTestClient({
    async handle(env) {
      await new Promise((resolve) => env['tsgi.signal'].addEventListener('abort', resolve, { once: true }));
      events.push(`handler saw ${(env['tsgi.signal'].reason as { code: string }).code}`);
      return { status: 200 };
    },
    shutdown() { events.push('shutdown'); },
  });
  const request = client.get('/slow');
  await sleep(5);
  await client.close();
  const res = await request;
  t.equal(res.status, 503);
  t.equal(res.fromServer, true);
  t.equal(await res.text(), 'Service Unavailable\n');
  t.match(client.errorLog.join('\n'), /GET \/slow: abandoned by the shutdown.*CANCEL-SIG-5/);
  t.same(events, ['handler saw TSGI_ERR_SHUTDOWN', 'shutdown'], 'SRV-GRACE-1: shutdown after the last request');
});

t.test('Symbol.asyncDispose closes the client', async (t) => {
  let stopped = false;
  {
    const client = createTestClient({ handle: () => ({ status: 200 }), shutdown() { stopped = true; } });
    await client.get('/');
    await client[Symbol.asyncDispose]();
  }
  t.equal(stopped, true);
});

t.test('ERR-APP-1: a throwing application', async (t) => {
  const boom = new Error('handler exploded at /secret/path.ts');
  const app = () => { throw boom; };
  await t.rejects(createTestClient(app).get('/boom'), boom, 'default: the very error, original stack');

  const client = createTestClient(app, { rethrow: false });
  const res = await client.get('/boom');
  t.equal(res.status, 500);
  t.equal(res.fromServer, true);
  t.equal(res.header('content-type'), 'text/plain; charset=utf-8');
  const body = await res.text();
  t.equal(body, 'Internal Server Error\n', 'a short plain body');
  t.notMatch(body, /exploded|secret|at /, 'SEC-ERR-1: nothing of the error');
  t.match(client.errorLog[0], /^GET \/boom: the application failed \(ERR-APP-1\): Error: handler exploded/, 'ERR-APP-4: the line names the request');
  t.match(client.errorLog[0], /client\.test\.ts/, 'with the stack');
  t.equal((await client.get('/again')).status, 500, 'ERR-APP-3: the client goes on serving');
});

t.test('ERR-APP-1: a rejected promise, and a non-Error thrown', async (t) => {
  const client = createTestClient(async () => { await sleep(1); throw new TypeError('async failure'); }, { rethrow: false });
  t.equal((await client.get('/')).status, 500);
  t.match(client.errorLog[0], /TypeError: async failure/);
  await t.rejects(createTestClient(() => Promise.reject(new RangeError('r'))).get('/'), RangeError);
  const odd = createTestClient(() => { throw 'a string'; }, { rethrow: false });
  t.equal((await odd.get('/')).status, 500);
  t.match(odd.errorLog[0], /non-Error thrown: the string "a string"/);
  await t.rejects(createTestClient(() => { throw 'a string'; }).get('/'), 'a string' as never);
});

t.test('RESP-HDR-8: an invalid response is a 500 and a log line naming the id', async (t) => {
  const cases: Array<[string, TsgiResponse, string]> = [
    ['status 99', { status: 99 }, 'RESP-STATUS-1'],
    ['a header name with a space', { status: 200, headers: [['bad name', 'x']] }, 'RESP-HDR-2'],
    ['a header value with LF', { status: 200, headers: [['x-a', 'a\nb']] }, 'RESP-HDR-3'],
  ];
  for (const [name, response, id] of cases) {
    for (const validate of [true, false]) {
      const error = await createTestClient(() => response, { validate }).get('/').catch((e: unknown) => e);
      t.ok(isSpecViolation(error) && error.requirement === id, `${name}, validate ${validate}: rethrows the ${id} violation`);
      const client = createTestClient(() => response, { validate, rethrow: false });
      const res = await client.get('/');
      t.equal(res.status, 500, `${name}: 500`);
      t.notOk(res.headers.some(([n]) => n !== 'content-type'), `${name}: none of the application's headers`);
      t.match(client.errorLog.join('\n'), new RegExp(`^GET /: .*${id}`, 's'), `${name}: the log names ${id}`);
    }
  }
});

t.test('BODY-ITER-4: the body of a response replaced by a 500 is finalised', async (t) => {
  let finalised = false;
  const body = (async function* () { try { yield 'a'; yield 'b'; } finally { finalised = true; } })();
  await body.next(); // started, so that return() has a finally to run
  // validate: false, so that the server's own check (callApplication) sees the invalid response and its body.
  const client = createTestClient(() => ({ status: 200, headers: [['x', 'a\rb']], body }), { rethrow: false, validate: false });
  t.equal((await client.get('/')).status, 500);
  t.equal(finalised, true);
});

t.test('APP-SHAPE-2: a handler that returns nothing or a Fetch Response', async (t) => {
  const nothing = createTestClient(() => undefined as never, { rethrow: false });
  t.equal((await nothing.get('/')).status, 500);
  const error = await createTestClient(() => new Response('x') as never).get('/').catch((e: unknown) => e);
  t.ok(isSpecViolation(error), 'rethrown as a SpecViolation');
});

t.test('SRV-HTTP-6: OPTIONS * and CONNECT are the server\'s', async (t) => {
  let called = false;
  const client = createTestClient(() => { called = true; return { status: 200 }; });
  const star = await client.options('*');
  t.equal(star.status, 204);
  t.ok(star.header('allow'));
  t.equal((await client.get('*')).status, 400, '"*" with another method');
  t.equal((await client.request('CONNECT', 'example.com:443')).status, 501);
  t.equal(called, false);
});

t.test('validate: true wraps the application in validate(), with validateOptions', async (t) => {
  // A body without Content-Type breaks RESP-HDR-10, a SHOULD that only validate() reports.
  const app = () => ({ status: 200, body: 'untyped' });
  const reported: string[] = [];
  const client = createTestClient(app, { validateOptions: { onViolation: (violation) => reported.push(violation.requirement) } });
  t.equal(await (await client.get('/')).text(), 'untyped', 'a SHOULD does not stop the request');
  t.same(reported, ['RESP-HDR-10']);
  const byDefault = createTestClient(app);
  await (await byDefault.get('/')).text();
  t.match(byDefault.errorLog.join('\n'), /RESP-HDR-10/, 'by default, warnings go to tsgi.errors, so to the error log');
  const unchecked = createTestClient(app, { validate: false });
  await (await unchecked.get('/')).text();
  t.same(unchecked.errorLog, [], 'validate: false: no validator');
});
