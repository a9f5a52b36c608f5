/**
 * The `tsgi` command: `tsgi serve [options] <module[:export]>`, `tsgi --help`,
 * `tsgi serve --help`, `tsgi --version`. Flags come from the option table in
 * options.ts (node:util parseArgs, no CLI framework); a config file supplies
 * the rest, and flags override it. Any bad input exits with status 2 and a
 * message that names the field, the value and what is allowed.
 * @module
 */
import { dirname } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { findConfigFile, loadConfigFile } from './config-file.js';
import { ERRORS, EXIT_OK, EXIT_USAGE, isServerError, ServerError } from './errors.js';
import { fromFlagText, OPTIONS, type OptionSpec } from './options.js';
import { resolveOptions, type OptionLayer } from './resolve-options.js';
import { Supervisor } from './supervisor.js';
import { VERSION } from './version.js';

/** Where the CLI writes; tests replace them. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly cwd: string;
}

const defaultIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  cwd: process.cwd(),
};

const GROUPS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['Listening', ['host', 'port', 'unixSocket', 'socketMode', 'backlog']],
  ['Applications', ['mounts', 'reload']],
  ['Workers', ['workers', 'timeout', 'gracefulTimeout', 'startupTimeout', 'maxRequests', 'maxRequestsJitter', 'maxMemory', 'procName']],
  ['Requests', ['keepAlive', 'maxBodySize', 'trustedProxies']],
  ['Privileges', ['user', 'group', 'allowRoot']],
  ['Logs and monitoring', ['accessLog', 'accessLogFormat', 'errorLog', 'logLevel', 'healthPath', 'metricsPath']],
];

function flagColumn(spec: OptionSpec): string {
  const short = spec.short ? `-${spec.short}, ` : '    ';
  return `${short}--${spec.flag}${spec.valueName ? ` ${spec.valueName}` : ''}`;
}

export function mainHelp(): string {
  return `tsgi ${VERSION}: the reference server of TSGI, the TypeScript Server Gateway Interface

Usage:
  tsgi serve [options] <module[:export]>   serve an application (tsgi serve --help)
  tsgi cgi <module.js[:export]>            answer one CGI request (RFC 3875); tsgi cgi --help
  tsgi cgi wrap <app> --out <dir>          precompile an app (TypeScript too) into a CGI script
  tsgi --help | -h                         this text
  tsgi --version | -V                      the version

Examples:
  tsgi serve app.ts                        the default export of app.ts, one worker per core
  tsgi serve app.ts:api -w 4 -p 8080       the export "api", four workers, port 8080
  tsgi serve --mount /api=api.ts --mount /admin=admin.ts
`;
}

export function serveHelp(): string {
  const lines = [
    'Usage: tsgi serve [options] <module[:export]>',
    '',
    'Serves a TSGI application: a supervisor process holds the socket and keeps',
    '--workers worker processes running; each loads the app (TypeScript needs no',
    'build step) and runs its lifespan startup before it takes requests.',
    '',
    'Options may also be given in tsgi.config.json (or .js, .mjs, .ts) in the',
    'working directory, or in the file named by --config; flags override it.',
    '',
    'Config:',
  ];
  const width = Math.max(...OPTIONS.map((o) => flagColumn(o).length)) + 2;
  lines.push(
    `  ${'-c, --config PATH'.padEnd(width)}config file (default: tsgi.config.* in the working directory)`,
    `  ${'-h, --help'.padEnd(width)}this text`,
    `  ${'-V, --version'.padEnd(width)}the version`,
  );
  for (const [title, keys] of GROUPS) {
    lines.push('', `${title}:`);
    for (const key of keys) {
      const spec = OPTIONS.find((o) => o.key === key)!;
      lines.push(`  ${flagColumn(spec).padEnd(width)}${spec.help} (default: ${spec.defaultText})`);
    }
  }
  lines.push(
    '',
    'Signals: TERM/INT drain and stop (a second INT kills), QUIT stops at once,',
    'HUP reloads with no failed request, TTIN/TTOU add or remove a worker.',
    '',
    `Exit status: 0 stopped, 1 cannot listen or open a log, ${EXIT_USAGE} bad command line or`,
    'option, 3 the application cannot be loaded or started.',
    '',
  );
  return lines.join('\n');
}

function parseConfig(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
  };
  for (const spec of OPTIONS) {
    options[spec.flag] = {
      type: spec.kind === 'boolean' ? 'boolean' : 'string',
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.kind === 'list' ? { multiple: true } : {}),
    };
  }
  return options;
}

/** Turns parseArgs' own errors into ours, naming the flag. */
function usageError(error: unknown): ServerError {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    return new ServerError('TSGI_ERR_OPTS_UNKNOWN', `${message.split('. ')[0]}; see tsgi serve --help for the options`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return new ServerError('TSGI_ERR_OPTS_INVALID', message);
  return new ServerError('TSGI_ERR_CLI_USAGE', message);
}

/** `tsgi serve ...`: resolves with the exit status once the server has stopped. */
async function serve(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: parseConfig(), allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(error);
  }
  const positionals = parsed.positionals;
  const values = parsed.values as Record<string, unknown>;
  if (values.help) {
    io.out(serveHelp());
    return EXIT_OK;
  }
  if (values.version) {
    io.out(`${VERSION}\n`);
    return EXIT_OK;
  }
  if (positionals.length > 1) {
    throw new ServerError('TSGI_ERR_CLI_USAGE', `one application module is served at the root, got ${positionals.length} (${positionals.join(' ')}); mount others with --mount /prefix=module`);
  }
  const layers: OptionLayer[] = [];
  const configPath = typeof values.config === 'string' ? values.config : findConfigFile(io.cwd);
  if (configPath !== null) {
    const file = await loadConfigFile(configPath.startsWith('/') ? configPath : `${io.cwd}/${configPath}`);
    layers.push({ source: { kind: 'file', path: file.path }, baseDir: dirname(file.path), values: file.values });
  }
  const flagValues: Record<string, unknown> = {};
  if (positionals[0] !== undefined) flagValues.app = positionals[0];
  for (const spec of OPTIONS) {
    const given = (values as Record<string, unknown>)[spec.flag];
    if (given === undefined) continue;
    if (spec.kind === 'boolean') flagValues[spec.key] = given;
    else if (spec.kind === 'list') flagValues[spec.key] = (given as string[]).map((text) => fromFlagText(spec, text));
    else flagValues[spec.key] = fromFlagText(spec, given as string);
  }
  layers.push({ source: { kind: 'flag' }, baseDir: io.cwd, values: flagValues });
  const options = resolveOptions(layers);
  const supervisor = new Supervisor(options, { handleSignals: true });
  await supervisor.start();
  return supervisor.exited;
}

/** Runs the command line `args` (without `node tsgi`); resolves with the exit status. */
export async function main(args: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case undefined:
        io.err(mainHelp());
        return EXIT_USAGE;
      case '-h':
      case '--help':
        io.out(mainHelp());
        return EXIT_OK;
      case 'help':
        io.out(rest[0] === 'serve' ? serveHelp() : mainHelp());
        return EXIT_OK;
      case '-V':
      case '--version':
      case 'version':
        io.out(`${VERSION}\n`);
        return EXIT_OK;
      case 'serve':
        return await serve(rest, io);
      case 'cgi': {
        // bin/tsgi.js takes this path before loading this module; here for main() called as a library.
        const { cgiMain } = await import('@tsgi/adapters/cgi');
        return await cgiMain(rest);
      }
      default:
        throw new ServerError('TSGI_ERR_CLI_USAGE', `unknown command ${JSON.stringify(command)}; the commands are "serve" and "cgi" (tsgi serve app.ts), see tsgi --help`);
    }
  } catch (error) {
    if (!isServerError(error)) throw error;
    io.err(`tsgi: ${error.code}: ${error.message}\n`);
    return ERRORS[error.code].exit;
  }
}
