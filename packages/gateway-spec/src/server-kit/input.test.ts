import t from 'tap';
import { BodyInput, INPUT_HIGH_WATER_MARK_BYTES } from './input.js';

const bytes = (text: string) => Buffer.from(text);
const str = (chunk: Uint8Array | undefined) => Buffer.from(chunk ?? []).toString();

t.test('INPUT-ITER-1: chunks come out in order; empty pushes are dropped', async (t) => {
  const input = new BodyInput();
  input.push(bytes('a'));
  input.push(new Uint8Array(0));
  input.push(bytes('b'));
  input.end();
  const it = input[Symbol.asyncIterator]();
  t.equal(str((await it.next()).value), 'a');
  t.equal(str((await it.next()).value), 'b');
  t.same(await it.next(), { value: undefined, done: true });
  t.same(await it.next(), { value: undefined, done: true }, 'stays done');
  t.equal(input.complete, true);
  t.equal(input.received, 2);
});

t.test('a pending read is answered by the next push, and by end()', async (t) => {
  const input = new BodyInput();
  const it = input[Symbol.asyncIterator]();
  const first = it.next();
  input.push(bytes('late'));
  t.equal(str((await first).value), 'late');
  const second = it.next();
  input.end();
  t.same(await second, { value: undefined, done: true });
});

t.test('two reads at once are refused', async (t) => {
  const input = new BodyInput();
  const it = input[Symbol.asyncIterator]();
  const first = it.next();
  await t.rejects(it.next(), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /before the previous read settled/ });
  input.push(bytes('x'));
  t.equal(str((await first).value), 'x');
});

t.test('INPUT-FLOW-1: pause at the high-water mark, resume when the application catches up', async (t) => {
  const calls: string[] = [];
  const input = new BodyInput({ highWaterMark: 10, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
  t.equal(input.push(bytes('12345')), true, 'under the mark: keep reading');
  t.equal(input.push(bytes('67890')), false, 'at the mark: stop');
  t.same(calls, ['pause']);
  t.equal(input.push(bytes('x')), false, 'a source that pushes anyway is still told to stop');
  t.same(calls, ['pause'], 'pause is called once, not per push');
  const it = input[Symbol.asyncIterator]();
  await it.next();
  t.same(calls, ['pause', 'resume'], 'resumed once the held bytes (6) drop below the mark');
  await it.next();
  t.same(calls, ['pause', 'resume'], 'resume is called once, not per read');
  t.equal(input.push(bytes('y')), true);
});

t.test('INPUT-FLOW-1: a paused source resumes when the application waits with nothing held', async (t) => {
  const calls: string[] = [];
  const input = new BodyInput({ highWaterMark: 1, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
  input.push(bytes('ab'));
  const it = input[Symbol.asyncIterator]();
  await it.next();
  t.same(calls, ['pause', 'resume']);
  t.equal(INPUT_HIGH_WATER_MARK_BYTES, 64 * 1024, 'the default mark is 64 KiB');
});

t.test('INPUT-ITER-2: a declared length ends the body, and bytes past it are dropped', async (t) => {
  const input = new BodyInput({ declaredLength: 5 });
  input.push(bytes('abc'));
  input.push(bytes('defgh'));
  t.equal(input.complete, true, 'complete at the declared length, without end()');
  const it = input[Symbol.asyncIterator]();
  t.equal(str((await it.next()).value), 'abc');
  t.equal(str((await it.next()).value), 'de');
  t.equal((await it.next()).done, true);
  t.equal(input.received, 5);
});

t.test('a declared length of 0 is an empty body at once', async (t) => {
  const input = new BodyInput({ declaredLength: 0 });
  t.equal(input.complete, true);
  t.equal((await input[Symbol.asyncIterator]().next()).done, true);
});

t.test('INPUT-FLOW-2: a body that ends short of its declared length rejects with TSGI_ERR_INPUT_ABORTED', async (t) => {
  const input = new BodyInput({ declaredLength: 10 });
  input.push(bytes('abc'));
  input.end();
  t.equal(input.complete, false, 'a truncated body never ends as if it were complete');
  t.equal(input.failed, true);
  const it = input[Symbol.asyncIterator]();
  await t.rejects(it.next(), { code: 'TSGI_ERR_INPUT_ABORTED', message: /after 3 of 10 bytes/ });
  await t.rejects(it.next(), { code: 'TSGI_ERR_INPUT_ABORTED' }, 'and keeps rejecting');
});

t.test('INPUT-FLOW-2: fail() rejects the pending read and the later ones', async (t) => {
  const input = new BodyInput();
  const it = input[Symbol.asyncIterator]();
  const pending = it.next();
  const gone = Object.assign(new Error('client gone'), { code: 'TSGI_ERR_INPUT_ABORTED' });
  input.fail(gone);
  await t.rejects(pending, gone);
  await t.rejects(it.next(), gone);
  input.fail(new Error('second'));
  await t.rejects(it.next(), gone, 'the first failure stands');
  const complete = new BodyInput({ declaredLength: 1 });
  complete.push(bytes('x'));
  complete.fail(new Error('too late'));
  t.equal(str((await complete[Symbol.asyncIterator]().next()).value), 'x', 'fail() after the whole body arrived changes nothing');
});

t.test('INPUT-FLOW-3: crossing maxBytes rejects with TSGI_ERR_INPUT_TOO_LARGE', async (t) => {
  const input = new BodyInput({ maxBytes: 4 });
  const it = input[Symbol.asyncIterator]();
  input.push(bytes('abc'));
  t.equal(str((await it.next()).value), 'abc');
  const pending = it.next();
  input.push(bytes('de'));
  await t.rejects(pending, { code: 'TSGI_ERR_INPUT_TOO_LARGE', message: /limit of 4 bytes/ });
  t.equal(input.tooLarge, true);
  const exact = new BodyInput({ maxBytes: 4 });
  exact.push(bytes('abcd'));
  exact.end();
  t.equal(exact.tooLarge, false, 'exactly the limit is allowed');
});

t.test('INPUT-ITER-3: a second iteration throws TSGI_ERR_INPUT_CONSUMED', async (t) => {
  const input = new BodyInput({ declaredLength: 0 });
  input[Symbol.asyncIterator]();
  t.throws(() => input[Symbol.asyncIterator](), { code: 'TSGI_ERR_INPUT_CONSUMED', message: /INPUT-ITER-3/ });
  const consumed = new BodyInput();
  consumed.end();
  for await (const _ of consumed) t.fail('an empty body yields nothing');
  await t.rejects((async () => { for await (const _ of consumed) break; })(), { code: 'TSGI_ERR_INPUT_CONSUMED' });
});

t.test('INPUT-CONT-1: onFirstRead fires once, on the first read, not on iteration alone', async (t) => {
  let calls = 0;
  const input = new BodyInput({ onFirstRead: () => calls++ });
  input.push(bytes('a'));
  input.push(bytes('b'));
  input.end();
  const it = input[Symbol.asyncIterator]();
  t.equal(calls, 0, 'creating the iterator is not a read');
  t.equal(input.started, false);
  await it.next();
  t.equal(calls, 1);
  t.equal(input.started, true);
  await it.next();
  await it.next();
  t.equal(calls, 1, 'once only');
});

t.test('INPUT-DRAIN-1: return() drops what is held, resumes the source and ends reading', async (t) => {
  const calls: string[] = [];
  const input = new BodyInput({ highWaterMark: 2, pause: () => calls.push('pause'), resume: () => calls.push('resume') });
  input.push(bytes('abc'));
  const it = input[Symbol.asyncIterator]();
  t.same(await it.return!(), { value: undefined, done: true });
  t.equal(input.abandoned, true);
  t.same(calls, ['pause', 'resume'], 'the source may run on to drain');
  t.equal(input.push(bytes('more')), true, 'pushes after return() are accepted and dropped');
  t.same(await it.next(), { value: undefined, done: true }, 'no held data comes out after return()');
  t.equal(input.received, 7, 'the byte count still grows, for the drain bound');
});

t.test('for await with break calls return()', async (t) => {
  const input = new BodyInput();
  input.push(bytes('a'));
  input.push(bytes('b'));
  for await (const chunk of input) {
    t.equal(str(chunk), 'a');
    break;
  }
  t.equal(input.abandoned, true);
});
