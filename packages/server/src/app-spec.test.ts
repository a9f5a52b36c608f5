import t from 'tap';
import { isTypeScriptPath, splitAppSpec } from './app-spec.js';

t.test('module[:export]', async (t) => {
  t.same(splitAppSpec('app.ts'), { path: 'app.ts', exportName: null });
  t.same(splitAppSpec('/srv/app.ts:api'), { path: '/srv/app.ts', exportName: 'api' });
  t.same(splitAppSpec('C:/srv/app.ts'), { path: 'C:/srv/app.ts', exportName: null }, 'a drive letter is not an export');
  t.same(splitAppSpec('dir:x/app.mjs'), { path: 'dir:x/app.mjs', exportName: null });
  t.ok(isTypeScriptPath('a.ts') && isTypeScriptPath('a.mts') && isTypeScriptPath('a.tsx'));
  t.notOk(isTypeScriptPath('a.mjs'));
});
