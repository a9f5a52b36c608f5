import t from 'tap';
import type { PreparedResponse } from '@tsgi/gateway-spec/server-kit';
import { formatHead, formatLocalRedirect, headBytes } from './response-head.js';

function prepared(over: Partial<PreparedResponse> = {}): PreparedResponse {
  return {
    status: 200,
    headers: [['content-type', 'text/plain']],
    body: { length: 5, file: null, next: async () => null, close: async () => undefined },
    contentLength: 5,
    hasContentLength: false,
    isServerError: false,
    ...over,
  };
}

const cgi = (method = 'GET', log: string[] = []) => ({ method, nphProtocol: null, log: (l: string) => log.push(l) });

t.test('RFC 3875 §6.3.3: a Status line always, also for 200, then the headers and an empty line', async (t) => {
  t.equal(formatHead(prepared(), cgi()), 'Status: 200 OK\r\ncontent-type: text/plain\r\nContent-Length: 5\r\n\r\n');
  t.equal(formatHead(prepared({ status: 418 }), cgi()).split('\r\n')[0], "Status: 418 I'm a Teapot");
  t.equal(formatHead(prepared({ status: 299 }), cgi()).split('\r\n')[0], 'Status: 299 OK', 'an unregistered code gets its class phrase');
});

t.test('RESP-HDR-7: every pair in order, repeats separate', async (t) => {
  const head = formatHead(prepared({ headers: [['Set-Cookie', 'a=1'], ['X-A', '1'], ['Set-Cookie', 'b=2']] }), cgi());
  t.equal(head, 'Status: 200 OK\r\nSet-Cookie: a=1\r\nX-A: 1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\n');
});

t.test('BODY-LEN-1: Content-Length when known, never doubled, never for HEAD, 204 or 304', async (t) => {
  t.notMatch(formatHead(prepared({ contentLength: null }), cgi()), /Content-Length/);
  t.equal(formatHead(prepared({ headers: [['content-length', '5']], hasContentLength: true }), cgi()), 'Status: 200 OK\r\ncontent-length: 5\r\n\r\n');
  t.notMatch(formatHead(prepared({ contentLength: 0 }), cgi('HEAD')), /Content-Length/, 'HEAD: the empty body says nothing of the GET length');
  t.notMatch(formatHead(prepared({ status: 204, headers: [], contentLength: 0 }), cgi()), /Content-Length/);
  t.notMatch(formatHead(prepared({ status: 304, headers: [], contentLength: 0 }), cgi()), /Content-Length/);
});

t.test('RFC 3875 §6.2.3/§6.2.4: redirects keep their status; Location on a 200 is dropped and logged', async (t) => {
  t.match(formatHead(prepared({ status: 302, headers: [['location', 'https://example.com/']] }), cgi()), /^Status: 302 Found\r\nlocation: https:\/\/example.com\/\r\n/);
  t.match(formatHead(prepared({ status: 201, headers: [['Location', '/items/7']] }), cgi()), /Location: \/items\/7/);
  const log: string[] = [];
  const head = formatHead(prepared({ headers: [['content-type', 'text/plain'], ['Location', '/elsewhere']] }), cgi('GET', log));
  t.notMatch(head, /Location/);
  t.match(log[0], /dropped "Location: \/elsewhere" from a 200 response/);
});

t.test('RFC 3875 §6.2.2: a local redirect is one Location line and nothing else', async (t) => {
  t.equal(formatLocalRedirect('/static/a.txt?x=1'), 'Location: /static/a.txt?x=1\r\n\r\n');
});

t.test('RFC 3875 §5: an NPH head is HTTP itself', async (t) => {
  const nph = (protocol: string, method = 'GET') => ({ method, nphProtocol: protocol, log: () => {} });
  const head = formatHead(prepared({ headers: [['location', '/x'], ['content-type', 'text/plain']] }), nph('HTTP/1.1'));
  t.match(head, /^HTTP\/1\.1 200 OK\r\nDate: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\nlocation: \/x\r\ncontent-type: text\/plain\r\nContent-Length: 5\r\nConnection: close\r\n\r\n$/);
  t.match(formatHead(prepared({ contentLength: null }), nph('HTTP/1.1')), /Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n$/, 'BODY-LEN-1: chunked on HTTP/1.1 for an unknown length');
  t.notMatch(formatHead(prepared({ contentLength: null }), nph('HTTP/1.0')), /Transfer-Encoding/, 'HTTP/1.0: the close ends the body');
  t.notMatch(formatHead(prepared({ contentLength: null }), nph('HTTP/1.1', 'HEAD')), /Transfer-Encoding/);
});

t.test('RESP-HDR-3: header values are written byte for byte (latin-1)', async (t) => {
  const bytes = headBytes(formatHead(prepared({ headers: [['x-v', 'caf\xe9']] }), cgi()));
  t.ok(bytes.includes(Buffer.from([0x63, 0x61, 0x66, 0xe9])));
});
