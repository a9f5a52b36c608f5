/**
 * The end-to-end cases, kept as data (as Plack::Test::Suite does): each one
 * is a name, the hosts it applies to, and a client check against the fixture
 * application served by a real CGI host through the precompiled wrapper.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { wrapCgi } from '../../src/cgi/wrap.js';
import { HTACCESS, hostBinary, openForHost, startApache, startLighttpd, startNginx, type CgiHost, type HostName } from './hosts.js';
import { headerValues, request } from './http-client.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Bundle the server kit from source: the test must not depend on a fresh build of @tsgi/gateway-spec. */
const alias = { '@tsgi/gateway-spec/server-kit': join(here, '../../../gateway-spec/src/server-kit/index.ts') };
/** Longest a log line may take to reach the host's error log. */
const LOG_WAIT_MS = 5_000;
/** How long the hold script keeps its output open: above the short Apache Timeout (3 s). */
const HOLD_MS = 6_000;

export type { HostName };

export interface Site {
  readonly host: CgiHost;
  /** URL of the wrapped fixture application. */
  readonly app: string;
  /** URL of the same application as an NPH script. */
  readonly nph: string;
}

/**
 * True when the host can be tested. Missing: a failure under CI (the
 * packages are part of the CI image), a skip with the reason otherwise.
 */
export function hostAvailable(t: Test, name: HostName): boolean {
  if (hostBinary(name) !== null) return true;
  const packages = { apache: 'apache2', lighttpd: 'lighttpd', nginx: 'nginx-light fcgiwrap' }[name];
  const why = `${packages} not installed (Debian: apt-get install ${packages})`;
  if (process.env.CI) t.fail(`${why}; CI must have it`);
  else t.plan(0, `end-to-end CGI tests through ${name} skipped: ${why}`);
  return false;
}

/** A temporary server root: cgi-bin with the wrapped fixture, htdocs with a static file; removed in teardown. */
export async function prepareSite(t: Test, name: HostName): Promise<Site> {
  const root = mkdtempSync(join(tmpdir(), `tsgi-cgi-${name}-`));
  openForHost(root);
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const cgiDir = join(root, 'cgi-bin');
  const docRoot = join(root, 'htdocs');
  mkdirSync(cgiDir, { mode: 0o755 });
  mkdirSync(docRoot, { mode: 0o755 });
  writeFileSync(join(docRoot, 'hello.txt'), 'static hello\n', { mode: 0o644 });
  const app = join(here, 'fixtures/app.ts');
  await wrapCgi({ app, outDir: cgiDir, name: 'app.cgi', alias });
  await wrapCgi({ app, outDir: cgiDir, name: 'nph-app.cgi', alias });
  await wrapCgi({ app, outDir: cgiDir, name: 'hold.cgi', holdOnFailureMs: HOLD_MS, alias });
  // The .htaccess variant: a script in an ordinary directory of the site (Apache only).
  const shared = join(docRoot, 'shared');
  mkdirSync(shared, { mode: 0o755 });
  writeFileSync(join(shared, '.htaccess'), HTACCESS, { mode: 0o644 });
  await wrapCgi({ app, outDir: shared, name: 'app.cgi', alias });
  const start = { apache: startApache, lighttpd: startLighttpd, nginx: startNginx }[name];
  const host = await start(root, cgiDir, docRoot);
  t.teardown(() => host.stop());
  return { host, app: `${host.cgiBase}/app.cgi`, nph: `${host.cgiBase}/nph-app.cgi` };
}

async function waitForLog(t: Test, site: Site, pattern: RegExp, what: string): Promise<string> {
  const deadline = Date.now() + LOG_WAIT_MS;
  for (;;) {
    const log = site.host.errorLog();
    if (pattern.test(log)) {
      t.pass(`${what} is in the ${site.host.name} error log`);
      return log;
    }
    if (Date.now() > deadline) {
      t.fail(`${what} is not in the ${site.host.name} error log`, { pattern: String(pattern), log: log.slice(-2000) });
      return log;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const json = (body: Buffer) => JSON.parse(body.toString('utf8')) as Record<string, unknown>;

export interface Case {
  readonly name: string;
  readonly hosts?: readonly HostName[];
  run(t: Test, site: Site): Promise<void>;
}

export const cases: Case[] = [
  {
    name: 'ENV-QUERY-1, ENV-PATH-6: GET with a query string',
    async run(t, site) {
      const r = await request(`${site.app}/env/x?a=1&b=%20c&a=2`);
      t.equal(r.status, 200);
      const env = json(r.body);
      t.match(env, {
        REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app.cgi', PATH_INFO: '/env/x', QUERY_STRING: 'a=1&b=%20c&a=2',
        REQUEST_URI: '/cgi-bin/app.cgi/env/x?a=1&b=%20c&a=2', SERVER_NAME: '127.0.0.1', SERVER_PORT: String(site.host.port),
        SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', GATEWAY_INTERFACE: 'CGI/1.1',
        'tsgi.url_scheme': 'http', 'tsgi.run_once': true, 'tsgi.multiprocess': true, 'tsgi.multithread': false,
      });
      t.match(env.REMOTE_PORT, /^\d+$/);
    },
  },
  {
    name: 'ENV-PATH-2: no PATH_INFO is "", a trailing slash is "/"',
    async run(t, site) {
      t.match(json((await request(site.app)).body), { error: 'not found', path: '' });
      t.match(json((await request(`${site.app}/`)).body), { error: 'not found', path: '/' });
    },
  },
  {
    name: 'INPUT-ITER-2: POST with a 1 MiB body',
    async run(t, site) {
      const body = randomBytes(1024 * 1024);
      const r = await request(`${site.app}/echo`, { body, headers: { 'content-type': 'application/octet-stream' } });
      t.same(json(r.body), { length: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    },
  },
  {
    name: 'POST with a 1 MiB chunked body (Apache streams it without CONTENT_LENGTH)',
    async run(t, site) {
      const body = randomBytes(1024 * 1024);
      const r = await request(`${site.app}/echo`, { body, chunked: true });
      t.same(json(r.body), { length: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    },
  },
  {
    name: 'a 1 MiB body the application never reads is drained; the response is not held up',
    async run(t, site) {
      const r = await request(`${site.app}/ignore-body`, { body: randomBytes(1024 * 1024) });
      t.equal(r.status, 200);
      t.equal(r.body.toString(), 'ignored\n');
      t.ok(r.complete);
    },
  },
  {
    name: 'ENV-PATH-4: percent-encoded and non-ASCII paths are decoded as UTF-8',
    async run(t, site) {
      const r = await request(`${site.app}/env/a%20b/caf%C3%A9/%F0%9F%98%80/100%25`);
      t.match(json(r.body), { PATH_INFO: '/env/a b/café/😀/100%', REQUEST_URI: '/cgi-bin/app.cgi/env/a%20b/caf%C3%A9/%F0%9F%98%80/100%25' });
    },
  },
  {
    name: 'ENV-PATH-4: a path that is not UTF-8 is refused with 400, the application not called',
    async run(t, site) {
      const r = await request(`${site.app}/env/caf%E9`);
      t.equal(r.status, 400);
      t.equal(r.body.toString(), 'Bad Request\n');
      await waitForLog(t, site, /refused with 400 \(ENV-PATH-4: PATH_INFO is not valid UTF-8\)/, 'the ENV-PATH-4 refusal');
    },
  },
  {
    name: 'ENV-PATH-5, C5: dot-segments and a %0A in the path: the host normalises, the adapter passes it on',
    async run(t, site) {
      t.match(json((await request(`${site.app}/env/x/../y`)).body), { PATH_INFO: '/env/y', REQUEST_URI: '/cgi-bin/app.cgi/env/x/../y' });
      const lf = await request(`${site.app}/env/a%0Ab`);
      // lighttpd refuses a control character in the path itself (400); Apache decodes it.
      if (lf.status === 200) t.match(json(lf.body), { SCRIPT_NAME: '/cgi-bin/app.cgi', PATH_INFO: '/env/a\nb' });
      else t.equal(lf.status, 400);
    },
  },
  {
    // nginx before 1.23 passes only the first of repeated headers to FastCGI (docs/deploy/cgi.md).
    name: 'ENV-HTTP-3: repeated request headers are joined with ", "',
    hosts: ['apache', 'lighttpd'],
    async run(t, site) {
      const r = await request(`${site.app}/env`, { headers: { 'x-rep': ['1', '2'], 'x-trim': '  v  ' } });
      t.match(json(r.body), { HTTP_X_REP: '1, 2', HTTP_X_TRIM: 'v' });
    },
  },
  {
    name: 'SEC-PROXY-1 (C1): a Proxy header reaches neither the environ nor process.env',
    async run(t, site) {
      const env = json((await request(`${site.app}/env`, { headers: { proxy: 'http://evil.example:3128' } })).body);
      t.notOk('HTTP_PROXY' in env);
      t.equal(env.processHttpProxy, null);
    },
  },
  {
    name: 'C2: Authorization arrives when the host passes it (Apache: CGIPassAuth On; lighttpd: by default)',
    async run(t, site) {
      const env = json((await request(`${site.app}/env`, { headers: { authorization: 'Bearer t0ken' } })).body);
      t.equal(env.HTTP_AUTHORIZATION, 'Bearer t0ken');
    },
  },
  {
    // fcgiwrap holds small writes until its buffer fills or the script ends (docs/deploy/cgi.md).
    name: 'BODY-ITER-1: a streamed response arrives chunk by chunk',
    hosts: ['apache', 'lighttpd'],
    async run(t, site) {
      const r = await request(`${site.app}/stream`);
      t.equal(r.body.toString(), 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
      t.ok(r.complete);
      // The application sleeps 4 × 20 ms between chunks: a buffering host would deliver all at once.
      t.ok(r.totalMs - (r.firstByteMs ?? r.totalMs) >= 40, `first byte ${r.firstByteMs} ms, end ${r.totalMs} ms`);
    },
  },
  {
    name: 'a 2 MiB streamed response arrives whole (backpressure through the pipe)',
    async run(t, site) {
      const r = await request(`${site.app}/big`);
      t.equal(r.body.length, 32 * 64 * 1024);
      t.ok(r.complete);
    },
  },
  {
    name: 'RFC 3875 §6.2.4: a client redirect with a document',
    async run(t, site) {
      const r = await request(`${site.app}/redirect`);
      t.equal(r.status, 302);
      t.same(headerValues(r, 'location'), ['http://example.com/elsewhere']);
      t.equal(r.body.toString(), 'moved\n');
    },
  },
  {
    name: 'RFC 3875 §6.2.2: cgi.local_redirect makes the host serve another local URL',
    async run(t, site) {
      const r = await request(`${site.app}/local-redirect`);
      if (site.host.name === 'nginx') {
        // nginx has no CGI local redirects: a Location without Status becomes a 302.
        t.equal(r.status, 302);
        t.same(headerValues(r, 'location'), ['/hello.txt']);
        return;
      }
      t.equal(r.status, 200);
      t.equal(r.body.toString(), 'static hello\n');
    },
  },
  {
    name: 'a Location on a 200 never turns into a redirect',
    async run(t, site) {
      const r = await request(`${site.app}/ok-with-location`);
      t.equal(r.status, 200);
      t.equal(r.body.toString(), 'not a redirect\n');
      t.same(headerValues(r, 'location'), []);
    },
  },
  {
    name: 'ERR-APP-1, SEC-ERR-1: an application error is a short 500; the details are in the error log only',
    async run(t, site) {
      const r = await request(`${site.app}/throw`);
      t.equal(r.status, 500);
      t.equal(r.body.toString(), 'Internal Server Error\n');
      t.notMatch(r.body.toString(), /secret|Error:|at /);
      await waitForLog(t, site, /the application failed \(ERR-APP-1\): Error: secret-detail-42 must stay in the log/, 'the application error');
    },
  },
  {
    name: 'RESP-HDR-8: an invalid application header is a 500',
    async run(t, site) {
      const r = await request(`${site.app}/bad-header`);
      t.equal(r.status, 500);
      t.notMatch(r.body.toString(), /never sent/);
      await waitForLog(t, site, /RESP-HDR-2/, 'the RESP-HDR-2 violation');
    },
  },
  {
    name: 'RESP-HDR-7: repeated response headers stay separate',
    async run(t, site) {
      t.same(headerValues(await request(`${site.app}/headers`), 'set-cookie'), ['a=1', 'b=2']);
    },
  },
  {
    name: 'BODY-HEAD-1, BODY-NOBODY-1: HEAD and 204 carry no body',
    async run(t, site) {
      const head = await request(`${site.app}/env`, { method: 'HEAD' });
      t.equal(head.status, 200);
      t.equal(head.body.length, 0);
      const none = await request(`${site.app}/no-content`);
      t.equal(none.status, 204);
      t.equal(none.body.length, 0);
    },
  },
  {
    name: 'ERR-APP-2: a body failing after the head: output stops, the error is logged',
    async run(t, site) {
      const r = await request(`${site.app}/fail-mid-stream`);
      t.equal(r.status, 200);
      t.equal(r.body.toString(), 'first part\n');
      // Both hosts end the response cleanly when the script's output ends (documented in docs/deploy/cgi.md).
      t.comment(`${site.host.name}: the client saw ${r.complete ? 'a complete' : 'a truncated'} response`);
      await waitForLog(t, site, /the output ends here \(ERR-APP-2\): Error: mid-stream-failure-7/, 'the ERR-APP-2 line');
    },
  },
  {
    name: 'Apache .htaccess variant: AddHandler cgi-script, CGIPassAuth On',
    hosts: ['apache'],
    async run(t, site) {
      const r = await request(`http://127.0.0.1:${site.host.port}/shared/app.cgi/env?q=1`, { headers: { authorization: 'Basic YTpi' } });
      t.equal(r.status, 200);
      t.match(json(r.body), { SCRIPT_NAME: '/shared/app.cgi', PATH_INFO: '/env', QUERY_STRING: 'q=1', HTTP_AUTHORIZATION: 'Basic YTpi' });
    },
  },
  {
    name: 'ENV-PATH-1: the script mapped at the root with ScriptAliasMatch: SCRIPT_NAME "" (plack#147)',
    hosts: ['apache'],
    async run(t, site) {
      const r = await request(`${site.host.shortTimeoutBase!.replace(/\/cgi-bin$/, '')}/env/deep?x=1`);
      t.match(json(r.body), { SCRIPT_NAME: '', PATH_INFO: '/env/deep', REQUEST_URI: '/env/deep?x=1', QUERY_STRING: 'x=1' });
      t.match(json((await request(`${site.host.shortTimeoutBase!.replace(/\/cgi-bin$/, '')}/`)).body), { error: 'not found', path: '/' });
    },
  },
  {
    name: 'ERR-APP-2 with holdOnFailureMs: Apache aborts the response at its Timeout, the client sees the truncation',
    hosts: ['apache'],
    async run(t, site) {
      const r = await request(`${site.host.shortTimeoutBase}/hold.cgi/fail-mid-stream`);
      t.equal(r.body.toString(), 'first part\n');
      t.equal(r.complete, false, 'no last chunk');
    },
  },
  {
    name: 'RFC 3875 §5: an nph- script (HTTP itself under Apache, chunked for an unknown length; parsed elsewhere)',
    async run(t, site) {
      const fixed = await request(`${site.nph}/headers`);
      t.equal(fixed.status, 200);
      t.same(headerValues(fixed, 'set-cookie'), ['a=1', 'b=2']);
      t.equal(fixed.body.toString(), 'two cookies\n');
      const streamed = await request(`${site.nph}/stream`);
      t.equal(streamed.body.toString(), 'chunk 0\nchunk 1\nchunk 2\nchunk 3\nchunk 4\n');
      t.ok(streamed.complete);
    },
  },
  {
    name: 'ERR-APP-2 for an NPH script under Apache: no last chunk, the client sees the truncation',
    hosts: ['apache'],
    async run(t, site) {
      const r = await request(`${site.nph}/fail-mid-stream`);
      t.equal(r.body.toString(), 'first part\n');
      t.equal(r.complete, false);
    },
  },
];

/** Runs every case that applies to the site's host, each as a subtest. */
export async function runCases(t: Test, site: Site): Promise<void> {
  for (const c of cases) {
    if (c.hosts && !c.hosts.includes(site.host.name)) continue;
    await t.test(c.name, (t) => c.run(t, site));
  }
}
