import t from 'tap';
import { createErrorStream } from './errors-stream.js';

t.test('ENV-TSGI-4: writes become whole lines', async (t) => {
  const lines: string[] = [];
  const stream = createErrorStream((line) => lines.push(line));
  stream.write('one\ntwo\n');
  t.same(lines, ['one', 'two']);
  stream.write('par');
  stream.write('tial');
  t.same(lines, ['one', 'two'], 'a partial line is held');
  stream.write(' line\nnext');
  t.same(lines, ['one', 'two', 'partial line']);
  stream.flush();
  t.same(lines, ['one', 'two', 'partial line', 'next'], 'flush emits the held rest');
  stream.flush();
  t.equal(lines.length, 4, 'nothing held, nothing emitted');
  stream.write('\n');
  t.same(lines.at(-1), '', 'an empty line is still a line');
  stream.write(42 as unknown as string);
  stream.flush();
  t.equal(lines.at(-1), '42', 'non-strings are stringified, not thrown on');
});
