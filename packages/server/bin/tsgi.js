#!/usr/bin/env node
// The `tsgi` command. The code is in dist/ (built by `tsc -b`); see src/cli.ts.
import { main } from '../dist/cli.js';

const status = await main(process.argv.slice(2));
process.exit(status);
