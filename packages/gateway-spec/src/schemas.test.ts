import t from 'tap';
import { environSchema, environShape, fileBodySchema, headerListSchema, responseBodySchema, responseSchema } from './schemas.js';
import { makeEnviron, makeInput } from './validator/test-fixtures/harness.js';

// The type-level half of this test is `schemas.test-d.ts`, compiled by `tsc -b`.

const text = [['content-type', 'text/plain']] as const;

t.test('responseSchema accepts a response of every body form', async (t) => {
  const bodies = [undefined, null, '', 'x', new Uint8Array(1), Buffer.from('x'), { type: 'tsgi.file', path: '/f', offset: 0, length: 3 }, ['a'], new Set(['a']), (async function* () {})()];
  for (const body of bodies) t.ok(responseSchema.safeParse({ status: 200, headers: text, body }).success, String(body));
  t.ok(responseSchema.safeParse({ status: 204 }).success);
  t.ok(responseSchema.safeParse({ status: 200, 'x.y': 1 }).success, 'a dotted extension key');
});

t.test('RESP-SHAPE-1: responseSchema refuses undotted extra keys and non-objects', async (t) => {
  const result = responseSchema.safeParse({ status: 200, statusText: 'OK' });
  t.notOk(result.success);
  t.same(result.error?.issues[0]?.path, ['statusText']);
  t.notOk(responseSchema.safeParse(undefined).success);
  t.notOk(responseSchema.safeParse({ headers: [] }).success, 'no status');
});

t.test('RESP-STATUS-1: responseSchema refuses a status outside 200 to 599 or not an integer', async (t) => {
  for (const status of [100, 199, 600, 200.5, '200']) t.notOk(responseSchema.safeParse({ status }).success, String(status));
});

t.test('RESP-HDR-1: headerListSchema wants an array of [name, value] string pairs', async (t) => {
  t.ok(headerListSchema.safeParse([['a', 'b'], ['a', 'c']]).success);
  for (const bad of [{ a: 'b' }, [['a']], [['a', 1]], [['a', 'b', 'c']]]) t.notOk(headerListSchema.safeParse(bad).success, JSON.stringify(bad));
});

t.test('BODY-FORM-1: responseBodySchema refuses what is not a body', async (t) => {
  for (const bad of [42, new ArrayBuffer(1), { text: 'x' }, Promise.resolve('x')]) t.notOk(responseBodySchema.safeParse(bad).success, String(bad));
});

t.test('BODY-FORM-5: fileBodySchema wants an absolute path and non-negative safe integers', async (t) => {
  t.ok(fileBodySchema.safeParse({ type: 'tsgi.file', path: '/f' }).success);
  for (const bad of [{ path: '/f' }, { type: 'tsgi.file', path: 'f' }, { type: 'tsgi.file', path: '/f', offset: -1 }, { type: 'tsgi.file', path: '/f', length: 2 ** 53 }]) {
    t.notOk(fileBodySchema.safeParse(bad).success, JSON.stringify(bad));
  }
});

t.test('environSchema accepts a spec-exact environ with headers and namespaced keys', async (t) => {
  t.ok(environSchema.safeParse(makeEnviron({ HTTP_ACCEPT: 'text/html', 'myserver.id': 7, CONTENT_LENGTH: '0', 'tsgi.input': makeInput() })).success);
});

t.test('ENV-OBJ-2: environSchema wants string CGI keys and string HTTP_* values', async (t) => {
  t.notOk(environSchema.safeParse(makeEnviron({ SERVER_PORT: 80 })).success);
  t.notOk(environSchema.safeParse(makeEnviron({ HTTP_ACCEPT: 1 })).success);
});

t.test('ENV-OBJ-3: environSchema wants every required key', async (t) => {
  const { REQUEST_URI: _, ...rest } = makeEnviron();
  t.notOk(environSchema.safeParse(rest).success);
});

t.test('ENV-TSGI-2: environShape types each tsgi.* key', async (t) => {
  t.notOk(environShape['tsgi.url_scheme'].safeParse('ftp').success);
  t.notOk(environShape['tsgi.signal'].safeParse({ aborted: false }).success);
  t.notOk(environShape['tsgi.input'].safeParse([]).success);
  t.notOk(environShape['tsgi.version'].safeParse([2, 0]).success);
  t.ok(environShape['tsgi.version'].safeParse(Object.freeze([1, 0])).success);
  t.equal(environShape['tsgi.url_scheme'].description, '"http" or "https"', 'descriptions name the expected type in messages');
});
