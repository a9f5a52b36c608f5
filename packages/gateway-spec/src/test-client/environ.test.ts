import t from 'tap';
import type { Environ } from '../types.js';
import { TSGI_VERSION } from '../types.js';
import { createTestClient } from './client.js';
import { environFor } from './environ.js';
import type { TestClientOptions } from './options.js';
import type { TestRequestInit } from './request.js';

/** Sends one request and returns the environ the application saw. */
async function seen(method: string, target: string, init?: TestRequestInit, options?: TestClientOptions): Promise<Environ> {
  let environ: Environ | undefined;
  const client = createTestClient((env) => {
    environ = env;
    return { status: 200 };
  }, options);
  const res = await client.request(method, target, init);
  await res.text();
  await client.close();
  if (!environ) throw new Error(`the application was not called (status ${res.status})`);
  return environ;
}

t.test('ENV-OBJ-3: the required keys are present; ENV-OBJ-2: absent optional keys are absent', async (t) => {
  const env = await seen('GET', '/');
  for (const key of ['REQUEST_METHOD', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING', 'REQUEST_URI', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL', 'REMOTE_ADDR',
    'tsgi.version', 'tsgi.url_scheme', 'tsgi.input', 'tsgi.errors', 'tsgi.multithread', 'tsgi.multiprocess', 'tsgi.run_once', 'tsgi.signal', 'tsgi.state', 'tsgi.extensions']) {
    t.ok(key in env, key);
  }
  for (const key of ['CONTENT_TYPE', 'CONTENT_LENGTH', 'REMOTE_PORT', 'HTTP_CONTENT_LENGTH']) t.notOk(key in env, `${key} absent`);
  t.notOk(Object.values(env).some((v) => v === undefined || v === null), 'no key holds undefined or null');
  t.ok(Object.isExtensible(env) && !Object.isFrozen(env), 'ENV-OBJ-1: a plain, extensible object');
  t.equal(Object.getPrototypeOf(env), Object.prototype);
});

t.test('the defaults: localhost over http, HTTP/1.1, 127.0.0.1', async (t) => {
  const env = await seen('GET', '/');
  t.match(env, {
    REQUEST_METHOD: 'GET', SCRIPT_NAME: '', PATH_INFO: '/', QUERY_STRING: '', REQUEST_URI: '/',
    SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', HTTP_HOST: 'localhost',
    'tsgi.url_scheme': 'http', 'tsgi.multithread': false, 'tsgi.multiprocess': false, 'tsgi.run_once': false,
  });
  t.equal(env['tsgi.version'], TSGI_VERSION, 'ENV-TSGI-1');
  t.ok(Object.isFrozen(env['tsgi.version']));
  t.ok(Object.isFrozen(env['tsgi.extensions']), 'ENV-TSGI-8');
  t.ok(env['tsgi.signal'] instanceof AbortSignal, 'ENV-TSGI-6');
  t.equal(env['tsgi.signal'].aborted, false);
});

t.test('ENV-METHOD-1: the method is passed as given, case preserved', async (t) => {
  t.equal((await seen('patch', '/')).REQUEST_METHOD, 'patch');
  t.equal((await seen('M-SEARCH', '/')).REQUEST_METHOD, 'M-SEARCH');
});

t.test('ENV-PATH-6, ENV-QUERY-1: REQUEST_URI is the target exactly; QUERY_STRING is raw', async (t) => {
  const env = await seen('GET', '/a%20b/c?x=1&y=%20z&x=2');
  t.equal(env.REQUEST_URI, '/a%20b/c?x=1&y=%20z&x=2');
  t.equal(env.QUERY_STRING, 'x=1&y=%20z&x=2');
  t.equal(env.PATH_INFO, '/a b/c', 'ENV-PATH-3: decoded');
  t.equal((await seen('GET', '/?')).QUERY_STRING, '', 'an empty query');
  t.equal((await seen('GET', '/p?a=1', { query: { b: 'x y', c: [1, 2] } })).REQUEST_URI, '/p?a=1&b=x+y&c=1&c=2', 'init.query appended');
});

t.test('ENV-PATH-4: percent-decoding as UTF-8; ENV-PATH-5: no other change', async (t) => {
  t.equal((await seen('GET', '/caf%C3%A9/%E2%9C%93')).PATH_INFO, '/café/✓');
  t.equal((await seen('GET', '/a%2Fb')).PATH_INFO, '/a/b', '%2F decodes like any escape');
  t.equal((await seen('GET', '/a/../b//c/./d')).PATH_INFO, '/a/../b//c/./d', 'no dot-segment removal, no slash merging');
  t.equal((await seen('GET', '/%F0%9D%84%9E')).PATH_INFO, '/𝄞', 'astral characters');
});

t.test('ENV-PATH-4: an undecodable path is refused with 400 and the application is not called', async (t) => {
  for (const target of ['/%E9', '/%zz', '/%', '/%00', '/a%C3']) {
    let called = false;
    const client = createTestClient(() => { called = true; return { status: 200 }; });
    const res = await client.get(target);
    t.equal(res.status, 400, target);
    t.equal(res.fromServer, true);
    t.equal(called, false, `${target}: the application was not called`);
    t.match(client.errorLog[0], /ENV-PATH-4/, `${target}: the log names the requirement`);
    t.notMatch(await res.text(), /ENV-PATH|at /, 'SEC-ERR-1: the body reveals nothing');
  }
});

t.test('ENV-PATH-1..3, MOUNT-PATH-3: scriptName moves the mount prefix to SCRIPT_NAME', async (t) => {
  t.match(await seen('GET', '/app/x/y?q', undefined, { scriptName: '/app' }), { SCRIPT_NAME: '/app', PATH_INFO: '/x/y', QUERY_STRING: 'q', REQUEST_URI: '/app/x/y?q' });
  t.match(await seen('GET', '/app', undefined, { scriptName: '/app' }), { SCRIPT_NAME: '/app', PATH_INFO: '' });
  t.match(await seen('GET', '/caf%C3%A9/x', undefined, { scriptName: '/café' }), { SCRIPT_NAME: '/café', PATH_INFO: '/x' }, 'matched on the decoded path');
  for (const outside of ['/apple', '/', '/other/app']) {
    const client = createTestClient(() => ({ status: 200 }), { scriptName: '/app' });
    const res = await client.get(outside);
    t.equal(res.status, 404, `${outside} is outside /app`);
    t.match(client.errorLog[0], /MOUNT-PATH-3/);
  }
});

t.test('ENV-HTTP-1..3: headers become HTTP_ keys, repeats joined', async (t) => {
  const env = await seen('GET', '/', {
    headers: [
      ['Accept', 'text/html'], ['X-Trace-Id', 'abc'], ['accept', 'application/json'],
      ['Cookie', 'a=1'], ['cookie', 'b=2'], ['X_Forwarded_For', '6.6.6.6'], ['Proxy', 'http://evil'],
    ],
  });
  t.equal(env.HTTP_ACCEPT, 'text/html, application/json', 'ENV-HTTP-3: joined by ", " in order');
  t.equal(env.HTTP_COOKIE, 'a=1; b=2', 'ENV-HTTP-3: Cookie joined by "; "');
  t.equal(env.HTTP_X_TRACE_ID, 'abc');
  t.notOk('HTTP_X_FORWARDED_FOR' in env, 'ENV-HTTP-2: a name with "_" is dropped');
  t.notOk('HTTP_PROXY' in env, 'SEC-PROXY-1: Proxy is dropped');
});

t.test('ENV-HTTP-4: values are trimmed and passed as latin-1 code units', async (t) => {
  const latin1 = Buffer.from('café', 'utf8').toString('latin1');
  const env = await seen('GET', '/', { headers: { 'x-padded': ' \t value \t', 'x-bytes': latin1 } });
  t.equal(env.HTTP_X_PADDED, 'value');
  t.equal(env.HTTP_X_BYTES, 'cafÃ©', 'the UTF-8 bytes of "café", one code unit each');
});

t.test('ENV-CONTENT-1..3: Content-Type and Content-Length have their CGI keys only', async (t) => {
  const env = await seen('POST', '/', { body: 'hello', headers: { 'content-type': 'text/plain' } });
  t.equal(env.CONTENT_TYPE, 'text/plain');
  t.equal(env.CONTENT_LENGTH, '5');
  t.notOk('HTTP_CONTENT_TYPE' in env);
  t.notOk('HTTP_CONTENT_LENGTH' in env);
  const chunked = await seen('POST', '/', { body: [Buffer.from('x')] });
  t.notOk('CONTENT_LENGTH' in chunked, 'a chunked request has no CONTENT_LENGTH');
  t.equal(chunked.HTTP_TRANSFER_ENCODING, 'chunked', 'and shows its framing header like any other');
  t.equal((await seen('POST', '/', { body: '' })).CONTENT_LENGTH, '0', 'an empty body framed by Content-Length');
  const repeated = await seen('POST', '/', { body: 'abc', headers: [['content-length', '3'], ['content-length', '003']] });
  t.equal(repeated.CONTENT_LENGTH, '3', 'identical repeats are one value (RFC 9110 §8.6)');
});

t.test('SRV-HTTP-1: a malformed or conflicting Content-Length is refused with 400', async (t) => {
  for (const headers of [{ 'content-length': 'abc' }, { 'content-length': ['3', '4'] }, { 'content-length': '-1' }]) {
    const client = createTestClient(() => ({ status: 200 }));
    const res = await client.post('/', { body: 'abc', headers });
    t.equal(res.status, 400, JSON.stringify(headers));
    t.match(client.errorLog[0], /SRV-HTTP-1/);
  }
});

t.test('ENV-SERVER-1, ENV-SERVER-2: name and port come from the Host the client addressed', async (t) => {
  t.match(await seen('GET', '/', undefined, { host: 'example.com:8080' }), { SERVER_NAME: 'example.com', SERVER_PORT: '8080', HTTP_HOST: 'example.com:8080' });
  t.match(await seen('GET', '/', undefined, { scheme: 'https' }), { SERVER_PORT: '443', 'tsgi.url_scheme': 'https' });
  t.match(await seen('GET', '/', { headers: { host: '[::1]:9000' } }), { SERVER_NAME: '[::1]', SERVER_PORT: '9000' });
  t.match(await seen('GET', '/', { headers: { host: 'h.test:' } }), { SERVER_NAME: 'h.test', SERVER_PORT: '80' }, 'an empty port is the default');
  const absolute = await seen('GET', 'https://api.example:8443/v1?x=1');
  t.match(absolute, {
    SERVER_NAME: 'api.example', SERVER_PORT: '8443', PATH_INFO: '/v1', QUERY_STRING: 'x=1',
    REQUEST_URI: 'https://api.example:8443/v1?x=1', HTTP_HOST: 'api.example:8443', 'tsgi.url_scheme': 'https',
  }, 'absolute-form: its authority and scheme');
  t.equal((await seen('GET', 'http://h?q=1')).PATH_INFO, '/', 'an absolute-form target with an empty path');
  const old = await seen('GET', '/', { headers: { host: [] } }, { protocol: 'HTTP/1.0', host: 'fallback.test:81' });
  t.match(old, { SERVER_NAME: 'fallback.test', SERVER_PORT: '81', SERVER_PROTOCOL: 'HTTP/1.0' }, 'HTTP/1.0 without Host: the configured name');
  t.notOk('HTTP_HOST' in old);
});

t.test('ENV-SERVER-1: an invalid Host is refused with 400', async (t) => {
  for (const host of ['a b', 'h:99999', 'user@h', 'h:x']) {
    const res = await createTestClient(() => ({ status: 200 })).get('/', { headers: { host } });
    t.equal(res.status, 400, host);
  }
});

t.test('SRV-HTTP-2: an HTTP/1.1 request needs exactly one Host', async (t) => {
  const client = createTestClient(() => ({ status: 200 }));
  t.equal((await client.get('/', { headers: { host: [] } })).status, 400);
  t.equal((await client.get('/', { headers: [['host', 'a'], ['host', 'a']] })).status, 400);
  t.match(client.errorLog.join('\n'), /SRV-HTTP-2/);
});

t.test('ENV-REMOTE-1, ENV-REMOTE-3: the peer address and port as configured', async (t) => {
  t.match(await seen('GET', '/', undefined, { remoteAddr: '::1', remotePort: 51234 }), { REMOTE_ADDR: '::1', REMOTE_PORT: '51234' });
  t.equal((await seen('GET', '/', undefined, { remoteAddr: '' })).REMOTE_ADDR, '', 'a unix-socket peer');
  t.equal((await seen('GET', '/', undefined, { remoteAddr: '::ffff:192.0.2.7' })).REMOTE_ADDR, '192.0.2.7', 'ENV-REMOTE-4: IPv4-mapped in IPv4 form');
});

t.test('ENV-TSGI-5, ENV-TSGI-8: multiprocess and extensions are passed through', async (t) => {
  const ext = { 'myserver.push': true };
  const env = await seen('GET', '/', undefined, { multiprocess: true, extensions: ext });
  t.equal(env['tsgi.multiprocess'], true);
  t.same(env['tsgi.extensions'], ext);
  t.not(env['tsgi.extensions'], ext, 'a frozen copy, not the caller\'s object');
});

t.test('ENV-TSGI-4: tsgi.errors writes whole lines to the error log', async (t) => {
  const lines: string[] = [];
  const client = createTestClient((env) => {
    env['tsgi.errors'].write('one\ntw');
    env['tsgi.errors'].write('o\nthree');
    return { status: 200 };
  }, { errors: (line) => lines.push(line) });
  await (await client.get('/')).text();
  t.same(client.errorLog, ['one', 'two', 'three'], 'the partial line is flushed when the exchange ends');
  t.same(lines, client.errorLog, 'options.errors sees the same entries');
});

t.test('requests are independent: each gets its own environ, input and signal', async (t) => {
  const environs: Environ[] = [];
  const client = createTestClient(async (env) => {
    environs.push(env);
    await new Promise((resolve) => setTimeout(resolve, 5));
    return { status: 200, body: env.PATH_INFO };
  });
  const [a, b] = await Promise.all([client.get('/a'), client.get('/b')]);
  t.same([await a.text(), await b.text()], ['/a', '/b'], 'SRV-CONC-1: concurrent calls');
  t.not(environs[0], environs[1]);
  t.not(environs[0]!['tsgi.input'], environs[1]!['tsgi.input']);
  t.not(environs[0]!['tsgi.signal'], environs[1]!['tsgi.signal']);
  t.equal(environs[0]!['tsgi.state'], environs[1]!['tsgi.state'], 'ENV-TSGI-7: one state per instance');
  await client.close();
});

t.test('environFor builds the same environ without an application', async (t) => {
  const env = environFor('POST', '/app/items?x=1', { json: { a: 1 } }, { scriptName: '/app', state: { db: 'pool' } });
  t.match(env, { REQUEST_METHOD: 'POST', SCRIPT_NAME: '/app', PATH_INFO: '/items', QUERY_STRING: 'x=1', CONTENT_TYPE: 'application/json', CONTENT_LENGTH: '7' });
  t.same(env['tsgi.state'], { db: 'pool' });
  const chunks: Buffer[] = [];
  for await (const chunk of env['tsgi.input']) chunks.push(Buffer.from(chunk));
  t.equal(Buffer.concat(chunks).toString(), '{"a":1}');

  const controller = new AbortController();
  const aborting = environFor('GET', '/', { signal: controller.signal });
  controller.abort();
  t.equal((aborting['tsgi.signal'].reason as { code: string }).code, 'TSGI_ERR_CLIENT_GONE');

  t.throws(() => environFor('GET', '/%E9'), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /400.*ENV-PATH-4/ });
  t.throws(() => environFor('GET', '/x', undefined, { scriptName: '/app' }), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /404.*MOUNT-PATH-3/ });
});
