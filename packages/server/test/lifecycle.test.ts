/**
 * Supervision end to end (RELIABILITY.md P1, P2, P3, P4): the real command,
 * real worker processes, real requests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { AS_ROOT, BASE_ARGS, eventually, fixture, get, load, runTsgi, tempDir } from './helpers.js';

t.test('P1: a worker that exits is logged with its exit code and replaced', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--metrics-path', '/metrics']);
  const url = await tsgi.ready;
  const before = (await get(`${url}/pid`)).body;
  await get(`${url}/exit`).catch(() => {});
  await tsgi.waitFor(/TSGI_ERR_WORKER_CRASH: worker 1 \(pid \d+\) exited with code 7; replacing it in \d+ ms/);
  const after = await eventually(async () => {
    const r = await get(`${url}/pid`);
    return r.status === 200 && r.body !== before ? r.body : undefined;
  });
  t.not(after, before, 'a new worker process serves');
  const metrics = await get(`${url}/metrics`);
  t.match(metrics.body, /tsgi_worker_restarts_total\{reason="crash"\} 1/);
  tsgi.kill('SIGTERM');
  t.equal((await tsgi.exit).code, 0);
});

t.test('LIFE-START-2: an app whose startup fails stops the server with status 3 and its error (P4)', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('startup-fails.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '2']);
  const { code } = await tsgi.exit;
  t.equal(code, 3);
  t.match(tsgi.stderr(), /TSGI_ERR_BOOT_FAILED/);
  t.match(tsgi.stderr(), /TSGI_ERR_APP_STARTUP: lifespan startup failed \(LIFE-START-2\): Error: database unreachable at startup/);
  // One generation only: no restart loop.
  t.ok(tsgi.workerPids().length <= 2, `started ${tsgi.workerPids().length} workers`);
});

t.test('P4: a module that throws on import, or exports no application, stops with status 3', async (t) => {
  const imports = runTsgi(t, ['serve', fixture('import-fails.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  t.equal((await imports.exit).code, 3);
  t.match(imports.stderr(), /TSGI_ERR_APP_IMPORT: importing .*import-fails\.mjs failed: Error: this module fails when imported/);
  const notApp = runTsgi(t, ['serve', fixture('not-an-app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  t.equal((await notApp.exit).code, 3);
  t.match(notApp.stderr(), /TSGI_ERR_APP_EXPORT: the export "default" of .*not-an-app\.mjs is not a TSGI application/);
  const noExport = runTsgi(t, ['serve', `${fixture('app.mjs')}:missing`, ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  t.equal((await noExport.exit).code, 3);
  t.match(noExport.stderr(), /has no export "missing" \(it exports default\)/);
});

t.test('P2: a worker whose event loop is blocked is killed after --timeout and replaced', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--timeout', '1']);
  const url = await tsgi.ready;
  const before = (await get(`${url}/pid`)).body;
  const started = Date.now();
  await get(`${url}/block`, { timeoutMs: 10_000 }).then(
    () => t.fail('the blocked request should not be answered'),
    () => {},
  );
  await tsgi.waitFor(new RegExp(`TSGI_ERR_WORKER_TIMEOUT: worker 1 \\(pid ${before}\\) sent no heartbeat`));
  const after = await eventually(async () => {
    const r = await get(`${url}/pid`);
    return r.status === 200 && r.body !== before ? r.body : undefined;
  });
  t.not(after, before);
  // RELIABILITY.md: a hung worker is replaced within timeout + 1 s (plus the new worker's start).
  t.ok(Date.now() - started < 8_000, `replaced after ${Date.now() - started} ms`);
});

t.test('CANCEL-SIG-2: --timeout answers a request that runs too long with 504; tsgi.signal aborts with TSGI_ERR_TIMEOUT', async (t) => {
  const dir = tempDir(t);
  const markers = join(dir, 'markers');
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--timeout', '0.5'], { env: { TSGI_TEST_MARKERS: markers } });
  const url = await tsgi.ready;
  const started = Date.now();
  const r = await get(`${url}/hang`);
  t.equal(r.status, 504);
  t.equal(r.body, 'Gateway Timeout\n');
  t.ok(Date.now() - started < 3_000);
  await tsgi.waitFor(/\[request [0-9a-f-]{36}\] TSGI_ERR_REQUEST_TIMEOUT: GET \/hang ran longer than --timeout 0\.5 s; answered 504/);
  await eventually(() => readFileSync(markers, 'utf8').includes('aborted TSGI_ERR_TIMEOUT'));
  t.pass('the app saw its signal abort with TSGI_ERR_TIMEOUT');
  // A body still streaming at the deadline is cut (ERR-APP-2) and finalised (BODY-ITER-2).
  await t.rejects(get(`${url}/stream?n=10&ms=200`));
  await tsgi.waitFor(/TSGI_ERR_REQUEST_TIMEOUT: GET \/stream\?n=10&ms=200 ran longer than --timeout 0\.5 s; its response was cut/);
  await eventually(() => readFileSync(markers, 'utf8').includes('stream finalised TSGI_ERR_TIMEOUT'));
  t.equal((await get(`${url}/stream?n=2&ms=10`)).body, 'chunk 0\nchunk 1\n', 'a stream within the deadline is whole');
  t.equal((await get(`${url}/`)).status, 200, 'the worker goes on serving');
});

t.test('--max-requests with jitter recycles workers with no failed request', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '2', '--max-requests', '20', '--max-requests-jitter', '5', '--metrics-path', '/metrics']);
  const url = await tsgi.ready;
  // Load goes on until two generations of replacements have served (bounded by count).
  const pids = new Set<string>();
  const result = await load({ url: () => `${url}/pid`, total: 5_000, connections: 4, onReply: (_i, r) => pids.add(r.body), until: () => pids.size >= 5 });
  t.same(result.failed, [], 'no request failed');
  t.ok(pids.size >= 5, `${pids.size} worker processes served ${result.ok} requests`);
  t.match(tsgi.stderr(), /served 2[0-5] requests \(--max-requests 2[0-5]\); recycling it/);
  await eventually(async () => /tsgi_worker_restarts_total\{reason="max_requests"\} [1-9]/.test((await get(`${url}/metrics`)).body));
});

t.test('P3: a worker over --max-memory is recycled gracefully', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('grow.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--max-memory', '200M']);
  const url = await tsgi.ready;
  const grown = await get(`${url}/grow?mb=160`);
  const pid = grown.body.split(' ')[0];
  await tsgi.waitFor(/TSGI_ERR_WORKER_MEMORY: worker 1 \(pid \d+\): RSS \d+ bytes is over --max-memory 209715200; recycling it/);
  const after = await eventually(async () => {
    const r = await get(`${url}/pid`);
    return r.status === 200 && r.body !== pid ? r.body : undefined;
  });
  t.not(after, pid);
});
