/**
 * SRV-HTTP-4: the limits on header size and receipt time, each answered with
 * its status and a closed connection; and the unit mapping of parser errors.
 */
import t from 'tap';
import { statusForClientError } from './client-errors.js';
import { deferred, parseResponses, raw, sleep, start } from './test-fixtures/harness.js';

const H = 'Host: example.test\r\n';

t.test('statusForClientError: parser errors to statuses', async (t) => {
  t.equal(statusForClientError('HPE_HEADER_OVERFLOW'), 431);
  t.equal(statusForClientError('ERR_HTTP_REQUEST_TIMEOUT'), 408);
  t.equal(statusForClientError('HPE_INVALID_HEADER_TOKEN'), 400);
  t.equal(statusForClientError('HPE_UNEXPECTED_CONTENT_LENGTH'), 400);
  t.equal(statusForClientError('HPE_PAUSED_H2_UPGRADE'), 0, 'an HTTP/2 preface is just closed');
  t.equal(statusForClientError('ECONNRESET'), 0, 'a broken socket gets no answer');
  t.equal(statusForClientError(undefined), 0);
});

t.test('SRV-HTTP-4: a head over maxHeaderBytes gets 431 and a closed connection', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, body: '' };
  }, { maxHeaderBytes: 1024 });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(2000)}\r\n\r\n`);
  t.ok(await client.waitClosed());
  t.same(parseResponses(client.received).map((r) => r.status), [431]);
  t.equal(calls, 0);
});

t.test('SRV-HTTP-4: more header fields than maxHeaderCount get 431', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, body: '' };
  }, { maxHeaderCount: 5 });
  const fields = (n: number) => Array.from({ length: n }, (_, i) => `X-F${i}: ${i}\r\n`).join('');
  const ok = raw(t, port);
  ok.write(`GET / HTTP/1.1\r\n${H}${fields(4)}\r\n`);
  t.same((await ok.responses(1)).map((r) => r.status), [200], 'five fields are allowed');
  const tooMany = raw(t, port);
  tooMany.write(`GET / HTTP/1.1\r\n${H}${fields(5)}\r\n`);
  t.ok(await tooMany.waitClosed());
  t.same(parseResponses(tooMany.received).map((r) => r.status), [431]);
  t.equal(calls, 1);
});

t.test('SRV-HTTP-4, L1 slowloris: a head that trickles in gets 408 and is closed by the headers deadline', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, body: '' };
  }, { headersTimeoutMs: 300, timeoutCheckIntervalMs: 50 });
  const client = raw(t, port);
  const began = Date.now();
  client.write('GET / HTTP/1.1\r\n');
  const timer = setInterval(() => client.write('X-A: b\r\n'), 50);
  t.teardown(() => clearInterval(timer));
  t.ok(await client.waitClosed(2_000), 'closed');
  clearInterval(timer);
  const elapsed = Date.now() - began;
  t.ok(elapsed < 300 + 500, `closed after ${elapsed} ms (deadline 300 ms, checked every 50 ms)`);
  t.same(parseResponses(client.received).map((r) => r.status), [408]);
  t.equal(calls, 0);
});

t.test('SRV-HTTP-4, L2 slow body: the whole-request deadline gives 408 and aborts the request with TSGI_ERR_TIMEOUT', async (t) => {
  const aborted = deferred<unknown>();
  const { port } = await start(t, async (environ) => {
    try {
      for await (const chunk of environ['tsgi.input']) void chunk;
    } catch {
      // The read fails when the server gives up; the signal says why.
    }
    await sleep(5);
    aborted.resolve((environ['tsgi.signal'].reason as { code?: unknown } | undefined)?.code);
    return { status: 200, body: '' };
  }, { headersTimeoutMs: 200, requestTimeoutMs: 400, timeoutCheckIntervalMs: 50 });
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: 1000\r\n\r\n`);
  const timer = setInterval(() => client.write('x'), 50);
  t.teardown(() => clearInterval(timer));
  t.ok(await client.waitClosed(2_000));
  clearInterval(timer);
  t.same(parseResponses(client.received).map((r) => r.status), [408]);
  t.equal(await aborted.promise, 'TSGI_ERR_TIMEOUT', 'CANCEL-SIG-2');
});

t.test('SRV-HTTP-4: an idle keep-alive connection is closed after keepAliveTimeoutMs', async (t) => {
  const { port } = await start(t, () => ({ status: 200, headers: [['content-type', 'text/plain']], body: 'ok' }), { keepAliveTimeoutMs: 100 });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  await client.responses(1);
  const began = Date.now();
  // node adds one second to the announced timeout before it closes (against races with clients).
  t.ok(await client.waitClosed(3_000), 'closed');
  t.ok(Date.now() - began < 2_500);
});

t.test('SRV-HTTP-4: a request that goes silent past idleTimeoutMs is aborted with TSGI_ERR_TIMEOUT', async (t) => {
  const aborted = deferred<unknown>();
  const { port } = await start(t, async (environ) => {
    const signal = environ['tsgi.signal'];
    await new Promise((r) => signal.addEventListener('abort', r));
    aborted.resolve((signal.reason as { code?: unknown }).code);
    return { status: 200, body: '' };
  }, { idleTimeoutMs: 200 });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  t.equal(await aborted.promise, 'TSGI_ERR_TIMEOUT');
  t.ok(await client.waitClosed(1_000), 'the connection is closed');
});

t.test('maxRequestsPerConnection: the last allowed response closes the connection; nothing after it is served', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, headers: [['content-type', 'text/plain']], body: String(calls) };
  }, { maxRequestsPerConnection: 2 });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`);
  t.ok(await client.waitClosed());
  const responses = parseResponses(client.received);
  t.same(responses.map((r) => r.body.toString()), ['1', '2']);
  t.match(responses[1]!.raw, /connection: close/i);
  t.equal(calls, 2);
});
