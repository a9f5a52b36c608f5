import t from 'tap';
import { reviewResponse } from './response.js';
import { ids } from './test-fixtures/harness.js';

const text = [['content-type', 'text/plain']] as const;
const errors = (body: unknown, status = 200) => ids(reviewResponse({ status, headers: text, body }).errors);

t.test('BODY-FORM-1: the body is absent, null, a string, bytes, a file body or an iterable', async (t) => {
  const bad: Array<[unknown, RegExp]> = [
    [42, /convert it to a string/],
    [true, /convert it to a string/],
    [new ArrayBuffer(4), /Uint8Array/],
    [new DataView(new ArrayBuffer(1)), /Uint8Array/],
    [Promise.resolve('x'), /await it/],
    [new Response('x'), /response\.body/],
    [{ text: 'x' }, /must be absent/],
    [new Blob(['x']), /must be absent/],
    [() => 'x', /must be absent/],
    [new Proxy(new Uint8Array(1), {}), /must be absent/],
  ];
  for (const [body, hint] of bad) {
    const found = reviewResponse({ status: 200, headers: text, body }).errors;
    t.same(ids(found), ['BODY-FORM-1'], String(hint));
    t.match(found[0]?.message, hint);
  }
});

t.test('BODY-FORM-3: an array body holds only strings and Uint8Arrays (checked at once)', async (t) => {
  t.same(errors(new Uint16Array(2)), ['BODY-FORM-3'], 'a typed array other than Uint8Array yields numbers');
  t.same(errors(['a', 1]), ['BODY-FORM-3']);
  t.same(errors([null]), ['BODY-FORM-3']);
  t.same(errors([new ArrayBuffer(1)]), ['BODY-FORM-3']);
  t.same(errors([['nested']]), ['BODY-FORM-3']);
  // eslint-disable-next-line no-sparse-arrays
  t.same(errors(['a', , 'b']), ['BODY-FORM-3'], 'a hole');
  const throwing = ['a'];
  Object.defineProperty(throwing, 0, { get: () => { throw new Error('boom'); } });
  t.same(errors(throwing), ['BODY-FORM-3'], 'a getter that throws');
});

t.test('BODY-FORM-5: a file body has an absolute path and non-negative safe integers', async (t) => {
  t.same(errors({ type: 'tsgi.file', path: 'relative/file' }), ['BODY-FORM-5']);
  t.same(errors({ type: 'tsgi.file', path: '' }), ['BODY-FORM-5']);
  t.same(errors({ type: 'tsgi.file' }), ['BODY-FORM-5'], 'no path');
  t.same(errors({ type: 'tsgi.file', path: '/a\0b' }), ['BODY-FORM-5']);
  t.same(errors({ type: 'tsgi.file', path: '/f', offset: -1 }), ['BODY-FORM-5']);
  t.same(errors({ type: 'tsgi.file', path: '/f', offset: 1.5 }), ['BODY-FORM-5']);
  t.same(errors({ type: 'tsgi.file', path: '/f', length: 2 ** 53 }), ['BODY-FORM-5']);
  t.same(errors({ type: 'tsgi.file', path: '/f', length: '10' }), ['BODY-FORM-5']);
  t.same(errors({ type: 'tsgi.file', path: '/f', offset: undefined, length: 0 }), []);
});

t.test('BODY-NOBODY-2: a 204 or 304 response has an empty body', async (t) => {
  for (const status of [204, 304]) {
    for (const empty of [undefined, null, '', new Uint8Array(0), [], ['', new Uint8Array(0)], { type: 'tsgi.file', path: '/f', length: 0 }]) {
      t.same(errors(empty, status), [], `${status} ${String(empty)}`);
    }
    t.same(errors('x', status), ['BODY-NOBODY-2']);
    t.same(errors(new Uint8Array(1), status), ['BODY-NOBODY-2']);
    t.same(errors(['', 'x'], status), ['BODY-NOBODY-2']);
    t.same(errors({ type: 'tsgi.file', path: '/f' }, status), ['BODY-NOBODY-2']);
    t.same(errors((function* () {})(), status), [], 'an iterable is checked as it is read');
  }
});
