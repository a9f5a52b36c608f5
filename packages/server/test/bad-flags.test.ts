/** Every option given a bad value as a flag: exit status 2, and a message naming the flag, the value and what is allowed. */
import t from 'tap';
import { OPTIONS } from '../src/options.js';
import { BAD, tsgiSync as tsgi } from './bad-values.js';
import { fixture } from './helpers.js';

t.test('every option has a bad-value case here', async (t) => {
  t.same(Object.keys(BAD).sort(), OPTIONS.map((o) => o.key).sort());
});

t.test('a bad value as a flag exits 2 naming the flag, the value and what is allowed', async (t) => {
  for (const o of OPTIONS) {
    const bad = BAD[o.key]!;
    if (bad.flag === undefined) continue;
    const r = tsgi(['serve', fixture('app.mjs'), `--${o.flag}=${bad.flag}`]);
    t.equal(r.status, 2, `--${o.flag} ${JSON.stringify(bad.flag)}`);
    t.match(r.stderr, `--${o.flag}`, 'names the flag');
    t.ok(r.stderr.includes(bad.flag === '' ? 'is ""' : bad.flag), 'shows the value');
    t.match(r.stderr, bad.allowed, 'says what is allowed');
  }
  const r = tsgi(['serve', fixture('app.mjs'), '--allow-root=yes']);
  t.equal(r.status, 2, 'a boolean flag takes no value');
  t.match(r.stderr, /--allow-root/);
});

