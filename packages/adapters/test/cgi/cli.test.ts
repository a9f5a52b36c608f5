/**
 * The `tsgi-cgi` command as a CGI host runs it: a new process with the
 * meta-variables in its environment. Also `tsgi-cgi wrap`, and the scripts it
 * writes, run as executables (shebang), with raw bytes in the environment.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '../../src/cgi/bin.ts');
const plain = join(here, 'fixtures/plain.mjs');
const tsApp = join(here, 'fixtures/app.ts');
/** Bundle the server kit from source, so that the test does not depend on a fresh build of @tsgi/gateway-spec. */
const alias = { '@tsgi/gateway-spec/server-kit': join(here, '../../../gateway-spec/src/server-kit/index.ts') };
const SPAWN_TIMEOUT_MS = 30_000;

const CGI_ENV = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app', PATH_INFO: '/p', QUERY_STRING: '', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1', GATEWAY_INTERFACE: 'CGI/1.1' };

interface Run { status: number | null; stdout: string; stderr: string; head: string; body: string }

/**
 * Runs a command with exactly this environment. Through /usr/bin/env -u
 * NODE_OPTIONS: tap's process tracking adds an --import loader to the
 * NODE_OPTIONS of every child, and with a loader Node refuses a main script
 * named *.cgi (no CGI host sets NODE_OPTIONS).
 */
function run(command: string, args: string[], env: Record<string, string>, input = ''): Run {
  const r = spawnSync('/usr/bin/env', ['-u', 'NODE_OPTIONS', command, ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, input, encoding: 'latin1', timeout: SPAWN_TIMEOUT_MS });
  const split = r.stdout.indexOf('\r\n\r\n');
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, head: split === -1 ? r.stdout : r.stdout.slice(0, split), body: split === -1 ? '' : r.stdout.slice(split + 4) };
}

const cli = (args: string[], env: Record<string, string> = CGI_ENV, input = '') => run(process.execPath, ['--import', 'tsx', bin, ...args], env, input);

t.test('tsgi-cgi <module> serves one request', async (t) => {
  const r = cli([plain]);
  t.equal(r.status, 0, r.stderr);
  t.match(r.head, /^Status: 200 OK\r\ncontent-type: application\/json\r\nContent-Length: \d+$/);
  t.match(JSON.parse(r.body), { PATH_INFO: '/p', SCRIPT_NAME: '/cgi-bin/app' });
});

t.test('tsgi-cgi <module>:export', async (t) => {
  t.equal(cli([`${plain}:named`]).body, 'named\n');
  const missing = cli([`${plain}:nothing`]);
  t.match(missing.head, /^Status: 500 /);
  t.match(missing.stderr, /has no export "nothing" \(it exports default, named\)/);
  t.equal(missing.status, 1);
});

t.test('SEC-PROXY-1: HTTP_PROXY is gone before the application module is evaluated (httpoxy, C1)', async (t) => {
  const r = cli([plain], { ...CGI_ENV, HTTP_PROXY: 'http://evil.example:3128' });
  t.match(JSON.parse(r.body), { proxyAtImport: null, proxyAtRequest: null, proxyKey: false });
});

t.test('options come before the module; words after it (an isindex query, RFC 3875 §4.4) are never options', async (t) => {
  const post = { ...CGI_ENV, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '5' };
  t.match(cli(['--max-body-bytes=4', plain], post, 'hello').head, /^Status: 413 /);
  const r = cli([plain, '--max-body-bytes', '0'], post, 'hello');
  t.match(r.head, /^Status: 200 /);
  t.match(JSON.parse(r.body), { length: 5 });
});

t.test('a TypeScript module is refused per request, with the wrap command to use', async (t) => {
  const r = cli([tsApp]);
  t.match(r.head, /^Status: 500 /);
  t.notMatch(r.body, /wrap|TypeScript/, 'SEC-ERR-1: nothing of it for the client');
  t.match(r.stderr, /is TypeScript, which would be compiled again for every request; precompile it once: tsgi-cgi wrap/);
});

t.test('usage errors exit 2; --help exits 0', async (t) => {
  t.equal(cli([], {}).status, 2);
  t.equal(cli(['--max-body-bytes', 'x', plain]).status, 2);
  const help = cli(['--help'], {});
  t.equal(help.status, 0);
  t.match(help.stdout, /tsgi-cgi wrap <app-module>/);
  const wrapUsage = cli(['wrap', plain], {});
  t.equal(wrapUsage.status, 2);
  t.match(wrapUsage.stderr, /--out DIR is required/);
});

t.test('tsgi-cgi wrap: one executable bundle (TypeScript precompiled), run by its shebang', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tsgi-cgi-wrap-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const { wrapCgi } = await import('../../src/cgi/wrap.js');
  const result = await wrapCgi({ app: tsApp, outDir: out, name: 'app.cgi', alias });
  t.equal(result.script, join(out, 'app.cgi'));
  t.equal(statSync(result.script).mode & 0o777, 0o755);
  const source = readFileSync(result.script, 'utf8');
  t.equal(source.split('\n')[0], `#!${process.execPath} --v8-pool-size=1`, 'one V8 background thread is enough for one request');
  t.notMatch(source, /from ['"]tsx|esbuild/, 'no transpiler at run time');
  t.equal(result.validator, join(out, 'app.validator.cjs'), 'the full response validator sits beside the script');
  t.notMatch(source, /ZodType|\$ZodError/, 'zod is not in the script: an everyday response never loads it');
  const invalid = run(result.script, [], { ...CGI_ENV, PATH_INFO: '/bad-header' });
  t.match(invalid.head, /^Status: 500 /);
  t.match(invalid.stderr, /RESP-HDR-2/, 'the side file is loaded for a response the fast check cannot vouch for');
  const r = run(result.script, [], { ...CGI_ENV, PATH_INFO: '/env/caf\u00e9' });
  t.equal(r.status, 0, r.stderr);
  t.match(JSON.parse(Buffer.from(r.body, 'latin1').toString('utf8')), { PATH_INFO: '/env/café', 'tsgi.run_once': true });

  const esm = await wrapCgi({ app: tsApp, outDir: out, name: 'app.mjs', node: 'env', alias });
  t.equal(readFileSync(esm.script, 'utf8').split('\n')[0], '#!/usr/bin/env -S node --v8-pool-size=1');
  t.match(run(esm.script, [], { ...CGI_ENV, PATH_INFO: '/headers' }).stdout, /set-cookie: a=1\r\nset-cookie: b=2/);

  await t.rejects(wrapCgi({ app: tsApp, outDir: out, node: 'relative/node' }), /invalid options/);
  await t.rejects(wrapCgi({ app: join(out, 'missing.ts'), outDir: out }), /does not exist/);
});

t.test('ENV-PATH-4: raw bytes in the environment: valid UTF-8 decodes, invalid UTF-8 is a 400', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tsgi-cgi-bytes-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const { wrapCgi } = await import('../../src/cgi/wrap.js');
  const { script } = await wrapCgi({ app: tsApp, outDir: out, name: 'app.cgi', alias });
  // Node cannot put a lone byte into a child's environment; printf can (octal escapes).
  const shell = (pathInfo: string, header: string) =>
    run('/bin/sh', ['-c', `PATH_INFO="$(printf '${pathInfo}')" HTTP_X_RAW="$(printf '${header}')" exec /usr/bin/env -u NODE_OPTIONS ${script}`], { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app.cgi' });
  const valid = shell('/env/caf\\303\\251', 'caf\\351');
  t.equal(valid.status, 0, valid.stderr);
  const environ = JSON.parse(Buffer.from(valid.body, 'latin1').toString('utf8'));
  t.equal(environ.PATH_INFO, '/env/café');
  t.equal(environ.HTTP_X_RAW, 'caf\u00e9', 'ENV-HTTP-4: the byte E9 is the code unit E9, not U+FFFD');
  const invalid = shell('/env/caf\\351', 'x');
  t.match(invalid.head, /^Status: 400 Bad Request/);
  t.match(invalid.stderr, /ENV-PATH-4: PATH_INFO is not valid UTF-8/);
  t.equal(invalid.status, 0);
});

t.test('tsgi-cgi wrap --snapshot: the script starts from a V8 startup snapshot', async (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tsgi-cgi-snap-'));
  t.teardown(() => rmSync(out, { recursive: true, force: true }));
  const { wrapCgi } = await import('../../src/cgi/wrap.js');
  const { script, snapshot } = await wrapCgi({ app: tsApp, outDir: out, name: 'snap.cgi', snapshot: true, alias });
  t.equal(snapshot, join(out, 'snap.blob'));
  t.equal(readFileSync(script, 'utf8').split('\n')[0], `#!${process.execPath} --snapshot-blob=${snapshot}`);
  const r = run(script, [], { ...CGI_ENV, PATH_INFO: '/env', HTTP_PROXY: 'http://evil.example', HTTP_X_LATE: 'set at request time' });
  t.equal(r.status, 0, r.stderr);
  const environ = JSON.parse(r.body);
  t.equal(environ.HTTP_X_LATE, 'set at request time', 'the environment is the request\'s, not the build\'s');
  t.equal(environ.processHttpProxy, null, 'SEC-PROXY-1');
  const post = run(script, [], { ...CGI_ENV, REQUEST_METHOD: 'POST', PATH_INFO: '/echo', CONTENT_LENGTH: '3' }, 'abc');
  t.match(JSON.parse(post.body), { length: 3 });
});
