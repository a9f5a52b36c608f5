import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTypeScriptPath, parseAppSpec, pickApp } from './app-module.js';
import type { CgiOptions } from './options.js';
import { removeProxyVariable } from './httpoxy.js';
import { runCgi, CGI_EXIT } from './run-cgi.js';

export const CGI_USAGE = `Usage:
  tsgi-cgi [options] <app-module>[:export]
      Serve one CGI request with the application (run by the web server, e.g.
      from a shebang "#!/usr/bin/env tsgi-cgi" or a one-line wrapper).
      --script-name PREFIX    the application's URL prefix, when the host's SCRIPT_NAME is not it
      --max-body-bytes N      answer 413 to a larger CONTENT_LENGTH
      --nph                   write a non-parsed-header response (default: for nph-* scripts)
      --hold-on-failure-ms N  after a body fails half-way, keep the output open N ms so
                              that the host's read timeout aborts the response

  tsgi-cgi wrap <app-module>[:export] --out DIR [options]
      Precompile the application (TypeScript included) and the adapter into one
      executable CGI script DIR/<app>.cgi.
      --name FILE             script file name (*.mjs: ES module bundle)
      --node PATH|env         node in the shebang (default: ${process.execPath})
      --snapshot              also build a V8 startup snapshot and start from it
      --script-name, --max-body-bytes, --hold-on-failure-ms   as above, built in
      --external PKG          leave a package out of the bundle (repeatable)
      --no-minify             keep the bundle readable
`;

type Flags = Map<string, string[]>;

/** Options with a value; the rest are switches. */
const VALUED = new Set(['--script-name', '--max-body-bytes', '--hold-on-failure-ms', '--out', '--name', '--node', '--external']);

/**
 * Reads options up to the first positional argument. What follows the
 * application is never read: for a query without "=", Apache passes its words
 * to the script as arguments (RFC 3875 §4.4), and a client must not be able
 * to set options that way.
 */
function parseArgs(argv: readonly string[], stopAtPositional: boolean): { flags: Flags; positional: string[] } {
  const flags: Flags = new Map();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--') || arg === '-h') {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg : arg.slice(0, eq);
      let value = eq === -1 ? '' : arg.slice(eq + 1);
      if (VALUED.has(name) && eq === -1) {
        if (i + 1 >= argv.length) throw new Error(`${name} needs a value`);
        value = argv[++i]!;
      }
      flags.set(name, [...(flags.get(name) ?? []), value]);
    } else {
      positional.push(arg);
      if (stopAtPositional) break;
    }
  }
  return { flags, positional };
}

function last(flags: Flags, name: string): string | undefined {
  return flags.get(name)?.at(-1);
}

function nonNegativeInteger(flags: Flags, name: string): number | undefined {
  const value = last(flags, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * The `tsgi-cgi` command (and `tsgi cgi`): serves one CGI request with an
 * application module, or, as `tsgi-cgi wrap`, builds a precompiled CGI script.
 * Resolves to the exit code; the caller exits with it.
 */
export async function cgiMain(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'wrap') return wrapMain(argv.slice(1));
  let parsed;
  try {
    parsed = parseArgs(argv, true);
  } catch (error) {
    process.stderr.write(`tsgi-cgi: ${(error as Error).message}\n${CGI_USAGE}`);
    return CGI_EXIT.USAGE;
  }
  const { flags, positional } = parsed;
  if (flags.has('--help') || flags.has('-h')) {
    process.stdout.write(CGI_USAGE);
    return CGI_EXIT.OK;
  }
  if (positional.length === 0) {
    process.stderr.write(`tsgi-cgi: name the application module\n${CGI_USAGE}`);
    return CGI_EXIT.USAGE;
  }
  const options: { -readonly [K in keyof CgiOptions]: CgiOptions[K] } = { exit: false };
  try {
    const scriptName = last(flags, '--script-name');
    if (scriptName !== undefined) options.scriptName = scriptName;
    const maxBodyBytes = nonNegativeInteger(flags, '--max-body-bytes');
    if (maxBodyBytes !== undefined) options.maxBodyBytes = maxBodyBytes;
    const holdOnFailureMs = nonNegativeInteger(flags, '--hold-on-failure-ms');
    if (holdOnFailureMs !== undefined) options.holdOnFailureMs = holdOnFailureMs;
    if (flags.has('--nph')) options.nph = true;
  } catch (error) {
    process.stderr.write(`tsgi-cgi: ${(error as Error).message}\n`);
    return CGI_EXIT.USAGE;
  }
  const spec = parseAppSpec(positional[0]!);
  const path = resolve(spec.path);
  // httpoxy: gone before any module of the application is evaluated (SEC-PROXY-1).
  removeProxyVariable();
  let app: unknown;
  try {
    if (isTypeScriptPath(path)) {
      throw new Error(`${path} is TypeScript, which would be compiled again for every request; precompile it once: tsgi-cgi wrap ${spec.path} --out <cgi-bin directory>`);
    }
    app = pickApp(await import(pathToFileURL(path).href), spec.exportName, spec.path);
  } catch (error) {
    // Served as a start-up failure: the client gets a plain 500, the host's log the reason (LIFE-START-2).
    app = { handle: () => { throw error; }, startup: () => { throw error; } };
  }
  return runCgi(app, options);
}

async function wrapMain(argv: readonly string[]): Promise<number> {
  let result;
  try {
    const { flags, positional } = parseArgs(argv, false);
    if (flags.has('--help') || flags.has('-h')) {
      process.stdout.write(CGI_USAGE);
      return CGI_EXIT.OK;
    }
    if (positional.length !== 1) throw new Error('name one application module');
    const out = last(flags, '--out');
    if (out === undefined) throw new Error('--out DIR is required');
    const spec = parseAppSpec(positional[0]!);
    const { wrapCgi } = await import('./wrap.js');
    result = await wrapCgi({
      app: spec.path,
      exportName: spec.exportName,
      outDir: out,
      name: last(flags, '--name'),
      node: last(flags, '--node'),
      snapshot: flags.has('--snapshot'),
      scriptName: last(flags, '--script-name'),
      maxBodyBytes: nonNegativeInteger(flags, '--max-body-bytes'),
      holdOnFailureMs: nonNegativeInteger(flags, '--hold-on-failure-ms'),
      external: flags.get('--external') ?? [],
      minify: !flags.has('--no-minify'),
    });
  } catch (error) {
    process.stderr.write(`tsgi-cgi wrap: ${(error as Error).message}\n`);
    return CGI_EXIT.USAGE;
  }
  process.stdout.write(`wrote ${result.script} (${result.bytes} bytes)${result.snapshot ? ` and ${result.snapshot}` : ''}\n`);
  return CGI_EXIT.OK;
}
