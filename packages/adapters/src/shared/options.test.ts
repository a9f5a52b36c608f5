import t from 'tap';
import { z } from 'zod';
import { deepFreeze, InvalidOptionError, parseOptions } from './options.js';

t.test('parseOptions: first problem as an InvalidOptionError; result deep-frozen', async (t) => {
  const schema = z.strictObject({ n: z.number().int().describe('an integer').default(1), list: z.array(z.string()).default([]) });
  const o = parseOptions(schema, undefined, 'demo()');
  t.same(o, { n: 1, list: [] });
  t.ok(Object.isFrozen(o) && Object.isFrozen(o.list));
  t.throws(() => parseOptions(schema, { n: 1.5 }, 'demo()'), new InvalidOptionError('n', 1.5, 'an integer', 'demo()'));
  t.throws(() => parseOptions(schema, { m: 1 }, 'demo()'), { code: 'TSGI_ERR_OPTS_INVALID', option: 'm', message: /no such option; known options: n, list/ });
});

t.test('deepFreeze leaves buffers, functions and class instances alone', async (t) => {
  const fn = () => {};
  const buffer = Buffer.from('x');
  const instance = new (class Handle { fd = 3 })();
  const o = deepFreeze({ fn, buffer, instance, nested: { a: [1] } });
  t.ok(Object.isFrozen(o.nested.a));
  t.notOk(Object.isFrozen(fn));
  t.notOk(Object.isFrozen(instance));
  buffer[0] = 0x79;
  t.equal(buffer.toString(), 'y');
});
