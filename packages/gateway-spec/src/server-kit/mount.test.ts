import t from 'tap';
import type { Environ } from '../types.js';
import { MountTable, mountEnviron, prefixMatches } from './mount.js';

t.test('MOUNT-PATH-1: a prefix matches on a segment boundary only', async (t) => {
  t.ok(prefixMatches('/app', '/app'));
  t.ok(prefixMatches('/app', '/app/'));
  t.ok(prefixMatches('/app', '/app/x/y'));
  t.notOk(prefixMatches('/app', '/apple'));
  t.notOk(prefixMatches('/app', '/ap'));
  t.notOk(prefixMatches('/app', '/'));
  t.notOk(prefixMatches('/app', ''));
  t.ok(prefixMatches('', '/anything'), 'the root prefix matches every path');
  t.ok(prefixMatches('', ''));
  t.ok(prefixMatches('/café', '/café/x'), 'decoded, non-ASCII prefixes');
});

t.test('MOUNT-PATH-3: mountEnviron moves the prefix from PATH_INFO to SCRIPT_NAME', async (t) => {
  const env = (script: string, path: string) => ({ SCRIPT_NAME: script, PATH_INFO: path }) as Environ;
  t.match(mountEnviron(env('', '/app/x'), '/app'), { SCRIPT_NAME: '/app', PATH_INFO: '/x' });
  t.match(mountEnviron(env('', '/app'), '/app'), { SCRIPT_NAME: '/app', PATH_INFO: '' }, 'the prefix itself leaves PATH_INFO ""');
  t.match(mountEnviron(env('/outer', '/inner/z'), '/inner'), { SCRIPT_NAME: '/outer/inner', PATH_INFO: '/z' }, 'nested mounts extend SCRIPT_NAME');
  const same = env('/s', '/p');
  t.equal(mountEnviron(same, ''), same, 'the root prefix changes nothing');
  t.match(same, { SCRIPT_NAME: '/s', PATH_INFO: '/p' });
});

t.test('MOUNT-PATH-2: the longest matching prefix wins, whatever the order of adding', async (t) => {
  const table = new MountTable<string>([['', 'root'], ['/a', 'a'], ['/a/b/c', 'abc'], ['/a/b', 'ab']]);
  t.equal(table.size, 4);
  t.same(table.match('/a/b/c/d'), { prefix: '/a/b/c', target: 'abc' });
  t.same(table.match('/a/b'), { prefix: '/a/b', target: 'ab' });
  t.same(table.match('/a/bc'), { prefix: '/a', target: 'a' });
  t.same(table.match('/z'), { prefix: '', target: 'root' });
});

t.test('MOUNT-PATH-3: no match is null (the server answers 404)', async (t) => {
  const table = new MountTable([['/api', 1]]);
  t.equal(table.match('/apix'), null);
  t.equal(table.match('/'), null);
  t.equal(new MountTable().match('/'), null, 'an empty table matches nothing');
});

t.test('MOUNT-PATH-1: invalid and duplicate prefixes are refused', async (t) => {
  const table = new MountTable<number>();
  t.throws(() => table.add('/api/', 1), { name: 'SpecViolation', requirement: 'MOUNT-PATH-1' });
  t.throws(() => table.add('api', 1), { name: 'SpecViolation', requirement: 'MOUNT-PATH-1' });
  t.throws(() => table.add('/', 1), { name: 'SpecViolation', requirement: 'MOUNT-PATH-1' });
  table.add('/api', 1);
  t.throws(() => table.add('/api', 2), /two applications are mounted at "\/api"/);
  t.equal(table.size, 1);
});
