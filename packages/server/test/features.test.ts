/**
 * What operators use, end to end: mounting (section 8 of the spec), a
 * TypeScript app with no build step, access and error logs, the health and
 * metrics endpoints.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { AS_ROOT, BASE_ARGS, eventually, fixture, get, runTsgi, tempDir } from './helpers.js';

t.test('MOUNT-PATH-3: --mount serves several apps at prefixes with SCRIPT_NAME/PATH_INFO split (MOUNT-PATH-1, MOUNT-PATH-2)', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), '--mount', `/api=${fixture('api.mjs')}`, '--mount', `/api/ts=${fixture('hello.ts')}:app`, ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  const url = await tsgi.ready;
  t.same(JSON.parse((await get(`${url}/api/users/7?x=1`)).body), { app: 'api', SCRIPT_NAME: '/api', PATH_INFO: '/users/7' });
  t.same(JSON.parse((await get(`${url}/api`)).body), { app: 'api', SCRIPT_NAME: '/api', PATH_INFO: '' }, 'MOUNT-PATH-3: the prefix itself gives PATH_INFO ""');
  t.equal((await get(`${url}/api/ts/deep`)).body, 'typed hello from /api/ts /deep\n', 'MOUNT-PATH-2: the longest prefix wins');
  const apiary = await get(`${url}/apiary`);
  t.equal(apiary.body, 'not here\n', 'MOUNT-PATH-1: /api does not match /apiary; the root app answers');
  t.same(JSON.parse((await get(`${url}/environ`)).body).SCRIPT_NAME, '', 'the root app has SCRIPT_NAME ""');
});

t.test('mounts from the config file, with no root app: unmatched paths are 404', async (t) => {
  const dir = tempDir(t);
  const config = join(dir, 'tsgi.config.json');
  writeFileSync(config, JSON.stringify({ mounts: { '/v1': fixture('api.mjs') }, workers: 1 }));
  const tsgi = runTsgi(t, ['serve', '--config', config, ...BASE_ARGS, ...AS_ROOT]);
  const url = await tsgi.ready;
  t.same(JSON.parse((await get(`${url}/v1/x`)).body).SCRIPT_NAME, '/v1');
  t.equal((await get(`${url}/other`)).status, 404);
});

t.test('a TypeScript application is served with no build step', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('hello.ts'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  const url = await tsgi.ready;
  const r = await get(`${url}/there`);
  t.equal(r.status, 200);
  t.equal(r.body, 'typed hello from / /there\n');
});

t.test('a TypeScript application outside any package (loaded as CommonJS by Node) is served too', async (t) => {
  const dir = tempDir(t);
  const app = join(dir, 'plain.ts');
  writeFileSync(app, "const word: string = 'plain';\nexport default () => ({ status: 200, body: word });\n");
  const tsgi = runTsgi(t, ['serve', app, ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  const url = await tsgi.ready;
  t.equal((await get(`${url}/`)).body, 'plain');
});

t.test('access log in Apache combined format and as JSON lines', async (t) => {
  const dir = tempDir(t);
  for (const format of ['combined', 'json'] as const) {
    const log = join(dir, `access-${format}.log`);
    const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--access-log', log, '--access-log-format', format]);
    const url = await tsgi.ready;
    await get(`${url}/environ?q=1`, { headers: { referer: 'http://example.test/from', 'user-agent': 'tsgi-test/1' } });
    await get(`${url}/missing`);
    const id = JSON.parse((await get(`${url}/environ`)).body).id as string;
    tsgi.kill('SIGTERM');
    await tsgi.exit;
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    t.equal(lines.length, 3, `${format}: one line per request`);
    if (format === 'combined') {
      t.match(lines[0], /^127\.0\.0\.1 - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/environ\?q=1 HTTP\/1\.1" 200 \d+ "http:\/\/example\.test\/from" "tsgi-test\/1"$/);
      t.match(lines[1], /"GET \/missing HTTP\/1\.1" 404 9 "-" "-"$/);
    } else {
      const first = JSON.parse(lines[0]!);
      t.match(first, { remote_addr: '127.0.0.1', method: 'GET', uri: '/environ?q=1', protocol: 'HTTP/1.1', status: 200, referer: 'http://example.test/from', user_agent: 'tsgi-test/1', worker: 1 });
      t.type(first.duration_ms, 'number');
      t.equal(JSON.parse(lines[2]!).request_id, id, 'the request id is the one the app saw as tsgi_server.request_id');
    }
  }
});

t.test('error log: worker id, request id, and tsgi.errors routed to it', async (t) => {
  const dir = tempDir(t);
  const log = join(dir, 'error.log');
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--error-log', log]);
  // The log goes to the file, so the address is read from there.
  const url = await eventually(() => readFileSync(log, 'utf8').match(/listening at (\S+)/)?.[1], 15_000);
  await eventually(() => readFileSync(log, 'utf8').includes('] ready: '), 15_000);
  await get(`${url}/errors`);
  const failed = await get(`${url}/throw`);
  t.equal(failed.status, 500);
  t.notMatch(failed.body, /on purpose/, 'SEC-ERR-1: the error stays out of the response');
  await eventually(() => readFileSync(log, 'utf8').includes('on purpose'));
  const text = readFileSync(log, 'utf8');
  t.match(text, /\[\d+\] \[worker 1\] \[ERROR\] \[request [0-9a-f-]{36}\] a message for the error log/);
  t.match(text, /\[worker 1\] \[ERROR\] \[request [0-9a-f-]{36}\] .*the application failed.*on purpose/);
  t.equal(tsgi.stderr(), '', 'nothing on stderr when --error-log names a file');
});

t.test('--health-path answers 200, and 503 while the worker drains', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--health-path', '/healthz']);
  const url = await tsgi.ready;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const ok = await get(`${url}/healthz`, { agent });
  t.equal(ok.status, 200);
  t.equal(ok.body, 'ok\n');
  const slow = get(`${url}/slow?ms=1500`);
  await new Promise((r) => setTimeout(r, 200));
  tsgi.kill('SIGTERM');
  await tsgi.waitFor(/stopping: draining/);
  await new Promise((r) => setTimeout(r, 100));
  // The kept-alive connection carries one more request during the drain.
  const draining = await get(`${url}/healthz`, { agent });
  t.equal(draining.status, 503);
  t.equal(draining.headers.connection, 'close');
  t.equal((await slow).status, 200);
  t.equal((await tsgi.exit).code, 0);
});

t.test('--metrics-path: Prometheus metrics added up across workers', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '2', '--metrics-path', '/metrics']);
  const url = await tsgi.ready;
  for (let i = 0; i < 20; i++) await get(`${url}/`);
  for (let i = 0; i < 3; i++) await get(`${url}/nowhere`);
  const r = await get(`${url}/metrics`);
  t.equal(r.status, 200);
  t.match(r.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.match(r.body, /^tsgi_requests_total\{status="200"\} 20$/m);
  t.match(r.body, /^tsgi_requests_total\{status="404"\} 3$/m);
  t.match(r.body, /^tsgi_requests_in_flight 1$/m, 'the scrape itself is in flight');
  t.match(r.body, /^tsgi_request_duration_seconds_count 23$/m);
  t.match(r.body, /^tsgi_request_duration_seconds_bucket\{le="\+Inf"\} 23$/m);
  t.match(r.body, /^tsgi_worker_restarts_total\{reason="crash"\} 0$/m);
  t.match(r.body, /^tsgi_workers 2$/m);
});

