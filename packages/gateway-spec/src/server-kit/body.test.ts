import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { chunkBytes, enforceLength, FILE_CHUNK_BYTES, openBody, type BodySource } from './body.js';

async function drain(source: BodySource): Promise<string[]> {
  const out: string[] = [];
  for (let chunk = await source.next(); chunk !== null; chunk = await source.next()) out.push(Buffer.from(chunk).toString());
  return out;
}

/** An iterator that counts what is asked of it. */
function counted(values: unknown[], opts: { throwOnReturn?: Error } = {}) {
  const calls = { next: 0, return: 0 };
  const iterator: Iterator<unknown> & Iterable<unknown> = {
    [Symbol.iterator]() { return this; },
    next() {
      calls.next++;
      return values.length > 0 ? { value: values.shift(), done: false } : { value: undefined, done: true };
    },
    return() {
      calls.return++;
      if (opts.throwOnReturn) throw opts.throwOnReturn;
      return { value: undefined, done: true };
    },
  };
  return { iterator, calls };
}

let dir = '';
let file = '';
t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsgi-body-'));
  file = join(dir, 'f.bin');
  await writeFile(file, '0123456789');
});
t.teardown(() => rm(dir, { recursive: true, force: true }));

t.test('BODY-LEN-1: fixed forms know their length before the head', async (t) => {
  const cases: Array<[string, unknown, number, string[]]> = [
    ['undefined', undefined, 0, []],
    ['null', null, 0, []],
    ['empty string', '', 0, []],
    ['string, UTF-8 (BODY-FORM-2)', 'é✓', 5, ['é✓']],
    ['Uint8Array', new Uint8Array([104, 105]), 2, ['hi']],
    ['array of chunks, joined', ['a', Buffer.from('b'), ''], 2, ['ab']],
    ['one-chunk array', ['solo'], 4, ['solo']],
    ['empty array', [], 0, []],
  ];
  for (const [name, body, length, chunks] of cases) {
    const source = await openBody(body);
    t.equal(source.length, length, `${name}: length`);
    t.equal(source.file, null);
    t.same(await drain(source), chunks, `${name}: chunks`);
    t.equal(await source.next(), null, `${name}: stays at the end`);
  }
});

t.test('chunkBytes: strings become UTF-8, byte arrays pass unchanged', async (t) => {
  const buffer = Buffer.from('x');
  t.equal(chunkBytes(buffer), buffer, 'the same object, not a copy');
  t.same([...chunkBytes('é')], [0xc3, 0xa9]);
  t.throws(() => chunkBytes(1), { name: 'SpecViolation', requirement: 'BODY-FORM-3' });
});

t.test('BODY-FORM-1: anything else is refused', async (t) => {
  for (const body of [42, true, { status: 200 }, () => 'x', Symbol('s')]) {
    await t.rejects(openBody(body), { name: 'SpecViolation', requirement: 'BODY-FORM-1' }, typeof body);
  }
  await t.rejects(openBody([1, 2]), { name: 'SpecViolation', requirement: 'BODY-FORM-3' }, 'an array of non-chunks');
});

t.test('sync and async iterables stream with unknown length', async (t) => {
  const sync = await openBody((function* () { yield 'a'; yield Buffer.from('b'); })());
  t.equal(sync.length, null);
  t.same(await drain(sync), ['a', 'b']);
  const asyncSource = await openBody((async function* () { yield 'c'; yield ''; yield 'd'; })());
  t.same(await drain(asyncSource), ['c', '', 'd'], 'an empty chunk is passed on (a flush hint for the writer)');
  const set = await openBody(new Set(['x', 'y']));
  t.same(await drain(set), ['x', 'y'], 'any iterable, not only generators');
});

t.test('BODY-ITER-2: close() calls return() exactly once, and only if the iterator is not done', async (t) => {
  const { iterator, calls } = counted(['a', 'b', 'c']);
  const source = await openBody(iterator);
  await source.next();
  await Promise.all([source.close(), source.close()]);
  await source.close();
  t.equal(calls.return, 1);
  t.equal(await source.next(), null, 'BODY-ITER-3: no next() after return()');
  t.equal(calls.next, 1);

  const done = counted(['a']);
  const finished = await openBody(done.iterator);
  await drain(finished);
  await finished.close();
  t.equal(done.calls.return, 0, 'no return() after done');
  t.equal(await finished.next(), null);
  t.equal(done.calls.next, 2, 'BODY-ITER-3: no next() after done');
});

t.test('BODY-ITER-2: close() never rejects; it resolves to what return() threw', async (t) => {
  const failure = new Error('cleanup failed');
  const { iterator } = counted(['a'], { throwOnReturn: failure });
  const source = await openBody(iterator);
  t.equal(await source.close(), failure);
  t.equal(await source.close(), failure, 'the same outcome on a second call');
  const plain = await openBody(counted(['a']).iterator);
  t.equal(await plain.close(), undefined);
});

t.test('an iterator that throws is done: no return() on it', async (t) => {
  let returned = 0;
  const boom = new Error('boom');
  const iterator = { [Symbol.iterator]() { return this; }, next(): IteratorResult<string> { throw boom; }, return() { returned++; return { value: undefined, done: true as const }; } };
  const source = await openBody(iterator);
  await t.rejects(source.next(), boom);
  await source.close();
  t.equal(returned, 0);
  t.equal(await source.next(), null);
});

t.test('BODY-FORM-3: a chunk of the wrong type fails the pull and finalises the iterator', async (t) => {
  const { iterator, calls } = counted(['ok', 42, 'never']);
  const source = await openBody(iterator);
  await source.next();
  await t.rejects(source.next(), { name: 'SpecViolation', requirement: 'BODY-FORM-3', message: /number 42/ });
  t.equal(calls.return, 1);
});

t.test('BODY-FORM-4: file bodies, whole and in ranges', async (t) => {
  const cases: Array<[string, object, number, string]> = [
    ['whole', {}, 10, '0123456789'],
    ['offset', { offset: 7 }, 3, '789'],
    ['offset and length', { offset: 2, length: 3 }, 3, '234'],
    ['length past the end is clipped', { offset: 8, length: 100 }, 2, '89'],
    ['offset past the end is empty', { offset: 50 }, 0, ''],
    ['zero length', { length: 0 }, 0, ''],
  ];
  for (const [name, range, length, text] of cases) {
    const source = await openBody({ type: 'tsgi.file', path: file, ...range });
    t.equal(source.length, length, `${name}: length`);
    t.match(source.file, { type: 'tsgi.file', path: file, length }, `${name}: the file, for sendfile`);
    t.equal((await drain(source)).join(''), text, `${name}: bytes`);
  }
});

t.test('BODY-FORM-4: a large file comes in FILE_CHUNK_BYTES reads', async (t) => {
  const big = join(dir, 'big.bin');
  await writeFile(big, Buffer.alloc(FILE_CHUNK_BYTES * 2 + 10, 1));
  const source = await openBody({ type: 'tsgi.file', path: big });
  const sizes: number[] = [];
  for (let c = await source.next(); c !== null; c = await source.next()) sizes.push(c.byteLength);
  t.same(sizes, [FILE_CHUNK_BYTES, FILE_CHUNK_BYTES, 10]);
});

t.test('BODY-FORM-5: bad file bodies are refused before opening', async (t) => {
  await t.rejects(openBody({ type: 'tsgi.file', path: 'relative/f.bin' }), { name: 'SpecViolation', requirement: 'BODY-FORM-5', message: /not absolute/ });
  await t.rejects(openBody({ type: 'tsgi.file', path: file, offset: -1 }), { name: 'SpecViolation', requirement: 'BODY-FORM-5', message: /offset/ });
  await t.rejects(openBody({ type: 'tsgi.file', path: file, length: 1.5 }), { name: 'SpecViolation', requirement: 'BODY-FORM-5', message: /length/ });
  await t.rejects(openBody({ type: 'tsgi.file', path: join(dir, 'missing') }), { code: 'ENOENT' });
  await t.rejects(openBody({ type: 'tsgi.file', path: dir }), /not a regular file/);
});

t.test('a file closed early yields nothing more; a file that shrank fails the pull', async (t) => {
  const source = await openBody({ type: 'tsgi.file', path: file });
  t.equal(await source.close(), undefined);
  t.equal(await source.next(), null);
  const shrinking = join(dir, 'shrink.bin');
  await writeFile(shrinking, Buffer.alloc(10));
  const cut = await openBody({ type: 'tsgi.file', path: shrinking });
  await truncate(shrinking, 0);
  await t.rejects(cut.next(), /ended 10 bytes early/);
});

t.test('BODY-LEN-2: enforceLength passes an exact body through', async (t) => {
  const source = enforceLength(await openBody((function* () { yield 'ab'; yield 'c'; })()), 3);
  t.equal(source.length, 3);
  t.same(await drain(source), ['ab', 'c']);
});

t.test('BODY-LEN-2: a longer body is cut at the declared length, then fails', async (t) => {
  const { iterator, calls } = counted(['ab', 'cdef', 'gh']);
  const source = enforceLength(await openBody(iterator), 4);
  t.equal(Buffer.from((await source.next())!).toString(), 'ab');
  t.equal(Buffer.from((await source.next())!).toString(), 'cd', 'never more than declared');
  await t.rejects(source.next(), { name: 'SpecViolation', requirement: 'RESP-HDR-9', message: /yields more/ });
  await t.rejects(source.next(), { name: 'SpecViolation', requirement: 'RESP-HDR-9' }, 'and stays failed');
  t.equal(calls.return, 1, 'the overrunning body is finalised');
  t.equal(calls.next, 2, 'and never pulled again');
});

t.test('BODY-LEN-2: an overrun right at a chunk boundary fails without an empty chunk', async (t) => {
  const source = enforceLength(await openBody((function* () { yield 'ab'; yield 'c'; })()), 2);
  t.equal(Buffer.from((await source.next())!).toString(), 'ab');
  await t.rejects(source.next(), { name: 'SpecViolation', requirement: 'RESP-HDR-9' });
});

t.test('BODY-LEN-2: a shorter body fails at its end', async (t) => {
  const source = enforceLength(await openBody((function* () { yield 'ab'; })()), 5);
  await source.next();
  await t.rejects(source.next(), { name: 'SpecViolation', requirement: 'RESP-HDR-9', message: /ended after 2 bytes/ });
});

t.test('enforceLength keeps close() and the file of its source', async (t) => {
  const { iterator, calls } = counted(['a', 'b']);
  const source = enforceLength(await openBody(iterator), 2);
  await source.next();
  await source.close();
  t.equal(calls.return, 1);
  const fileSource = enforceLength(await openBody({ type: 'tsgi.file', path: file }), 10);
  t.match(fileSource.file, { path: file });
  await fileSource.close();
});
