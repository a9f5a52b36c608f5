/**
 * serve() and attachTsgi(): lifespan, graceful close, and every way to listen
 * (host and port, unix socket, TLS, inherited fd, listening handle).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer as createHttpServer, request, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { startApplication, type Application } from '@tsgi/gateway-spec/server-kit';
import { attachTsgi, serve } from './index.js';
import { deferred, FAST, raw, sleep, start } from './test-fixtures/harness.js';

const H = 'Host: example.test\r\n';
const TEXT = ['content-type', 'text/plain'] as const;

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-http-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function get(options: Parameters<typeof request>[0]): Promise<{ status: number; body: string; res: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, res }));
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('LIFE-START-1: startup runs before the server listens; a failing startup rejects serve()', async (t) => {
  const order: string[] = [];
  const { handle } = await start(t, {
    async startup() {
      await sleep(10);
      order.push('startup');
    },
    handle: () => ({ status: 200, headers: [TEXT], body: 'ok' }),
  });
  order.push('listening');
  t.same(order, ['startup', 'listening']);
  t.equal((await fetch(handle.url)).status, 200);

  const failure = new Error('no database');
  await t.rejects(serve({ startup() { throw failure; }, handle: () => ({ status: 200 }) }, { host: '127.0.0.1', port: 0 }), failure, 'LIFE-START-2');
});

t.test('SRV-GRACE-1, LIFE-STOP-1: close lets in-flight requests finish, closes idle connections, refuses new ones, then runs shutdown', async (t) => {
  const events: string[] = [];
  const release = deferred();
  const arrived = deferred();
  const handle = await serve({
    handle: async (environ) => {
      if (environ.PATH_INFO === '/slow') {
        arrived.resolve();
        await release.promise;
        events.push('slow answered');
      }
      return { status: 200, headers: [TEXT], body: environ.PATH_INFO };
    },
    shutdown() {
      events.push('shutdown');
    },
  }, { host: '127.0.0.1', port: 0, ...FAST, errorLog: () => {} });
  const port = (handle.address as AddressInfo).port;

  const idle = raw(t, port);
  idle.write(`GET /idle HTTP/1.1\r\n${H}\r\n`);
  await idle.responses(1);
  const busy = raw(t, port);
  busy.write(`GET /slow HTTP/1.1\r\n${H}\r\n`);
  await arrived.promise;

  const closing = handle.close({ timeoutMs: 2_000 });
  t.ok(await idle.waitClosed(500), 'the idle keep-alive connection is closed at once');
  const refused = await new Promise<string>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      resolve('connected');
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
  t.equal(refused, 'ECONNREFUSED', 'no new connections');
  t.equal(handle.inFlight, 1);
  await sleep(20);
  t.notOk(events.includes('shutdown'), 'shutdown waits for the request in flight');
  release.resolve();
  const [response] = await busy.responses(1);
  t.equal(response?.body.toString(), '/slow', 'the request in flight completes');
  t.match(response?.raw, /connection: close/i, 'and its connection closes');
  await closing;
  t.same(events, ['slow answered', 'shutdown']);
  t.equal(handle.close(), closing, 'close() again returns the same promise');
});

t.test('SRV-GRACE-1, CANCEL-SIG-2: past the deadline, requests are aborted with TSGI_ERR_SHUTDOWN', async (t) => {
  const events: string[] = [];
  const arrived = deferred();
  const handle = await serve({
    handle: async (environ) => {
      arrived.resolve();
      const signal = environ['tsgi.signal'];
      await new Promise((r) => signal.addEventListener('abort', r));
      events.push(`aborted ${(signal.reason as { code?: string }).code}`);
      return { status: 200, body: '' };
    },
    shutdown(ctx) {
      events.push(`shutdown ${ctx.signal.aborted}`);
    },
  }, { host: '127.0.0.1', port: 0, ...FAST, errorLog: () => {} });
  const client = raw(t, (handle.address as AddressInfo).port);
  client.write(`GET / HTTP/1.1\r\n${H}\r\n`);
  await arrived.promise;
  const began = Date.now();
  await handle.close({ timeoutMs: 100 });
  t.ok(Date.now() - began < 1_500, 'close keeps to its deadline');
  t.ok(await client.waitClosed(500), 'the connection is destroyed');
  t.equal(client.text, '', 'no response was sent');
  t.same(events, ['aborted TSGI_ERR_SHUTDOWN', 'shutdown false']);
});

t.test('attachTsgi(): serves a started instance on a server the caller owns; inFlight and drain()', async (t) => {
  const server = createHttpServer();
  const instance = await startApplication(
    (async (environ) => {
      if (environ.PATH_INFO === '/slow') await sleep(80);
      return { status: 200, headers: [TEXT], body: 'attached' };
    }) as Application,
    { errors: { write() {} } },
  );
  const attachment = attachTsgi(server, instance, { ...FAST, errorLog: () => {} });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  t.equal((await get({ port, host: '127.0.0.1', path: '/' })).body, 'attached');
  const slow = get({ port, host: '127.0.0.1', path: '/slow' });
  await sleep(20);
  t.equal(attachment.inFlight, 1);
  t.equal(await attachment.drain({ timeoutMs: 1_000 }), 0, 'nothing had to be aborted');
  t.equal(attachment.inFlight, 0);
  t.equal((await slow).res.headers.connection, 'close');
  t.ok(attachment.draining);
  attachment.detach();
  server.closeAllConnections();
});

t.test('listening on a unix socket with a file mode; REMOTE_ADDR is ""; a stale socket file is replaced', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'app.sock');
  // A socket file a crashed server left behind: bound, nobody listening.
  const python = spawnSync('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(path)})`]);
  const stale = python.status === 0 && existsSync(path);
  const handle = await serve((environ) => ({
    status: 200,
    headers: [TEXT],
    body: JSON.stringify([environ.REMOTE_ADDR, environ.REMOTE_PORT ?? 'absent', environ.SERVER_PORT]),
  }), { path, socketMode: 0o600, errorLog: () => {} });
  t.teardown(() => handle.close({ timeoutMs: 100 }));
  t.equal(statSync(path).mode & 0o777, 0o600);
  t.match(handle.url, /^http\+unix:\/\//);
  const { body } = await get({ socketPath: path, path: '/', headers: { host: 'localhost' } });
  t.same(JSON.parse(body), ['', 'absent', '80'], 'ENV-REMOTE-1: "" on a unix socket; ENV-REMOTE-3: no port');
  if (stale) t.pass('the stale socket file was replaced');
  await handle.close();
  t.notOk(existsSync(path), 'the socket file is gone after close');
});

t.test('listening on an unrelated existing file is refused', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'not-a-socket');
  execFileSync('touch', [path]);
  await t.rejects(serve(() => ({ status: 200 }), { path, errorLog: () => {} }), /not a socket/);
});

t.test('TLS: serve HTTPS with a key and certificate; tsgi.url_scheme is https', async (t) => {
  const dir = tempDir(t);
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost']);
  if (made.status !== 0) {
    t.skip('openssl is not available');
    return;
  }
  const { handle } = await start(t, (environ) => ({
    status: 200,
    headers: [TEXT],
    body: `${environ['tsgi.url_scheme']} ${environ.SERVER_PORT}`,
  }), { tls: { key: readFileSync(key), cert: readFileSync(cert, 'utf8') } });
  t.match(handle.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const body = await new Promise<string>((resolve, reject) => {
    httpsRequest(`${handle.url}/`, { rejectUnauthorized: false, headers: { host: 'localhost' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    }).on('error', reject).end();
  });
  t.equal(body, 'https 443', 'ENV-SERVER-2: the default port of https');
});

t.test('listening on a handle that is already listening', async (t) => {
  const listener = createNetServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  const handle = await serve(() => ({ status: 200, headers: [TEXT], body: 'via handle' }), { handle: listener, errorLog: () => {} });
  t.teardown(() => handle.close({ timeoutMs: 100 }));
  t.equal((handle.address as AddressInfo).port, port);
  t.equal((await get({ port, host: '127.0.0.1', path: '/' })).body, 'via handle');
});

t.test('listening on an inherited file descriptor (a child process gets fd 3)', async (t) => {
  const listener = createNetServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = (listener.address() as AddressInfo).port;
  const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'test-fixtures', 'fd-child.mts')], {
    stdio: ['pipe', 'pipe', 'inherit', fd],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  // The child has its own copy of the socket: the parent stops listening.
  listener.close();
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    child.on('exit', () => resolve(false));
  });
  t.ok(ready, 'the child is serving');
  const { body } = await get({ port, host: '127.0.0.1', path: '/x' });
  t.equal(body, `fd ${child.pid} /x`);
  child.stdin!.end();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.equal(code, 0, 'the child closed cleanly');
});
