#!/usr/bin/env node
// tsgi-conformance: the TSGI server conformance suite (see spec/conformance-guide.md).
// Runs from dist/ when the package is built; in a source checkout it falls back
// to the TypeScript sources through tsx, if tsx is installed.
import { existsSync } from 'node:fs';

const dist = new URL('../dist/conformance/cli.js', import.meta.url);
let cli;
if (existsSync(dist)) {
  cli = await import(dist.href);
} else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    console.error('tsgi-conformance: dist/ is missing; build the package (pnpm run build) or install tsx');
    process.exit(2);
  }
  cli = await import(new URL('../src/conformance/cli.ts', import.meta.url).href);
}
process.exitCode = await cli.main(process.argv.slice(2));
