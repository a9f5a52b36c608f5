import t from 'tap';
import { createTestClient, TruncatedResponseError } from '@tsgi/gateway-spec';
import { createEchoApp, MAX_ECHO_BYTES } from './echo.js';

t.test('echo returns the body and its content type', async (t) => {
  await using client = createTestClient(createEchoApp());
  const res = await client.post('/', { body: 'héllo', headers: { 'content-type': 'text/plain; charset=utf-8' } });
  t.equal(res.status, 200);
  t.equal(res.header('content-type'), 'text/plain; charset=utf-8');
  t.equal(res.header('content-length'), '6', 'a declared length carries over');
  t.equal(await res.text(), 'héllo');
  const json = await client.put('/', { json: { a: [1, 2] } });
  t.same(await json.json(), { a: [1, 2] });
  t.equal(json.header('content-type'), 'application/json');
  const bytes = await client.post('/', { body: new Uint8Array([0, 1, 255]) });
  t.equal(bytes.header('content-type'), 'application/octet-stream', 'the default type');
  t.same([...await bytes.bytes()], [0, 1, 255]);
  const empty = await client.post('/', { body: '' });
  t.equal(await empty.text(), '');
});

t.test('a chunked body is echoed without Content-Length', async (t) => {
  await using client = createTestClient(createEchoApp());
  const res = await client.post('/', { body: (async function* () { yield 'a'; yield 'b'; })() });
  t.equal(res.header('content-length'), null);
  t.equal(res.contentLength, null);
  t.equal(await res.text(), 'ab');
});

t.test('INPUT-FLOW-1, BODY-ITER-1: the echo has backpressure end to end', async (t) => {
  const CHUNK = 16 * 1024;
  const TOTAL_CHUNKS = 64; // 1 MiB
  let pulled = 0;
  const source = (async function* () {
    for (let i = 0; i < TOTAL_CHUNKS; i++) {
      pulled++;
      yield Buffer.alloc(CHUNK, i);
    }
  })();
  await using client = createTestClient(createEchoApp());
  const res = await client.post('/', { body: source });
  const it = res.body[Symbol.asyncIterator]();
  const first = await it.next();
  t.equal(first.value?.byteLength, CHUNK);
  await new Promise((resolve) => setTimeout(resolve, 10));
  t.ok(pulled < 10, `with the reader stopped after one chunk, the client sent only ${pulled} of ${TOTAL_CHUNKS} chunks`);
  let received = first.value!.byteLength;
  for (let r = await it.next(); !r.done; r = await it.next()) received += r.value.byteLength;
  t.equal(received, CHUNK * TOTAL_CHUNKS, 'and then the whole MiB came through');
  t.equal(pulled, TOTAL_CHUNKS);
});

t.test('INPUT-FLOW-3: a declared body over the limit gets 413 unread', async (t) => {
  await using client = createTestClient(createEchoApp({ maxBytes: 8 }));
  const res = await client.post('/', { body: 'x'.repeat(9), expectContinue: true });
  t.equal(res.status, 413);
  t.equal(res.continueSent, false, 'INPUT-CONT-1: refused before reading, so no 100 Continue and no upload');
  t.equal((await client.post('/', { body: 'x'.repeat(8) })).status, 200, 'the limit itself is fine');
  t.equal(MAX_ECHO_BYTES, 1024 * 1024);
});

t.test('ERR-APP-2: a chunked body over the limit cuts the echo short', async (t) => {
  await using client = createTestClient(createEchoApp({ maxBytes: 8 }), { rethrow: false });
  const res = await client.post('/', { body: ['12345', '67890'] });
  t.equal(res.status, 200, 'the head was out before the limit was crossed');
  const error = await res.text().catch((e: unknown) => e);
  t.ok(error instanceof TruncatedResponseError, 'the client sees a truncated response');
  t.equal(Buffer.from((error as TruncatedResponseError).received).toString(), '12345');
  t.match(client.errorLog.join('\n'), /ERR-APP-2.*over 8 bytes/s);
});

t.test('INPUT-FLOW-2: a body that breaks off mid-way truncates the echo', async (t) => {
  await using client = createTestClient(createEchoApp());
  const res = await client.post('/', { body: (function* () { yield 'abc'; })(), headers: { 'content-length': '10' } });
  await t.rejects(res.text(), { code: 'TSGI_ERR_INPUT_ABORTED' }, 'rethrow: the input error the echo met');
});

t.test('only POST and PUT', async (t) => {
  await using client = createTestClient(createEchoApp());
  const res = await client.get('/');
  t.equal(res.status, 405);
  t.equal(res.header('allow'), 'POST, PUT');
});
