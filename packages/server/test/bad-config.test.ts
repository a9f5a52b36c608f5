/** Every option given a bad value in tsgi.config.json: exit status 2, and a message naming the key, the file, the value and what is allowed. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { OPTIONS } from '../src/options.js';
import { BAD, tsgiSync as tsgi } from './bad-values.js';
import { fixture, tempDir } from './helpers.js';

t.test('a bad value in tsgi.config.json exits 2 naming the key, the file, the value and what is allowed', async (t) => {
  const dir = tempDir(t);
  for (const o of OPTIONS) {
    const bad = BAD[o.key]!;
    writeFileSync(join(dir, 'tsgi.config.json'), JSON.stringify({ app: fixture('app.mjs'), [o.key]: bad.file }));
    const r = tsgi(['serve'], dir);
    t.equal(r.status, 2, `${o.key}: ${JSON.stringify(bad.file)}`);
    t.match(r.stderr, `"${o.key}" in ${join(dir, 'tsgi.config.json')}`, 'names the key and the file');
    if (bad.file !== null && typeof bad.file !== 'object') t.match(r.stderr, String(JSON.stringify(bad.file)), 'shows the value');
    t.match(r.stderr, bad.allowed, 'says what is allowed');
  }
});

