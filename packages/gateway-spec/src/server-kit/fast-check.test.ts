import t from 'tap';
import { assertValidResponse } from '../validator/index.js';
import { isPlainlyValidResponse } from './fast-check.js';

const TEXT = ['content-type', 'text/plain'];

/** Responses the quick check must vouch for: the shapes nearly every request has. */
const everyday: unknown[] = [
  { status: 200, headers: [TEXT], body: 'Hello, World!' },
  { status: 200 },
  { status: 404, headers: [], body: null },
  { status: 200, headers: [TEXT, ['set-cookie', 'a=1'], ['set-cookie', 'b=2']], body: new Uint8Array(3) },
  { status: 200, headers: [TEXT, ['content-length', '5']], body: 'héll' },
  { status: 599, headers: [['x-obs-text', 'caf\xe9']], body: Buffer.from('x'), 'myserver.key': 1 },
];

/** Responses it must not vouch for: invalid ones, and valid ones it leaves to the validator. */
const other: unknown[] = [
  null,
  'text',
  [],
  new (class Response { status = 200 })(),
  Object.assign(Object.create(null), { status: 200 }),
  new Proxy({ status: 200 }, {}),
  { status: 200, extra: 1 },
  { status: 200, [Symbol('s')]: 1 },
  { status: '200' },
  { status: 200.5 },
  { status: 199 },
  { status: 600 },
  { status: 204 },
  { status: 304, body: '' },
  { status: 200, headers: {} },
  { status: 200, headers: [['a']] },
  { status: 200, headers: [['a', 'b', 'c']] },
  { status: 200, headers: [['a', 1]] },
  { status: 200, headers: [['bad name', 'x']] },
  { status: 200, headers: [['x', 'a\r\nb: c']] },
  { status: 200, headers: [['x', 'a\0']] },
  { status: 200, headers: [['x', '\u0100']] },
  { status: 200, headers: [['Connection', 'close']] },
  { status: 200, headers: [['transfer-encoding', 'chunked']] },
  { status: 200, headers: [['Status', '200']] },
  { status: 200, headers: [['content-length', '1'], ['content-length', '1']], body: 'x' },
  { status: 200, headers: [['content-length', '2']], body: 'x' },
  { status: 200, headers: [['content-length', 'x']], body: 'x' },
  { status: 200, headers: [new Proxy(['a', 'b'], {})] },
  { status: 200, body: ['chunk'] },
  { status: 200, body: 42 },
  { status: 200, body: { type: 'tsgi.file', path: '/etc/hostname' } },
  { status: 200, body: (function* () { yield 'x'; })() },
];

t.test('the quick check vouches for everyday responses, and they are valid', async (t) => {
  for (const response of everyday) {
    t.ok(isPlainlyValidResponse(response, 'GET'), JSON.stringify(response));
    t.doesNotThrow(() => assertValidResponse(response, { method: 'GET' }));
  }
});

t.test('RESP-HDR-8: whatever the quick check vouches for, the validator accepts', async (t) => {
  for (const response of [...everyday, ...other]) {
    for (const method of ['GET', 'HEAD', 'POST']) {
      if (!isPlainlyValidResponse(response, method)) continue;
      t.doesNotThrow(() => assertValidResponse(response, { method }), String(response));
    }
  }
  for (const response of other) t.notOk(isPlainlyValidResponse(response, 'GET'), 'left to the validator');
});

t.test('a HEAD response with a Content-Length is left to the validator', async (t) => {
  t.notOk(isPlainlyValidResponse({ status: 200, headers: [['content-length', '5']] }, 'HEAD'));
});
