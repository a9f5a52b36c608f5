/**
 * Responses on the wire: framing, bodyless responses, flushing, backpressure,
 * cancellation and every way a response can fail.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import type { Environ } from '@tsgi/gateway-spec/server-kit';
import { deferred, header, parseResponses, raw, sleep, start } from './test-fixtures/harness.js';

const H = 'Host: example.test\r\n';
const TEXT = ['content-type', 'text/plain'] as const;

t.test('RESP-HDR-7: header pairs go out in order, repeated Set-Cookie fields stay separate', async (t) => {
  const { port, violations } = await start(t, () => ({
    status: 200,
    headers: [['set-cookie', 'a=1'], ['content-type', 'text/plain'], ['Set-Cookie', 'b=2; Path=/'], ['x-one', '1']],
    body: 'ok',
  }));
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [response] = await client.responses(1);
  const names = response!.headers.map(([n]) => n.toLowerCase()).filter((n) => n !== 'date' && n !== 'connection' && n !== 'keep-alive');
  t.same(names, ['set-cookie', 'content-type', 'set-cookie', 'x-one', 'content-length']);
  t.same(response!.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v), ['a=1', 'b=2; Path=/']);
  t.same(violations, []);
});

t.test('BODY-LEN-1: known length gets Content-Length, a stream is chunked, keep-alive holds', async (t) => {
  const { port, violations } = await start(t, (environ) => {
    if (environ.PATH_INFO === '/string') return { status: 200, headers: [TEXT], body: 'héllo' };
    if (environ.PATH_INFO === '/array') return { status: 200, headers: [TEXT], body: ['ab', new Uint8Array([99])] };
    return {
      status: 200,
      headers: [TEXT],
      body: (async function* () {
        yield 'one,';
        yield 'two';
      })(),
    };
  });
  const client = raw(t, port);
  client.write(`GET /string HTTP/1.1\r\n${H}\r\nGET /array HTTP/1.1\r\n${H}\r\nGET /stream HTTP/1.1\r\n${H}\r\n`);
  const [text, array, stream] = await client.responses(3);
  t.equal(header(text!, 'content-length'), '6', 'BODY-FORM-2: the UTF-8 length');
  t.equal(text!.body.toString('utf8'), 'héllo');
  t.equal(header(array!, 'content-length'), '3');
  t.equal(array!.body.toString(), 'abc');
  t.equal(header(stream!, 'transfer-encoding'), 'chunked');
  t.equal(header(stream!, 'content-length'), undefined);
  t.equal(stream!.body.toString(), 'one,two');
  t.notOk(client.closed, 'one connection served all three');
  t.same(violations, []);
});

t.test('BODY-LEN-1: HTTP/1.0 gets a close-delimited stream, never chunked', async (t) => {
  const { port } = await start(t, () => ({
    status: 200,
    headers: [TEXT],
    body: (function* () {
      yield 'a';
      yield 'b';
    })(),
  }));
  const client = raw(t, port);
  // TE: chunked from an HTTP/1.0 client must not make the server chunk (RFC 9112 §6.1).
  client.write('GET / HTTP/1.0\r\nTE: chunked\r\nConnection: keep-alive\r\n\r\n');
  t.ok(await client.waitClosed(), 'the end of the body is the end of the connection');
  const [response] = parseResponses(client.received);
  t.equal(header(response!, 'transfer-encoding'), undefined);
  t.equal(response!.body.toString(), 'ab');
});

t.test('BODY-LEN-1: HTTP/1.0 with a known length may keep the connection', async (t) => {
  const { port } = await start(t, () => ({ status: 200, headers: [TEXT], body: 'ab' }));
  const client = raw(t, port);
  client.write('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET / HTTP/1.0\r\n\r\n');
  t.ok(await client.waitClosed());
  const responses = parseResponses(client.received);
  t.same(responses.map((r) => r.body.toString()), ['ab', 'ab']);
  t.equal(header(responses[0]!, 'content-length'), '2');
});

t.test('BODY-HEAD-1: HEAD gets the head, no body bytes, and the body is finalised without being iterated', async (t) => {
  let pulled = 0;
  let finalised = 0;
  const { port, violations } = await start(t, (environ) => ({
    status: 200,
    headers: [TEXT, ['x-method', environ.REQUEST_METHOD]],
    body: environ.PATH_INFO === '/stream'
      ? {
          [Symbol.asyncIterator]() {
            return {
              next: async () => {
                pulled++;
                return { done: false, value: 'x' };
              },
              return: async () => {
                finalised++;
                return { done: true, value: undefined };
              },
            };
          },
        }
      : 'hello',
  }));
  const client = raw(t, port);
  client.write(`HEAD /stream HTTP/1.1\r\n${H}\r\nHEAD /string HTTP/1.1\r\n${H}\r\nGET /string HTTP/1.1\r\n${H}\r\n`);
  await client.until((c) => /hello$/.test(c.text));
  const [stream, string] = parseResponses(client.received, { head: true });
  t.equal(stream!.status, 200);
  t.equal(header(stream!, 'transfer-encoding'), undefined, 'no chunked framing for HEAD');
  t.equal(header(string!, 'content-length'), '5', 'the length a GET would have (RFC 9110 §9.3.2)');
  t.match(client.text, /\r\n\r\nHTTP\/1\.1 200/, 'the HEAD responses carry no body bytes');
  t.equal(pulled, 0, 'never iterated');
  t.equal(finalised, 1, 'return() called once');
  t.same(violations, []);
});

t.test('BODY-NOBODY-1: 204 and 304 send no body and no Transfer-Encoding; the body is finalised', async (t) => {
  let finalised = 0;
  const { port, log } = await start(t, (environ) => ({
    status: environ.PATH_INFO === '/204' ? 204 : 304,
    body: (function* () {
      try {
        yield '';
      } finally {
        finalised++;
      }
    })(),
  }), {}, { wrap: false });
  const client = raw(t, port);
  client.write(`GET /204 HTTP/1.1\r\n${H}\r\nGET /304 HTTP/1.1\r\n${H}\r\n`);
  const [a, b] = await client.responses(2);
  for (const r of [a!, b!]) {
    t.equal(header(r, 'transfer-encoding'), undefined);
    t.equal(r.body.length, 0);
  }
  t.same([a!.status, b!.status], [204, 304]);
  t.notOk(client.closed, 'the connection stays usable');
  t.ok(finalised <= 2);
  t.same(log, []);
});

t.test('BODY-FORM-6: an empty chunk sends the head at once', async (t) => {
  const release = deferred();
  const { port } = await start(t, () => ({
    status: 200,
    headers: [['content-type', 'text/event-stream']],
    body: (async function* () {
      yield '';
      await release.promise;
      yield 'data: 1\n\n';
    })(),
  }));
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  t.ok(await client.until((c) => c.text.includes('\r\n\r\n')), 'the head arrives before the first data');
  t.notMatch(client.text, /data: 1/);
  release.resolve();
  const [response] = await client.responses(1);
  t.equal(response!.body.toString(), 'data: 1\n\n');
});

t.test('BODY-ITER-1: the body is pulled only as fast as the client reads', async (t) => {
  const CHUNKS = 1000;
  let pulled = 0;
  const chunk = Buffer.alloc(64 * 1024, 97);
  const { port } = await start(t, () => ({
    status: 200,
    headers: [['content-type', 'application/octet-stream']],
    body: (function* () {
      for (let i = 0; i < CHUNKS; i++) {
        pulled++;
        yield chunk;
      }
    })(),
  }));
  const socket = connect(port, '127.0.0.1');
  t.teardown(() => socket.destroy());
  let bytes = 0;
  socket.pause();
  socket.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  await sleep(300);
  const whilePaused = pulled;
  // What the kernel's socket buffers hold (a few MiB on loopback) plus node's high-water mark.
  t.ok(whilePaused < 400, `pulled ${whilePaused} of ${CHUNKS} chunks while the client read nothing`);
  const all = deferred();
  socket.on('data', (d: Buffer) => {
    bytes += d.length;
    if (bytes > CHUNKS * chunk.length) all.resolve();
  });
  socket.resume();
  await all.promise;
  t.equal(pulled, CHUNKS, 'everything arrives once the client reads');
});

t.test('BODY-ITER-2, CANCEL-SIG-1..4: a client that leaves mid-stream aborts the signal and finalises the body', async (t) => {
  const done = deferred<{ reason: unknown; finalised: boolean; pulls: number }>();
  const { port } = await start(t, (environ) => {
    const signal = environ['tsgi.signal'];
    let finalised = false;
    let pulls = 0;
    return {
      status: 200,
      headers: [TEXT],
      body: (async function* () {
        try {
          for (;;) {
            pulls++;
            yield 'tick\n';
            await sleep(10);
          }
        } finally {
          finalised = true;
          // Give the abort listener a turn, then report.
          setImmediate(() => done.resolve({ reason: signal.reason, finalised, pulls }));
        }
      })(),
    };
  });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  await client.until((c) => c.text.includes('tick'));
  client.destroy();
  const result = await done.promise;
  t.ok(result.finalised, "the generator's finally ran");
  t.equal((result.reason as { code?: string }).code, 'TSGI_ERR_CLIENT_GONE', 'CANCEL-SIG-2');
  t.type(result.reason, Error);
});

t.test('CANCEL-SIG-3: the signal never aborts after the response was written', async (t) => {
  const signals: AbortSignal[] = [];
  const { port, handle } = await start(t, (environ) => {
    signals.push(environ['tsgi.signal']);
    return { status: 200, headers: [TEXT], body: 'done' };
  });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  await client.responses(1);
  client.destroy();
  await sleep(50);
  t.equal(handle.inFlight, 0);
  t.equal(signals.length, 1);
  t.notOk(signals[0]!.aborted);
});

t.test('CANCEL-SIG-1: a client gone while the application works aborts the signal; its body is finalised', async (t) => {
  const started = deferred();
  const result = deferred<{ code: unknown; finalised: boolean }>();
  const { port } = await start(t, async (environ) => {
    started.resolve();
    await new Promise((r) => environ['tsgi.signal'].addEventListener('abort', r));
    let finalised = false;
    const body = (function* () {
      try {
        yield 'never sent';
      } finally {
        finalised = true;
      }
    })();
    body.next(); // started, so that return() has a finally to run
    setTimeout(() => result.resolve({ code: (environ['tsgi.signal'].reason as { code?: string }).code, finalised }), 20);
    return { status: 200, headers: [TEXT], body };
  });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  await started.promise;
  client.destroy();
  const r = await result.promise;
  t.equal(r.code, 'TSGI_ERR_CLIENT_GONE');
  t.ok(r.finalised, 'BODY-ITER-4: finalised although cancelled before the first chunk');
});

t.test('ERR-APP-1: a throwing, rejecting or invalid application gets a short 500; details only in the log', async (t) => {
  const { port, log } = await start(t, (environ) => {
    if (environ.PATH_INFO === '/throw') throw new Error('secret detail /etc/passwd');
    if (environ.PATH_INFO === '/reject') return Promise.reject(new Error('secret rejection'));
    if (environ.PATH_INFO === '/status') return { status: 99, body: '' };
    if (environ.PATH_INFO === '/hop') return { status: 200, headers: [['connection', 'close']], body: '' };
    return { status: 200, headers: [TEXT], body: 'fine' };
  }, {}, { wrap: false });
  const client = raw(t, port);
  client.write(['/throw', '/reject', '/status', '/hop', '/ok'].map((p) => `GET ${p} HTTP/1.1\r\n${H}\r\n`).join(''));
  const responses = await client.responses(5);
  t.same(responses.map((r) => r.status), [500, 500, 500, 500, 200], 'ERR-APP-3: the server goes on serving');
  for (const r of responses.slice(0, 4)) {
    t.equal(r.body.toString(), 'Internal Server Error\n', 'SEC-ERR-1: nothing of the error');
  }
  t.match(log.join('\n'), /secret detail/);
  t.match(log.join('\n'), /RESP-STATUS-1/);
  t.match(log.join('\n'), /RESP-HDR-5/);
  t.match(log.join('\n'), /GET \/throw/, 'ERR-APP-4: the line names the request');
});

t.test('RESP-HDR-8: a header value with CR/LF is never sent; 500 instead', async (t) => {
  const { port, log } = await start(t, () => ({
    status: 200,
    headers: [['x-a', 'ok\r\nSet-Cookie: injected=1'], TEXT],
    body: 'x',
  }), {}, { wrap: false });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [response] = await client.responses(1);
  t.equal(response!.status, 500);
  t.notMatch(client.text, /injected/i, 'no byte of the injected header');
  t.notMatch(client.text, /x-a/i, 'no byte of the application head');
  t.match(log.join('\n'), /RESP-HDR-3/);
});

t.test('ERR-APP-1: a body that fails before its first chunk still gets a clean 500', async (t) => {
  const { port, log } = await start(t, () => ({
    status: 200,
    headers: [TEXT],
    body: (async function* () {
      throw new Error('early failure');
    })(),
  }), {}, { wrap: false });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [response] = await client.responses(1);
  t.equal(response!.status, 500);
  t.match(log.join('\n'), /early failure/);
});

t.test('ERR-APP-2: a body that fails after the head leaves a truncated response and a closed connection', async (t) => {
  const { port, log } = await start(t, () => ({
    status: 200,
    headers: [TEXT],
    body: (async function* () {
      yield 'partial';
      await sleep(5);
      throw new Error('late failure');
    })(),
  }), {}, { wrap: false });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  t.ok(await client.waitClosed(), 'the connection is closed');
  t.match(client.text, /partial/);
  t.notMatch(client.text, /\r\n0\r\n\r\n$/, 'no last chunk');
  t.same(parseResponses(client.received), [], 'the client cannot parse a complete response');
  t.match(log.join('\n'), /ERR-APP-2.*late failure/s);
});

t.test('BODY-LEN-2: a body shorter or longer than its Content-Length is cut at the declared length', async (t) => {
  const { port, log } = await start(t, (environ) => ({
    status: 200,
    headers: [TEXT, ['content-length', '10']],
    body: (function* () {
      yield environ.PATH_INFO === '/short' ? '12345' : '1234567890';
      if (environ.PATH_INFO === '/long') yield 'EXTRA';
    })(),
  }), {}, { wrap: false });
  for (const path of ['/short', '/long']) {
    const client = raw(t, port);
    client.write(`GET ${path} HTTP/1.1\r\n${H}\r\n`);
    t.ok(await client.waitClosed(), `${path}: the connection is closed`);
    const body = client.text.slice(client.text.indexOf('\r\n\r\n') + 4);
    t.equal(body, path === '/short' ? '12345' : '1234567890', `${path}: never more than declared`);
  }
  t.equal(log.filter((l) => l.includes('RESP-HDR-9')).length, 2);
});

t.test('BODY-FORM-4: a file body is sent from offset for length bytes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'f.txt');
  writeFileSync(path, '0123456789');
  const { port } = await start(t, () => ({ status: 200, headers: [TEXT], body: { type: 'tsgi.file', path, offset: 2, length: 5 } }));
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [response] = await client.responses(1);
  t.equal(header(response!, 'content-length'), '5');
  t.equal(response!.body.toString(), '23456');
});

t.test('tsgi.signal is an AbortSignal created on demand, and may be replaced by middleware', async (t) => {
  const { port } = await start(t, (environ: Environ) => {
    const first = environ['tsgi.signal'];
    const same = first === environ['tsgi.signal'];
    const narrowed = AbortSignal.any([first]);
    environ['tsgi.signal'] = narrowed;
    return { status: 200, headers: [TEXT], body: `${first instanceof AbortSignal} ${same} ${environ['tsgi.signal'] === narrowed}` };
  });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [response] = await client.responses(1);
  t.equal(response!.body.toString(), 'true true true');
});
