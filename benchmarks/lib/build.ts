/**
 * Compiles the TypeScript entries that run as their own processes (targets
 * and clients) to plain JavaScript, so that those processes run on bare
 * `node`: under tsx each would carry ~35 MiB more RSS and an esbuild child,
 * which would swamp the memory figures. Packages stay external imports,
 * resolved from benchmarks/node_modules.
 * @module
 */
import { join } from 'node:path';
import { OUT_DIR } from './paths.js';

export const BIN_DIR = join(OUT_DIR, 'bin');

/** Builds each `name -> absolute .ts path`; returns `name -> absolute .mjs path`. */
export async function buildEntries(entries: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const { build } = await import('esbuild').catch((error: unknown) => {
    throw new Error('esbuild is not installed: run pnpm install', { cause: error });
  });
  await build({
    entryPoints: Object.fromEntries(entries),
    outdir: BIN_DIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  return new Map([...entries.keys()].map((name) => [name, join(BIN_DIR, `${name}.mjs`)]));
}
