import t from 'tap';
import { isSpecViolation } from '../errors.js';
import type { ApplicationObject, Environ, ResponseBody, TsgiResponse } from '../types.js';
import type { BodySource } from './body.js';
import { callApplication, describeError, isBodyless, serverResponse } from './respond.js';

const environ = (method = 'GET') => ({ REQUEST_METHOD: method, REQUEST_URI: '/x?y' }) as Environ;
const app = (handle: ApplicationObject['handle']): ApplicationObject => ({ handle });

async function text(body: BodySource): Promise<string> {
  let out = '';
  for (let c = await body.next(); c !== null; c = await body.next()) out += Buffer.from(c).toString();
  return out;
}

function logger() {
  const lines: Array<{ message: string; error: unknown }> = [];
  return { lines, log: (message: string, error?: unknown) => lines.push({ message, error }) };
}

/** A started generator whose finally the test can observe. */
async function observedBody() {
  const state = { finalised: false };
  const body = (async function* () { try { yield 'a'; yield 'b'; } finally { state.finalised = true; } })();
  await body.next();
  return { body, state };
}

t.test('a valid response passes through, headers in order', async (t) => {
  const { lines, log } = logger();
  const headers = [['content-type', 'text/plain'], ['set-cookie', 'a'], ['set-cookie', 'b']] as const;
  const prepared = await callApplication(app(() => ({ status: 201, headers, body: 'hi' })), environ(), log);
  t.match(prepared, { status: 201, contentLength: 2, hasContentLength: false, isServerError: false });
  t.equal(prepared.headers, headers, 'RESP-HDR-7: the very list');
  t.equal(await text(prepared.body), 'hi');
  t.same(lines, []);
  const absent = await callApplication(app(() => ({ status: 200 })), environ(), log);
  t.same(absent.headers, [], 'no headers is an empty list');
  t.equal(absent.contentLength, 0);
});

t.test('ERR-APP-1: a throwing application becomes a plain 500; the log has the details', async (t) => {
  const { lines, log } = logger();
  const boom = new Error('secret detail');
  const prepared = await callApplication(app(() => { throw boom; }), environ(), log);
  t.match(prepared, { status: 500, isServerError: true, headers: [['content-type', 'text/plain; charset=utf-8']] });
  const body = await text(prepared.body);
  t.equal(body, 'Internal Server Error\n');
  t.notMatch(body, /secret/, 'SEC-ERR-1');
  t.equal(lines.length, 1);
  t.match(lines[0]!.message, /^GET \/x\?y: the application failed \(ERR-APP-1\): Error: secret detail\n\s+at /, 'ERR-APP-4: names the request; with the stack');
  t.equal(lines[0]!.error, boom, 'the error itself goes with the line');
});

t.test('ERR-APP-1: a rejected promise, and a custom label', async (t) => {
  const { lines, log } = logger();
  const prepared = await callApplication(app(async () => { throw new TypeError('late'); }), environ(), log, 'req-7 GET /x');
  t.equal(prepared.status, 500);
  t.match(lines[0]!.message, /^req-7 GET \/x: .*TypeError: late/);
});

t.test('RESP-HDR-8: an invalid status or header is a 500 and a line naming the id', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['status 99', { status: 99 }, 'RESP-STATUS-1'],
    ['status 200.5', { status: 200.5 }, 'RESP-STATUS-1'],
    ['a header name with a space', { status: 200, headers: [['a b', 'x']] }, 'RESP-HDR-2'],
    ['a header value with CR', { status: 200, headers: [['x', 'a\rb']] }, 'RESP-HDR-3'],
  ];
  for (const [name, response, id] of cases) {
    const { lines, log } = logger();
    const prepared = await callApplication(app(() => response as TsgiResponse), environ(), log);
    t.equal(prepared.status, 500, name);
    t.same(prepared.headers, [['content-type', 'text/plain; charset=utf-8']], `${name}: none of the application's headers`);
    t.match(lines[0]!.message, new RegExp(`invalid response, answered 500 \\(${id}, RESP-HDR-8\\)`), `${name}: names ${id}`);
    t.ok(isSpecViolation(lines[0]!.error), `${name}: the violation goes with the line`);
  }
  const { lines, log } = logger();
  t.equal((await callApplication(app(() => undefined as never), environ(), log)).status, 500, 'APP-SHAPE-2: no response at all');
  t.equal(lines.length, 1);
});

t.test('BODY-ITER-4: the body of a response replaced by a 500 is finalised', async (t) => {
  const { body, state } = await observedBody();
  const { log } = logger();
  const prepared = await callApplication(app(() => ({ status: 200, headers: [['x', 'a\nb']], body })), environ(), log);
  t.equal(prepared.status, 500);
  t.equal(state.finalised, true);
});

t.test('ERR-APP-1: a body that cannot be opened is a 500', async (t) => {
  const { lines, log } = logger();
  const prepared = await callApplication(app(() => ({ status: 200, body: { type: 'tsgi.file', path: '/no/such/tsgi/file' } })), environ(), log);
  t.equal(prepared.status, 500);
  t.match(lines[0]!.message, /could not be opened \(ERR-APP-1\).*ENOENT/s);
});

t.test('RESP-HDR-9: Content-Length the server cannot frame by is a 500 before the head', async (t) => {
  // `body: null` stands for a started generator, so that its finalisation can be seen.
  const cases: Array<[string, Array<[string, string]>, ResponseBody | null, RegExp]> = [
    ['not digits', [['content-length', 'ten']], null, /not decimal digits/],
    ['negative', [['content-length', '-1']], null, /not decimal digits/],
    ['two values', [['content-length', '1'], ['Content-Length', '2']], null, /more than one Content-Length|two different/],
    ['two equal values (at most one)', [['content-length', '1'], ['content-length', '1']], null, /more than one Content-Length/],
    ['a known body of another length', [['content-length', '5']], 'abc', /Content-Length is 5 but the body is 3 bytes/],
    ['a file of another length', [['content-length', '1']], { type: 'tsgi.file', path: import.meta.filename }, /but the body is \d+ bytes/],
  ];
  for (const [name, headers, given, message] of cases) {
    const { lines, log } = logger();
    const { body: generator, state } = await observedBody();
    const prepared = await callApplication(app(() => ({ status: 200, headers, body: given ?? generator })), environ(), log);
    t.equal(prepared.status, 500, name);
    t.match(lines[0]!.message, /RESP-HDR-9/, `${name}: the line names RESP-HDR-9`);
    t.match(lines[0]!.message, message, name);
    if (given === null) t.equal(state.finalised, true, `${name}: the body is finalised`);
  }
});

t.test('RESP-HDR-9: a valid Content-Length frames the response', async (t) => {
  const { lines, log } = logger();
  const same = await callApplication(app(() => ({ status: 200, headers: [['content-length', '3']], body: 'abc' })), environ(), log);
  t.match(same, { status: 200, contentLength: 3, hasContentLength: true });
  const streamed = await callApplication(app(() => ({ status: 200, headers: [['Content-Length', '4']], body: (function* () { yield 'ab'; yield 'cdef'; })() })), environ(), log);
  t.match(streamed, { contentLength: 4, hasContentLength: true });
  t.equal(Buffer.from((await streamed.body.next())!).toString(), 'ab');
  t.equal(Buffer.from((await streamed.body.next())!).toString(), 'cd', 'BODY-LEN-2: an iterable body is held to it');
  await t.rejects(streamed.body.next(), { name: 'SpecViolation', requirement: 'RESP-HDR-9' });
  const head = await callApplication(app(() => ({ status: 200, headers: [['content-length', '100']] })), environ('HEAD'), log);
  t.match(head, { status: 200, contentLength: 100 }, 'HEAD may announce the length GET would have (RFC 9110 §8.6)');
  const notModified = await callApplication(app(() => ({ status: 304, headers: [['content-length', '100']] })), environ(), log);
  t.match(notModified, { status: 304, contentLength: 100 }, 'so may 304');
  t.same(lines, []);
});

t.test('serverResponse: short, plain, nothing revealed', async (t) => {
  for (const status of [400, 404, 413, 417, 500, 501]) {
    const prepared = await serverResponse(status);
    t.match(prepared, { status, isServerError: true, hasContentLength: false });
    const body = await text(prepared.body);
    t.ok(body.length > 0 && body.length < 40 && body.endsWith('\n'), `${status}: ${JSON.stringify(body)}`);
    t.equal(prepared.contentLength, Buffer.byteLength(body));
  }
  t.equal(await text((await serverResponse(599)).body), 'Internal Server Error\n', 'an unregistered status: the phrase of its class');
  t.same((await serverResponse(405, [['allow', 'GET']])).headers, [['content-type', 'text/plain; charset=utf-8'], ['allow', 'GET']]);
});

t.test('describeError and isBodyless', async (t) => {
  t.match(describeError(new RangeError('r')), /^RangeError: r\n\s+at /);
  const noStack = new Error('n');
  noStack.stack = undefined;
  t.equal(describeError(noStack), 'Error: n');
  t.equal(describeError(42), 'non-Error thrown: number 42');
  t.ok(isBodyless('HEAD', 200), 'BODY-HEAD-1');
  t.ok(isBodyless('GET', 204), 'BODY-NOBODY-1');
  t.ok(isBodyless('POST', 304));
  t.notOk(isBodyless('head', 200), 'methods are case-sensitive');
  t.notOk(isBodyless('GET', 200));
  t.notOk(isBodyless('GET', 205));
});
