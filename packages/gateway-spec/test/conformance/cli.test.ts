// tsgi-conformance as a command: --server-cmd starts a server process per
// instance and stops it by its process group, --url checks a running server,
// exit status 0 only when every applicable required check passes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ALL_CASES, createProbeApp, main, type ConformanceReport } from '../../src/conformance/index.js';
import { serve } from '../../../adapters/src/node-http/index.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/serve-probe.ts', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/tsgi-conformance.js', import.meta.url));
const SERVER_CMD = `node --import tsx ${FIXTURE} {app} {port}`;

async function cli(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const status = await main(argv, (s) => { out += s; }, (s) => { err += s; });
  return { status, out, err };
}

t.test('--list prints every check with its ids', async (t) => {
  const { status, out } = await cli(['--list']);
  t.equal(status, 0);
  for (const c of ALL_CASES) t.match(out, c.name);
  t.match(out, /env-path-encoded-slash\s+ENV-PATH-4, ENV-PATH-3, ENV-PATH-6/);
  const only = await cli(['--list', '--only', 'SRV-HTTP-5']);
  t.equal(only.out.trim().split('\n').length, 2, '--only by id selects the one check that names it');
});

t.test('usage errors exit 2 with the usage text', async (t) => {
  for (const argv of [[], ['--url', 'http://x', '--server-cmd', 'y'], ['--url', 'not a url'], ['--url', 'http://x', '--without', 'teleport'], ['--bogus']]) {
    const { status, err } = await cli(argv);
    t.equal(status, 2, argv.join(' '));
    t.match(err, /Usage:/);
  }
});

t.test('--server-cmd: the command is started per instance, checked, and stopped (json reporter)', async (t) => {
  const { status, out, err } = await cli([
    '--server-cmd', SERVER_CMD,
    '--mount-cmd', `node --import tsx ${FIXTURE} {app} {port} {prefix}`,
    '--only', 'env-path-utf8,env-path-utf8@mount,mount-segment-boundary,lifespan-startup-failure,graceful-stop,lifespan-shutdown,errors-stream-logged',
    '--reporter', 'json',
  ]);
  t.equal(status, 0, 'exit status 0', { err });
  const report = JSON.parse(out) as ConformanceReport;
  for (const r of report.results) t.equal(r.status, 'pass', r.name, { failures: r.failures, reason: r.reason });
  t.equal(report.results.length, 8, 'the seven checks and validator-findings');
});

t.test('--server-cmd with a broken server: exit status 1 and the failing check in TAP', async (t) => {
  const { status, out } = await cli([
    '--server-cmd', `node --import tsx ${FIXTURE} {app} {port} '' pass-proxy`,
    '--only', 'sec-proxy-header-dropped,env-path-segments',
    '--reporter', 'tap',
  ]);
  t.equal(status, 1);
  t.match(out, /^TAP version 14/);
  t.match(out, /not ok \d+ - sec-proxy-header-dropped \[SEC-PROXY-1\]/);
  t.match(out, /ok \d+ - env-path-segments/);
});

t.test('--server-cmd that never listens: exit status 2 with its output', async (t) => {
  const { status, err } = await cli(['--server-cmd', 'echo no server here; exit 3', '--only', 'env-object', '--start-timeout-ms', '3000']);
  t.equal(status, 2);
  t.match(err, /exited \(3\) before it accepted connections/);
  t.match(err, /no server here/);
});

t.test('--url where no probe answers: exit status 2 and what to do', async (t) => {
  const { status, err } = await cli(['--url', 'http://127.0.0.1:1/x']);
  t.equal(status, 2);
  t.match(err, /no TSGI conformance probe answers at http:\/\/127\.0\.0\.1:1\/x.*createProbeApp/);
});

t.test('--url: a running server serving the probe under a prefix; checks that need the harness are n/a with a reason', async (t) => {
  const { mount } = await import('../../src/compose/index.js');
  const handle = await serve(mount({ '/conformance': createProbeApp() }), { host: '127.0.0.1', port: 0, errorLog: () => undefined });
  t.teardown(() => handle.close());
  const { status, out } = await cli(['--url', `${handle.url}/conformance`, '--only', 'env-path-segments,mount-prefix-itself,lifespan-shutdown', '--without', 'raw-socket=behind a proxy', '--verbose']);
  t.equal(status, 0, out);
  t.match(out, /✓ env-path-segments/);
  t.match(out, /✓ mount-prefix-itself/);
  t.match(out, /- lifespan-shutdown \[LIFE-STOP-1, LIFE-CTX-1\] n\/a: needs 'start'/);
});

t.test('the bin runs (from dist/ when built, else from the sources through tsx)', async (t) => {
  const r = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /tsgi-conformance --server-cmd/);
});
