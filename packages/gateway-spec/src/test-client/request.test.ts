import t from 'tap';
import { createTestClient } from './client.js';
import { resolveClientOptions } from './options.js';
import { planRequest, type TestRequestInit } from './request.js';

const defaults = resolveClientOptions();
const plan = (method: unknown, target: unknown, init?: TestRequestInit, options = defaults) => planRequest(method, target, init, options);
const invalid = (message: RegExp) => ({ code: 'TSGI_ERR_INVALID_ARGUMENT', message });

t.test('ENV-METHOD-1: a method must be an HTTP token', async (t) => {
  for (const method of ['', 'GE T', 'GET\r\n', 'GÉT', 42, undefined]) {
    t.throws(() => plan(method, '/'), invalid(/is not an HTTP token/), String(method));
  }
  t.equal(plan('PROPFIND', '/').method, 'PROPFIND');
});

t.test('a target must be origin-form, "*", or absolute; it is never silently encoded', async (t) => {
  t.throws(() => plan('GET', 'foo'), invalid(/must start with "\/"/));
  t.throws(() => plan('GET', ''), invalid(/must start with "\/"/));
  t.throws(() => plan('GET', 'ftp://h/x'), invalid(/absolute http\(s\) URL/));
  t.throws(() => plan('GET', '/a b'), invalid(/the character " ".*encodeURI/));
  t.throws(() => plan('GET', '/café'), invalid(/"é".*percent-encode/));
  t.throws(() => plan('GET', '/x#frag'), invalid(/fragments are never sent/));
  t.throws(() => plan('GET', '/x\r\nHost: evil'), invalid(/"\\r"/));
  t.throws(() => plan('GET', 42), invalid(/not a string/));
  t.throws(() => plan('GET', '*', { query: { a: '1' } }), invalid(/takes no query/));
  t.equal(plan('GET', '/%zz').target, '/%zz', 'a malformed escape is the server\'s to refuse (400), not the client\'s');
  t.equal(plan('OPTIONS', '*').target, '*');
  t.equal(plan('CONNECT', 'example.com:443').target, 'example.com:443', 'authority-form, for CONNECT only');
  t.throws(() => plan('GET', 'example.com:443'), invalid(/must start with/));
});

t.test('headers: names are tokens; values have no CR, LF or other controls, nothing above U+00FF', async (t) => {
  t.throws(() => plan('GET', '/', { headers: { 'x-a': 'v\r\nx-injected: 1' } }), invalid(/header x-a contains CR or LF/));
  t.throws(() => plan('GET', '/', { headers: { 'x-a': 'v\n' } }), invalid(/CR or LF/));
  t.throws(() => plan('GET', '/', { headers: { 'x-a': 'a\0b' } }), invalid(/control character U\+0000/));
  t.throws(() => plan('GET', '/', { headers: { 'x-a': '✓' } }), invalid(/above U\+00FF.*latin1/));
  t.throws(() => plan('GET', '/', { headers: { 'bad name': 'v' } }), invalid(/header name the string "bad name" is not a token/));
  t.throws(() => plan('GET', '/', { headers: [['x-a', 1 as unknown as string]] }), invalid(/not a string/));
  t.throws(() => plan('GET', '/', { headers: [['x-a']] as unknown as Array<[string, string]> }), invalid(/\[name, value\] pair/));
  t.throws(() => plan('GET', '/', { headers: 'x' as never }), invalid(/headers must be/));
  t.same(plan('GET', '/', { headers: { 'x-tab': 'a\tb', 'x-latin': 'ÿ' } }).headers.slice(1), [['x-tab', 'a\tb'], ['x-latin', 'ÿ']]);
});

t.test('headers in every form keep their order, and Host comes first', async (t) => {
  const expected = [['host', 'localhost'], ['x-a', '1'], ['x-a', '2'], ['x-b', '3']];
  t.same(plan('GET', '/', { headers: [['x-a', '1'], ['x-a', '2'], ['x-b', '3']] }).headers, expected, 'pairs');
  t.same(plan('GET', '/', { headers: { 'x-a': ['1', '2'], 'x-b': '3' } }).headers, expected, 'a record with an array');
  t.same(plan('GET', '/', { headers: new Map([['x-a', '1'], ['x-b', '3']]) }).headers, [['host', 'localhost'], ['x-a', '1'], ['x-b', '3']], 'a Map');
  t.same(plan('GET', '/', { headers: new Headers({ 'X-B': '3' }) }).headers, [['host', 'localhost'], ['x-b', '3']], 'a Headers');
  t.same(plan('GET', '/', { headers: { Host: 'mine.test' } }).headers, [['Host', 'mine.test']], 'the test\'s Host wins');
  t.same(plan('GET', '/', { headers: { host: [] } }).headers, [], 'host: [] sends none');
  t.same(plan('GET', 'http://abs.test:81/x').headers, [['host', 'abs.test:81']], 'absolute-form: Host is its authority');
});

t.test('framing: Content-Length for a known length, chunked otherwise', async (t) => {
  const headersOf = (init: TestRequestInit, options = defaults) => plan('POST', '/', init, options).headers.slice(1);
  t.same(headersOf({ body: 'héllo' }), [['content-length', '6']], 'a string: its UTF-8 length');
  t.same(headersOf({ body: new Uint8Array(3) }), [['content-length', '3']]);
  t.same(headersOf({ body: [Buffer.from('a')] }), [['transfer-encoding', 'chunked']], 'an iterable: chunked');
  t.same(headersOf({ body: 'abc', chunked: true }), [['transfer-encoding', 'chunked']], 'chunked on request');
  t.same(headersOf({ body: [Buffer.from('a')], headers: { 'content-length': '1' } }), [['content-length', '1']], 'an iterable with a given length');
  t.same(headersOf({}), [], 'no body, no framing');
  t.same(headersOf({ body: [Buffer.from('a')] }, resolveClientOptions({ protocol: 'HTTP/2' })), [], 'HTTP/2 has no Transfer-Encoding');
  t.same(headersOf({ json: { a: 'é' } }), [['content-type', 'application/json'], ['content-length', '10']]);
  t.same(headersOf({ json: null }), [['content-type', 'application/json'], ['content-length', '4']], 'null is JSON too');
  t.same(headersOf({ json: [1], headers: { 'Content-Type': 'application/vnd.x+json' } }), [['Content-Type', 'application/vnd.x+json'], ['content-length', '3']]);
  t.same(headersOf({ form: { q: 'a b', n: '1' } }), [['content-type', 'application/x-www-form-urlencoded'], ['content-length', '9']]);
  t.same(headersOf({ expectContinue: true, body: 'x' }), [['content-length', '1'], ['expect', '100-continue']]);
  t.equal(plan('POST', '/', { headers: { expect: '100-Continue' } }).expectContinue, true, 'an Expect header the test wrote');
});

t.test('contradictory bodies and framing are refused', async (t) => {
  t.throws(() => plan('POST', '/', { body: 'a', json: 1 }), invalid(/one of body, json and form, not body and json/));
  t.throws(() => plan('POST', '/', { json: () => 1 }), invalid(/has no JSON form/));
  t.throws(() => plan('POST', '/', { body: 42 as never }), invalid(/body must be/));
  t.throws(() => plan('POST', '/', { body: 'a', headers: { 'transfer-encoding': 'chunked' } }), invalid(/chunked: true/));
  t.throws(() => plan('POST', '/', { body: 'a', chunked: true, headers: { 'content-length': '1' } }), invalid(/SRV-HTTP-1/));
  t.throws(() => plan('POST', '/', { body: [Buffer.from('a')] }, resolveClientOptions({ protocol: 'HTTP/1.0' })), invalid(/HTTP\/1\.0 has no chunked/));
  t.throws(() => plan('POST', '/', { body: [Buffer.from('a')], chunked: false }), invalid(/unknown length needs chunked framing or a content-length/));
  t.throws(() => plan('POST', '/', { signal: {} as AbortSignal }), invalid(/AbortSignal/));
  t.throws(() => plan('POST', '/', 'x' as never), invalid(/request options must be an object/));
});

t.test('the client rejects bad arguments with TSGI_ERR_INVALID_ARGUMENT before starting the app', async (t) => {
  let started = false;
  const client = createTestClient({ startup() { started = true; }, handle: () => ({ status: 200 }) });
  await t.rejects(client.request('BAD METHOD', '/'), invalid(/not an HTTP token/));
  await t.rejects(client.get('nope'), invalid(/must start with/));
  t.equal(started, false);
});
