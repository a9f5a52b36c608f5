#!/usr/bin/env node
// The `tsgi` command. The code is in dist/ (built by `tsc -b`); see src/cli.ts.
const args = process.argv.slice(2);
if (args[0] === 'cgi') {
  // CGI starts a process per request: load only the CGI adapter, never the server's modules.
  const { cgiMain } = await import('@tsgi/adapters/cgi');
  process.exit(await cgiMain(args.slice(1)));
}
const { main } = await import('../dist/cli.js');
process.exit(await main(args));
