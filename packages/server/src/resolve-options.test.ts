import { fileURLToPath } from 'node:url';
import t from 'tap';
import { resolveOptions } from './resolve-options.js';

const fixtures = fileURLToPath(new URL('../test/fixtures/', import.meta.url));

t.test('layers merge in order; relative paths come from each layer\'s directory; the result is frozen', async (t) => {
  const o = resolveOptions([
    { source: { kind: 'file', path: `${fixtures}tsgi.config.json` }, baseDir: fixtures, values: { app: 'app.mjs', workers: 3, mounts: { '/api': 'api.mjs' }, accessLog: 'access.log' } },
    { source: { kind: 'flag' }, baseDir: '/tmp', values: { workers: 1, port: 0 } },
  ]);
  t.equal(o.workers, 1, 'the later layer wins');
  t.equal(o.app, `${fixtures}app.mjs`);
  t.same(o.mounts, [{ prefix: '/api', app: `${fixtures}api.mjs` }]);
  t.equal(o.accessLog, `${fixtures}access.log`);
  t.equal(o.socketMode, 0o660);
  t.ok(Object.isFrozen(o) && Object.isFrozen(o.mounts) && Object.isFrozen(o.mounts[0]));
});

t.test('mount prefixes follow MOUNT-PATH-1; "/" is the root', async (t) => {
  const base = { source: { kind: 'flag' as const }, baseDir: fixtures };
  t.same(resolveOptions([{ ...base, values: { mounts: ['/=api.mjs'] } }]).mounts, [{ prefix: '', app: `${fixtures}api.mjs` }]);
  t.throws(() => resolveOptions([{ ...base, values: { mounts: ['/api/=api.mjs'] } }]), { code: 'TSGI_ERR_OPTS_INVALID', message: /prefix "\/api\/"; allowed: "" or a path that starts with "\/" and does not end with "\/" \(MOUNT-PATH-1\)/ });
  t.throws(() => resolveOptions([{ ...base, values: { app: 'app.mjs', mounts: ['/=api.mjs'] } }]), { message: /two applications are mounted at "\/"/ });
});

t.test('trusted proxies are checked by the HTTP adapter\'s rules', async (t) => {
  const base = { source: { kind: 'api' as const }, baseDir: fixtures };
  t.same(resolveOptions([{ ...base, values: { app: 'app.mjs', trustedProxies: ['10.0.0.0/8', 'loopback'] } }]).trustedProxies, ['10.0.0.0/8', 'loopback']);
  t.throws(() => resolveOptions([{ ...base, values: { app: 'app.mjs', trustedProxies: ['10.0.0.0/99'] } }]), { code: 'TSGI_ERR_OPTS_INVALID', message: /option "trustedProxies" entry 0 is "10\.0\.0\.0\/99"/ });
});
