/**
 * The command line and the config file: help, version, usage errors, config
 * files of each kind, and flags overriding the file. (Each option's bad
 * values: bad-flags.test.ts and bad-config.test.ts.)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { OPTIONS } from '../src/options.js';
import { tsgiSync as tsgi } from './bad-values.js';
import { AS_ROOT, BASE_ARGS, fixture, get, runTsgi, tempDir } from './helpers.js';


t.test('tsgi --help, tsgi serve --help, tsgi --version', async (t) => {
  const help = tsgi(['--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /Usage:\n {2}tsgi serve \[options\] <module\[:export\]>/);
  const serveHelp = tsgi(['serve', '--help']);
  t.equal(serveHelp.status, 0);
  for (const o of OPTIONS) t.match(serveHelp.stdout, `--${o.flag}`, `serve --help lists --${o.flag}`);
  const version = tsgi(['--version']);
  t.equal(version.status, 0);
  t.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  t.equal(tsgi(['-V']).stdout, version.stdout);
  const none = tsgi([]);
  t.equal(none.status, 2, 'no command: usage on stderr, status 2');
  t.match(none.stderr, /Usage:/);
  const unknown = tsgi(['start', 'app.ts']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /TSGI_ERR_CLI_USAGE: unknown command "start"/);
});

t.test('usage errors: no app, two apps, unknown flag, a flag without its value', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['serve'], /TSGI_ERR_CLI_USAGE: no application to serve/],
    [['serve', fixture('app.mjs'), fixture('api.mjs')], /TSGI_ERR_CLI_USAGE: one application module/],
    [['serve', fixture('app.mjs'), '--wrokers', '2'], /TSGI_ERR_OPTS_UNKNOWN: Unknown option '--wrokers'/],
    [['serve', fixture('app.mjs'), '--workers'], /TSGI_ERR_OPTS_INVALID: Option '-w, --workers <value>' argument missing/],
    [['serve', fixture('missing.mjs')], /TSGI_ERR_APP_NOT_FOUND: the application module .*missing\.mjs does not exist/],
    [['serve', fixture('app.mjs'), '--mount', `/=${fixture('api.mjs')}`], /TSGI_ERR_OPTS_INVALID: two applications are mounted at "\/"/],
    [['serve', fixture('app.mjs'), '--health-path', '/x', '--metrics-path', '/x'], /TSGI_ERR_OPTS_INVALID: --health-path and --metrics-path are both "\/x"/],
    [['serve', fixture('app.mjs'), '--config', 'no-such.json'], /TSGI_ERR_CONFIG_NOT_FOUND: the config file .*no-such\.json does not exist/],
  ];
  for (const [args, expected] of cases) {
    const r = tsgi(args);
    t.equal(r.status, 2, args.join(' '));
    t.match(r.stderr, expected);
  }
});

t.test('config files: unknown key, bad JSON, not an object, .js and .ts configs', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'tsgi.config.json');
  writeFileSync(file, JSON.stringify({ app: fixture('app.mjs'), wrokers: 2 }));
  let r = tsgi(['serve'], dir);
  t.equal(r.status, 2);
  t.match(r.stderr, /TSGI_ERR_OPTS_UNKNOWN: "wrokers" in .*tsgi\.config\.json is not an option; known: host, port/);
  writeFileSync(file, '{ "workers": 2, }');
  r = tsgi(['serve'], dir);
  t.equal(r.status, 2);
  t.match(r.stderr, /TSGI_ERR_CONFIG_READ: the config file .*tsgi\.config\.json is not valid JSON/);
  writeFileSync(file, '[1, 2]');
  r = tsgi(['serve'], dir);
  t.equal(r.status, 2);
  t.match(r.stderr, /TSGI_ERR_CONFIG_READ: the config file .* must hold an object of options/);
  const ts = join(dir, 'custom.config.ts');
  writeFileSync(ts, `const workers: number = 0;\nexport default { app: ${JSON.stringify(fixture('app.mjs'))}, workers };\n`);
  r = tsgi(['serve', '--config', ts], dir);
  t.equal(r.status, 2, 'a TypeScript config is read');
  t.match(r.stderr, /"workers" in .*custom\.config\.ts is 0; allowed: an integer from 1/);
});

t.test('flags override the config file; relative paths in the file are taken from its directory', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'app.mjs'), "export default () => ({ status: 200, body: 'from the config dir' });\n");
  writeFileSync(join(dir, 'tsgi.config.js'), "export default { app: './app.mjs', workers: 2, port: 1 };\n");
  const run = runTsgi(t, ['serve', '--config', join(dir, 'tsgi.config.js'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  const line = await run.waitFor(/listening at \S+ \(pid \d+\): (\d+) worker\(s\)/);
  t.equal(line[1], '1', '--workers 1 beats workers: 2');
  await run.ready;
  const url = await run.url;
  t.notMatch(url, /:1$/, '--port 0 beats port: 1');
  t.equal((await get(`${url}/`)).body, 'from the config dir');
});

t.test('tsgi cgi answers one CGI request with the CGI adapter (RFC 3875 response on stdout)', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const dir = tempDir(t);
  const app = join(dir, 'app.mjs');
  writeFileSync(app, 'export default (env) => ({ status: 201, headers: [["content-type", "text/plain"]], body: `cgi ${env.PATH_INFO} ${env["tsgi.run_once"]}` });\n');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', GATEWAY_INTERFACE: 'CGI/1.1', REQUEST_METHOD: 'GET', SCRIPT_NAME: '/app.cgi',
    PATH_INFO: '/x', QUERY_STRING: '', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.1', REMOTE_ADDR: '127.0.0.1',
  };
  const bin = join(fileURLToPath(new URL('..', import.meta.url)), 'bin/tsgi.js');
  const r = spawnSync(process.execPath, [bin, 'cgi', app], { env, input: '', encoding: 'utf8', timeout: 20_000 });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^Status: 201 Created\r?\n/);
  t.match(r.stdout, /\r?\n\r?\ncgi \/x true$/);
});
