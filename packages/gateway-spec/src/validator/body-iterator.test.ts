import t from 'tap';
import type { SpecViolation } from '../errors.js';
import { bodyKind } from './body-form.js';
import { wrapBody, type BodyWatch } from './body-iterator.js';
import { Reporter, parseOptions } from './report.js';
import { collector, drain, violates } from './test-fixtures/harness.js';

function setup(over: Partial<BodyWatch> = {}, mode: 'throw' | 'report' = 'throw') {
  const seen = collector();
  const watch: BodyWatch = {
    reporter: new Reporter(parseOptions({ mode, onViolation: seen.onViolation })),
    status: 200,
    method: 'GET',
    contentLength: undefined,
    hasContentType: true,
    signal: undefined,
    ...over,
  };
  const wrap = (body: unknown) => wrapBody(body, bodyKind(body), watch);
  return { seen: seen.seen, wrap };
}

/** A generator body that records whether its finally block ran. */
function tracked<T>(items: T[]) {
  const state = { finalised: false, returns: 0 };
  function* gen() {
    try {
      yield* items;
    } finally {
      state.finalised = true;
    }
  }
  const it = gen();
  const ret = it.return.bind(it);
  it.return = (v?: unknown) => {
    state.returns++;
    return ret(v as never);
  };
  return { body: it, state };
}

async function* asyncItems(items: unknown[], state: { finalised: boolean } = { finalised: false }) {
  try {
    for (const item of items) yield item;
  } finally {
    state.finalised = true;
  }
}

const iter = (body: unknown) => (body as Iterable<unknown>)[Symbol.iterator]();
const aiter = (body: unknown) => (body as AsyncIterable<unknown>)[Symbol.asyncIterator]();

t.test('bodies without an iterator to police pass unchanged', async (t) => {
  const { wrap } = setup();
  const file = { type: 'tsgi.file', path: '/f' };
  for (const body of [undefined, null, '', 'text', new Uint8Array(1), file, ['a'], []]) t.equal(wrap(body), body);
});

t.test('the wrapper keeps the body\'s nature: sync stays sync, async stays async', async (t) => {
  const { wrap } = setup();
  const sync = wrap(new Set(['a', 'b'])) as object;
  t.ok(Symbol.iterator in sync);
  t.notOk(Symbol.asyncIterator in sync);
  t.equal(await drain(sync), 'ab');
  const asyncBody = wrap(asyncItems(['a', new TextEncoder().encode('b')])) as object;
  t.ok(Symbol.asyncIterator in asyncBody);
  t.notOk(Symbol.iterator in asyncBody);
  t.equal(await drain(asyncBody), 'ab');
  const both = { *[Symbol.iterator]() { yield 's'; }, async *[Symbol.asyncIterator]() { yield 'a'; } };
  const wrapped = wrap(both) as object;
  t.ok(Symbol.iterator in wrapped && Symbol.asyncIterator in wrapped);
  t.equal(await drain(wrapped), 'a', 'for await uses the async side');
  t.same([...(setup().wrap(both) as Iterable<string>)], ['s'], 'for of uses the sync side');
});

t.test('an error thrown by the body passes through unchanged', async (t) => {
  const boom = new Error('database gone');
  const { wrap } = setup();
  const sync = wrap((function* () { yield 'a'; throw boom; })());
  t.throws(() => [...(sync as Iterable<unknown>)], boom);
  const asyncBody = wrap((async function* () { yield 'a'; throw boom; })());
  await t.rejects(drain(asyncBody), boom);
  const failing = wrap({ [Symbol.iterator]() { throw boom; } });
  t.throws(() => iter(failing), boom, 'from [Symbol.iterator]() itself');
});

t.test('BODY-FORM-1: the body\'s iterator follows the iterator protocol', async (t) => {
  const { wrap } = setup();
  t.throws(() => iter(wrap({ [Symbol.iterator]: () => 42 })), violates('BODY-FORM-1'));
  t.throws(() => iter(wrap({ [Symbol.iterator]: () => ({ next: () => 42 }) })).next(), violates('BODY-FORM-1'));
  t.throws(() => iter(wrap({ [Symbol.iterator]: () => ({ next: async () => ({ done: false, value: 'x' }) }) })).next(), {
    requirement: 'BODY-FORM-1',
    message: /async iterable/,
  });
});

t.test('BODY-FORM-3: a sync body that yields a number throws from that next(), after finalising the body', async (t) => {
  const { wrap } = setup();
  const { body, state } = tracked<unknown>(['a', 42, 'b']);
  const it = iter(wrap(body));
  t.same(it.next(), { done: false, value: 'a' });
  t.throws(() => it.next(), { requirement: 'BODY-FORM-3', message: /the number 42/ });
  t.ok(state.finalised, "the application's finally ran");
  t.same(it.return?.(), { done: true, value: undefined }, 'a later return() does not reach the body again');
  t.equal(state.returns, 1);
});

t.test('BODY-FORM-3: an async body that yields an object rejects, after finalising the body', async (t) => {
  const { wrap } = setup();
  const state = { finalised: false };
  const it = aiter(wrap(asyncItems([{ text: 'x' }, 'never'], state)));
  await t.rejects(it.next(), violates('BODY-FORM-3'));
  t.ok(state.finalised);
});

t.test('RESP-HDR-9: the body yields exactly Content-Length bytes', async (t) => {
  const over = setup({ contentLength: 3 });
  const it = iter(over.wrap(['ab', 'cd'][Symbol.iterator]()));
  t.same(it.next(), { done: false, value: 'ab' });
  t.throws(() => it.next(), { requirement: 'RESP-HDR-9', message: /4 bytes so far, more than its Content-Length 3/ }, 'as soon as it is exceeded');
  const under = setup({ contentLength: 5 });
  await t.rejects(drain(under.wrap(asyncItems(['ab']))), { requirement: 'RESP-HDR-9', message: /ended after 2 bytes/ }, 'at the end');
  const exact = setup({ contentLength: 4 });
  t.equal(await drain(exact.wrap(asyncItems(['é', new Uint8Array(2)]))), 'é\u0000\u0000', 'UTF-8 bytes are counted');
});

t.test('BODY-NOBODY-2: a 204 or 304 body yields no bytes', async (t) => {
  for (const status of [204, 304]) {
    const { wrap } = setup({ status });
    t.same(await drain(wrap(asyncItems(['', new Uint8Array(0)]))), '', 'empty chunks are fine');
    await t.rejects(drain(setup({ status }).wrap(asyncItems(['x']))), violates('BODY-NOBODY-2'));
  }
});

t.test('RESP-HDR-10: a body that yields bytes without a Content-Type is a warning, once', async (t) => {
  const { wrap, seen } = setup({ hasContentType: false });
  t.equal(await drain(wrap(['a', 'b'][Symbol.iterator]())), 'ab');
  t.same(seen.map((s) => [s.id, s.level]), [['RESP-HDR-10', 'warning']]);
});

t.test('BODY-ITER-1: the server iterates the body at most once', async (t) => {
  const { wrap } = setup();
  const body = wrap(new Set(['a']));
  iter(body);
  t.throws(() => iter(body), violates('BODY-ITER-1'));
});

t.test('BODY-ITER-2: return() is called at most once, and reaches the body once', async (t) => {
  const { wrap } = setup();
  const { body, state } = tracked(['a', 'b']);
  const it = iter(wrap(body));
  it.next();
  t.same(it.return?.('v'), { done: true, value: 'v' });
  t.ok(state.finalised);
  t.throws(() => it.return?.(), violates('BODY-ITER-2'));
  t.equal(state.returns, 1);
});

t.test('BODY-ITER-3: no next() after done, after return(), or while another is outstanding', async (t) => {
  const done = iter(setup().wrap(new Set(['a'])));
  done.next();
  done.next();
  t.throws(() => done.next(), { requirement: 'BODY-ITER-3', message: /after the iterator was done/ });
  const returned = iter(setup().wrap(new Set(['a'])));
  returned.return?.();
  t.throws(() => returned.next(), { requirement: 'BODY-ITER-3', message: /after return\(\)/ });
  let release: (v: IteratorResult<string>) => void = () => {};
  const slow = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<string>>((r) => { release = r; }) }) };
  const it = aiter(setup().wrap(slow));
  const first = it.next();
  await t.rejects(it.next(), { requirement: 'BODY-ITER-3', message: /outstanding/ });
  release({ done: false, value: 'a' });
  t.same(await first, { done: false, value: 'a' });
});

t.test('BODY-ITER-5: return() while a next() is pending is a warning', async (t) => {
  const { wrap, seen } = setup();
  let release: (v: IteratorResult<string>) => void = () => {};
  let returned = 0;
  const slow = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise<IteratorResult<string>>((r) => { release = r; }),
      return: async () => { returned++; return { done: true as const, value: undefined }; },
    }),
  };
  const it = aiter(wrap(slow));
  const pending = it.next();
  await it.return?.();
  t.same(seen.map((s) => [s.id, s.level]), [['BODY-ITER-5', 'warning']]);
  t.equal(returned, 1, 'forwarded all the same');
  release({ done: true, value: undefined });
  await pending;
});

t.test('BODY-HEAD-1: the body of a HEAD response is not iterated', async (t) => {
  const { wrap } = setup({ method: 'HEAD' });
  const it = iter(wrap(new Set(['a'])));
  t.throws(() => it.next(), violates('BODY-HEAD-1'));
  t.doesNotThrow(() => it.return?.(), 'finalising it is what the server should do');
});

t.test('CANCEL-SIG-4: after tsgi.signal aborts, the server asks for no more chunks', async (t) => {
  const controller = new AbortController();
  const { wrap } = setup({ signal: controller.signal });
  const it = aiter(wrap(asyncItems(['a', 'b'])));
  t.same(await it.next(), { done: false, value: 'a' });
  controller.abort(new Error('gone'));
  await t.rejects(it.next(), violates('CANCEL-SIG-4'));
});

t.test('report mode: violations go to onViolation and the chunks pass unchanged', async (t) => {
  const { wrap, seen } = setup({ contentLength: 1, status: 204, hasContentType: false }, 'report');
  const body = wrap((function* () { yield 'ab'; yield 7; })());
  const it = iter(body);
  t.same(it.next(), { done: false, value: 'ab' });
  t.same(it.next(), { done: false, value: 7 });
  t.same(it.next(), { done: true, value: undefined });
  t.same(it.next(), { done: true, value: undefined }, 'a next() after done still reaches the body');
  t.same(iter(body).next(), { done: true, value: undefined }, 'a second iteration is allowed through');
  const got = seen.map((s) => s.id);
  t.same(got, ['BODY-NOBODY-2', 'RESP-HDR-9', 'RESP-HDR-10', 'BODY-FORM-3', 'BODY-ITER-3', 'BODY-ITER-1', 'RESP-HDR-9']);
  t.ok(seen.every((s) => (s.v as SpecViolation).message.startsWith(s.id)));
});
