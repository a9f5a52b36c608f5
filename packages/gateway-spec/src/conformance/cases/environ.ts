/**
 * The environ (section 2 of the spec): every key, its type, and its edge
 * cases, read from the probe's JSON dump of the environ it was given.
 * @module
 */
import type { RequestSpec } from '../context.js';
import type { EnvironDump } from '../probe/environ-dump.js';
import type { ConformanceCase } from '../types.js';
import { defineCases, describeDump, envCase, expectKey, has, str } from './helpers.js';

const REQUIRED_KEYS = [
  'REQUEST_METHOD', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING', 'REQUEST_URI', 'SERVER_NAME', 'SERVER_PORT', 'SERVER_PROTOCOL', 'REMOTE_ADDR',
  'tsgi.version', 'tsgi.url_scheme', 'tsgi.input', 'tsgi.errors', 'tsgi.multithread', 'tsgi.multiprocess', 'tsgi.run_once', 'tsgi.signal',
  'tsgi.state', 'tsgi.extensions',
];
const TSGI_KEYS = new Set(REQUIRED_KEYS.filter((k) => k.startsWith('tsgi.')));

const IPV4 = /^(?:\d{1,3}\.){3}\d{1,3}$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

export const environCases: ConformanceCase[] = defineCases([
  envCase({ name: 'env-object', ids: ['ENV-OBJ-1'], title: 'the environ is a plain, extensible, unfrozen object the application can add keys to', request: {}, check: (env, ctx, req) => {
    ctx.check(env.plain, ['ENV-OBJ-1'], `${req}: the environ is not a plain object`);
    ctx.check(!env.frozen && env.extensible, ['ENV-OBJ-1'], `${req}: the environ is frozen or not extensible`);
    ctx.check(env.addKeyWorked, ['ENV-OBJ-1'], `${req}: the application could not add a key to the environ`);
  } }),
  envCase({ name: 'env-required-keys', ids: ['ENV-OBJ-3', 'ENV-OBJ-2'], title: 'every required key is present; CGI keys are strings; no key is undefined or null', request: {}, check: (env, ctx, req) => {
    for (const key of REQUIRED_KEYS) ctx.check(has(env, key), ['ENV-OBJ-3'], `${req}: required key ${key} is missing`);
    for (const [key, v] of Object.entries(env.keys)) {
      if (v.type === 'undefined' || v.type === 'null') ctx.fail(['ENV-OBJ-2'], `${req}: ${key} is present with ${v.type}; an optional key that does not apply is absent`);
      else if (!key.includes('.') && v.type !== 'string') ctx.fail(['ENV-OBJ-2'], `${req}: CGI-style key ${key} is ${describeDump(v)}, not a string`);
    }
    for (const key of ['CONTENT_LENGTH', 'CONTENT_TYPE', 'REMOTE_PORT']) {
      if (str(env, key) === '') ctx.fail(['ENV-OBJ-2'], `${req}: ${key} is "" (an empty placeholder); it must be absent`);
    }
  } }),
  {
    name: 'env-request-method', ids: ['ENV-METHOD-1'], title: 'REQUEST_METHOD is the method as received', app: 'environ',
    async expect(ctx) {
      await Promise.all(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'].map(async (method) => {
        const spec: RequestSpec = { method, path: '/m', ...(method === 'GET' || method === 'OPTIONS' ? {} : { body: '' }) };
        const { env } = await ctx.environ(spec, ['ENV-METHOD-1']);
        expectKey(ctx, env, 'REQUEST_METHOD', method, ['ENV-METHOD-1'], ctx.describe(spec));
      }));
    },
  },
  envCase({ name: 'env-server-protocol', ids: ['ENV-SERVER-3'], title: 'SERVER_PROTOCOL is HTTP/1.1 for an HTTP/1.1 request', request: {}, check: (env, ctx, req) => {
    expectKey(ctx, env, 'SERVER_PROTOCOL', 'HTTP/1.1', ['ENV-SERVER-3'], req);
  } }),
  envCase({ name: 'env-http10-no-host', ids: ['ENV-SERVER-1', 'ENV-SERVER-2', 'ENV-SERVER-3'], title: 'HTTP/1.0 without Host: SERVER_PROTOCOL HTTP/1.0, SERVER_NAME the configured name, SERVER_PORT digits', request: { version: '1.0', host: null }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'SERVER_PROTOCOL', 'HTTP/1.0', ['ENV-SERVER-3'], req);
    const name = str(env, 'SERVER_NAME');
    ctx.check(typeof name === 'string' && name.length > 0 && !/:\d+$/.test(name), ['ENV-SERVER-1'], `${req}: SERVER_NAME is ${describeDump(env.keys.SERVER_NAME)}; expected the server's configured name, without port`);
    ctx.check(/^\d+$/.test(str(env, 'SERVER_PORT') ?? ''), ['ENV-SERVER-2'], `${req}: SERVER_PORT is ${describeDump(env.keys.SERVER_PORT)}, expected decimal digits`);
  }, ...{ requires: ['http/1.0'] } }),
  envCase({ name: 'env-server-name-host', ids: ['ENV-SERVER-1', 'ENV-SERVER-2'], title: 'Host without port: SERVER_NAME from Host, SERVER_PORT 80 (default of http)', request: { host: 'name.example' }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'SERVER_NAME', 'name.example', ['ENV-SERVER-1'], req);
    expectKey(ctx, env, 'SERVER_PORT', '80', ['ENV-SERVER-2'], req);
  } }),
  envCase({ name: 'env-server-name-host-port', ids: ['ENV-SERVER-1', 'ENV-SERVER-2'], title: 'Host with port: SERVER_NAME without the port, SERVER_PORT the port', request: { host: 'name.example:8080' }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'SERVER_NAME', 'name.example', ['ENV-SERVER-1'], req);
    expectKey(ctx, env, 'SERVER_PORT', '8080', ['ENV-SERVER-2'], req);
  } }),
  envCase({ name: 'env-server-name-ipv6', ids: ['ENV-SERVER-1', 'ENV-SERVER-2'], title: 'Host [::1]:9000: SERVER_NAME "[::1]" (RFC 3875 form), SERVER_PORT "9000"', request: { host: '[::1]:9000' }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'SERVER_NAME', '[::1]', ['ENV-SERVER-1'], req);
    expectKey(ctx, env, 'SERVER_PORT', '9000', ['ENV-SERVER-2'], req);
  } }),
  envCase({ name: 'env-server-name-ipv6-default-port', ids: ['ENV-SERVER-1', 'ENV-SERVER-2'], title: 'Host [2001:db8::1]: SERVER_PORT the default 80', request: { host: '[2001:db8::1]' }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'SERVER_NAME', '[2001:db8::1]', ['ENV-SERVER-1'], req);
    expectKey(ctx, env, 'SERVER_PORT', '80', ['ENV-SERVER-2'], req);
  } }),
  {
    name: 'env-remote-addr', ids: ['ENV-REMOTE-1'], title: 'REMOTE_ADDR is the client\'s IP address (no brackets, no port)', app: 'environ',
    async expect(ctx) {
      const conn = await ctx.connect();
      const local = conn.socket.localAddress ?? '';
      await conn.write(ctx.bytes({}, ctx.token()));
      const res = await conn.readResponse();
      conn.destroy();
      const env = JSON.parse(res.body.toString('utf8')) as EnvironDump;
      const addr = str(env, 'REMOTE_ADDR') ?? '';
      ctx.check(IPV4.test(addr) || IPV6.test(addr), ['ENV-REMOTE-1'], `REMOTE_ADDR is ${describeDump(env.keys.REMOTE_ADDR)}: not an IPv4 or bracket-less IPv6 address`);
      const ours = [local, local.replace(/^::ffff:/, ''), `::ffff:${local}`];
      ctx.check(ours.includes(addr), ['ENV-REMOTE-1'], `REMOTE_ADDR is ${JSON.stringify(addr)}, but the client connected from ${local}`);
    },
  },
  {
    name: 'env-remote-port', ids: ['ENV-REMOTE-3'], title: 'REMOTE_PORT is the client\'s port', app: 'environ', level: 'recommended',
    async expect(ctx) {
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({}, ctx.token()));
      const local = String(conn.socket.localPort);
      const res = await conn.readResponse();
      conn.destroy();
      const env = JSON.parse(res.body.toString('utf8')) as EnvironDump;
      expectKey(ctx, env, 'REMOTE_PORT', local, ['ENV-REMOTE-3'], 'GET /');
    },
  },
  envCase({ name: 'env-forwarded-untrusted', ids: ['ENV-REMOTE-2'], title: 'Forwarded / X-Forwarded-* from an untrusted peer change nothing', request: {
    host: 'real.example:8080',
    headers: [['Forwarded', 'for=203.0.113.9;proto=https;host=evil.example'], ['X-Forwarded-For', '203.0.113.9'], ['X-Forwarded-Proto', 'https'], ['X-Forwarded-Host', 'evil.example'], ['X-Forwarded-Port', '443']],
  }, check: (env, ctx, req) => {
    ctx.check(str(env, 'REMOTE_ADDR') !== '203.0.113.9', ['ENV-REMOTE-2'], `${req}: REMOTE_ADDR was taken from a forwarding header of an untrusted peer`);
    ctx.check(env.keys['tsgi.url_scheme']?.value === 'http', ['ENV-REMOTE-2'], `${req}: tsgi.url_scheme is ${describeDump(env.keys['tsgi.url_scheme'])}: taken from a forwarding header of an untrusted peer`);
    expectKey(ctx, env, 'SERVER_NAME', 'real.example', ['ENV-REMOTE-2'], req);
    expectKey(ctx, env, 'SERVER_PORT', '8080', ['ENV-REMOTE-2'], req);
  }, ...{ requires: ['untrusted-client'] } }),


  envCase({ name: 'env-query-raw', ids: ['ENV-QUERY-1', 'ENV-PATH-6'], title: 'QUERY_STRING is the raw query: not decoded, without "?"', request: { path: '/q?a=1&b=%20x+y&c=%zz&d=%C3%A9&e' }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'QUERY_STRING', 'a=1&b=%20x+y&c=%zz&d=%C3%A9&e', ['ENV-QUERY-1'], req);
    expectKey(ctx, env, 'PATH_INFO', '/q', ['ENV-PATH-3'], req);
    expectKey(ctx, env, 'REQUEST_URI', `${ctx.prefix}/q?a=1&b=%20x+y&c=%zz&d=%C3%A9&e`, ['ENV-PATH-6'], req);
  } }),
  {
    name: 'env-query-edge', ids: ['ENV-QUERY-1'], title: 'no query or a bare "?" give ""; only the first "?" splits', app: 'environ',
    async expect(ctx) {
      for (const [path, query] of [['/q', ''], ['/q?', ''], ['/q?a?b=c', 'a?b=c'], ['/q?%3F=%26', '%3F=%26']] as const) {
        const { env } = await ctx.environ({ path }, ['ENV-QUERY-1']);
        expectKey(ctx, env, 'QUERY_STRING', query, ['ENV-QUERY-1'], `GET ${ctx.prefix}${path}`);
      }
    },
  },
  envCase({ name: 'env-content-length', ids: ['ENV-CONTENT-2', 'ENV-CONTENT-1', 'ENV-CONTENT-3'], title: 'a body framed by Content-Length: CONTENT_LENGTH and CONTENT_TYPE, no HTTP_CONTENT_*', request: {
    method: 'POST', body: 'hello', headers: [['Content-Type', 'text/plain; charset=utf-8']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'CONTENT_LENGTH', '5', ['ENV-CONTENT-2'], req);
    expectKey(ctx, env, 'CONTENT_TYPE', 'text/plain; charset=utf-8', ['ENV-CONTENT-1'], req);
    expectKey(ctx, env, 'HTTP_CONTENT_LENGTH', undefined, ['ENV-CONTENT-3'], req);
    expectKey(ctx, env, 'HTTP_CONTENT_TYPE', undefined, ['ENV-CONTENT-3'], req);
  } }),
  envCase({ name: 'env-content-absent', ids: ['ENV-CONTENT-2', 'ENV-CONTENT-1'], title: 'no body, no Content-Type: CONTENT_LENGTH and CONTENT_TYPE are absent', request: {}, check: (env, ctx, req) => {
    expectKey(ctx, env, 'CONTENT_LENGTH', undefined, ['ENV-CONTENT-2'], req);
    expectKey(ctx, env, 'CONTENT_TYPE', undefined, ['ENV-CONTENT-1'], req);
  } }),
  envCase({ name: 'env-content-zero', ids: ['ENV-CONTENT-2'], title: 'Content-Length: 0 gives CONTENT_LENGTH "0"', request: { method: 'POST', body: '' }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'CONTENT_LENGTH', '0', ['ENV-CONTENT-2'], req);
  } }),
  envCase({ name: 'env-content-chunked', ids: ['ENV-CONTENT-2', 'ENV-CONTENT-3'], title: 'a chunked body: no CONTENT_LENGTH', requires: ['raw-socket'], request: {
    method: 'POST', chunks: ['abc', 'defg'], headers: [['Content-Type', 'application/octet-stream']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'CONTENT_LENGTH', undefined, ['ENV-CONTENT-2'], req);
    expectKey(ctx, env, 'HTTP_TRANSFER_ENCODING', 'chunked', ['ENV-HTTP-1'], req);
    expectKey(ctx, env, 'HTTP_CONTENT_LENGTH', undefined, ['ENV-CONTENT-3'], req);
  } }),
  envCase({ name: 'env-http-headers', ids: ['ENV-HTTP-1'], title: 'each request header appears as HTTP_ + upper-case name, "-" as "_"', request: {
    headers: [['X-Custom-Header', 'v1'], ['Accept', 'text/plain'], ['user-agent', 'tsgi-conformance'], ['X-MiXeD-cAsE', 'm']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'HTTP_X_CUSTOM_HEADER', 'v1', ['ENV-HTTP-1'], req);
    expectKey(ctx, env, 'HTTP_ACCEPT', 'text/plain', ['ENV-HTTP-1'], req);
    expectKey(ctx, env, 'HTTP_USER_AGENT', 'tsgi-conformance', ['ENV-HTTP-1'], req);
    expectKey(ctx, env, 'HTTP_X_MIXED_CASE', 'm', ['ENV-HTTP-1'], req);
    expectKey(ctx, env, 'HTTP_HOST', ctx.host, ['ENV-HTTP-1'], req);
  } }),
  envCase({ name: 'env-http-repeated', ids: ['ENV-HTTP-3'], title: 'repeated header fields are joined with ", " in order', request: {
    headers: [['X-Multi', 'a'], ['Accept', 'text/html'], ['X-Multi', 'b, c'], ['X-Multi', 'd'], ['Accept', 'text/plain']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'HTTP_X_MULTI', 'a, b, c, d', ['ENV-HTTP-3'], req);
    expectKey(ctx, env, 'HTTP_ACCEPT', 'text/html, text/plain', ['ENV-HTTP-3'], req);
  } }),
  envCase({ name: 'env-http-cookie', ids: ['ENV-HTTP-3'], title: 'repeated Cookie fields are joined with "; "', request: {
    headers: [['Cookie', 'a=1'], ['Cookie', 'b=2; c=3']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'HTTP_COOKIE', 'a=1; b=2; c=3', ['ENV-HTTP-3'], req);
  } }),
  envCase({ name: 'env-http-underscore-dropped', ids: ['ENV-HTTP-2'], title: 'a header whose name contains "_" is dropped: X_Forwarded_For cannot pass for X-Forwarded-For', request: {
    headers: [['X-Probe-Under', 'good'], ['X_Probe_Under', 'evil'], ['X_Only_Under', 'evil']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'HTTP_X_PROBE_UNDER', 'good', ['ENV-HTTP-2'], req);
    expectKey(ctx, env, 'HTTP_X_ONLY_UNDER', undefined, ['ENV-HTTP-2'], req);
  } }),
  envCase({ name: 'sec-proxy-header-dropped', ids: ['SEC-PROXY-1'], title: 'the Proxy request header never becomes HTTP_PROXY (httpoxy)', request: {
    headers: [['Proxy', 'http://evil.example:3128']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'HTTP_PROXY', undefined, ['SEC-PROXY-1'], req);
  } }),
  envCase({ name: 'env-http-whitespace', ids: ['ENV-HTTP-4'], title: 'a header value loses leading and trailing whitespace, nothing else', request: {
    headers: [['X-Ws', ' \t a  b \t ']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'HTTP_X_WS', 'a  b', ['ENV-HTTP-4'], req);
  } }),
  envCase({ name: 'env-http-latin1', ids: ['ENV-HTTP-4'], title: 'header bytes 0x80-0xFF become one code unit each (latin-1)', request: {
    headers: [['X-Latin', 'caf\u00e9 \u00ff\u0080']],
  }, check: (env, ctx, req) => {
    expectKey(ctx, env, 'HTTP_X_LATIN', 'caf\u00e9 \u00ff\u0080', ['ENV-HTTP-4'], req);
  } }),

  envCase({ name: 'env-tsgi-version', ids: ['ENV-TSGI-1'], title: 'tsgi.version is a frozen array [1, minor]', request: {}, check: (env, ctx, req) => {
    const v = env.keys['tsgi.version'];
    const value = v?.value as unknown[] | undefined;
    ctx.check(v?.type === 'array' && Array.isArray(value) && value.length === 2 && value[0] === 1 && Number.isInteger(value[1]) && (value[1] as number) >= 0,
      ['ENV-TSGI-1'], `${req}: tsgi.version is ${JSON.stringify(v)}, expected [1, minor]`);
    ctx.check(v?.frozen === true, ['ENV-TSGI-1'], `${req}: tsgi.version is not frozen`);
  } }),
  envCase({ name: 'env-tsgi-url-scheme', ids: ['ENV-TSGI-2'], title: 'tsgi.url_scheme is "http" over plain HTTP', request: {}, check: (env, ctx, req) => {
    ctx.check(env.keys['tsgi.url_scheme']?.value === 'http', ['ENV-TSGI-2'], `${req}: tsgi.url_scheme is ${describeDump(env.keys['tsgi.url_scheme'])}, expected "http"`);
  } }),
  envCase({ name: 'env-tsgi-input', ids: ['ENV-TSGI-3'], title: 'tsgi.input is an async iterable, also without a body', request: {}, check: (env, ctx, req) => {
    ctx.check(env.keys['tsgi.input']?.asyncIterable === true, ['ENV-TSGI-3'], `${req}: tsgi.input is ${describeDump(env.keys['tsgi.input'])}, not an async iterable`);
  } }),
  envCase({ name: 'env-tsgi-errors', ids: ['ENV-TSGI-4'], title: 'tsgi.errors has a write method', request: {}, check: (env, ctx, req) => {
    ctx.check(env.keys['tsgi.errors']?.hasWrite === true, ['ENV-TSGI-4'], `${req}: tsgi.errors has no write method`);
  } }),
  envCase({ name: 'env-tsgi-flags', ids: ['ENV-TSGI-5'], title: 'tsgi.multithread, tsgi.multiprocess and tsgi.run_once are booleans', request: {}, check: (env, ctx, req) => {
    for (const key of ['tsgi.multithread', 'tsgi.multiprocess', 'tsgi.run_once']) {
      ctx.check(env.keys[key]?.type === 'boolean', ['ENV-TSGI-5'], `${req}: ${key} is ${describeDump(env.keys[key])}, not a boolean`);
    }
  } }),
  envCase({ name: 'env-tsgi-signal', ids: ['ENV-TSGI-6'], title: 'tsgi.signal is an AbortSignal, not aborted while the request runs', request: {}, check: (env, ctx, req) => {
    const v = env.keys['tsgi.signal'];
    ctx.check(v?.type === 'AbortSignal', ['ENV-TSGI-6'], `${req}: tsgi.signal is ${describeDump(v)}, not an AbortSignal`);
    ctx.check(v?.aborted !== true, ['ENV-TSGI-6'], `${req}: tsgi.signal is already aborted`);
  } }),
  envCase({ name: 'env-tsgi-extensions', ids: ['ENV-TSGI-8', 'EXT-NS-1'], title: 'tsgi.extensions is a frozen object; extension names are dotted lower-case, not tsgi.*', request: {}, check: (env, ctx, req) => {
    const v = env.keys['tsgi.extensions'];
    ctx.check(v?.type === 'object' && v.frozen === true, ['ENV-TSGI-8'], `${req}: tsgi.extensions is ${describeDump(v)}${v?.frozen === false ? ' (not frozen)' : ''}; expected a frozen object`);
    for (const name of v?.keys ?? []) {
      ctx.check(/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/.test(name) && !name.startsWith('tsgi.'), ['EXT-NS-1'], `${req}: extension ${JSON.stringify(name)} is not a dotted lower-case name outside tsgi.`);
    }
  } }),
  envCase({ name: 'env-namespaces', ids: ['ENV-EXT-1'], title: 'the server adds no tsgi.* key the spec does not define', request: {}, check: (env, ctx, req) => {
    for (const key of Object.keys(env.keys)) {
      if (key.startsWith('tsgi.') && !TSGI_KEYS.has(key)) ctx.fail(['ENV-EXT-1'], `${req}: the environ has ${key}; the tsgi. namespace is reserved to the spec`);
    }
  } }),
  {
    name: 'env-tsgi-state', ids: ['ENV-TSGI-7', 'LIFE-CTX-1', 'LIFE-START-1'], title: 'tsgi.state is the one object startup filled, the same in every request', app: 'environ',
    async expect(ctx) {
      const seen = new Map<number, string>();
      for (let i = 0; i < 4; i++) {
        const { env } = await ctx.environ({ path: `/state/${i}` }, ['ENV-TSGI-7']);
        const id = env.keys['tsgi.state']?.objectId;
        const prior = seen.get(env.pid);
        if (prior === undefined) seen.set(env.pid, id ?? '');
        else ctx.check(prior === id, ['ENV-TSGI-7'], `request ${i}: tsgi.state is another object than in an earlier request of the same process`);
        ctx.check(env.keys['tsgi.state']?.plain === true, ['LIFE-CTX-1'], `request ${i}: tsgi.state is not a plain object`);
        if (ctx.check(env.startup !== null, ['LIFE-START-1', 'LIFE-CTX-1'], `request ${i}: tsgi.state has nothing of the probe's startup: startup did not run, or tsgi.state is not ctx.state`)) {
          ctx.check(env.startup!.calls === 1, ['LIFE-START-1'], `startup ran ${env.startup!.calls} times in this instance; it runs once`);
        }
        ctx.check(env.requestsBeforeStartup === 0, ['LIFE-START-1'], `the probe got ${env.requestsBeforeStartup} request(s) before its startup promise resolved`);
      }
    },
  },
  {
    name: 'app-called-once', ids: ['APP-SHAPE-3'], title: 'the handler is called once per request, with one argument: a new environ', app: 'environ',
    requires: ['keep-alive'],
    async expect(ctx) {
      const conn = await ctx.connect();
      const tokens = [ctx.token(), ctx.token()];
      for (const token of tokens) {
        await conn.write(ctx.bytes({ path: '/once' }, token));
        await conn.readResponse();
      }
      conn.destroy();
      for (const token of tokens) {
        const r = await ctx.record(token);
        ctx.check(r?.calls === 1, ['APP-SHAPE-3'], `the handler was called ${r?.calls ?? 0} times for one request`);
        ctx.check(r?.argc === 1, ['APP-SHAPE-3'], `the handler was called with ${r?.argc} arguments, expected 1`);
        ctx.check(!r?.reusedEnviron, ['APP-SHAPE-3'], 'an environ object was passed for a second request; each request gets a new one');
      }
    },
  },
]);
