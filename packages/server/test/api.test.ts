/**
 * The programmatic API that the CLI is built on: startServer() /
 * createSupervisor() return a handle with ready, url, reload(), stop().
 * The supervisor runs in this process; its workers are real processes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createSupervisor, startServer } from '../src/index.js';
import { fixture, get, tempDir } from './helpers.js';

const allowRoot = process.getuid?.() === 0;
const quiet = { errorLog: '/dev/null', host: '127.0.0.1', port: 0, workers: 1, allowRoot };

t.test('startServer: ready, url, reload() to new code, stop() with status 0', async (t) => {
  const dir = tempDir(t);
  const app = join(dir, 'app.mjs');
  writeFileSync(app, "export default () => ({ status: 200, body: 'one' });\n");
  const server = await startServer({ ...quiet, app });
  t.teardown(() => server.signal('QUIT'));
  t.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal((await get(`${server.url}/`)).body, 'one');
  t.equal(server.workers().length, 1);
  writeFileSync(app, "export default () => ({ status: 200, body: 'two' });\n");
  await server.reload();
  t.equal((await get(`${server.url}/`)).body, 'two', 'reload() resolves once the new generation serves');
  t.equal(await server.stop(), 0);
});

t.test('startServer rejects with TSGI_ERR_BOOT_FAILED and the app\'s error when it cannot start', async (t) => {
  await t.rejects(startServer({ ...quiet, app: fixture('startup-fails.mjs') }), {
    code: 'TSGI_ERR_BOOT_FAILED',
    message: /database unreachable at startup/,
  });
});

t.test('createSupervisor validates its options once, like the CLI', async (t) => {
  t.throws(() => createSupervisor({ ...quiet, app: fixture('app.mjs'), workers: 0 }), { code: 'TSGI_ERR_OPTS_INVALID', message: 'option "workers" is 0; allowed: an integer from 1 to 1024' });
  t.throws(() => createSupervisor({ ...quiet, app: fixture('app.mjs'), wrokers: 2 } as never), { code: 'TSGI_ERR_OPTS_UNKNOWN' });
  t.throws(() => createSupervisor({ ...quiet }), { code: 'TSGI_ERR_CLI_USAGE' });
});
