import t from 'tap';
import { isIgnoredPath, outermost } from './reload-watcher.js';

t.test('changes in node_modules, dot-directories and editor swap files are ignored', async (t) => {
  t.ok(isIgnoredPath('node_modules/x/index.js'));
  t.ok(isIgnoredPath('src/node_modules/y.js'));
  t.ok(isIgnoredPath('.git/index'));
  t.ok(isIgnoredPath('app.ts~'));
  t.ok(isIgnoredPath('.app.ts.swp'));
  t.notOk(isIgnoredPath('src/app.ts'));
  t.notOk(isIgnoredPath('routes/users.mjs'));
});

t.test('a directory inside another watched one is not watched twice', async (t) => {
  t.same(outermost(['/srv/app', '/srv/app/api', '/srv/admin', '/srv/app']), ['/srv/admin', '/srv/app']);
  t.same(outermost(['/srv/app', '/srv/apple']), ['/srv/app', '/srv/apple']);
});
