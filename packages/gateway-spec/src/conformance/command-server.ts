/**
 * Starts a server under test as a command: `my-server {app} --port {port}`.
 * The command runs in its own process group, so that stopping it reaches the
 * server even behind `sh -c` or a wrapper script; its output is the log.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import type { Capability, ServerHandle, ServerLimits, StartServer } from './types.js';

export interface CommandServerOptions {
  /** Command template: {app} the probe module, {port}, {host}, {state} the probe's state directory, {prefix} the mount prefix. */
  readonly command: string;
  /** Template for serving the probe under {prefix}; without it, mounting is not checked. */
  readonly mountCommand?: string;
  readonly host?: string;
  /** Time the server may take to accept connections. */
  readonly startTimeoutMs?: number;
  /** Time between SIGTERM and SIGKILL. */
  readonly stopTimeoutMs?: number;
  readonly capabilities?: ServerHandle['capabilities'];
  readonly limits?: ServerLimits;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

const DEFAULT_START_TIMEOUT_MS = 15_000;
const DEFAULT_STOP_TIMEOUT_MS = 10_000;
/** Output kept for the log checks and for error messages. */
const MAX_LOG_CHARS = 1024 * 1024;

/** Quotes one word for `sh -c`. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Fills the {placeholders} of a command template, each value quoted for the shell. */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? shellQuote(values[name]!) : whole));
}

/** A port that was free a moment ago. */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.setTimeout(500, () => { socket.destroy(); resolve(false); });
  });
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // The group of the command (detached: its pid is the group id): the server too, not only `sh`.
    process.kill(-child.pid, signal);
  } catch {
    try { child.kill(signal); } catch { /* already gone */ }
  }
}

/**
 * In a source checkout the probe module imports TypeScript (the suite runs
 * through tsx): the server's processes get tsx's loader through NODE_OPTIONS,
 * so any Node.js server can import it. From dist/ nothing is added.
 */
function sourceModeEnv(): Record<string, string> {
  if (!import.meta.url.endsWith('.ts')) return {};
  let loader: string;
  try {
    loader = import.meta.resolve('tsx');
  } catch {
    return {};
  }
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${loader}`.trim() };
}

/** A StartServer that runs `options.command` for each probe instance. */
export function commandStarter(options: CommandServerOptions): StartServer {
  const host = options.host ?? '127.0.0.1';
  return async (_app, start) => {
    const template = start.mountPrefix ? options.mountCommand : options.command;
    if (!template) throw new Error('the probe was to be mounted, but no --mount-cmd was given');
    if (!start.appModule) throw new Error('the command needs the probe as a module ({app})');
    const port = await freePort(host);
    const command = fillTemplate(template, { app: start.appModule, port: String(port), host, state: start.stateDir, prefix: start.mountPrefix ?? '' });
    const child = spawn('sh', ['-c', command], {
      cwd: options.cwd,
      env: { ...process.env, ...sourceModeEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let log = '';
    const append = (chunk: Buffer) => {
      log += chunk.toString('utf8');
      if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    let exited: number | string | null | undefined;
    const closed = new Promise<void>((resolve) => child.once('close', (code, signal) => { exited = code ?? signal; resolve(); }));
    child.once('error', (error) => { append(Buffer.from(`\n${error.message}\n`)); });

    const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    for (;;) {
      if (exited !== undefined) {
        throw new Error(`the server command exited (${exited}) before it accepted connections: ${command}\n${log.slice(-4000)}`);
      }
      if (await canConnect(host, port)) break;
      if (Date.now() > deadline) {
        signalGroup(child, 'SIGKILL');
        throw new Error(`the server command did not accept connections on ${host}:${port} within ${options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS} ms: ${command}\n${log.slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }

    let stopping: Promise<void> | undefined;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    return {
      url: `http://${urlHost}:${port}${start.mountPrefix ?? ''}`,
      name: options.command,
      capabilities: options.capabilities,
      limits: options.limits,
      logs: () => log,
      close() {
        stopping ??= (async () => {
          if (exited !== undefined) return;
          signalGroup(child, 'SIGTERM');
          const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
          await closed;
          clearTimeout(timer);
        })();
        return stopping;
      },
    } satisfies ServerHandle;
  };
}

/** The capabilities of a --server-cmd run: declared by flags; mounting only with a mount command. */
export function commandCapabilities(options: { mountCommand?: string | undefined }, declared?: Partial<Record<Capability, boolean | string>>): Partial<Record<Capability, boolean | string>> {
  return { ...declared, mount: options.mountCommand ? true : 'no --mount-cmd was given' };
}
