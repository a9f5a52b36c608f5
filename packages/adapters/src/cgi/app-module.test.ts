import t from 'tap';
import { isTypeScriptPath, parseAppSpec, pickApp } from './app-module.js';

t.test('module[:export]', async (t) => {
  t.same(parseAppSpec('app.mjs'), { path: 'app.mjs', exportName: null });
  t.same(parseAppSpec('/srv/app.mjs:handler'), { path: '/srv/app.mjs', exportName: 'handler' });
  t.same(parseAppSpec('C:/x/app.mjs'), { path: 'C:/x/app.mjs', exportName: null }, 'a suffix that is no identifier stays in the path');
});

t.test('TypeScript is recognised, to be refused per request', async (t) => {
  for (const p of ['a.ts', 'a.mts', 'a.cts', 'a.tsx']) t.ok(isTypeScriptPath(p), p);
  for (const p of ['a.js', 'a.mjs', 'a.cjs', 'a.d.ts.js']) t.notOk(isTypeScriptPath(p), p);
});

t.test('the named export, else default, else app', async (t) => {
  const f = () => ({ status: 200 });
  t.equal(pickApp({ default: f }, null, 'm'), f);
  t.equal(pickApp({ app: f }, null, 'm'), f);
  t.equal(pickApp({ handler: f, default: 1 }, 'handler', 'm'), f);
  t.throws(() => pickApp({ other: f }, null, 'app.mjs'), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /app\.mjs has no export "default" or "app" \(it exports other\)/ });
});
