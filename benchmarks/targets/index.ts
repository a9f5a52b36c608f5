/**
 * The target registry. Adding a target is one file in this folder plus one
 * line below: a Node target is a TypeScript entry that calls `runTarget` and
 * serves the routes of `contract.ts`; any other server (Apache, a CLI with
 * workers) is a `command` given the port to listen on.
 * @module
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** What a target's `command` is told. */
export interface LaunchContext {
  readonly host: string;
  readonly port: number;
  readonly scenario: string;
  /** Absolute path of the benchmarks folder. */
  readonly benchDir: string;
}

export type TargetStart =
  /** A file under targets/, compiled to plain JS by the harness and run with `node`. */
  | { readonly kind: 'node'; readonly entry: string }
  /** Any program; it must listen on ctx.host:ctx.port and serve contract.ts's routes. */
  | { readonly kind: 'command'; readonly argv: (ctx: LaunchContext) => readonly string[] };

export interface TargetDefinition {
  readonly name: string;
  readonly description: string;
  readonly start: TargetStart;
  /** Packages whose versions RESULTS.md lists for this target. */
  readonly packages: readonly string[];
  /**
   * Whose memory and CPU count: the spawned process, or its whole process
   * group (for servers that fork workers).
   */
  readonly usageScope: 'process' | 'group';
  /** Why the target cannot run on this machine now, or null when it can. */
  readonly unavailable: () => string | null;
}

/** Every ratio is against this target, measured in the same run. */
export const BASELINE_TARGET = 'node-http';

function nodeTarget(name: string, description: string, packages: readonly string[], needs: readonly string[] = packages): TargetDefinition {
  const target: TargetDefinition = {
    name,
    description,
    start: { kind: 'node', entry: `${name}.ts` },
    packages,
    usageScope: 'process',
    unavailable: () => missingModule(needs),
  };
  return Object.freeze(target);
}

/** The first of `specifiers` that does not resolve to a file, as a reason; null when all do. */
function missingModule(specifiers: readonly string[]): string | null {
  for (const specifier of specifiers) {
    try {
      require.resolve(specifier);
    } catch {
      return `${specifier} is not installed or not built (pnpm install && pnpm build)`;
    }
  }
  return null;
}

/** `tsgi serve` of @tsgi/server with N fork workers, serving tsgi-app.ts (loaded through tsx, as users run it). */
function tsgiServeTarget(workers: number): TargetDefinition {
  const target: TargetDefinition = {
    name: `tsgi-serve-${workers}w`,
    description: `tsgi serve, ${workers} worker(s) plus the supervisor, default options, all on the server's core`,
    start: {
      kind: 'command',
      argv: (ctx) => [
        process.execPath,
        join(dirname(require.resolve('@tsgi/server/package.json')), 'bin/tsgi.js'),
        'serve', join(ctx.benchDir, 'targets/tsgi-app.ts'),
        '--host', ctx.host, '--port', String(ctx.port), '--workers', String(workers),
        // tsgi refuses to run an app as root (SEC-PRIV-1); benchmarks run as root on CI-like machines.
        ...(process.getuid?.() === 0 ? ['--user', 'nobody', '--group', 'nogroup'] : []),
      ],
    },
    packages: ['@tsgi/server', '@tsgi/adapters', '@tsgi/gateway-spec'],
    usageScope: 'group',
    unavailable: () => missingModule(['@tsgi/server/package.json']),
  };
  return Object.freeze(target);
}

export const TARGETS: readonly TargetDefinition[] = Object.freeze([
  nodeTarget('node-http', 'raw node:http: writeHead with a flat header array, then end', []),
  nodeTarget('fastify', 'fastify, one route per scenario, logger off', ['fastify']),
  nodeTarget('hono-node', 'Hono app on @hono/node-server', ['hono', '@hono/node-server']),
  nodeTarget('tsgi-http', 'TSGI app on the TSGI HTTP adapter', ['@tsgi/adapters', '@tsgi/gateway-spec'], ['@tsgi/adapters/http']),
  tsgiServeTarget(1),
  tsgiServeTarget(2),
]);

export function findTarget(name: string): TargetDefinition {
  const target = TARGETS.find((t) => t.name === name);
  if (target === undefined) throw new Error(`no target named ${JSON.stringify(name)}`);
  return target;
}
