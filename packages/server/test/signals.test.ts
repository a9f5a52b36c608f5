/**
 * Signals end to end (RELIABILITY.md P5, P6; SRV-GRACE-1): SIGTERM drains
 * under load with no failed request, SIGHUP reloads under load with no failed
 * request and serves the new code, --reload restarts on a file change.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import t from 'tap';
import { AS_ROOT, BASE_ARGS, eventually, fixture, get, load, runTsgi, tempDir } from './helpers.js';

const versioned = (version: string) => `// written by signals.test.ts
export default {
  startup() {},
  shutdown() {},
  handle() {
    return { status: 200, headers: [['content-type', 'text/plain']], body: '${version} ' + process.pid };
  },
};
`;

t.test('SRV-GRACE-1: SIGTERM drains 200 requests over keep-alive, some slow, with none failed (P5)', async (t) => {
  const dir = tempDir(t);
  const markers = join(dir, 'markers');
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '2', '--graceful-timeout', '10'], { env: { TSGI_TEST_MARKERS: markers } });
  const url = await tsgi.ready;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
  t.teardown(() => agent.destroy());
  const warm = await load({ url: () => `${url}/`, total: 180, connections: 20, agent });
  t.same(warm.failed, []);
  // The last 20 are slow and in flight on the kept-alive connections when SIGTERM arrives.
  const slow = Array.from({ length: 20 }, () => get(`${url}/slow?ms=1500`, { agent }).then((r) => r.status, (e: Error) => e.message));
  await new Promise((r) => setTimeout(r, 500));
  tsgi.kill('SIGTERM');
  const statuses = await Promise.all(slow);
  t.same(statuses, Array(20).fill(200), 'every in-flight request finished');
  const { code } = await tsgi.exit;
  t.equal(code, 0);
  const lines = readFileSync(markers, 'utf8');
  t.equal(lines.match(/^shutdown /gm)?.length, 2, 'lifespan shutdown ran in each worker (LIFE-STOP-1)');
  await t.rejects(get(`${url}/`), 'nothing listens after the stop');
});

t.test('P6: SIGHUP reloads under load with no failed request; the new code serves afterwards', async (t) => {
  const dir = tempDir(t);
  const app = join(dir, 'app.mjs');
  writeFileSync(app, versioned('v1'));
  const tsgi = runTsgi(t, ['serve', app, ...BASE_ARGS, ...AS_ROOT, '--workers', '2']);
  const url = await tsgi.ready;
  let v2 = 0;
  let hupped = false;
  const result = await load({
    url: () => `${url}/`,
    total: 20_000,
    connections: 8,
    onSent: (i) => {
      if (i === 200 && !hupped) {
        hupped = true;
        writeFileSync(app, versioned('v2'));
        tsgi.kill('SIGHUP');
      }
    },
    onReply: (_i, r) => {
      if (r.body.startsWith('v2 ')) v2++;
    },
    until: () => v2 >= 300,
  });
  t.same(result.failed, [], `no request failed (${result.ok} served)`);
  t.ok(v2 >= 300, 'the new code serves');
  const last = result.bodies.slice(-100);
  t.ok(last.every((b) => b.startsWith('v2 ')), 'once reloaded, only the new generation answers');
  await tsgi.waitFor(/reloaded: generation 2 serving/);
  tsgi.kill('SIGTERM');
  t.equal((await tsgi.exit).code, 0);
});

t.test('a reload whose new code cannot start keeps the old generation serving', async (t) => {
  const dir = tempDir(t);
  const app = join(dir, 'app.mjs');
  writeFileSync(app, versioned('v1'));
  const tsgi = runTsgi(t, ['serve', app, ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  const url = await tsgi.ready;
  writeFileSync(app, 'throw new Error("broken deploy");\n');
  tsgi.kill('SIGHUP');
  await tsgi.waitFor(/TSGI_ERR_RELOAD_FAILED: generation 2 could not start; generation 1 keeps serving/);
  t.match(tsgi.stderr(), /broken deploy/);
  const r = await get(`${url}/`);
  t.equal(r.status, 200);
  t.match(r.body, /^v1 /);
  writeFileSync(app, versioned('v3'));
  tsgi.kill('SIGHUP');
  await eventually(async () => (await get(`${url}/`)).body.startsWith('v3 '));
  t.pass('a later reload with good code works');
});

t.test('SIGINT drains and exits 0', async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, ...AS_ROOT, '--workers', '1']);
  const url = await tsgi.ready;
  const slow = get(`${url}/slow?ms=800`);
  await new Promise((r) => setTimeout(r, 200));
  tsgi.kill('SIGINT');
  t.equal((await slow).status, 200);
  t.equal((await tsgi.exit).code, 0);
});

t.test('--reload restarts the workers when a source file changes', async (t) => {
  const dir = tempDir(t);
  const app = join(dir, 'app.mjs');
  writeFileSync(app, versioned('v1'));
  const tsgi = runTsgi(t, ['serve', app, ...BASE_ARGS, ...AS_ROOT, '--workers', '1', '--reload']);
  const url = await tsgi.ready;
  t.match((await get(`${url}/`)).body, /^v1 /);
  writeFileSync(join(dir, 'node_modules-ignored.txt'), 'x');
  writeFileSync(app, versioned('v2'));
  await tsgi.waitFor(/--reload: .*app\.mjs changed, reloading/);
  await eventually(async () => (await get(`${url}/`)).body.startsWith('v2 '));
  t.pass('the changed code is served');
});
