/**
 * One target server for one measurement: a free loopback port, a pinned
 * process, a wait until `/hello` answers, and a stop by PID.
 * @module
 */
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENV_HOST, ENV_PORT, ENV_SCENARIO, HELLO_BODY, ROUTES } from '../targets/contract.js';
import type { TargetDefinition } from '../targets/index.js';
import { probe } from './http-probe.js';
import { BENCH_DIR } from './paths.js';
import { pinnedArgv, spawnTracked, stopTracked, type Pinning, type Tracked } from './processes.js';

export const HOST = '127.0.0.1';
export const READY_TIMEOUT_MS = 20_000;
export const READY_POLL_MS = 50;

export interface RunningServer {
  readonly target: TargetDefinition;
  readonly pid: number;
  readonly baseUrl: string;
  readonly tracked: Tracked;
}

/** A port nothing listens on right now (the OS picks it; the server binds it a moment later). */
export function freePort(host: string = HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startServer(
  target: TargetDefinition,
  scenario: string,
  options: { readonly pinning: Pinning; readonly builtEntry: string | undefined },
): Promise<RunningServer> {
  const port = await freePort();
  const argv = target.start.kind === 'node'
    ? [process.execPath, requireBuilt(target, options.builtEntry)]
    : target.start.argv({ host: HOST, port, scenario, benchDir: BENCH_DIR });
  const tracked = spawnTracked(pinnedArgv(options.pinning, 'server', argv), {
    cwd: BENCH_DIR,
    env: { ...process.env, [ENV_HOST]: HOST, [ENV_PORT]: String(port), [ENV_SCENARIO]: scenario },
  });
  const server = { target, pid: tracked.pid, baseUrl: `http://${HOST}:${port}`, tracked };
  try {
    await waitReady(server);
  } catch (error) {
    await stopTracked(tracked);
    throw error;
  }
  return server;
}

function requireBuilt(target: TargetDefinition, builtEntry: string | undefined): string {
  if (builtEntry === undefined) throw new Error(`target ${target.name} was not built`);
  return builtEntry;
}

async function waitReady(server: RunningServer): Promise<void> {
  const { child } = server.tracked;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${server.target.name} exited (${child.exitCode ?? child.signalCode}) before answering: ${server.tracked.stderrTail().trim()}`);
    }
    try {
      const res = await probe(server.baseUrl + ROUTES.hello);
      if (res.status === 200 && res.body.toString() === HELLO_BODY) return;
      lastError = `GET ${ROUTES.hello} answered ${res.status} ${JSON.stringify(res.body.toString().slice(0, 80))}`;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`${server.target.name} not ready after ${READY_TIMEOUT_MS} ms: ${lastError}; stderr: ${server.tracked.stderrTail().trim()}`);
}

export function stopServer(server: RunningServer): Promise<void> {
  return stopTracked(server.tracked);
}
