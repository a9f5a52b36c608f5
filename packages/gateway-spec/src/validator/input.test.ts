import t from 'tap';
import { TsgiError } from '../errors.js';
import type { InputStream } from '../types.js';
import { wrapInput } from './input.js';
import { Reporter, parseOptions } from './report.js';
import { collector, makeInput, violates } from './test-fixtures/harness.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function setup(input: InputStream, contentLength: number | undefined, mode: 'throw' | 'report' = 'throw') {
  const seen = collector();
  const reporter = new Reporter(parseOptions({ mode, onViolation: seen.onViolation }));
  return { seen: seen.seen, input: wrapInput(input, { reporter, contentLength }) };
}

async function readAll(input: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  for await (const chunk of input) text += new TextDecoder().decode(chunk);
  return text;
}

t.test('a body delivered as the spec says passes unchanged', async (t) => {
  const { input, seen } = setup(makeInput([bytes('ab'), bytes('c')]), 3);
  t.equal(await readAll(input), 'abc');
  t.same(seen, []);
  t.equal(await readAll(setup(makeInput([]), undefined).input), '', 'no body');
  t.equal(await readAll(setup(makeInput([bytes('chunked')]), undefined).input), 'chunked', 'no CONTENT_LENGTH: chunked');
});

t.test('errors of the stream pass through unchanged', async (t) => {
  const aborted = new TsgiError('TSGI_ERR_INPUT_ABORTED', 'client went away');
  const failing: InputStream = { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(aborted) }) };
  await t.rejects(readAll(setup(failing, 10).input), aborted);
});

t.test('INPUT-ITER-1: chunks are non-empty Uint8Arrays', async (t) => {
  await t.rejects(readAll(setup(makeInput(['text']), undefined).input), { requirement: 'INPUT-ITER-1', message: /the string "text"/ });
  await t.rejects(readAll(setup(makeInput([new ArrayBuffer(2)]), undefined).input), violates('INPUT-ITER-1'));
  await t.rejects(readAll(setup(makeInput([new Uint8Array(0)]), undefined).input), { requirement: 'INPUT-ITER-1', message: /empty chunk/ });
  t.throws(() => setup({ [Symbol.asyncIterator]: () => 5 } as never, undefined).input[Symbol.asyncIterator](), violates('INPUT-ITER-1'), 'not an iterator');
  const broken: InputStream = { [Symbol.asyncIterator]: () => ({ next: async () => 5 as never }) };
  await t.rejects(readAll(setup(broken, undefined).input), violates('INPUT-ITER-1'));
  t.equal(await readAll(setup(makeInput([Buffer.from('buf')]), 3).input), 'buf', 'a Buffer is a Uint8Array');
});

t.test('INPUT-ITER-2: never more than CONTENT_LENGTH, and all of it when the stream ends normally', async (t) => {
  const over = setup(makeInput([bytes('ab'), bytes('cd')]), 3).input[Symbol.asyncIterator]();
  t.same(await over.next(), { done: false, value: bytes('ab') });
  await t.rejects(over.next(), { requirement: 'INPUT-ITER-2', message: /more than CONTENT_LENGTH 3/ }, 'as soon as it is exceeded');
  await t.rejects(readAll(setup(makeInput([bytes('ab')]), 3).input), { requirement: 'INPUT-ITER-2', message: /TSGI_ERR_INPUT_ABORTED/ }, 'a short body that ends');
});

t.test('INPUT-ITER-3: a second iteration throws; the server\'s error reaches the application', async (t) => {
  const { input } = setup(makeInput([bytes('a')]), 1);
  t.equal(await readAll(input), 'a');
  t.throws(() => input[Symbol.asyncIterator](), { code: 'TSGI_ERR_INPUT_CONSUMED' });
  const lax = setup(makeInput([bytes('a')], { second: 'works' }), 1).input;
  await readAll(lax);
  t.throws(() => lax[Symbol.asyncIterator](), violates('INPUT-ITER-3'));
});

t.test('INPUT-ITER-4: the second iteration\'s error has the code TSGI_ERR_INPUT_CONSUMED (a warning)', async (t) => {
  const { input, seen } = setup(makeInput([], { second: 'throws-plain' }), undefined);
  await readAll(input);
  t.throws(() => input[Symbol.asyncIterator](), { message: 'already read' }, 'the server\'s own error still reaches the application');
  t.same(seen.map((s) => [s.id, s.level]), [['INPUT-ITER-4', 'warning']]);
});

t.test('INPUT-ITER-5: the application does not call next() while another is pending (a warning)', async (t) => {
  const { input, seen } = setup(makeInput([bytes('a'), bytes('b')]), 2);
  const it = input[Symbol.asyncIterator]();
  const [a, b] = await Promise.all([it.next(), it.next()]);
  t.same([a.value, b.value], [bytes('a'), bytes('b')]);
  t.same(seen.map((s) => [s.id, s.level]), [['INPUT-ITER-5', 'warning']]);
});

t.test('report mode: the chunks pass unchanged', async (t) => {
  const { input, seen } = setup(makeInput([bytes('abc'), new Uint8Array(0)]), 1, 'report');
  t.equal(await readAll(input), 'abc');
  t.same(seen.map((s) => s.id), ['INPUT-ITER-2', 'INPUT-ITER-1']);
});

t.test('return() reaches the server\'s iterator when the application stops early', async (t) => {
  let returned = 0;
  const input: InputStream = {
    [Symbol.asyncIterator]: () => ({
      next: async () => ({ done: false, value: bytes('x') }),
      return: async () => { returned++; return { done: true, value: undefined }; },
    }),
  };
  for await (const chunk of setup(input, undefined).input) {
    t.same(chunk, bytes('x'));
    break;
  }
  t.equal(returned, 1);
});
