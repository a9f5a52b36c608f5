import t from 'tap';
import { cgiVariablesFromEnv } from './process-env.js';

t.test('ASCII values pass as they are; other keys of the process environment are left out', async (t) => {
  const vars = cgiVariablesFromEnv({ REQUEST_METHOD: 'GET', PATH_INFO: '/x', PATH: '/usr/bin', HOME: '/root', HTTP_ACCEPT: '*/*' });
  t.same(vars, { REQUEST_METHOD: 'GET', PATH_INFO: '/x', HTTP_ACCEPT: '*/*' });
});

t.test('valid UTF-8 text is turned back into its bytes (one code unit per byte)', async (t) => {
  const vars = cgiVariablesFromEnv({ PATH_INFO: '/café', HTTP_X: 'é' });
  t.equal(vars.PATH_INFO, '/caf\xc3\xa9');
  t.equal(vars.HTTP_X, '\xc3\xa9');
});

t.test('ENV-PATH-4: bytes lost to U+FFFD are read back from the raw environment', async (t) => {
  // What Node makes of PATH_INFO=/caf<E9>: the byte E9 is not UTF-8.
  const env = { PATH_INFO: '/caf\ufffd' };
  const raw = new Map([['PATH_INFO', '/caf\xe9']]);
  // Only for process.env itself: an injected environment has no raw bytes.
  t.equal(cgiVariablesFromEnv(env, () => raw).PATH_INFO, '/caf\xff', 'injected env: U+FFFD becomes 0xFF');
  const saved = process.env.PATH_INFO;
  process.env.PATH_INFO = '/caf\ufffd';
  try {
    t.equal(cgiVariablesFromEnv(process.env, () => raw).PATH_INFO, '/caf\xe9', 'process.env: the exact bytes');
    t.equal(cgiVariablesFromEnv(process.env, () => new Map([['PATH_INFO', '/other\xe9']])).PATH_INFO, '/caf\xff', 'a raw value that was changed since start is not used');
    t.equal(cgiVariablesFromEnv(process.env, () => null).PATH_INFO, '/caf\xff', 'no /proc: 0xFF, which no UTF-8 contains');
  } finally {
    if (saved === undefined) delete process.env.PATH_INFO; else process.env.PATH_INFO = saved;
  }
});

t.test('a genuine U+FFFD next to a lost byte keeps the other characters', async (t) => {
  t.equal(cgiVariablesFromEnv({ PATH_INFO: '/é\ufffdÿ' }, () => null).PATH_INFO, '/\xc3\xa9\xff\xc3\xbf');
});
