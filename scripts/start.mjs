#!/usr/bin/env node
// `pnpm start`: serves the example apps (examples/tsgi.config.json) with the
// reference server. Started as root, as on a fresh CI-like machine, the workers
// run as nobody: tsgi refuses to run an application as root unless told to
// (SEC-PRIV-1), and the quick start should show the safe way, not the override.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = ['packages/server/bin/tsgi.js', 'serve', '--config', 'examples/tsgi.config.json', ...process.argv.slice(2)];
if (process.getuid?.() === 0 && !args.some((a) => a === '--user' || a === '-u' || a === '--allow-root')) {
  args.push('--user', 'nobody', '--group', 'nogroup');
  console.log('pnpm start: running as root, so the workers run as nobody:nogroup');
}
console.log('pnpm start: try  curl http://127.0.0.1:8000/  ·  /kv/stats  ·  /stream?count=3  ·  curl -d hi http://127.0.0.1:8000/echo');
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
