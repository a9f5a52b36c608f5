import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { z } from 'zod';

/**
 * What `tsgi-cgi wrap` builds. Checked once with zod (this runs at deploy
 * time, never per request), then frozen.
 */
const WrapOptionsSchema = z.strictObject({
  /** The application module (TypeScript or JavaScript). */
  app: z.string().min(1),
  /** The export to serve; default `default`, else `app`. */
  exportName: z.string().regex(/^[A-Za-z_$][\w$]*$/).nullable().default(null),
  /** Directory the script (and snapshot) are written to. */
  outDir: z.string().min(1),
  /** File name of the script; `.mjs` makes an ES module bundle, anything else CommonJS. Default `<app>.cgi`. */
  name: z.string().regex(/^[^/\0]+$/).optional(),
  /** The node the shebang names: an absolute path, or `env` for `#!/usr/bin/env -S node …`. Default: the node running wrap. */
  node: z.string().refine((v) => v === 'env' || (isAbsolute(v) && !/\s/.test(v)), 'an absolute path without spaces, or "env"').optional(),
  /** Also build a V8 startup snapshot of the application and adapter (section "Snapshot" of README). */
  snapshot: z.boolean().default(false),
  /** Passed to runCgi: the application's URL prefix when the host's SCRIPT_NAME is wrong. */
  scriptName: z.string().regex(/^(?:|\/.*[^/])$/).optional(),
  /** Passed to runCgi: largest request body accepted. */
  maxBodyBytes: z.number().int().nonnegative().optional(),
  /** Passed to runCgi: keep output open this long after a body failure (see CgiOptions). */
  holdOnFailureMs: z.number().int().nonnegative().optional(),
  /** Packages left out of the bundle (native add-ons), resolved at run time from node_modules. */
  external: z.array(z.string()).default([]),
  /** Minify whitespace and syntax (less to parse); identifiers are kept, for readable stack traces in the error log. */
  minify: z.boolean().default(true),
  /** esbuild aliases (import path → file); the tests use it to bundle the server kit from source. */
  alias: z.record(z.string(), z.string()).default({}),
});

export type WrapOptions = z.input<typeof WrapOptionsSchema>;

/** What `wrapCgi` wrote. */
export interface WrapResult {
  /** The executable CGI script: shebang plus the bundled application and adapter. */
  readonly script: string;
  /** The response validator, which the script loads only for a response the server kit's fast check cannot vouch for. */
  readonly validator: string | null;
  /** The startup snapshot the shebang loads, when built. */
  readonly snapshot: string | null;
  readonly bytes: number;
}

/** This module's directory: the adapter's files sit beside it (.js when built, .ts when run from source). */
function adapterFile(name: string): string {
  const dir = dirname(fileURLToPath(import.meta.url));
  const js = join(dir, `${name}.js`);
  return existsSync(js) ? js : join(dir, `${name}.ts`);
}

function entrySource(appPath: string, exportName: string | null, runOptions: Record<string, unknown>, snapshot: boolean): string {
  const q = JSON.stringify;
  const lines = [
    // Before the application: no module of it may see HTTP_PROXY (httpoxy, SEC-PROXY-1).
    `import ${q(adapterFile('httpoxy-preload'))};`,
    `import * as appModule from ${q(appPath)};`,
    `import { runCgi } from ${q(adapterFile('run-cgi'))};`,
    `import { pickApp } from ${q(adapterFile('app-module'))};`,
    `const app = pickApp(appModule, ${q(exportName)}, ${q(basename(appPath))});`,
  ];
  if (snapshot) {
    // Built once: the modules above are evaluated into the snapshot; each request starts here.
    lines.push(`import { startupSnapshot } from 'node:v8';`);
    lines.push(`startupSnapshot.setDeserializeMainFunction(() => { runCgi(app, ${q(runOptions)}); });`);
  } else {
    lines.push(`runCgi(app, ${q(runOptions)});`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Keeps the server kit's lazily loaded response validator (and the zod schemas
 * it imports, about 600 KB) out of the script: V8 would parse it on every
 * request although an everyday response never needs it. The dynamic import in
 * `server-kit/respond` becomes a require of a file beside the script, which is
 * built from the module found here.
 */
function validatorSidecar(sidecar: string, found: { path: string | null }): Plugin {
  return {
    name: 'tsgi-cgi-validator-sidecar',
    setup(b) {
      b.onResolve({ filter: /[\\/]validator[\\/]response\.js$/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || !/server-kit[\\/]respond\.[jt]s$/.test(args.importer) || args.pluginData === 'inner') return undefined;
        const resolved = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        found.path = resolved.path;
        return { path: `./${sidecar}`, external: true };
      });
    },
  };
}

/** Node imports `file:` URLs; esbuild resolves paths only. */
const fileUrls: Plugin = {
  name: 'tsgi-cgi-file-urls',
  setup(b) {
    b.onResolve({ filter: /^file:\/\// }, (args) => ({ path: fileURLToPath(args.path) }));
  },
};

/**
 * V8's pool of background threads, 4 by default, cut to 1: a process that
 * lives for one request has no use for more, and starting them costs about
 * 6 ms of CPU per request on a 2-core machine (benchmarks/cgi/run.sh).
 */
export const CGI_NODE_FLAGS = ['--v8-pool-size=1'] as const;

/**
 * The `#!` line. Linux passes everything after the interpreter as one
 * argument, so an absolute node gets one flag: the snapshot when there is one
 * (it matters more), else CGI_NODE_FLAGS; `env -S` splits and takes all.
 */
function shebangLine(node: string, blob: string | null): string {
  const flags = [...(blob ? [`--snapshot-blob=${blob}`] : []), ...CGI_NODE_FLAGS];
  if (node === 'env') return `#!/usr/bin/env -S node ${flags.join(' ')}`;
  return `#!${node} ${flags[0]}`;
}

/** The nearest package.json above `dir` says "type": "module": Node would refuse a CommonJS script with an unknown extension there. */
function inModuleScope(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const file = join(d, 'package.json');
    if (existsSync(file)) {
      try { return JSON.parse(readFileSync(file, 'utf8')).type === 'module'; } catch { return false; }
    }
    if (dirname(d) === d) return false;
  }
}

/**
 * Precompiles an application (TypeScript included) and the CGI adapter into
 * one executable script, so that a request costs one Node start and one file
 * to parse, never a transpile. With `snapshot`, also builds a V8 startup
 * snapshot of it, which the shebang loads.
 */
export async function wrapCgi(input: WrapOptions): Promise<WrapResult> {
  const parsed = WrapOptionsSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid options:\n${z.prettifyError(parsed.error)}`);
  const options = Object.freeze(parsed.data);
  const appPath = resolve(options.app);
  if (!existsSync(appPath)) throw new Error(`${appPath} does not exist`);
  const outDir = resolve(options.outDir);
  mkdirSync(outDir, { recursive: true });
  const name = options.name ?? basename(appPath, extname(appPath)) + '.cgi';
  const esm = name.endsWith('.mjs');
  if (!esm && !name.endsWith('.cjs') && inModuleScope(outDir)) {
    throw new Error(`${outDir} is inside a package with "type": "module", where Node refuses a CommonJS script named ${name}; name it *.cjs or *.mjs (--name)`);
  }
  if (esm && options.snapshot) throw new Error('a snapshot is built from a CommonJS bundle; name the script other than *.mjs');
  const node = options.node ?? process.execPath;
  const script = join(outDir, name);
  const blob = options.snapshot ? join(outDir, basename(name, extname(name)) + '.blob') : null;
  if (/\s/.test(script) || (blob && /\s/.test(blob))) throw new Error(`${outDir} contains white space, which a shebang line cannot carry`);
  const runOptions: Record<string, unknown> = {};
  if (options.scriptName !== undefined) runOptions.scriptName = options.scriptName;
  if (options.maxBodyBytes !== undefined) runOptions.maxBodyBytes = options.maxBodyBytes;
  if (options.holdOnFailureMs !== undefined) runOptions.holdOnFailureMs = options.holdOnFailureMs;

  const shebang = shebangLine(node, blob);
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    external: options.external,
    alias: options.alias,
    minifyWhitespace: options.minify,
    minifySyntax: options.minify,
    legalComments: 'none',
    logLevel: 'silent',
    write: true,
    plugins: [fileUrls],
  };
  const sidecar = `${basename(name, extname(name))}.validator.${esm ? 'mjs' : 'cjs'}`;
  const found: { path: string | null } = { path: null };
  await build({
    ...common,
    stdin: { contents: entrySource(appPath, options.exportName, runOptions, false), resolveDir: dirname(appPath), sourcefile: 'tsgi-cgi-entry.mjs', loader: 'js' },
    format: esm ? 'esm' : 'cjs',
    outfile: script,
    banner: { js: shebang },
    plugins: [fileUrls, validatorSidecar(sidecar, found)],
  });
  const validator = found.path === null ? null : join(outDir, sidecar);
  if (validator !== null) {
    await build({ ...common, entryPoints: [found.path!], format: esm ? 'esm' : 'cjs', outfile: validator });
    chmodSync(validator, 0o644);
  }
  chmodSync(script, 0o755);
  if (blob) {
    // The script's own bundle stays usable without the snapshot (`node app.cgi`); the blob is built from a
    // twin that keeps the validator inside: a snapshot can require no file at run time, and pays nothing for it.
    // The twin stays beside the blob: stack traces from the snapshot point into it.
    const entry = join(outDir, `${basename(name, extname(name))}.snapshot.cjs`);
    try {
      await build({
        ...common,
        stdin: { contents: entrySource(appPath, options.exportName, runOptions, true), resolveDir: dirname(appPath), sourcefile: 'tsgi-cgi-snapshot.mjs', loader: 'js' },
        format: 'cjs',
        outfile: entry,
      });
      const builder = node === 'env' ? process.execPath : node;
      const env = { ...process.env };
      delete env.HTTP_PROXY;
      execFileSync(builder, ['--snapshot-blob', blob, '--build-snapshot', entry], { cwd: outDir, stdio: ['ignore', 'ignore', 'pipe'], env });
      chmodSync(blob, 0o644);
    } catch (error) {
      // Node echoes the failing source line, which in a minified bundle is the whole bundle: keep lines short.
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim().split('\n')
        .map((line) => (line.length > 300 ? line.slice(0, 300) + '…' : line)).slice(-30).join('\n');
      throw new Error(`building the snapshot failed${stderr ? `:\n${stderr}` : `: ${(error as Error).message}`}`);
    }
    chmodSync(entry, 0o644);
  }
  return { script, validator, snapshot: blob, bytes: readFileSync(script).byteLength };
}
