// How worker processes can share one listening port in Node 20 (no SO_REUSEPORT):
//   rr    node:cluster, round-robin by the primary (SCHED_RR, the default on Linux)
//   none  node:cluster, shared handle, the workers accept (SCHED_NONE)
//   fork  child_process.fork with the bound socket inherited as fd 3 (what tsgi serve does)
// usage: node socket-sharing.mjs rr|none|fork WORKERS PORT
// Each worker writes its request count to $TMPDIR/count-<pid> every 300 ms.
// See docs/deploy/server.md ("Process model") for the commands and figures.
import cluster from 'node:cluster';
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [mode, workers, port] = [process.argv[2], Number(process.argv[3] ?? 1), Number(process.argv[4] ?? 8000)];
let count = 0;
const hello = (_req, res) => {
  count++;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '12' });
  res.end('hello world\n');
};
const isWorker = process.env.SHARE_CHILD === '1' || !cluster.isPrimary;
if (isWorker) setInterval(() => writeFileSync(join(tmpdir(), `count-${process.pid}`), String(count)), 300).unref();

if (process.env.SHARE_CHILD === '1') {
  http.createServer(hello).listen({ fd: 3 });
} else if (mode === 'fork') {
  // Bound, not listening: the workers call listen(2) and accept(2); this process never accepts.
  const handle = net._createServerHandle('127.0.0.1', port, 4);
  if (typeof handle === 'number') throw new Error(`bind failed: ${handle}`);
  for (let i = 0; i < workers; i++) {
    fork(fileURLToPath(import.meta.url), [], { env: { ...process.env, SHARE_CHILD: '1' }, stdio: ['inherit', 'inherit', 'inherit', handle.fd, 'ipc'] });
  }
} else if (cluster.isPrimary) {
  cluster.schedulingPolicy = mode === 'rr' ? cluster.SCHED_RR : cluster.SCHED_NONE;
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  http.createServer(hello).listen(port, '127.0.0.1');
}
