import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { checkOption, defaultOptions, fromFlagText, OPTIONS, optionSpec, parseSize } from './options.js';

t.test('parseSize reads bytes and K/M/G suffixes, and leaves anything else for the schema', async (t) => {
  t.equal(parseSize('512'), 512);
  t.equal(parseSize('512K'), 512 * 1024);
  t.equal(parseSize('1.5m'), 1.5 * 1024 * 1024);
  t.equal(parseSize('2GiB'), 2 * 1024 ** 3);
  t.equal(parseSize('12Q'), '12Q');
  t.equal(parseSize(7), 7);
});

t.test('fromFlagText converts numbers only when they look like numbers', async (t) => {
  t.equal(fromFlagText(optionSpec('workers')!, '4'), 4);
  t.equal(fromFlagText(optionSpec('workers')!, '4x'), '4x');
  t.equal(fromFlagText(optionSpec('timeout')!, '0.5'), 0.5);
  t.equal(fromFlagText(optionSpec('host')!, '0.0.0.0'), '0.0.0.0');
});

t.test('checkOption names the field, the value and what is allowed', async (t) => {
  t.throws(() => checkOption('workers', 0, { kind: 'flag' }), { code: 'TSGI_ERR_OPTS_INVALID', message: '--workers is 0; allowed: an integer from 1 to 1024' });
  t.throws(() => checkOption('workers', 'two', { kind: 'file', path: '/etc/tsgi.config.json' }), {
    message: '"workers" in /etc/tsgi.config.json is "two"; allowed: an integer from 1 to 1024',
  });
  t.throws(() => checkOption('mounts', ['/a=x.ts', 'nope'], { kind: 'flag' }), { message: /--mount entry 1 is "nope"/ });
  t.throws(() => checkOption('wrokers', 2, { kind: 'api' }), { code: 'TSGI_ERR_OPTS_UNKNOWN', message: /option "wrokers" is not an option; known: host, port/ });
  t.equal(checkOption('maxMemory', '1K', { kind: 'api' }), 1024);
});

t.test('every default passes its own schema', async (t) => {
  const defaults = defaultOptions() as unknown as Record<string, unknown>;
  for (const o of OPTIONS) {
    if (o.key === 'mounts' || o.key === 'socketMode') continue;
    t.doesNotThrow(() => checkOption(o.key, defaults[o.key], { kind: 'api' }), o.key);
  }
});

t.test('every flag is documented in docs/deploy/server.md with its default and peer', async (t) => {
  const doc = readFileSync(fileURLToPath(new URL('../../../docs/deploy/server.md', import.meta.url)), 'utf8');
  for (const o of OPTIONS) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`--${o.flag}`));
    t.ok(row, `--${o.flag} has a row in the options table`);
    t.match(row ?? '', `\`${o.key}\``, `--${o.flag}: its config key`);
  }
});
