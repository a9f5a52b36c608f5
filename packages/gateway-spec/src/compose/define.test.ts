import t from 'tap';
import { defineApp, wrapHandler } from './define.js';

t.test('MW-COMP-2: wrapHandler forwards startup and shutdown', async (t) => {
  const calls: string[] = [];
  const inner = defineApp({
    startup() { calls.push('startup'); },
    shutdown() { calls.push('shutdown'); },
    handle: () => ({ status: 200, body: 'inner' }),
  });
  const outer = wrapHandler(inner, (next) => async (env) => {
    const res = await next(env);
    return { ...res, headers: [['x-wrapped', 'yes']] };
  });
  await outer.startup?.({} as never);
  await outer.shutdown?.({} as never);
  t.same(calls, ['startup', 'shutdown']);
  t.same(await outer.handle({} as never), { status: 200, body: 'inner', headers: [['x-wrapped', 'yes']] });
});

t.test('wrapHandler on a bare function has no hooks', async (t) => {
  const outer = wrapHandler(() => ({ status: 204 }), (next) => next);
  t.equal(outer.startup, undefined);
  t.equal(outer.shutdown, undefined);
});
