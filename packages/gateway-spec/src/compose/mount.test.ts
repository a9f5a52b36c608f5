import t from 'tap';
import { mount } from './mount.js';
import type { Environ, LifespanContext, RequestHandler } from '../types.js';

function environFor(path: string): Environ {
  return { SCRIPT_NAME: '', PATH_INFO: path, REQUEST_METHOD: 'GET', 'tsgi.state': {} } as unknown as Environ;
}

const echoPaths: RequestHandler = (env) => ({ status: 200, body: `${env.SCRIPT_NAME}|${env.PATH_INFO}` });

function ctx(): LifespanContext {
  return { state: {}, errors: { write() {} }, signal: new AbortController().signal, multithread: false, multiprocess: false, extensions: {} };
}

t.test('MOUNT-PATH-1: prefixes match on segment boundaries only', async (t) => {
  const app = mount({ '/app': echoPaths });
  t.same(await app.handle(environFor('/app')), { status: 200, body: '/app|' });
  t.same(await app.handle(environFor('/app/x/y')), { status: 200, body: '/app|/x/y' });
  t.equal((await app.handle(environFor('/apple'))).status, 404);
});

t.test('MOUNT-PATH-2: the longest matching prefix wins, whatever the order given', async (t) => {
  const app = mount([['/a', echoPaths], ['/a/b', (env) => ({ status: 201, body: env.PATH_INFO })], ['', () => ({ status: 202 })]]);
  t.equal((await app.handle(environFor('/a/b/c'))).status, 201);
  t.equal((await app.handle(environFor('/a/bc'))).status, 200);
  t.equal((await app.handle(environFor('/other'))).status, 202);
});

t.test('MOUNT-PATH-3: SCRIPT_NAME grows by the prefix under an outer mount', async (t) => {
  const app = mount({ '/inner': echoPaths });
  const env = environFor('/inner/z');
  env.SCRIPT_NAME = '/outer';
  t.same(await app.handle(env), { status: 200, body: '/outer/inner|/z' });
});

t.test('MOUNT-PATH-1: a prefix ending in "/" or not starting with "/" is refused', async (t) => {
  t.throws(() => mount({ '/a/': echoPaths }), { requirement: 'MOUNT-PATH-1' });
  t.throws(() => mount({ 'a': echoPaths }), { requirement: 'MOUNT-PATH-1' });
  t.throws(() => mount([['/a', echoPaths], ['/a', echoPaths]]), /two applications/);
});

t.test('LIFE-CTX-1: each mounted app has its own state, seen as tsgi.state', async (t) => {
  const seen: unknown[] = [];
  const withState = (name: string) => ({
    startup(c: LifespanContext) { c.state.name = name; },
    handle(env: Environ) { seen.push(env['tsgi.state']); return { status: 200 }; },
  });
  const app = mount({ '/a': withState('a'), '/b': withState('b') });
  await app.startup!(ctx());
  await app.handle(environFor('/a'));
  await app.handle(environFor('/b/'));
  t.same(seen, [{ name: 'a' }, { name: 'b' }]);
});

t.test('lifespan: startups in order, shutdowns reversed; a failed startup stops the started ones', async (t) => {
  const log: string[] = [];
  const hooks = (name: string, fail = false) => ({
    startup() { log.push(`start ${name}`); if (fail) throw new Error(`boom ${name}`); },
    shutdown() { log.push(`stop ${name}`); },
    handle: () => ({ status: 200 }),
  });
  const ok = mount({ '/a': hooks('a'), '/b': hooks('b') });
  await ok.startup!(ctx());
  await ok.shutdown!(ctx());
  t.same(log, ['start a', 'start b', 'stop b', 'stop a']);
  log.length = 0;
  const bad = mount({ '/a': hooks('a'), '/b': hooks('b', true), '/c': hooks('c') });
  await t.rejects(bad.startup!(ctx()), /boom b/);
  t.same(log, ['start a', 'start b', 'stop a']);
});

t.test('bad input names the problem', async (t) => {
  t.throws(() => mount({ '/a': 42 as never }), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /got number 42/ });
});
