/**
 * `tsgi-conformance`: runs the suite against a server command or a URL.
 * Exit status 0 only when every required check that applies passes; 1 when
 * one fails; 2 for a usage error or a server that could not be started.
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ALL_CASES } from './cases/index.js';
import { commandCapabilities, commandStarter } from './command-server.js';
import { formatHuman, formatJson, formatList, formatTap } from './reporters.js';
import { runConformance, selects, type RunOptions } from './runner.js';
import { CAPABILITIES, DEFAULT_CAPABILITIES, type Capability, type ServerLimits } from './types.js';

export const USAGE = `Usage:
  tsgi-conformance --server-cmd "my-server {app} --port {port}" [options]
  tsgi-conformance --url http://127.0.0.1:8000/prefix [options]
  tsgi-conformance --list [--only ...] [--skip ...]

Runs the TSGI server conformance suite. With --server-cmd the suite writes the
probe application as a module, starts the command once per instance (the
placeholders {app}, {port}, {host}, {state} and {prefix} are filled in), waits
for the port, runs the checks, and stops the command's process group with
SIGTERM (SIGKILL after --stop-timeout-ms). With --url the server already
serves the probe (createProbeApp() from @tsgi/gateway-spec/conformance), at
the URL's path as its mount prefix.

Options:
  --server-cmd CMD         command that serves {app} on {host}:{port}
  --mount-cmd CMD          command that serves {app} under {prefix} (enables the mount checks)
  --url URL                a running server that serves the probe
  --host HOST              address the command listens on (default 127.0.0.1)
  --reporter human|tap|json   output format (default human)
  --verbose                human reporter: list passing checks too
  --list                   print every check with its requirement ids, run nothing
  --only NAME|ID[,..]      run only these checks (repeatable; NAME* matches a prefix)
  --skip NAME|ID[,..]      leave these checks out (repeatable)
  --capabilities CAP[,..]  what the server supports, replacing the defaults
  --with CAP               add a capability (repeatable)
  --without CAP[=REASON]   remove a capability; checks needing it are n/a with REASON (repeatable)
  --max-body-bytes N       the server's request body limit (INPUT-FLOW-3)
  --max-header-bytes N     the server's limit on the request head (SRV-HTTP-4; default check: 128 KiB)
  --headers-timeout-ms N   the server's header receipt timeout (checked when <= 3000)
  --log-file PATH          --url mode: the server's error log, for the log checks
  --start-timeout-ms N     time the command may take to listen (default 15000)
  --stop-timeout-ms N      time between SIGTERM and SIGKILL (default 10000)
  --concurrency N          checks run at once (default 6)
  --no-validate            do not wrap the probe in validate()
  --help

Capabilities: ${Object.keys(CAPABILITIES).join(', ')}
Default: ${DEFAULT_CAPABILITIES.join(', ')}
`;

export class UsageError extends Error {
  override name = 'UsageError';
}

function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function capability(name: string): Capability {
  if (!(name in CAPABILITIES)) throw new UsageError(`unknown capability ${JSON.stringify(name)}; known: ${Object.keys(CAPABILITIES).join(', ')}`);
  return name as Capability;
}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} takes a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

export interface Cli {
  readonly mode: 'help' | 'list' | 'run';
  readonly reporter: 'human' | 'tap' | 'json';
  readonly verbose: boolean;
  readonly run: RunOptions;
}

/** Reads the command line into run options; throws UsageError. */
export function parseCli(argv: readonly string[]): Cli {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'server-cmd': { type: 'string' },
        'mount-cmd': { type: 'string' },
        url: { type: 'string' },
        host: { type: 'string' },
        reporter: { type: 'string' },
        verbose: { type: 'boolean' },
        list: { type: 'boolean' },
        only: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        capabilities: { type: 'string' },
        with: { type: 'string', multiple: true },
        without: { type: 'string', multiple: true },
        'max-body-bytes': { type: 'string' },
        'headers-timeout-ms': { type: 'string' },
        'max-header-bytes': { type: 'string' },
        'log-file': { type: 'string' },
        'start-timeout-ms': { type: 'string' },
        'stop-timeout-ms': { type: 'string' },
        concurrency: { type: 'string' },
        'no-validate': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  const reporter = (v.reporter ?? 'human') as Cli['reporter'];
  if (!['human', 'tap', 'json'].includes(reporter)) throw new UsageError(`--reporter is human, tap or json, not ${JSON.stringify(v.reporter)}`);
  const common = { only: list(v.only), skip: list(v.skip) };
  if (v.help) return { mode: 'help', reporter, verbose: false, run: { url: 'http://unused', ...common } };
  if (v.list) return { mode: 'list', reporter, verbose: false, run: { url: 'http://unused', ...common } };
  if (!v['server-cmd'] === !v.url) throw new UsageError('give exactly one of --server-cmd and --url');
  if (v['mount-cmd'] && !v['server-cmd']) throw new UsageError('--mount-cmd goes with --server-cmd');
  if (v['log-file'] && !v.url) throw new UsageError('--log-file goes with --url (with --server-cmd the command\'s output is the log)');

  const declared: Partial<Record<Capability, boolean | string>> = {};
  if (v.capabilities !== undefined) {
    const chosen = new Set(list([v.capabilities]).map(capability));
    for (const cap of Object.keys(CAPABILITIES) as Capability[]) declared[cap] = chosen.has(cap);
  }
  for (const cap of list(v.with)) declared[capability(cap)] = true;
  for (const entry of v.without ?? []) {
    const eq = entry.indexOf('=');
    const cap = capability(eq === -1 ? entry : entry.slice(0, eq));
    declared[cap] = eq === -1 ? false : entry.slice(eq + 1) || false;
  }
  const maxBodyBytes = integer('max-body-bytes', v['max-body-bytes']);
  const headersTimeoutMs = integer('headers-timeout-ms', v['headers-timeout-ms']);
  const maxHeaderBytes = integer('max-header-bytes', v['max-header-bytes']);
  const limits: ServerLimits = {
    ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}),
    ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
    ...(maxHeaderBytes !== undefined ? { maxHeaderBytes } : {}),
  };
  const concurrency = integer('concurrency', v.concurrency);
  const base = { ...common, ...(concurrency ? { concurrency } : {}), validate: !v['no-validate'] };

  if (v.url) {
    const logFile = v['log-file'];
    const logs = logFile ? () => { try { return readFileSync(logFile, 'utf8'); } catch { return ''; } } : undefined;
    try { new URL(v.url); } catch { throw new UsageError(`--url ${JSON.stringify(v.url)} is not a URL`); }
    return { mode: 'run', reporter, verbose: !!v.verbose, run: { ...base, url: v.url, server: { capabilities: declared, limits, ...(logs ? { logs } : {}) } } };
  }
  const start = commandStarter({
    command: v['server-cmd']!,
    ...(v['mount-cmd'] ? { mountCommand: v['mount-cmd'] } : {}),
    ...(v.host ? { host: v.host } : {}),
    ...(v['start-timeout-ms'] ? { startTimeoutMs: integer('start-timeout-ms', v['start-timeout-ms'])! } : {}),
    ...(v['stop-timeout-ms'] ? { stopTimeoutMs: integer('stop-timeout-ms', v['stop-timeout-ms'])! } : {}),
    capabilities: commandCapabilities({ mountCommand: v['mount-cmd'] }, declared),
    limits,
  });
  return { mode: 'run', reporter, verbose: !!v.verbose, run: { ...base, start, name: v['server-cmd']! } };
}

/** Runs the command line; returns the exit status. */
export async function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t), err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  let cli: Cli;
  try {
    cli = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`tsgi-conformance: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (cli.mode === 'help') {
    out(USAGE);
    return 0;
  }
  if (cli.mode === 'list') {
    out(formatList(ALL_CASES.filter((c) => selects(c, cli.run.only, cli.run.skip))));
    return 0;
  }
  try {
    const report = await runConformance(cli.run);
    out(cli.reporter === 'tap' ? formatTap(report) : cli.reporter === 'json' ? formatJson(report) : formatHuman(report, { verbose: cli.verbose }));
    return report.ok ? 0 : 1;
  } catch (error) {
    err(`tsgi-conformance: ${(error as Error)?.message ?? String(error)}\n`);
    return 2;
  }
}
