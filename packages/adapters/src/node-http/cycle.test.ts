/**
 * The request body as tsgi.input: framing, backpressure, 100-continue, limits,
 * unread bodies and clients that leave.
 */
import t from 'tap';
import type { Environ } from '@tsgi/gateway-spec/server-kit';
import { deferred, header, parseResponses, raw, sleep, start } from './test-fixtures/harness.js';

const H = 'Host: example.test\r\n';
const TEXT = ['content-type', 'text/plain'] as const;

async function readAll(environ: Environ): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of environ['tsgi.input']) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const echo = async (environ: Environ) => {
  const body = await readAll(environ);
  return { status: 200, headers: [TEXT, ['x-content-length', environ.CONTENT_LENGTH ?? 'absent']], body: body.toString('latin1') };
};

t.test('INPUT-ITER-2: Content-Length and chunked bodies arrive whole, and no more', async (t) => {
  const { port, violations } = await start(t, echo);
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n${H}\r\n`);
  client.write(`POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\n\r\n`);
  const [cl, get, chunked] = await client.responses(3);
  t.equal(cl!.body.toString(), 'hello');
  t.equal(header(cl!, 'x-content-length'), '5', 'ENV-CONTENT-2');
  t.equal(get!.body.toString(), '', 'the next request is not part of the body');
  t.equal(header(get!, 'x-content-length'), 'absent');
  t.equal(chunked!.body.toString(), 'abcdefg');
  t.equal(header(chunked!, 'x-content-length'), 'absent', 'ENV-CONTENT-2: absent for chunked');
  t.same(violations, []);
});

t.test('INPUT-ITER-1: a large body arrives in order, in non-empty chunks', async (t) => {
  const size = 3 * 1024 * 1024;
  const { port } = await start(t, async (environ) => {
    let total = 0;
    let empty = 0;
    let sum = 0;
    for await (const chunk of environ['tsgi.input']) {
      if (chunk.byteLength === 0) empty++;
      total += chunk.byteLength;
      for (const b of chunk) sum = (sum + b) % 65536;
    }
    return { status: 200, headers: [TEXT], body: `${total} ${empty} ${sum}` };
  });
  const payload = Buffer.alloc(size);
  let expected = 0;
  for (let i = 0; i < size; i++) {
    payload[i] = i % 251;
    expected = (expected + (i % 251)) % 65536;
  }
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: ${size}\r\n\r\n`);
  client.write(payload);
  const [response] = await client.responses(1, 10_000);
  t.equal(response!.body.toString(), `${size} 0 ${expected}`);
});

t.test('INPUT-FLOW-1: while the application does not read, the server stops reading', async (t) => {
  const release = deferred();
  const firstChunk = { size: 0 };
  const { port } = await start(t, async (environ) => {
    const iterator = environ['tsgi.input'][Symbol.asyncIterator]();
    const first = await iterator.next();
    firstChunk.size = first.done ? 0 : first.value.byteLength;
    await release.promise;
    let total = 0;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) total += r.value.byteLength;
    return { status: 200, headers: [TEXT], body: String(total) };
  });
  const size = 64 * 1024 * 1024;
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: ${size}\r\n\r\n`);
  const block = Buffer.alloc(1024 * 1024, 120);
  for (let i = 0; i < 64; i++) client.write(block);
  await sleep(400);
  // Kernel buffers take a few MiB; the rest stays with the client while the application waits.
  t.ok(client.socket.writableLength > 32 * 1024 * 1024, `${client.socket.writableLength} bytes still queued at the client`);
  release.resolve();
  const [response] = await client.responses(1, 20_000);
  t.equal(response?.body.toString(), String(size - firstChunk.size));
});

t.test('INPUT-CONT-1: 100 Continue is sent when the application first reads, not before', async (t) => {
  const readNow = deferred();
  const { port } = await start(t, async (environ) => {
    await readNow.promise;
    return echo(environ);
  });
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
  await sleep(100);
  t.equal(client.text, '', 'nothing before the application reads');
  readNow.resolve();
  t.ok(await client.until((c) => c.text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')), '100 Continue on the first read');
  client.write('hello');
  const responses = await client.responses(2);
  t.same(responses.map((r) => r.status), [100, 200]);
  t.equal(responses[1]!.body.toString(), 'hello');
});

t.test('INPUT-CONT-1: an application that answers without reading sends no 100 Continue', async (t) => {
  const { port } = await start(t, () => ({ status: 403, headers: [TEXT], body: 'no' }));
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: 5\r\nExpect: 100-continue\r\n\r\n`);
  t.ok(await client.waitClosed(), 'the connection is closed: the client may still send the body');
  t.notMatch(client.text, /100 Continue/);
  t.same(parseResponses(client.received).map((r) => r.status), [403]);
});

t.test('INPUT-CONT-1: 100-continue in an HTTP/1.0 request is ignored', async (t) => {
  const { port } = await start(t, echo);
  const client = raw(t, port);
  client.write('POST / HTTP/1.0\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi');
  t.ok(await client.waitClosed());
  t.notMatch(client.text, /100 Continue/);
  t.equal(parseResponses(client.received)[0]?.body.toString(), 'hi');
});

t.test('INPUT-FLOW-3: a declared body over the limit gets 413 without calling the application', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, body: '' };
  }, { maxBodyBytes: 10 });
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: 11\r\nExpect: 100-continue\r\n\r\n`);
  t.ok(await client.waitClosed());
  t.same(parseResponses(client.received).map((r) => r.status), [413], 'and no 100 Continue');
  t.equal(calls, 0);
});

t.test('INPUT-FLOW-3: a chunked body crossing the limit fails the read with TSGI_ERR_INPUT_TOO_LARGE and gets 413', async (t) => {
  const codes: unknown[] = [];
  const { port } = await start(t, async (environ) => {
    try {
      await readAll(environ);
    } catch (error) {
      codes.push((error as { code?: unknown }).code);
    }
    return { status: 200, headers: [TEXT], body: 'the application answered anyway' };
  }, { maxBodyBytes: 10 });
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n`);
  t.ok(await client.waitClosed());
  t.same(parseResponses(client.received).map((r) => r.status), [413]);
  t.same(codes, ['TSGI_ERR_INPUT_TOO_LARGE']);
});

t.test('INPUT-DRAIN-1: a small unread body is drained and the connection kept', async (t) => {
  const paths: string[] = [];
  const { port } = await start(t, (environ) => {
    paths.push(environ.PATH_INFO);
    return { status: 200, headers: [TEXT], body: 'ok' };
  });
  const client = raw(t, port);
  // The body looks like a request: it must never be parsed as one.
  const body = `GET /smuggled HTTP/1.1\r\n${H}\r\n`;
  client.write(`POST /a HTTP/1.1\r\n${H}Content-Length: ${body.length}\r\n\r\n${body}GET /b HTTP/1.1\r\n${H}\r\n`);
  const responses = await client.responses(2);
  t.equal(responses.length, 2);
  t.same(paths, ['/a', '/b']);
  t.notOk(client.closed);
});

t.test('INPUT-DRAIN-1: a large unread body closes the connection after the response', async (t) => {
  const paths: string[] = [];
  const { port } = await start(t, (environ) => {
    paths.push(environ.PATH_INFO);
    return { status: 200, headers: [TEXT], body: 'ok' };
  }, { maxDrainBytes: 1024 });
  const client = raw(t, port);
  client.write(`POST /a HTTP/1.1\r\n${H}Content-Length: 100000\r\n\r\n`);
  client.write(Buffer.alloc(2000, 120));
  const [response] = await client.responses(1);
  t.equal(header(response!, 'connection'), 'close');
  t.ok(await client.waitClosed());
  t.same(paths, ['/a']);
});

t.test('INPUT-FLOW-2: a client that leaves mid-body fails the read with TSGI_ERR_INPUT_ABORTED', async (t) => {
  const result = deferred<{ code: unknown; signal: unknown }>();
  const { port } = await start(t, async (environ) => {
    try {
      await readAll(environ);
      result.resolve({ code: 'none', signal: undefined });
    } catch (error) {
      await sleep(5);
      result.resolve({ code: (error as { code?: unknown }).code, signal: (environ['tsgi.signal'].reason as { code?: unknown })?.code });
    }
    return { status: 200, body: '' };
  });
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Content-Length: 100\r\n\r\nonly a part`);
  await sleep(50);
  client.destroy();
  const r = await result.promise;
  t.equal(r.code, 'TSGI_ERR_INPUT_ABORTED');
  t.equal(r.signal, 'TSGI_ERR_CLIENT_GONE', 'CANCEL-SIG-1');
});

t.test('INPUT-ITER-3: the input can be iterated once; a body-less request has an empty input', async (t) => {
  const { port } = await start(t, async (environ) => {
    const first = await readAll(environ);
    let second = 'no error';
    try {
      environ['tsgi.input'][Symbol.asyncIterator]();
    } catch (error) {
      second = (error as { code?: string }).code ?? 'error';
    }
    return { status: 200, headers: [TEXT], body: `${first.length} ${second}` };
  }, {}, { wrap: false });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [response] = await client.responses(1);
  t.equal(response!.body.toString(), '0 TSGI_ERR_INPUT_CONSUMED');
});
