import t from 'tap';
import { checkEnviron } from './environ.js';
import { ABSENT, ids, makeEnviron, makeInput } from './test-fixtures/harness.js';

const only = (overrides: Record<string, unknown>) => ids(checkEnviron(makeEnviron(overrides)));

t.test('a spec-exact environ has no violation', async (t) => {
  t.same(checkEnviron(makeEnviron()), []);
  t.same(
    only({ CONTENT_TYPE: '', CONTENT_LENGTH: '0', REMOTE_PORT: '51234', HTTPS: 'on', 'myserver.request_id': 7, HTTP_X_EMPTY: '' }),
    [],
    'optional keys, namespaced keys and empty header values are fine',
  );
});

t.test('ENV-OBJ-1: the environ is a plain, extensible, unfrozen object', async (t) => {
  for (const bad of [undefined, null, 'env', 42, () => ({})]) {
    t.same(ids(checkEnviron(bad)), ['ENV-OBJ-1'], String(bad));
  }
  t.ok(ids(checkEnviron(Object.freeze(makeEnviron()))).includes('ENV-OBJ-1'), 'frozen');
  t.ok(ids(checkEnviron(Object.seal(makeEnviron()))).includes('ENV-OBJ-1'), 'sealed');
  t.ok(ids(checkEnviron(Object.preventExtensions(makeEnviron()))).includes('ENV-OBJ-1'), 'not extensible');
  t.ok(ids(checkEnviron(new Map())).includes('ENV-OBJ-1'), 'a Map');
  class Env {}
  t.ok(ids(checkEnviron(Object.assign(new Env(), makeEnviron()))).includes('ENV-OBJ-1'), 'a class instance');
  t.same(ids(checkEnviron(Object.assign(Object.create(null), makeEnviron()))), [], 'a null-prototype object is plain');
});

t.test('ENV-OBJ-1: a Proxy, a throwing getter or a revoked Proxy is a violation, not a crash', async (t) => {
  const proxy = new Proxy(makeEnviron(), {});
  t.ok(ids(checkEnviron(proxy)).includes('ENV-OBJ-1'));
  const getter = makeEnviron();
  Object.defineProperty(getter, 'SERVER_NAME', { enumerable: true, get: () => { throw new Error('boom'); } });
  const found = checkEnviron(getter);
  t.same(ids(found), ['ENV-OBJ-1']);
  t.match(found[0]?.message, /SERVER_NAME.*boom/);
  const { proxy: revoked, revoke } = Proxy.revocable(makeEnviron(), {});
  revoke();
  t.ok(ids(checkEnviron(revoked)).includes('ENV-OBJ-1'));
  const hostile = new Proxy(makeEnviron(), { ownKeys: () => { throw new Error('no keys'); }, getPrototypeOf: () => { throw new Error('no proto'); } });
  t.ok(ids(checkEnviron(hostile)).includes('ENV-OBJ-1'));
  t.same(only({ [Symbol('private')]: 1 } as never), [], 'symbol keys are the business of whoever set them');
});

t.test('ENV-OBJ-2: CGI-style keys have string values; optional ones are never undefined or null', async (t) => {
  t.same(only({ SERVER_PORT: 80 }), ['ENV-OBJ-2']);
  t.same(only({ CONTENT_TYPE: undefined }), ['ENV-OBJ-2']);
  t.same(only({ REMOTE_PORT: null }), ['ENV-OBJ-2']);
  t.same(only({ HTTP_ACCEPT: undefined }), ['ENV-OBJ-2']);
  t.same(only({ HTTPS: true }), ['ENV-OBJ-2']);
  t.same(only({ AUTH_TYPE: ['Basic'] }), ['ENV-OBJ-2']);
  t.same(only({ REMOTE_PORT: '' }), ['ENV-OBJ-2'], 'an empty placeholder');
  const [v] = checkEnviron(makeEnviron({ SERVER_PORT: 80 }));
  t.match(v?.message, /SERVER_PORT must be a string, got the number 80/);
});

t.test('ENV-OBJ-3: the required keys are always present', async (t) => {
  for (const key of ['REQUEST_METHOD', 'QUERY_STRING', 'REQUEST_URI', 'REMOTE_ADDR', 'tsgi.signal', 'tsgi.extensions']) {
    t.same(only({ [key]: ABSENT }), ['ENV-OBJ-3'], key);
  }
});

t.test('ENV-TSGI-1: tsgi.version is a frozen array [1, minor]', async (t) => {
  t.same(only({ 'tsgi.version': [1, 0] }), ['ENV-TSGI-1'], 'not frozen');
  t.same(only({ 'tsgi.version': Object.freeze([2, 0]) }), ['ENV-TSGI-1']);
  t.same(only({ 'tsgi.version': Object.freeze([1, -1]) }), ['ENV-TSGI-1']);
  t.same(only({ 'tsgi.version': '1.0' }), ['ENV-TSGI-1']);
  t.same(only({ 'tsgi.version': Object.freeze([1, 3]) }), [], 'a later minor version');
});

t.test('ENV-TSGI-2: tsgi.url_scheme is "http" or "https"', async (t) => {
  t.same(only({ 'tsgi.url_scheme': 'HTTP' }), ['ENV-TSGI-2']);
  t.same(only({ 'tsgi.url_scheme': 'wss' }), ['ENV-TSGI-2']);
});

t.test('ENV-TSGI-3: tsgi.input is an async iterable', async (t) => {
  t.same(only({ 'tsgi.input': [new Uint8Array(1)] }), ['ENV-TSGI-3'], 'a sync iterable');
  t.same(only({ 'tsgi.input': null }), ['ENV-TSGI-3']);
  t.same(only({ 'tsgi.input': makeInput() }), []);
});

t.test('ENV-TSGI-4: tsgi.errors has a write method', async (t) => {
  t.same(only({ 'tsgi.errors': process.stderr }), [], 'a Node stream has write');
  t.same(only({ 'tsgi.errors': { log() {} } }), ['ENV-TSGI-4']);
  t.same(only({ 'tsgi.errors': console.error }), ['ENV-TSGI-4']);
});

t.test('ENV-TSGI-5: the concurrency flags are booleans', async (t) => {
  t.same(only({ 'tsgi.multithread': 0 }), ['ENV-TSGI-5']);
  t.same(only({ 'tsgi.run_once': 'false' }), ['ENV-TSGI-5']);
  t.same(only({ 'tsgi.multiprocess': undefined }), ['ENV-TSGI-5']);
});

t.test('ENV-TSGI-6: tsgi.signal is an AbortSignal', async (t) => {
  t.same(only({ 'tsgi.signal': new AbortController() }), ['ENV-TSGI-6']);
  t.same(only({ 'tsgi.signal': { aborted: false, addEventListener() {} } }), ['ENV-TSGI-6'], 'a look-alike');
  t.same(only({ 'tsgi.signal': AbortSignal.abort() }), [], 'an aborted signal is still a signal');
});

t.test('ENV-TSGI-7: tsgi.state is a plain object', async (t) => {
  t.same(only({ 'tsgi.state': new Map() }), ['ENV-TSGI-7']);
  t.same(only({ 'tsgi.state': null }), ['ENV-TSGI-7']);
  t.same(only({ 'tsgi.state': new Proxy({}, {}) }), ['ENV-TSGI-7']);
});

t.test('ENV-TSGI-8: tsgi.extensions is a frozen object', async (t) => {
  t.same(only({ 'tsgi.extensions': {} }), ['ENV-TSGI-8'], 'not frozen');
  t.same(only({ 'tsgi.extensions': [] }), ['ENV-TSGI-8']);
  t.same(only({ 'tsgi.extensions': Object.freeze({ 'myserver.push': { version: 1 } }) }), []);
});

t.test('EXT-NS-1: extension names are dotted lower case; tsgi. names are the spec\'s', async (t) => {
  t.same(only({ 'tsgi.extensions': Object.freeze({ push: {} }) }), ['EXT-NS-1']);
  t.same(only({ 'tsgi.extensions': Object.freeze({ 'MyServer.Push': {} }) }), ['EXT-NS-1']);
  t.same(only({ 'tsgi.extensions': Object.freeze({ 'tsgi.websocket': {} }) }), ['EXT-NS-1']);
  t.same(only({ 'tsgi.extensions': Object.freeze({ [Symbol('x')]: {} }) }), ['EXT-NS-1']);
});

t.test('EXT-DECL-1: an extension key in the environ is declared in tsgi.extensions', async (t) => {
  const hints = async () => {};
  t.same(only({ 'tsgi.early_hints': hints }), ['EXT-DECL-1']);
  t.same(only({ 'tsgi.early_hints': hints, 'tsgi.extensions': Object.freeze({ 'tsgi.early_hints': { version: 1 } }) }), []);
});

t.test('ENV-EXT-1: the tsgi. namespace is reserved', async (t) => {
  t.same(only({ 'tsgi.request_id': 'abc' }), ['ENV-EXT-1']);
  const [v] = checkEnviron(makeEnviron({ 'tsgi.request_id': 'abc' }));
  t.match(v?.message, /"tsgi\.request_id"/);
  t.same(only({ 'myserver.request_id': 'abc' }), []);
});
