import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { Environ, RequestHandler } from '../types.js';
import { createTestClient } from './client.js';
import { REQUEST_CHUNK_BYTES, Upload } from './upload.js';

async function readAll(env: Environ): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of env['tsgi.input']) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Answers with what it read, or with the code of the read that failed. */
const echo: RequestHandler = async (env) => {
  try {
    return { status: 200, body: await readAll(env) };
  } catch (error) {
    return { status: 499, body: String((error as { code?: string }).code) };
  }
};

/** A body source that counts how far the client has pulled it. */
function countingSource(chunks: number, size: number) {
  const state = { pulled: 0, returned: false };
  const source = (async function* () {
    try {
      for (let i = 0; i < chunks; i++) {
        state.pulled++;
        yield Buffer.alloc(size, i % 256);
      }
    } finally {
      state.returned = true;
    }
  })();
  return { source, state };
}

t.test('INPUT-ITER-2: every body form arrives exactly', async (t) => {
  const client = createTestClient(echo);
  t.equal(await (await client.post('/', { body: 'héllo' })).text(), 'héllo', 'a string, as UTF-8');
  t.same([...await (await client.post('/', { body: new Uint8Array([0, 255, 10]) })).bytes()], [0, 255, 10], 'bytes');
  t.equal(await (await client.post('/', { body: ['a', Buffer.from('b')] })).text(), 'ab', 'a sync iterable, chunked');
  t.equal(await (await client.post('/', { body: (async function* () { yield 'x'; await sleep(1); yield 'y'; })() })).text(), 'xy', 'an async iterable, chunked');
  t.equal(await (await client.post('/', { body: Readable.from([Buffer.from('r1'), Buffer.from('r2')]) })).text(), 'r1r2', 'a Node Readable');
  const web = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode('w')); c.close(); } });
  t.equal(await (await client.post('/', { body: web as unknown as AsyncIterable<Uint8Array> })).text(), 'w', 'a web ReadableStream');
  t.equal(await (await client.post('/', { json: { k: [1] } })).text(), '{"k":[1]}');
  t.equal(await (await client.post('/', { form: { q: 'a b' } })).text(), 'q=a+b');
  t.equal(await (await client.post('/', { body: '' })).text(), '', 'an empty body');
  t.equal(await (await client.get('/')).text(), '', 'ENV-TSGI-3: no body is an input that yields nothing');
});

t.test('INPUT-ITER-1, INPUT-FLOW-1: a 1 MiB body arrives in bounded chunks, with backpressure', async (t) => {
  const { source, state } = countingSource(64, REQUEST_CHUNK_BYTES);
  let pulledAtFirstRead = -1;
  const sizes: number[] = [];
  const client = createTestClient(async (env) => {
    await sleep(10); // the app is slow to start reading: the client must stop at the high-water mark
    pulledAtFirstRead = state.pulled;
    let total = 0;
    for await (const chunk of env['tsgi.input']) {
      sizes.push(chunk.byteLength);
      total += chunk.byteLength;
    }
    return { status: 200, body: String(total) };
  });
  const res = await client.post('/', { body: source });
  t.equal(await res.text(), String(1024 * 1024));
  t.ok(pulledAtFirstRead > 0 && pulledAtFirstRead <= 6, `the source was pulled only up to the high-water mark (${pulledAtFirstRead} of 64 chunks)`);
  t.ok(sizes.every((n) => n > 0 && n <= REQUEST_CHUNK_BYTES), 'no empty chunk, none over 16 KiB');
});

t.test('a 1 MiB string body is delivered whole, in 16 KiB pieces', async (t) => {
  const big = 'x'.repeat(1024 * 1024);
  let pieces = 0;
  const client = createTestClient(async (env) => {
    let total = 0;
    for await (const chunk of env['tsgi.input']) { pieces++; total += chunk.byteLength; }
    return { status: 200, body: String(total) };
  });
  t.equal(await (await client.put('/', { body: big })).text(), String(big.length));
  t.equal(pieces, 64);
});

t.test('INPUT-DRAIN-1: a reader that stops early closes the source; nothing more is pulled', async (t) => {
  const { source, state } = countingSource(1000, 1024);
  const client = createTestClient(async (env) => {
    for await (const chunk of env['tsgi.input']) {
      return { status: 200, body: `first chunk: ${chunk.byteLength}` };
    }
    return { status: 500 };
  });
  const res = await client.post('/', { body: source });
  t.equal(await res.text(), 'first chunk: 1024');
  await sleep(5);
  t.equal(state.returned, true, 'the source\'s return() ran (the connection closed)');
  t.ok(state.pulled < 100, `the source was not drained (${state.pulled} of 1000 pulled)`);
});

t.test('INPUT-ITER-3: a second iteration throws TSGI_ERR_INPUT_CONSUMED', async (t) => {
  const client = createTestClient(async (env) => {
    await readAll(env);
    try {
      env['tsgi.input'][Symbol.asyncIterator]();
      return { status: 200, body: 'no error' };
    } catch (error) {
      return { status: 200, body: String((error as { code: string }).code) };
    }
  });
  t.equal(await (await client.post('/', { body: 'abc' })).text(), 'TSGI_ERR_INPUT_CONSUMED');
});

t.test('INPUT-CONT-1: 100 Continue goes out on the first read only, and the body waits for it', async (t) => {
  const { source, state } = countingSource(2, 10);
  const upload = new Upload(source, { declaredLength: 20, maxBytes: undefined, expectContinue: true });
  await sleep(5);
  t.same({ continueSent: upload.continueSent, pulled: state.pulled }, { continueSent: false, pulled: 0 }, 'nothing sent before the application reads');
  const it = upload.input[Symbol.asyncIterator]();
  const first = await it.next();
  t.equal(upload.continueSent, true, 'sent on the first read');
  t.equal(first.value?.byteLength, 10);
  t.equal((await it.next()).value?.byteLength, 10);
  t.equal((await it.next()).done, true);

  const client = createTestClient(echo);
  const res = await client.post('/', { body: 'abc', expectContinue: true });
  t.equal(res.continueSent, true, 'the response reports it');
  t.equal(await res.text(), 'abc');

  const { source: unread, state: unreadState } = countingSource(2, 10);
  const refuser = createTestClient(() => ({ status: 413 }));
  const refused = await refuser.post('/', { body: unread, expectContinue: true, headers: { 'content-length': '20' } });
  t.equal(refused.continueSent, false, 'an application that answers without reading sends no 100 Continue');
  t.equal(unreadState.pulled, 0, 'and the client never sent the body');

  const plain = await createTestClient(echo).post('/', { body: 'abc' });
  t.equal(plain.continueSent, false, 'no Expect, no 100 Continue');
});

t.test('INPUT-CONT-2: an Expect other than 100-continue gets 417 without calling the application', async (t) => {
  let called = false;
  const client = createTestClient(() => { called = true; return { status: 200 }; });
  const res = await client.post('/', { body: 'x', headers: { expect: 'something-else' } });
  t.equal(res.status, 417);
  t.equal(called, false);
  t.match(client.errorLog[0], /INPUT-CONT-2/);
});

t.test('INPUT-FLOW-2: a body that ends before its Content-Length is TSGI_ERR_INPUT_ABORTED', async (t) => {
  const client = createTestClient(echo);
  const res = await client.post('/', { body: (function* () { yield 'abc'; })(), headers: { 'content-length': '10' } });
  t.equal(res.status, 499);
  t.equal(await res.text(), 'TSGI_ERR_INPUT_ABORTED');
});

t.test('INPUT-ITER-2: bytes past the Content-Length never reach the application', async (t) => {
  const client = createTestClient(echo);
  const res = await client.post('/', { body: (function* () { yield 'abc'; yield 'def'; })(), headers: { 'content-length': '4' } });
  t.equal(await res.text(), 'abcd');
});

t.test('INPUT-FLOW-2: a source that throws (the client dropped) fails the read', async (t) => {
  let cause: unknown;
  const client = createTestClient(async (env) => {
    try {
      await readAll(env);
      return { status: 200 };
    } catch (error) {
      cause = (error as Error).cause;
      return { status: 499, body: (error as { code: string }).code };
    }
  });
  const dropped = new Error('connection reset');
  const res = await client.post('/', { body: (async function* () { yield 'a'; throw dropped; })() });
  t.equal(await res.text(), 'TSGI_ERR_INPUT_ABORTED');
  t.equal(cause, dropped, 'the cause is kept for the test');
  const wrongChunk = await client.post('/', { body: [42 as unknown as Uint8Array] });
  t.equal(await wrongChunk.text(), 'TSGI_ERR_INPUT_ABORTED', 'a chunk of the wrong type breaks the body off');
});

t.test('INPUT-FLOW-2: the client going away fails a pending read', async (t) => {
  let code: string | undefined;
  const controller = new AbortController();
  const client = createTestClient(async (env) => {
    try {
      await readAll(env);
    } catch (error) {
      code = (error as { code: string }).code;
    }
    return { status: 200 };
  });
  const never = (async function* () { yield 'a'; await new Promise(() => {}); })();
  const request = client.post('/', { body: never, signal: controller.signal });
  await sleep(5);
  controller.abort();
  await t.rejects(request, { name: 'AbortError' });
  await client.close();
  t.equal(code, 'TSGI_ERR_INPUT_ABORTED');
});

t.test('INPUT-FLOW-3: a body over maxBodyBytes', async (t) => {
  let called = false;
  const client = createTestClient(async (env) => {
    called = true;
    await readAll(env); // lets TSGI_ERR_INPUT_TOO_LARGE propagate, as most applications do
    return { status: 200 };
  }, { maxBodyBytes: 10 });
  const declared = await client.post('/', { body: 'x'.repeat(11) });
  t.equal(declared.status, 413, 'a declared length over the limit');
  t.equal(called, false, 'is refused before the application runs');
  t.match(client.errorLog[0], /INPUT-FLOW-3/);

  const chunked = await client.post('/', { body: ['x'.repeat(6), 'x'.repeat(6)] });
  t.equal(chunked.status, 413, 'a chunked body that crosses the limit gets 413, not the rethrown error');
  t.equal(called, true);
  t.equal((await client.post('/', { body: 'x'.repeat(10) })).status, 200, 'exactly the limit is fine');

  let code: string | undefined;
  const catching = createTestClient(async (env) => {
    try { await readAll(env); } catch (error) { code = (error as { code: string }).code; }
    return { status: 200 };
  }, { maxBodyBytes: 4 });
  t.equal((await catching.post('/', { body: ['abc', 'def'] })).status, 200, 'an application that handles the error answers itself');
  t.equal(code, 'TSGI_ERR_INPUT_TOO_LARGE');
});

t.test('input reads after the response is complete reject; they never hang', async (t) => {
  let input: AsyncIterable<Uint8Array> | undefined;
  const client = createTestClient((env) => {
    input = env['tsgi.input'];
    return { status: 200, body: 'early' };
  });
  const res = await client.post('/', { body: (async function* () { yield 'a'; await new Promise(() => {}); })() });
  t.equal(await res.text(), 'early');
  const it = input![Symbol.asyncIterator]();
  const first = await it.next().catch((error: { code: string }) => error.code);
  const rest = await it.next().catch((error: { code: string }) => error.code);
  t.ok([first, rest].includes('TSGI_ERR_INPUT_ABORTED'), 'the unread body is gone with the exchange');
});
