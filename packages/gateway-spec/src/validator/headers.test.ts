import t from 'tap';
import { assertValidResponse, checkResponseWarnings, reviewResponse } from './response.js';
import { ids } from './test-fixtures/harness.js';

const withHeaders = (headers: unknown, status = 200, body: unknown = 'ok') => ({ status, headers, body });
const errors = (response: unknown) => ids(reviewResponse(response).errors);
const warnings = (response: unknown) => ids(checkResponseWarnings(response));

t.test('valid headers pass, in order, repeated names kept', async (t) => {
  const response = withHeaders([
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['set-cookie', 'a=1'],
    ['set-cookie', 'b=2'],
    ['x-latin', 'caf\u00e9'],
    ['x-empty', ''],
    ['x-tab', 'a\tb'],
  ]);
  t.doesNotThrow(() => assertValidResponse(response));
  t.same(warnings(response), []);
  t.doesNotThrow(() => assertValidResponse(withHeaders(Object.freeze([Object.freeze(['content-type', 'text/plain'] as const)]))), 'frozen arrays');
});

t.test('RESP-HDR-1: headers is an array of [name, value] string pairs', async (t) => {
  t.same(errors(withHeaders({ 'content-type': 'text/plain' })), ['RESP-HDR-1'], 'an object, not an array');
  t.same(errors(withHeaders(new Headers({ a: 'b' }))), ['RESP-HDR-1'], 'a Fetch Headers');
  t.same(errors(withHeaders(null)), ['RESP-HDR-1']);
  t.same(errors(withHeaders([['content-type']])), ['RESP-HDR-1'], 'a pair of one');
  t.same(errors(withHeaders([['a', 'b', 'c']])), ['RESP-HDR-1'], 'a pair of three');
  t.same(errors(withHeaders([['content-length', 5]])), ['RESP-HDR-1'], 'a number value');
  t.same(errors(withHeaders(['content-type: text/plain'])), ['RESP-HDR-1'], 'a string line');
  t.same(errors(withHeaders([[Symbol('x'), 'v']])), ['RESP-HDR-1'], 'a symbol name');
  const throwing = [['a', 'b']];
  Object.defineProperty(throwing, 0, { get: () => { throw new Error('boom'); } });
  t.same(errors(withHeaders(throwing)), ['RESP-HDR-1'], 'a getter that throws');
  const { proxy, revoke } = Proxy.revocable([['a', 'b']], {});
  revoke();
  t.same(errors(withHeaders(proxy)), ['RESP-HDR-1'], 'a revoked Proxy');
});

t.test('RESP-HDR-2: header names are tokens (RFC 9110 §5.6.2)', async (t) => {
  for (const name of ['bad name', '', 'x:y', 'x\u00e9', 'a\r\nb', '(x)']) {
    t.same(errors(withHeaders([[name, 'v']])), ['RESP-HDR-2'], JSON.stringify(name));
  }
  t.doesNotThrow(() => assertValidResponse(withHeaders([["!#$%&'*+-.^_`|~09azAZ", 'v']])), 'every tchar');
});

t.test('RESP-HDR-3: rejects CR/LF in a value, naming the header and showing the value safely', async (t) => {
  t.throws(() => assertValidResponse(withHeaders([['x-a', 'a\r\nb']])), {
    requirement: 'RESP-HDR-3',
    message: 'RESP-HDR-3: header value for "x-a" contains CR/LF ("a\\r\\nb")',
  });
});

t.test('RESP-HDR-3: rejects NUL, other controls and code units above 0xFF', async (t) => {
  t.same(errors(withHeaders([['x-a', 'a\0b']])), ['RESP-HDR-3']);
  t.same(errors(withHeaders([['x-a', 'a\u0007b']])), ['RESP-HDR-3']);
  t.same(errors(withHeaders([['x-a', 'a\u007fb']])), ['RESP-HDR-3']);
  t.same(errors(withHeaders([['x-a', 'caf\u00e9 \u20ac']])), ['RESP-HDR-3']);
  t.same(errors(withHeaders([['x-a', '\ud83d\ude00']])), ['RESP-HDR-3'], 'an emoji');
  t.throws(() => assertValidResponse(withHeaders([['x-a', 'x'.repeat(10_000) + '\n']])), { message: /…/ }, 'a long value is shown cut short');
});

t.test('RESP-HDR-4: a value has no leading or trailing whitespace (a warning)', async (t) => {
  const response = withHeaders([['content-type', ' text/plain']]);
  t.doesNotThrow(() => assertValidResponse(response), 'a SHOULD never throws');
  t.same(warnings(response), ['RESP-HDR-4']);
  t.same(warnings(withHeaders([['content-type', 'text/plain\t']])), ['RESP-HDR-4']);
});

t.test('RESP-HDR-5: no hop-by-hop headers', async (t) => {
  for (const name of ['Connection', 'keep-alive', 'Proxy-Connection', 'Transfer-Encoding', 'TE', 'trailer', 'UPGRADE']) {
    t.same(errors(withHeaders([[name, 'x']])), ['RESP-HDR-5'], name);
  }
});

t.test('RESP-HDR-6: no Status header', async (t) => {
  t.same(errors(withHeaders([['Status', '200 OK']])), ['RESP-HDR-6']);
});

t.test('RESP-HDR-9: at most one Content-Length, digits, equal to the known body length', async (t) => {
  t.doesNotThrow(() => assertValidResponse(withHeaders([['content-type', 'text/plain'], ['content-length', '2']], 200, 'ok')));
  t.doesNotThrow(() => assertValidResponse(withHeaders([['content-type', 'text/plain'], ['content-length', '4']], 200, 'çé')), 'UTF-8 bytes, not characters');
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '2']], 200, 'ça')), ['RESP-HDR-9']);
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '2'], ['Content-Length', '2']], 200, 'ok')), ['RESP-HDR-9'], 'two, even equal');
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '+2']], 200, 'ok')), ['RESP-HDR-9']);
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '']], 200, 'ok')), ['RESP-HDR-9']);
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '3']], 200, new Uint8Array(2))), ['RESP-HDR-9']);
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '3']], 200, ['a', new Uint8Array(1)])), ['RESP-HDR-9']);
  t.same(errors(withHeaders([['content-length', '3']], 200, null)), ['RESP-HDR-9']);
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '9']], 200, { type: 'tsgi.file', path: '/f', length: 8 })), ['RESP-HDR-9']);
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '9']], 200, { type: 'tsgi.file', path: '/f' })), [], 'a file of unknown length');
  t.same(errors(withHeaders([['content-type', 'x/y'], ['content-length', '9']], 200, (function* () {})())), [], 'an iterable: checked as it is read');
  t.same(ids(reviewResponse(withHeaders([['content-length', '1234']], 200, null), { method: 'HEAD' }).errors), [], 'HEAD without a body may declare the GET length');
  t.same(ids(reviewResponse(withHeaders([['content-length', '1234']], 304, null)).errors), [], '304 may declare the length (RFC 9110 §8.6)');
});

t.test('RESP-HDR-10: a non-empty body has a Content-Type (a warning)', async (t) => {
  t.same(warnings({ status: 200, body: 'hello' }), ['RESP-HDR-10']);
  t.same(warnings({ status: 200, body: [new Uint8Array(1)] }), ['RESP-HDR-10']);
  t.same(warnings({ status: 200, body: { type: 'tsgi.file', path: '/f' } }), ['RESP-HDR-10']);
  t.same(warnings({ status: 200, body: '' }), []);
  t.same(warnings({ status: 204 }), []);
  t.doesNotThrow(() => assertValidResponse({ status: 200, body: 'hello' }));
});

t.test('RESP-HDR-11: a 204 response has no Content-Length', async (t) => {
  t.same(errors(withHeaders([['content-length', '0']], 204, null)), ['RESP-HDR-11']);
});

t.test('RESP-HDR-12: a 304 response has no Content-Length (a warning)', async (t) => {
  t.same(warnings(withHeaders([['content-length', '10']], 304, null)), ['RESP-HDR-12']);
});
