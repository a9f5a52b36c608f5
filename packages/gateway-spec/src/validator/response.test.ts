import t from 'tap';
import { isSpecViolation } from '../errors.js';
import { assertValidResponse, checkResponseWarnings, reviewResponse } from './response.js';
import { ids } from './test-fixtures/harness.js';

const errors = (response: unknown) => ids(reviewResponse(response).errors);
const text = [['content-type', 'text/plain']] as const;

t.test('valid responses of every body form pass, and nothing is read from iterables', async (t) => {
  let pulled = false;
  const lazy = (function* () {
    pulled = true;
    yield 'x';
  })();
  const bodies: unknown[] = [
    undefined,
    null,
    '',
    'hello',
    new Uint8Array([1, 2]),
    Buffer.from('buffer'),
    { type: 'tsgi.file', path: '/etc/hosts' },
    { type: 'tsgi.file', path: '/etc/hosts', offset: 0, length: 10 },
    [],
    ['a', new Uint8Array(1), ''],
    lazy,
    new Set(['a']),
    (async function* () { yield 'a'; })(),
    new ReadableStream(),
  ];
  for (const body of bodies) {
    const response = { status: 200, headers: text, body };
    t.doesNotThrow(() => assertValidResponse(response), String(body));
    t.same(checkResponseWarnings(response), []);
  }
  t.doesNotThrow(() => assertValidResponse({ status: 200 }), 'no headers, no body');
  t.doesNotThrow(() => assertValidResponse(Object.freeze({ status: 200, headers: text, body: 'x' })), 'frozen');
  t.doesNotThrow(() => assertValidResponse(Object.assign(Object.create(null), { status: 200 })), 'null prototype');
  t.doesNotThrow(() => assertValidResponse({ status: 200, 'myframework.route': '/x' }), 'a dotted extension key');
  t.doesNotThrow(() => assertValidResponse({ status: 200, body: new Proxy(['a'], {}) }), 'a Proxy body is accepted as an iterable, checked as it is read');
  t.notOk(pulled, 'the generator was not started');
});

t.test('RESP-SHAPE-1: a response is a plain object with a status and only dotted extra keys', async (t) => {
  for (const bad of [undefined, null, 200, 'OK', true, Symbol('r')]) {
    t.same(errors(bad), ['RESP-SHAPE-1'], String(bad));
  }
  t.same(errors({ headers: [] }), ['RESP-SHAPE-1'], 'no status');
  t.same(errors({ status: 200, statusText: 'OK' }), ['RESP-SHAPE-1'], 'an undotted extra key');
  t.same(errors({ status: 200, [Symbol('meta')]: 1 }), ['RESP-SHAPE-1'], 'a symbol key');
  t.same(errors(new Response('x')), ['RESP-SHAPE-1'], 'a Fetch Response');
  class Reply { status = 200; }
  t.same(errors(new Reply()), ['RESP-SHAPE-1'], 'a class instance');
  t.same(errors(new Proxy({ status: 200 }, {})), ['RESP-SHAPE-1'], 'a Proxy');
  const getter = { status: 200, get body(): string { throw new Error('boom'); } };
  t.same(errors(getter), ['RESP-SHAPE-1'], 'a getter that throws');
  const [v] = reviewResponse({ status: 200, statusText: 'OK' }).errors;
  t.match(v?.message, /"statusText"/);
});

t.test('RESP-STATUS-1: status is an integer from 200 to 599', async (t) => {
  for (const bad of [199, 100, 103, 600, 200.5, NaN, Infinity, '200', 200n, null]) {
    t.same(errors({ status: bad }), ['RESP-STATUS-1'], String(bad));
  }
  for (const ok of [200, 204, 304, 418, 599]) t.same(errors({ status: ok }), [], String(ok));
  t.throws(() => assertValidResponse({ status: '200' }), { requirement: 'RESP-STATUS-1', message: /not a string/ });
});

t.test('assertValidResponse throws the first error, a SpecViolation; never anything else', async (t) => {
  const weird: unknown[] = [
    new Proxy({}, { ownKeys: () => { throw new Error('x'); } }),
    Object.defineProperty({}, 'status', { get: () => { throw new Error('x'); }, enumerable: true }),
    { status: 200, headers: new Proxy([], { get: () => { throw new Error('x'); } }) },
    { status: 200, body: new Proxy({}, { get: () => { throw new Error('x'); } }) },
  ];
  const { proxy, revoke } = Proxy.revocable({ status: 200 }, {});
  revoke();
  weird.push(proxy, { status: 200, body: proxy }, { status: 200, headers: [proxy] });
  for (const response of weird) {
    try {
      assertValidResponse(response);
      t.fail('should throw');
    } catch (error) {
      t.ok(isSpecViolation(error), String(error));
    }
  }
});

t.test('checkResponseWarnings never throws, whatever the response', async (t) => {
  for (const response of [undefined, null, 5, { status: 'x' }, new Proxy({}, {})]) {
    t.doesNotThrow(() => checkResponseWarnings(response));
  }
});
