/**
 * The environ an application sees behind the HTTP adapter, directly and
 * behind trusted and untrusted proxies.
 */
import { request } from 'node:http';
import t, { type Test } from 'tap';
import type { Application, Environ } from '@tsgi/gateway-spec/server-kit';
import { raw, start } from './test-fixtures/harness.js';

const H = 'Host: example.test\r\n';

/** An application that answers with the CGI-style keys of its environ, as JSON. */
const dump: Application = (environ: Environ) => {
  const cgi: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(environ)) if (!key.includes('.')) cgi[key] = value;
  cgi['tsgi.url_scheme'] = environ['tsgi.url_scheme'];
  return { status: 200, headers: [['content-type', 'application/json']], body: JSON.stringify(cgi) };
};

async function environOf(t: Test, port: number, requestText: string): Promise<Record<string, string>> {
  const client = raw(t, port);
  client.write(requestText);
  const [response] = await client.responses(1);
  return JSON.parse(response!.body.toString('latin1'));
}

t.test('ENV-OBJ-3 and friends: the environ of a plain request', async (t) => {
  const { port, violations } = await start(t, dump, { serverName: 'configured.test' });
  const e = await environOf(t, port,
    `POST /a%20b/c?x=%20y&z HTTP/1.1\r\n${H}Content-Type: text/plain\r\nContent-Length: 0\r\n` +
      'X-Multi: 1\r\nX-Multi:  2 \r\nCookie: a=1\r\nCookie: b=2\r\nX_Underscore: dropped\r\nProxy: http://evil.test\r\n\r\n');
  t.equal(e.REQUEST_METHOD, 'POST', 'ENV-METHOD-1');
  t.equal(e.SCRIPT_NAME, '', 'ENV-PATH-1');
  t.equal(e.PATH_INFO, '/a b/c', 'ENV-PATH-3: decoded');
  t.equal(e.QUERY_STRING, 'x=%20y&z', 'ENV-QUERY-1: not decoded');
  t.equal(e.REQUEST_URI, '/a%20b/c?x=%20y&z', 'ENV-PATH-6');
  t.equal(e.SERVER_NAME, 'example.test', 'ENV-SERVER-1');
  t.equal(e.SERVER_PORT, '80', 'ENV-SERVER-2: the default port of the scheme');
  t.equal(e.SERVER_PROTOCOL, 'HTTP/1.1', 'ENV-SERVER-3');
  t.equal(e.REMOTE_ADDR, '127.0.0.1', 'ENV-REMOTE-1');
  t.match(e.REMOTE_PORT, /^\d+$/, 'ENV-REMOTE-3');
  t.equal(e.CONTENT_TYPE, 'text/plain', 'ENV-CONTENT-1');
  t.equal(e.CONTENT_LENGTH, '0', 'ENV-CONTENT-2');
  t.notOk('HTTP_CONTENT_TYPE' in e || 'HTTP_CONTENT_LENGTH' in e, 'ENV-CONTENT-3');
  t.equal(e.HTTP_X_MULTI, '1, 2', 'ENV-HTTP-3, ENV-HTTP-4');
  t.equal(e.HTTP_COOKIE, 'a=1; b=2', 'ENV-HTTP-3: cookies joined by "; "');
  t.notOk('HTTP_X_UNDERSCORE' in e, 'ENV-HTTP-2');
  t.notOk('HTTP_PROXY' in e, 'SEC-PROXY-1');
  t.equal(e['tsgi.url_scheme'], 'http', 'ENV-TSGI-2');
  t.same(violations, [], 'the validator finds nothing wrong with the environ');
});

t.test('ENV-SERVER-1, ENV-SERVER-2: Host with a port; HTTP/1.0 without Host gets the configured name', async (t) => {
  const { port } = await start(t, dump, { serverName: 'configured.test' });
  const withPort = await environOf(t, port, 'GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n');
  t.equal(withPort.SERVER_NAME, '[::1]');
  t.equal(withPort.SERVER_PORT, '8080');
  const old = await environOf(t, port, 'GET / HTTP/1.0\r\n\r\n');
  t.equal(old.SERVER_NAME, 'configured.test');
  t.equal(old.SERVER_PORT, String(port), 'the port the client connected to');
  t.equal(old.SERVER_PROTOCOL, 'HTTP/1.0');
});

t.test('ENV-TSGI-7: tsgi.state is the object startup filled; ENV-TSGI-5, ENV-TSGI-8', async (t) => {
  const { port } = await start(t, {
    startup(ctx) {
      ctx.state.ready = 'yes';
    },
    handle(environ) {
      const flags = [environ['tsgi.multithread'], environ['tsgi.multiprocess'], environ['tsgi.run_once']];
      return {
        status: 200,
        headers: [['content-type', 'text/plain']],
        body: `${String(environ['tsgi.state'].ready)} ${flags.join(',')} ${Object.isFrozen(environ['tsgi.extensions'])} ${environ['tsgi.version'].join('.')}`,
      };
    },
  });
  const client = raw(t, port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  const [response] = await client.responses(1);
  t.equal(response!.body.toString(), 'yes false,false,false true 1.0');
});

// ENV-REMOTE-1 for IPv4-mapped peers (what a dual-stack "::" socket reports) is
// tested on normalizeAddress in shared/trusted-proxies.test.ts: these tests
// listen on 127.0.0.1 only.

t.test('ENV-REMOTE-2: forwarding headers from a trusted proxy', async (t) => {
  const { port, violations } = await start(t, dump, { trustedProxies: ['loopback'] });
  const forwarded = await environOf(t, port,
    `GET / HTTP/1.1\r\n${H}Forwarded: for=198.51.100.7;proto=https;host=app.example, for="[2001:db8::1]:4711";proto=http\r\n\r\n`);
  t.equal(forwarded.REMOTE_ADDR, '2001:db8::1', 'the rightmost entry: the client of the trusted peer');
  t.equal(forwarded.REMOTE_PORT, '4711');
  t.equal(forwarded['tsgi.url_scheme'], 'http');

  const xff = await environOf(t, port,
    `GET / HTTP/1.1\r\n${H}X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: shop.example\r\n\r\n`);
  t.equal(xff.REMOTE_ADDR, '203.0.113.9');
  t.notOk('REMOTE_PORT' in xff, 'ENV-OBJ-2: the port of the client is unknown, so absent');
  t.equal(xff['tsgi.url_scheme'], 'https');
  t.equal(xff.SERVER_NAME, 'shop.example');
  t.equal(xff.SERVER_PORT, '443', 'the default port of the forwarded scheme');

  const port8443 = await environOf(t, port, `GET / HTTP/1.1\r\n${H}X-Forwarded-Proto: https\r\nX-Forwarded-Port: 8443\r\n\r\n`);
  t.equal(port8443.REMOTE_ADDR, '127.0.0.1', 'no X-Forwarded-For: the peer stays the client');
  t.equal(port8443.SERVER_NAME, 'example.test');
  t.equal(port8443.SERVER_PORT, '8443');
  t.same(violations, []);
});

t.test('ENV-REMOTE-2: a chain of trusted proxies is walked back to the first untrusted address', async (t) => {
  const { port } = await start(t, dump, { trustedProxies: ['loopback', '10.0.0.0/8'] });
  const e = await environOf(t, port, `GET / HTTP/1.1\r\n${H}X-Forwarded-For: 6.6.6.6, 198.51.100.7, 10.1.2.3\r\n\r\n`);
  t.equal(e.REMOTE_ADDR, '198.51.100.7', 'a spoofed leftmost entry is not believed');
});

t.test('ENV-REMOTE-2: forwarding headers from an untrusted peer change nothing', async (t) => {
  const { port } = await start(t, dump, { trustedProxies: ['10.0.0.0/8'] });
  const e = await environOf(t, port,
    `GET / HTTP/1.1\r\n${H}Forwarded: for=198.51.100.7;proto=https;host=evil.example\r\nX-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n\r\n`);
  t.equal(e.REMOTE_ADDR, '127.0.0.1');
  t.equal(e['tsgi.url_scheme'], 'http');
  t.equal(e.SERVER_NAME, 'example.test');
  t.equal(e.HTTP_X_FORWARDED_FOR, '203.0.113.9', 'the headers themselves are still passed');
});

t.test('fetch() works against the adapter (keep-alive client)', async (t) => {
  const { handle } = await start(t, dump);
  const responses = await Promise.all([1, 2, 3].map((i) => fetch(`${handle.url}/f${i}`).then((r) => r.json() as Promise<Record<string, string>>)));
  t.same(responses.map((r) => r.PATH_INFO), ['/f1', '/f2', '/f3']);
  const viaHttp = await new Promise<number>((resolve, reject) => {
    request(`${handle.url}/`, (res) => {
      res.resume();
      resolve(res.statusCode!);
    }).on('error', reject).end();
  });
  t.equal(viaHttp, 200);
});
