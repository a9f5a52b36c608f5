import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { Environ, ResponseBody } from '../types.js';
import { createTestClient } from './client.js';
import { TruncatedResponseError } from './errors.js';

const text = (body: ResponseBody, headers: Array<[string, string]> = []) => () => ({ status: 200, headers, body });

/** An iterator that records what the server asks of it, and fails the test on a BODY-ITER-3 breach. */
function recordingBody(chunks: string[]) {
  const log: string[] = [];
  let done = false;
  let busy = false;
  const iterator: AsyncIterableIterator<string> = {
    [Symbol.asyncIterator]() { return this; },
    async next() {
      if (done) throw new Error('BODY-ITER-3 breach: next() after done or return()');
      if (busy) throw new Error('BODY-ITER-3 breach: two next() calls outstanding');
      busy = true;
      await sleep(1);
      busy = false;
      log.push('next');
      const value = chunks.shift();
      if (value === undefined) {
        done = true;
        return { value: undefined, done: true };
      }
      return { value, done: false };
    },
    async return() {
      log.push('return');
      done = true;
      return { value: undefined, done: true };
    },
  };
  return { iterator, log };
}

t.test('BODY-FORM-1: every body form arrives intact', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tsgi-client-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'data.txt');
  await writeFile(file, '0123456789abcdef');
  const bytes = new Uint8Array([0, 1, 2, 255]);
  const cases: Array<[string, ResponseBody, string | Uint8Array, number | null]> = [
    ['undefined', undefined, '', 0],
    ['null', null, '', 0],
    ['string with non-ASCII (BODY-FORM-2: UTF-8)', 'héllo ✓ 𝄞', 'héllo ✓ 𝄞', Buffer.byteLength('héllo ✓ 𝄞')],
    ['Uint8Array', bytes, bytes, 4],
    ['array of chunks', ['a', Buffer.from('b'), 'é'], 'abé', 4],
    ['sync generator', (function* () { yield 'x'; yield Buffer.from('y'); })(), 'xy', null],
    ['async generator', (async function* () { yield 'p'; await sleep(1); yield 'q'; })(), 'pq', null],
    ['Node Readable', Readable.from([Buffer.from('r1'), Buffer.from('r2')]), 'r1r2', null],
    ['web ReadableStream', new ReadableStream<Uint8Array>({
      start(c) { c.enqueue(new TextEncoder().encode('w1')); c.enqueue(new TextEncoder().encode('w2')); c.close(); },
    }) as unknown as AsyncIterable<Uint8Array>, 'w1w2', null],
    ['file body, whole', { type: 'tsgi.file', path: file }, '0123456789abcdef', 16],
    ['file body, offset and length (BODY-FORM-4)', { type: 'tsgi.file', path: file, offset: 10, length: 4 }, 'abcd', 4],
    ['file body, offset only', { type: 'tsgi.file', path: file, offset: 14 }, 'ef', 2],
  ];
  for (const [name, body, expected, length] of cases) {
    const client = createTestClient(text(body));
    const res = await client.get('/');
    t.equal(res.status, 200, `${name}: status`);
    t.equal(res.contentLength, length, `${name}: framing length (BODY-LEN-1)`);
    if (typeof expected === 'string') t.equal(await res.text(), expected, `${name}: text`);
    else t.same([...await res.bytes()], [...expected], `${name}: bytes`);
    t.equal(res.bodyState, 'complete', `${name}: iterated to its end`);
    await client.close();
  }
});

t.test('BODY-FORM-4: a file that cannot be opened is a 500, or its error with rethrow', async (t) => {
  const missing = { type: 'tsgi.file' as const, path: join(tmpdir(), 'tsgi-no-such-file-' + process.pid) };
  await t.rejects(createTestClient(text(missing)).get('/'), { code: 'ENOENT' });
  const client = createTestClient(text(missing), { rethrow: false });
  const res = await client.get('/');
  t.equal(res.status, 500);
  t.equal(res.fromServer, true);
  t.match(client.errorLog.join('\n'), /could not be opened \(ERR-APP-1\).*ENOENT/s);
});

t.test('BODY-ITER-1: chunks are pulled one by one, only as the client reads', async (t) => {
  let produced = 0;
  const client = createTestClient(() => ({
    status: 200,
    body: (async function* () {
      for (let i = 0; i < 3; i++) { produced++; yield `c${i}`; }
    })(),
  }));
  const res = await client.get('/stream');
  t.equal(produced, 0, 'nothing is pulled before the client reads');
  const it = res.body[Symbol.asyncIterator]();
  t.same(Buffer.from((await it.next()).value!).toString(), 'c0');
  t.equal(produced, 1, 'one read, one chunk');
  t.same(Buffer.from((await it.next()).value!).toString(), 'c1');
  t.equal(produced, 2);
  t.same(Buffer.from((await it.next()).value!).toString(), 'c2');
  t.same(await it.next(), { value: undefined, done: true });
  t.equal(res.bodyState, 'complete');
  t.same(await it.next(), { value: undefined, done: true }, 'reading past the end stays done');
});

t.test('BODY-FORM-6: empty chunks are flush hints and never reach the client', async (t) => {
  const client = createTestClient(text((function* () { yield ''; yield 'a'; yield new Uint8Array(0); yield 'b'; })()));
  const res = await client.get('/');
  const chunks: string[] = [];
  for await (const chunk of res.body) chunks.push(Buffer.from(chunk).toString());
  t.same(chunks, ['a', 'b']);
});

t.test('BODY-ITER-3: a test that reads twice at once still gets one pull at a time', async (t) => {
  const { iterator, log } = recordingBody(['a', 'b']);
  const client = createTestClient(text(iterator));
  const res = await client.get('/');
  const it = res.body[Symbol.asyncIterator]();
  const [one, two, three] = await Promise.all([it.next(), it.next(), it.next()]);
  t.same([one, two].map((r) => Buffer.from(r.value!).toString()), ['a', 'b'], 'in order');
  t.equal(three.done, true);
  t.same(log, ['next', 'next', 'next'], 'the recording body saw no overlapping call (it would have thrown)');
});

t.test('BODY-ITER-3: the server never calls next() after done, nor two at once', async (t) => {
  const { iterator, log } = recordingBody(['a', 'b']);
  const client = createTestClient(text(iterator));
  const res = await client.get('/');
  const [one, two] = await Promise.all([res.text(), res.text()]);
  t.equal(one, 'ab');
  t.equal(two, 'ab', 'text() twice shares one read');
  t.same(log, ['next', 'next', 'next'], 'three pulls, no return() after done');
});

t.test('CANCEL-SIG-1, BODY-ITER-2: cancel mid-stream aborts the signal and runs the finally', async (t) => {
  let environ: Environ | undefined;
  let finalised = false;
  const client = createTestClient((env) => {
    environ = env;
    return {
      status: 200,
      body: (async function* () {
        try {
          for (let i = 0; ; i++) yield `chunk ${i}\n`;
        } finally {
          finalised = true;
        }
      })(),
    };
  });
  const res = await client.get('/infinite');
  const it = res.body[Symbol.asyncIterator]();
  await it.next();
  t.equal(environ!['tsgi.signal'].aborted, false);
  await res.cancel();
  t.equal(finalised, true, 'the generator finally ran');
  t.equal(res.bodyState, 'finalised');
  t.equal(environ!['tsgi.signal'].aborted, true);
  t.equal((environ!['tsgi.signal'].reason as { code: string }).code, 'TSGI_ERR_CLIENT_GONE', 'CANCEL-SIG-2');
  await t.rejects(it.next(), { code: 'TSGI_ERR_CLIENT_GONE' }, 'reads after cancel reject');
});

t.test('BODY-ITER-2: leaving a for-await loop early finalises the body', async (t) => {
  let finalised = false;
  const client = createTestClient(() => ({
    status: 200,
    body: (async function* () {
      try { yield 'a'; yield 'b'; yield 'c'; } finally { finalised = true; }
    })(),
  }));
  const res = await client.get('/');
  for await (const chunk of res.body) {
    t.equal(Buffer.from(chunk).toString(), 'a');
    break;
  }
  t.equal(finalised, true);
  t.equal(res.bodyState, 'finalised');
  t.equal(res.signal.aborted, true);
});

t.test('BODY-ITER-4: a response cancelled before its first chunk is finalised, never pulled', async (t) => {
  const { iterator, log } = recordingBody(['a']);
  const client = createTestClient(text(iterator));
  const res = await client.get('/');
  await res.cancel();
  t.same(log, ['return']);
  t.equal(res.bodyState, 'finalised');
  await t.rejects(res.text(), { code: 'TSGI_ERR_CLIENT_GONE' });
});

t.test('CANCEL-SIG-3: the signal never aborts once the response is complete', async (t) => {
  const client = createTestClient(text('done'));
  const res = await client.get('/');
  t.equal(await res.text(), 'done');
  await res.cancel();
  await client.close();
  t.equal(res.signal.aborted, false);
  t.equal(res.bodyState, 'complete');
});

t.test('CANCEL-SIG-1: aborting init.signal mid-stream rejects the read and finalises the body', async (t) => {
  let finalised = false;
  let environ: Environ | undefined;
  const client = createTestClient((env) => {
    environ = env;
    return {
      status: 200,
      body: (async function* () {
        try {
          yield 'first';
          // Waits for the signal, as a well-behaved stream does.
          await new Promise((resolve) => env['tsgi.signal'].addEventListener('abort', resolve, { once: true }));
          yield 'never';
        } finally {
          finalised = true;
        }
      })(),
    };
  });
  const controller = new AbortController();
  const res = await client.get('/', { signal: controller.signal });
  const it = res.body[Symbol.asyncIterator]();
  await it.next();
  const pending = it.next();
  controller.abort();
  await t.rejects(pending, { name: 'AbortError' }, 'the read in flight rejects with the signal\'s reason, as fetch does');
  await client.close();
  t.equal(finalised, true);
  t.equal((environ!['tsgi.signal'].reason as { code: string }).code, 'TSGI_ERR_CLIENT_GONE');
});

t.test('CANCEL-SIG-1: aborting before the head rejects the request; the late body is finalised', async (t) => {
  const seen: string[] = [];
  const { iterator, log } = recordingBody(['x']);
  const client = createTestClient(async (env) => {
    await new Promise((resolve) => env['tsgi.signal'].addEventListener('abort', resolve, { once: true }));
    seen.push((env['tsgi.signal'].reason as { code: string }).code);
    return { status: 200, body: iterator };
  });
  const controller = new AbortController();
  const request = client.get('/slow', { signal: controller.signal });
  await sleep(5);
  controller.abort(new Error('gave up'));
  await t.rejects(request, { message: 'gave up' });
  await client.close();
  t.same(seen, ['TSGI_ERR_CLIENT_GONE']);
  t.same(log, ['return'], 'the body of the abandoned response was finalised, never read');
});

t.test('an already aborted signal never reaches the application', async (t) => {
  let called = false;
  const client = createTestClient(() => { called = true; return { status: 200 }; });
  await t.rejects(client.get('/', { signal: AbortSignal.abort() }), { name: 'AbortError' });
  t.equal(called, false);
});

t.test('BODY-HEAD-1: HEAD keeps the head and finalises the body without iterating it', async (t) => {
  const { iterator, log } = recordingBody(['a', 'b']);
  const client = createTestClient(() => ({ status: 200, headers: [['content-length', '2'], ['content-type', 'text/plain']], body: iterator }));
  const res = await client.head('/');
  t.equal(res.status, 200);
  t.equal(res.header('content-length'), '2');
  t.equal(res.contentLength, 2);
  t.equal(await res.text(), '');
  t.same(log, ['return'], 'return() once, next() never');
  t.equal(res.bodyState, 'finalised');
});

t.test('BODY-NOBODY-1: 204 and 304 send no body and finalise what was given', async (t) => {
  for (const status of [204, 304]) {
    const { iterator, log } = recordingBody([]);
    const client = createTestClient(() => ({ status, body: iterator }), { validate: false });
    const res = await client.get('/');
    t.equal(res.status, status);
    t.equal(await res.text(), '', `${status}: no body`);
    t.equal(res.contentLength, null, `${status}: no framing length`);
    t.same(log, ['return'], `${status}: finalised, not iterated`);
  }
});

t.test('RESP-HDR-7: headers are kept in order, repeats separate', async (t) => {
  const client = createTestClient(text('x', [['Set-Cookie', 'a=1'], ['x-multi', 'one'], ['set-cookie', 'b=2'], ['X-Multi', 'two']]));
  const res = await client.get('/');
  t.same(res.headers, [['Set-Cookie', 'a=1'], ['x-multi', 'one'], ['set-cookie', 'b=2'], ['X-Multi', 'two']]);
  t.same(res.headerAll('SET-COOKIE'), ['a=1', 'b=2']);
  t.equal(res.header('x-multi'), 'one, two');
  t.equal(res.header('absent'), null);
  t.same(res.headerAll('absent'), []);
  t.equal(res.ok, true);
});

t.test('json() parses, and names the content type when the body is not JSON', async (t) => {
  const client = createTestClient((env) => env.PATH_INFO === '/json'
    ? { status: 200, headers: [['content-type', 'application/json']], body: '{"a":[1,2]}' }
    : { status: 200, headers: [['content-type', 'text/html']], body: '<p>nope</p>' });
  t.same(await (await client.get('/json')).json(), { a: [1, 2] });
  await t.rejects((await client.get('/html')).json(), { name: 'SyntaxError', message: /text\/html.*<p>nope/ });
});

t.test('the body is read once: iterating after text(), or twice, is a clear error', async (t) => {
  const client = createTestClient(text(['a', 'b']));
  const res = await client.get('/');
  await res.text();
  t.throws(() => res.body[Symbol.asyncIterator](), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /already being read/ });
  const res2 = await client.get('/');
  res2.body[Symbol.asyncIterator]();
  t.throws(() => res2.body[Symbol.asyncIterator](), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
  await t.rejects(res2.text(), { code: 'TSGI_ERR_INVALID_ARGUMENT' });
});

t.test('BODY-LEN-2: a body shorter than its Content-Length fails the read', async (t) => {
  const app = text((function* () { yield 'abc'; })(), [['content-length', '5']]);
  const strict = createTestClient(app);
  await t.rejects((await strict.get('/')).text(), { name: 'SpecViolation', requirement: 'RESP-HDR-9' }, 'rethrow: the SpecViolation itself');

  const client = createTestClient(text((function* () { yield 'abc'; })(), [['content-length', '5']]), { rethrow: false });
  const res = await client.get('/');
  t.equal(res.contentLength, 5);
  const error = await res.text().then(() => null, (e: unknown) => e);
  t.ok(error instanceof TruncatedResponseError, 'server view: a truncated response');
  t.equal(Buffer.from((error as TruncatedResponseError).received).toString(), 'abc');
  t.equal((error as TruncatedResponseError).contentLength, 5);
  t.match(client.errorLog.join('\n'), /ERR-APP-2.*RESP-HDR-9/s, 'the log line names RESP-HDR-9');
  t.equal(res.bodyState, 'failed');
});

t.test('BODY-LEN-2: a body longer than its Content-Length is cut at the declared length', async (t) => {
  let finalised = false;
  const client = createTestClient(() => ({
    status: 200,
    headers: [['content-length', '4']],
    body: (async function* () { try { yield 'ab'; yield 'cdef'; yield 'never'; } finally { finalised = true; } })(),
  }), { rethrow: false, validate: false }); // the server's enforcement; validate() would already throw at 'cdef'
  const res = await client.get('/');
  const chunks: string[] = [];
  await t.rejects((async () => { for await (const c of res.body) chunks.push(Buffer.from(c).toString()); })(), TruncatedResponseError);
  t.same(chunks, ['ab', 'cd'], 'exactly the declared bytes, then the cut');
  t.equal(finalised, true, 'the overrunning body is finalised');
});

t.test('RESP-HDR-9: a known-length body that disagrees with Content-Length is a 500 before the head', async (t) => {
  const client = createTestClient(text('abc', [['content-length', '2']]), { rethrow: false, validate: false });
  const res = await client.get('/');
  t.equal(res.status, 500);
  t.match(client.errorLog[0], /RESP-HDR-9/);
  const head = await createTestClient(text('', [['content-length', '10']]), { validate: false }).head('/');
  t.equal(head.status, 200, 'HEAD may announce the length GET would have');
  t.equal(head.contentLength, 10);
});

t.test('ERR-APP-2: a body that throws after the head', async (t) => {
  const boom = new Error('body broke');
  const app = () => ({ status: 200, body: (async function* () { yield 'partial'; throw boom; })() });
  const rethrowing = createTestClient(app);
  const res = await rethrowing.get('/');
  t.equal(res.status, 200, 'the head was already sent');
  await t.rejects(res.text(), boom, 'rethrow: the very error');
  t.match(rethrowing.errorLog.join('\n'), /GET \/: the response body failed.*ERR-APP-2.*body broke/s);

  const client = createTestClient(app, { rethrow: false });
  const error = await (await client.get('/')).text().catch((e: unknown) => e);
  t.ok(error instanceof TruncatedResponseError);
  t.equal((error as TruncatedResponseError).cause, boom);
  t.equal(Buffer.from((error as TruncatedResponseError).received).toString(), 'partial');
  t.equal((error as TruncatedResponseError).contentLength, null);
});

t.test('BODY-ITER-2: an error thrown by the body\'s return() is logged, not thrown', async (t) => {
  const client = createTestClient(() => ({
    status: 200,
    body: {
      [Symbol.asyncIterator]() {
        return { next: async () => ({ value: 'x', done: false }), return: async () => { throw new Error('cleanup failed'); } };
      },
    },
  }));
  const res = await client.get('/');
  await res.cancel();
  t.equal(res.bodyState, 'finalised');
  t.match(client.errorLog.join('\n'), /return\(\) threw \(BODY-ITER-2\).*cleanup failed/s);
});

t.test('close() abandons unread responses with TSGI_ERR_SHUTDOWN', async (t) => {
  let finalised = false;
  const client = createTestClient(() => ({
    status: 200,
    body: (async function* () { try { yield 'a'; yield 'b'; } finally { finalised = true; } })(),
  }));
  const res = await client.get('/');
  const it = res.body[Symbol.asyncIterator]();
  await it.next();
  await client.close();
  t.equal(finalised, true);
  t.equal((res.signal.reason as { code: string }).code, 'TSGI_ERR_SHUTDOWN', 'CANCEL-SIG-2');
  await t.rejects(it.next(), { code: 'TSGI_ERR_SHUTDOWN' });
});
