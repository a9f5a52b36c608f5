import t from 'tap';
import { TSGI_VERSION } from '../types.js';
import { addRequestHeader, assertMountPrefix, BadRequest, buildEnviron, decodePath, headerKey, parseAuthority, splitTarget, type RequestFacts } from './environ.js';
import { BodyInput } from './input.js';

t.test('ENV-HTTP-1: headerKey', async (t) => {
  t.equal(headerKey('Accept-Language'), 'HTTP_ACCEPT_LANGUAGE');
  t.equal(headerKey('x-REQUEST-id'), 'HTTP_X_REQUEST_ID');
  t.equal(headerKey('Content-Type'), 'CONTENT_TYPE', 'ENV-CONTENT-3');
  t.equal(headerKey('CONTENT-LENGTH'), 'CONTENT_LENGTH', 'ENV-CONTENT-3');
  t.equal(headerKey('X_Forwarded_For'), null, 'ENV-HTTP-2');
  t.equal(headerKey('x-a_b'), null, 'ENV-HTTP-2: anywhere in the name');
  t.equal(headerKey('Proxy'), null, 'SEC-PROXY-1');
  t.equal(headerKey('Proxy-Authorization'), 'HTTP_PROXY_AUTHORIZATION', 'only Proxy itself is dropped');
});

t.test('ENV-HTTP-3, ENV-HTTP-4: addRequestHeader trims and joins', async (t) => {
  const env: Record<string, unknown> = {};
  addRequestHeader(env, 'Accept', ' a ');
  addRequestHeader(env, 'accept', '\tb');
  addRequestHeader(env, 'Cookie', 'x=1');
  addRequestHeader(env, 'Cookie', 'y=2 ');
  addRequestHeader(env, 'X_Dropped', 'v');
  addRequestHeader(env, 'x-inner', 'a  b');
  t.same(env, { HTTP_ACCEPT: 'a, b', HTTP_COOKIE: 'x=1; y=2', HTTP_X_INNER: 'a  b' });
});

t.test('ENV-CONTENT-2, SRV-HTTP-1: Content-Length is bare digits, once', async (t) => {
  const env: Record<string, unknown> = {};
  addRequestHeader(env, 'Content-Length', ' 042 ');
  t.equal(env.CONTENT_LENGTH, '42', 'leading zeros dropped');
  addRequestHeader(env, 'content-length', '42');
  t.equal(env.CONTENT_LENGTH, '42', 'an identical repeat is one value, not "42, 42"');
  t.throws(() => addRequestHeader(env, 'content-length', '43'), { name: 'BadRequest', status: 400, requirement: 'SRV-HTTP-1' });
  for (const bad of ['', '-1', '1.0', '0x10', '1,1', '+1']) {
    t.throws(() => addRequestHeader({}, 'content-length', bad), { name: 'BadRequest', status: 400, requirement: 'SRV-HTTP-1' }, JSON.stringify(bad));
  }
  const big = {} as Record<string, unknown>;
  addRequestHeader(big, 'content-length', '123456789012345678901234');
  t.equal(big.CONTENT_LENGTH, '123456789012345678901234', 'digits are kept as digits, never 1.2e+23');
});

t.test('ENV-QUERY-1: splitTarget', async (t) => {
  t.same(splitTarget('/a/b?x=1&y'), { rawPath: '/a/b', query: 'x=1&y' });
  t.same(splitTarget('/a?'), { rawPath: '/a', query: '' });
  t.same(splitTarget('/a?b?c'), { rawPath: '/a', query: 'b?c' }, 'split at the first "?"');
  t.same(splitTarget('/plain'), { rawPath: '/plain', query: '' });
  t.same(splitTarget('http://h.test:8080/p?q'), { rawPath: '/p', query: 'q' }, 'absolute-form');
  t.same(splitTarget('https://h.test'), { rawPath: '/', query: '' }, 'absolute-form, empty path');
  t.same(splitTarget('http://h.test?q=1'), { rawPath: '/', query: 'q=1' }, 'absolute-form, empty path before a query');
});

t.test('ENV-PATH-4: decodePath', async (t) => {
  t.equal(decodePath('/plain/path'), '/plain/path');
  t.equal(decodePath('/a%20b'), '/a b');
  t.equal(decodePath('/a%2Fb'), '/a/b', '%2F decodes to "/"');
  t.equal(decodePath('/caf%C3%A9'), '/café', 'UTF-8');
  t.equal(decodePath('/caf%c3%a9'), '/café', 'lower-case hex');
  t.equal(decodePath('/%F0%9F%98%80'), '/😀', 'four-byte sequence');
  t.equal(decodePath('/%25'), '/%', 'an escaped "%"');
  t.equal(decodePath('/é%20😀'), '/é 😀', 'raw non-ASCII (lenient hosts) next to an escape, astral included');
  for (const [raw, why] of [['/%E9', 'latin-1 é: not UTF-8'], ['/%C3', 'truncated sequence'], ['/%C0%AF', 'overlong "/"'],
    ['/%ED%A0%80', 'a surrogate'], ['/%zz', 'not hex'], ['/%4', 'one digit'], ['/%', 'nothing after %'], ['/%00', 'NUL'], ['/a\0b', 'raw NUL']]) {
    t.throws(() => decodePath(raw!), { name: 'BadRequest', status: 400, requirement: 'ENV-PATH-4' }, `${JSON.stringify(raw)}: ${why}`);
  }
});

t.test('ENV-SERVER-1, ENV-SERVER-2: parseAuthority', async (t) => {
  t.same(parseAuthority('example.com', 'http'), { name: 'example.com', port: '80' });
  t.same(parseAuthority('example.com', 'https'), { name: 'example.com', port: '443' });
  t.same(parseAuthority('example.com:8080', 'http'), { name: 'example.com', port: '8080' });
  t.same(parseAuthority('example.com:', 'https'), { name: 'example.com', port: '443' }, 'an empty port is the default (RFC 3986 §3.2.3)');
  t.same(parseAuthority('[::1]:8080', 'http'), { name: '[::1]', port: '8080' }, 'IPv6 keeps its brackets');
  t.same(parseAuthority('[2001:db8::1]', 'https'), { name: '[2001:db8::1]', port: '443' });
  t.same(parseAuthority('10.0.0.1:0080', 'http'), { name: '10.0.0.1', port: '80' }, 'the port as plain decimal');
  t.same(parseAuthority('h:65535', 'http'), { name: 'h', port: '65535' });
  for (const bad of ['', 'h:65536', 'h:99999', 'h:123456', 'h:x', 'user@h', 'a b', 'h/p', '::1', '[::1', 'h:1:2']) {
    t.equal(parseAuthority(bad, 'http'), null, JSON.stringify(bad));
  }
});

function facts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    method: 'GET', target: '/', protocol: 'HTTP/1.1', headers: [['Host', 'example.com']], scheme: 'http',
    remoteAddr: '192.0.2.1', defaultServerName: 'default.test', defaultServerPort: '8000',
    input: new BodyInput({ declaredLength: 0 }), errors: { write() {} }, signal: new AbortController().signal,
    state: {}, extensions: Object.freeze({}), ...overrides,
  };
}

t.test('buildEnviron: the keys of section 2', async (t) => {
  const f = facts({ target: '/a%20b?x=1', headers: [['Host', 'example.com:81'], ['Content-Type', 'text/plain'], ['Content-Length', '3'], ['X-A', '1']], remotePort: '5000' });
  const env = buildEnviron(f);
  t.match(env, {
    REQUEST_METHOD: 'GET', SCRIPT_NAME: '', PATH_INFO: '/a b', QUERY_STRING: 'x=1', REQUEST_URI: '/a%20b?x=1',
    SERVER_NAME: 'example.com', SERVER_PORT: '81', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '192.0.2.1', REMOTE_PORT: '5000',
    CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '3', HTTP_X_A: '1', HTTP_HOST: 'example.com:81',
    'tsgi.url_scheme': 'http', 'tsgi.multithread': false, 'tsgi.multiprocess': false, 'tsgi.run_once': false,
  });
  t.equal(env['tsgi.version'], TSGI_VERSION);
  t.equal(env['tsgi.input'], f.input);
  t.equal(env['tsgi.errors'], f.errors);
  t.equal(env['tsgi.signal'], f.signal);
  t.equal(env['tsgi.state'], f.state);
  t.equal(env['tsgi.extensions'], f.extensions);
  t.notOk('HTTP_CONTENT_TYPE' in env || 'HTTP_CONTENT_LENGTH' in env, 'ENV-CONTENT-3');
});

t.test('ENV-OBJ-2: optional keys are absent, never empty', async (t) => {
  const env = buildEnviron(facts({ remotePort: '' }));
  for (const key of ['REMOTE_PORT', 'CONTENT_TYPE', 'CONTENT_LENGTH']) t.notOk(key in env, key);
  t.notOk('REMOTE_PORT' in buildEnviron(facts({ remotePort: undefined })));
});

t.test('ENV-SERVER-1: absolute-form wins over Host; without either, the configured name', async (t) => {
  const abs = buildEnviron(facts({ target: 'https://api.test:9443/v1?q', scheme: 'https' }));
  t.match(abs, { SERVER_NAME: 'api.test', SERVER_PORT: '9443', PATH_INFO: '/v1', QUERY_STRING: 'q', REQUEST_URI: 'https://api.test:9443/v1?q', HTTP_HOST: 'example.com' });
  const noPort = buildEnviron(facts({ target: 'https://api.test/x', scheme: 'https' }));
  t.equal(noPort.SERVER_PORT, '443', 'ENV-SERVER-2: the default port of the scheme');
  const old = buildEnviron(facts({ protocol: 'HTTP/1.0', headers: [] }));
  t.match(old, { SERVER_NAME: 'default.test', SERVER_PORT: '8000' });
  t.throws(() => buildEnviron(facts({ headers: [['Host', 'bad host']] })), { name: 'BadRequest', requirement: 'ENV-SERVER-1' });
  t.throws(() => buildEnviron(facts({ target: 'http:///x' })), { name: 'BadRequest', requirement: 'ENV-SERVER-1' }, 'an empty authority');
  t.throws(() => buildEnviron(facts({ target: '/%E9' })), { name: 'BadRequest', requirement: 'ENV-PATH-4' });
});

t.test('ENV-PATH-1, MOUNT-PATH-1: assertMountPrefix', async (t) => {
  for (const ok of ['', '/app', '/a/b']) t.doesNotThrow(() => assertMountPrefix(ok), JSON.stringify(ok));
  for (const bad of ['/', 'app', '/app/']) t.throws(() => assertMountPrefix(bad), { name: 'SpecViolation', requirement: 'MOUNT-PATH-1' }, JSON.stringify(bad));
});

t.test('BadRequest carries status and requirement', async (t) => {
  const error = new BadRequest(400, 'ENV-PATH-4', 'bad path');
  t.equal(error.message, 'ENV-PATH-4: bad path');
  t.equal(error.status, 400);
  t.ok(error instanceof Error);
});
