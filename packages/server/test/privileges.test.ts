/**
 * SEC-PRIV-1 (RELIABILITY.md S1): started as root, the server binds as root
 * and the workers switch to --user/--group before loading the app; without
 * --user it refuses to run the app as root unless --allow-root is given.
 * These tests need root (CI runs as root); elsewhere they are skipped.
 */
import { chmodSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { BASE_ARGS, fixture, get, runTsgi, tempDir } from './helpers.js';

const isRoot = process.getuid?.() === 0;

t.test('SEC-PRIV-1: as root without --user or --allow-root, nothing is started', { skip: !isRoot && 'needs root' }, async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, '--workers', '1']);
  const { code } = await tsgi.exit;
  t.equal(code, 2);
  t.match(tsgi.stderr(), /TSGI_ERR_PRIV_ROOT: started as root: the application would run as root/);
  t.equal(tsgi.workerPids().length, 0, 'no worker was started');
});

t.test('SEC-PRIV-1: --user nobody: workers run as nobody, with logs opened as root', { skip: !isRoot && 'needs root' }, async (t) => {
  const dir = tempDir(t);
  chmodSync(dir, 0o700); // only root can open files here: the worker writes through the inherited descriptor
  const access = join(dir, 'access.log');
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, '--workers', '1', '--user', 'nobody', '--group', 'nogroup', '--access-log', access]);
  const url = await tsgi.ready;
  t.match(tsgi.stderr(), /as uid 65534 gid 65534/);
  const r = await get(`${url}/uid`);
  t.equal(r.body, '65534 65534', 'the app sees the unprivileged uid and gid');
  tsgi.kill('SIGTERM');
  t.equal((await tsgi.exit).code, 0);
  t.match(readFileSync(access, 'utf8'), /"GET \/uid HTTP\/1\.1" 200/);
});

t.test('SEC-PRIV-1: a privileged port is bound as root and served by unprivileged workers', { skip: !isRoot && 'needs root' }, async (t) => {
  const port = await freeLowPort();
  if (port === null) {
    t.comment('no free port below 1024: nothing to check');
    return;
  }
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, '--port', String(port), '--workers', '1', '--user', 'nobody']);
  const url = await tsgi.ready;
  t.match(url, new RegExp(`:${port}$`));
  t.equal((await get(`${url}/uid`)).body.split(' ')[0], '65534');
});

t.test('--user for a user that does not exist exits 2', { skip: !isRoot && 'needs root' }, async (t) => {
  const tsgi = runTsgi(t, ['serve', fixture('app.mjs'), ...BASE_ARGS, '--user', 'no-such-user-tsgi']);
  t.equal((await tsgi.exit).code, 2);
  t.match(tsgi.stderr(), /TSGI_ERR_PRIV_USER: --user "no-such-user-tsgi": no such user/);
});

async function freeLowPort(): Promise<number | null> {
  for (let port = 1023; port > 900; port--) {
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  return null;
}
