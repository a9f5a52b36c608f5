/**
 * RFC 9112 over raw sockets: every refused request gets its status, the
 * connection is closed, and the application never runs. Cases marked "node"
 * are refused by llhttp (answered through 'clientError'); the others by the
 * adapter's own checks (request-checks.ts).
 */
import t from 'tap';
import { exchange, parseResponses, raw, start } from './test-fixtures/harness.js';

const H = 'Host: example.test\r\n';

interface Case {
  id: string;
  title: string;
  request: string;
  status: number;
}

const refused: Case[] = [
  // SRV-HTTP-1: ambiguous framing
  { id: 'SRV-HTTP-1', title: 'Content-Length with Transfer-Encoding (node)', request: `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'two equal Content-Length (node)', request: `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'two differing Content-Length (node)', request: `POST / HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Content-Length list "3, 3" (node)', request: `POST / HTTP/1.1\r\n${H}Content-Length: 3, 3\r\n\r\nabc`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Content-Length "+3" (node)', request: `POST / HTTP/1.1\r\n${H}Content-Length: +3\r\n\r\nabc`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Content-Length "0x3" (node)', request: `POST / HTTP/1.1\r\n${H}Content-Length: 0x3\r\n\r\nabc`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'empty Content-Length (node)', request: `POST / HTTP/1.1\r\n${H}Content-Length: \r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Transfer-Encoding gzip alone (adapter; llhttp reports it after the request event)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip\r\n\r\nabc`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Transfer-Encoding "chunked, gzip" (node)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Transfer-Encoding twice (node)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Transfer-Encoding "gzip, chunked": a coding this server does not decode (adapter)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`, status: 501 },
  { id: 'SRV-HTTP-1', title: 'Transfer-Encoding in HTTP/1.0 (adapter)', request: 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n', status: 400 },
  // SRV-HTTP-2: Host
  { id: 'SRV-HTTP-2', title: 'HTTP/1.1 without Host (adapter)', request: 'GET / HTTP/1.1\r\n\r\n', status: 400 },
  { id: 'SRV-HTTP-2', title: 'two Host fields (adapter; node lets it through)', request: 'GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n', status: 400 },
  { id: 'SRV-HTTP-2', title: 'two Host fields in HTTP/1.0 (adapter)', request: 'GET / HTTP/1.0\r\nHost: a.test\r\nhost: b.test\r\n\r\n', status: 400 },
  { id: 'SRV-HTTP-2', title: 'an empty Host (adapter, ENV-SERVER-1)', request: 'GET / HTTP/1.1\r\nHost: \r\n\r\n', status: 400 },
  { id: 'SRV-HTTP-2', title: 'a Host that is not an authority (adapter, ENV-SERVER-1)', request: 'GET / HTTP/1.1\r\nHost: a b@c\r\n\r\n', status: 400 },
  // SRV-HTTP-3: header syntax
  { id: 'SRV-HTTP-3', title: 'obs-fold (node)', request: `GET / HTTP/1.1\r\n${H}X-A: b\r\n c\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'whitespace before the colon (node)', request: `GET / HTTP/1.1\r\n${H}X-A : b\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'an empty header name (node)', request: `GET / HTTP/1.1\r\n${H}: b\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'a name that is not a token (node)', request: `GET / HTTP/1.1\r\n${H}X(A: b\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'NUL in a value (node)', request: `GET / HTTP/1.1\r\n${H}X-A: b\0c\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'a bare CR in a value (node)', request: `GET / HTTP/1.1\r\n${H}X-A: b\rc\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'a control character in a value (node)', request: `GET / HTTP/1.1\r\n${H}X-A: b\x01c\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'DEL in a value (node)', request: `GET / HTTP/1.1\r\n${H}X-A: b\x7fc\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'a header line ending in a bare LF (node)', request: `GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: '"\\r\\n\\rX" after the headers (node)', request: `GET / HTTP/1.1\r\n${H}\rX\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'a header line starting with a space (node)', request: 'GET / HTTP/1.1\r\n Host: a\r\n\r\n', status: 400 },
  // request line
  { id: 'SRV-HTTP-3', title: 'a space in the request target (node)', request: `GET /a b HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'a raw non-ASCII byte in the target (node)', request: `GET /\xe9 HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { id: 'SRV-HTTP-3', title: 'a method llhttp does not know (node)', request: `FOO / HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { id: 'ENV-SERVER-3', title: 'HTTP/1.32 (node)', request: `GET / HTTP/1.32\r\n${H}\r\n`, status: 400 },
  { id: 'ENV-SERVER-3', title: 'HTTP/2.0 in an HTTP/1 request line (adapter)', request: `GET / HTTP/2.0\r\n${H}\r\n`, status: 505 },
  { id: 'ENV-SERVER-3', title: 'an HTTP/0.9 request (adapter)', request: 'GET /\r\n\r\n', status: 505 },
  { id: 'SRV-HTTP-6', title: '"*" as the target of GET (adapter)', request: `GET * HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { id: 'ENV-PATH-3', title: 'a target in neither origin- nor absolute-form (adapter)', request: `GET foo HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { id: 'ENV-PATH-3', title: 'an absolute-form target of another scheme (adapter)', request: `GET ftp://example.test/x HTTP/1.1\r\n${H}\r\n`, status: 400 },
  // ENV-PATH-4: the path must decode
  { id: 'ENV-PATH-4', title: 'a malformed percent-escape (adapter)', request: `GET /%zz HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { id: 'ENV-PATH-4', title: 'a path that is not UTF-8 (adapter)', request: `GET /%ff%fe HTTP/1.1\r\n${H}\r\n`, status: 400 },
  { id: 'ENV-PATH-4', title: 'a path that decodes to NUL (adapter)', request: `GET /a%00b HTTP/1.1\r\n${H}\r\n`, status: 400 },
  // INPUT-CONT-2
  { id: 'INPUT-CONT-2', title: 'Expect other than 100-continue gets 417 (adapter)', request: `GET / HTTP/1.1\r\n${H}Expect: foo\r\n\r\n`, status: 417 },
  { id: 'INPUT-CONT-2', title: 'Expect "100-continue, foo" gets 417 (adapter)', request: `POST / HTTP/1.1\r\n${H}Content-Length: 1\r\nExpect: 100-continue, foo\r\n\r\nx`, status: 417 },
  { id: 'INPUT-CONT-2', title: 'Expect other than 100-continue in HTTP/1.0 gets 417 (adapter)', request: 'GET / HTTP/1.0\r\nExpect: foo\r\n\r\n', status: 417 },
];

/**
 * Errors in a chunked body: llhttp finds them after the request event, so the
 * application is running; its read rejects, the server answers 400 (no head
 * was sent yet) and closes.
 */
const bodyErrors: Case[] = [
  { id: 'SRV-HTTP-1', title: 'chunk size "+3" (node)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n+3\r\nabc\r\n0\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'chunk size "0_3" (node)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n0_3\r\nabc\r\n0\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'chunk size line ending in a bare LF (node)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'Content-Length in the trailer (node)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nContent-Length: 5\r\n\r\n`, status: 400 },
  { id: 'SRV-HTTP-1', title: 'chunk extension with a bare CR (node)', request: `POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3;a\rb\r\nabc\r\n0\r\n\r\n`, status: 400 },
];

t.test('malformed chunked bodies: the read rejects, 400, closed connection', async (t) => {
  const codes: unknown[] = [];
  const { port } = await start(t, async (environ) => {
    try {
      for await (const chunk of environ['tsgi.input']) void chunk;
    } catch (error) {
      codes.push((error as { code?: unknown }).code);
      throw error;
    }
    return { status: 200, headers: [['content-type', 'text/plain']], body: 'app\n' };
  });
  for (const c of bodyErrors) {
    await t.test(`${c.id}: ${c.title} → ${c.status}`, async (t) => {
      const before = codes.length;
      const { text, closed, responses } = await exchange(t, port, c.request);
      t.equal(responses[0]?.status, c.status, JSON.stringify(text.slice(0, 80)));
      t.equal(responses.length, 1, 'exactly one response');
      t.ok(closed, 'the connection is closed');
      await new Promise((r) => setTimeout(r, 10));
      t.same(codes.slice(before), ['TSGI_ERR_INPUT_ABORTED'], 'INPUT-FLOW-2: the read rejects');
    });
  }
});

t.test('refused requests: status, closed connection, application not called', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, headers: [['content-type', 'text/plain']], body: 'app\n' };
  });
  for (const c of refused) {
    await t.test(`${c.id}: ${c.title} → ${c.status}`, async (t) => {
      const before = calls;
      const { text, closed, responses } = await exchange(t, port, c.request);
      t.equal(responses[0]?.status, c.status, JSON.stringify(text.slice(0, 80)));
      t.equal(responses.length, 1, 'exactly one response');
      t.ok(closed, 'the connection is closed');
      t.equal(calls, before, 'the application is not called');
      t.notMatch(text, /app\n/, 'no application output');
    });
  }
});

t.test('SRV-HTTP-1: a smuggled request behind CL+TE never reaches the application', async (t) => {
  const paths: string[] = [];
  const { port } = await start(t, (environ) => {
    paths.push(environ.PATH_INFO);
    return { status: 200, headers: [['content-type', 'text/plain']], body: 'ok' };
  });
  const smuggle = `POST /a HTTP/1.1\r\n${H}Content-Length: 40\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n${H}\r\n`;
  const { responses, closed } = await exchange(t, port, smuggle);
  t.equal(responses.length, 1);
  t.equal(responses[0]!.status, 400);
  t.ok(closed);
  t.same(paths, []);
});

t.test('SRV-HTTP-6: OPTIONS * is answered by the server, CONNECT gets 501', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, body: '' };
  });
  const client = raw(t, port);
  client.write(`OPTIONS * HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`);
  const [options, get] = await client.responses(2);
  t.equal(options?.status, 200, 'OPTIONS * gets 200');
  t.equal(get?.status, 200, 'the connection stays usable');
  t.equal(calls, 1, 'only the GET reached the application');

  const connect = await exchange(t, port, 'CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n');
  t.equal(connect.responses[0]?.status, 501);
  t.ok(connect.closed);
  t.equal(calls, 1, 'CONNECT never reaches the application');
});

t.test('SRV-HTTP-5: pipelined requests are answered in order', async (t) => {
  const { port } = await start(t, async (environ) => {
    // The first request answers last: order must still be that of the requests.
    const delay = environ.PATH_INFO === '/1' ? 60 : environ.PATH_INFO === '/2' ? 20 : 0;
    await new Promise((r) => setTimeout(r, delay));
    return { status: 200, headers: [['content-type', 'text/plain']], body: environ.PATH_INFO };
  });
  const client = raw(t, port);
  client.write(`GET /1 HTTP/1.1\r\n${H}\r\nGET /2 HTTP/1.1\r\n${H}\r\nGET /3 HTTP/1.1\r\n${H}\r\n`);
  const responses = await client.responses(3);
  t.same(responses.map((r) => r.body.toString()), ['/1', '/2', '/3']);
  t.notOk(client.closed, 'the connection stays open');
});

t.test('SRV-HTTP-5: a malformed request behind pipelined ones is refused after their responses', async (t) => {
  let calls = 0;
  const { port } = await start(t, async () => {
    calls++;
    await new Promise((r) => setTimeout(r, 30));
    return { status: 200, headers: [['content-type', 'text/plain']], body: 'ok' };
  });
  const client = raw(t, port);
  client.write(`GET /1 HTTP/1.1\r\n${H}\r\nGET /2 HTTP/1.1\r\n${H}X-A : b\r\n\r\n`);
  t.ok(await client.waitClosed(), 'the connection is closed');
  const responses = parseResponses(client.received);
  t.same(responses.map((r) => r.status), [200, 400], 'first the answer to /1, then the refusal');
  t.equal(calls, 1);
});

t.test('SRV-HTTP-5: requests pipelined behind a refused one are not served', async (t) => {
  let calls = 0;
  const { port } = await start(t, () => {
    calls++;
    return { status: 200, body: '' };
  });
  const { responses, closed } = await exchange(t, port, `GET /%zz HTTP/1.1\r\n${H}\r\nGET / HTTP/1.1\r\n${H}\r\n`);
  t.same(responses.map((r) => r.status), [400]);
  t.ok(closed);
  t.equal(calls, 0);
});

t.test('ENV-PATH-3: absolute-form targets are accepted and name the server', async (t) => {
  const { port, violations } = await start(t, (environ) => ({
    status: 200,
    headers: [['content-type', 'text/plain']],
    body: `${environ.SERVER_NAME} ${environ.SERVER_PORT} ${environ.PATH_INFO} ${environ.QUERY_STRING}`,
  }));
  const client = raw(t, port);
  client.write('GET http://other.test:81/x?y HTTP/1.1\r\nHost: example.test\r\n\r\n');
  const [response] = await client.responses(1);
  t.equal(response?.body.toString(), 'other.test 81 /x y', 'RFC 9112 §3.2.2: the target wins over Host');
  t.same(violations, []);
});

t.test('ENV-HTTP-4: obs-text in a value reaches the application as one code unit per byte', async (t) => {
  const { port } = await start(t, (environ) => ({
    status: 200,
    headers: [['content-type', 'text/plain']],
    body: JSON.stringify([...(environ.HTTP_X_A ?? '')].map((c) => c.charCodeAt(0))),
  }));
  const client = raw(t, port);
  client.write(Buffer.concat([Buffer.from(`GET / HTTP/1.1\r\n${H}X-A: b`), Buffer.from([0xe9]), Buffer.from('c\r\n\r\n')]));
  const [response] = await client.responses(1);
  t.equal(response?.body.toString(), '[98,233,99]');
});

t.test('trailers are dropped, never re-framed', async (t) => {
  const { port } = await start(t, async (environ) => {
    const chunks: Buffer[] = [];
    for await (const c of environ['tsgi.input']) chunks.push(Buffer.from(c));
    return { status: 200, headers: [['content-type', 'text/plain']], body: `${Buffer.concat(chunks).toString()} ${environ.HTTP_HOST}` };
  });
  const client = raw(t, port);
  client.write(`POST / HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nHost: evil.test\r\nX-T: 1\r\n\r\n`);
  const [response] = await client.responses(1);
  t.equal(response?.body.toString(), 'abc example.test');
});
