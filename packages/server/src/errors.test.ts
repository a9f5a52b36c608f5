/**
 * fastify's test/internals/errors.test.js: every code in the table is
 * documented in docs/deploy/server.md, and every code the doc's error table
 * lists is in the table.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ERRORS, EXIT_APP_BOOT, EXIT_USAGE, isServerError, ServerError } from './errors.js';

const DOC = fileURLToPath(new URL('../../../docs/deploy/server.md', import.meta.url));

function documentedCodes(): Set<string> {
  const text = readFileSync(DOC, 'utf8');
  const section = text.slice(text.indexOf('\n## Errors'));
  return new Set([...section.matchAll(/^\| `(TSGI_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]!));
}

t.test('every error code is documented in docs/deploy/server.md', async (t) => {
  const documented = documentedCodes();
  for (const code of Object.keys(ERRORS)) t.ok(documented.has(code), `${code} is in the doc's error table`);
});

t.test('every code in the doc is in the error table', async (t) => {
  for (const code of documentedCodes()) t.ok(code in ERRORS, `${code} is in src/errors.ts`);
});

t.test('each error says its exit status; the brand works across copies', async (t) => {
  const e = new ServerError('TSGI_ERR_OPTS_INVALID', 'x');
  t.equal(e.exitCode, EXIT_USAGE);
  t.equal(new ServerError('TSGI_ERR_APP_STARTUP', 'x').exitCode, EXIT_APP_BOOT);
  t.ok(isServerError(e));
  t.notOk(isServerError(new Error('x')));
  t.ok(isServerError(Object.assign(new Error('copy'), { [Symbol.for('tsgi.server.error')]: true })));
  for (const [code, entry] of Object.entries(ERRORS)) t.match(code, /^TSGI_ERR_[A-Z]+_[A-Z_]+$/, `${code}: ${entry.meaning}`);
});
