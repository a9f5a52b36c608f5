import t from 'tap';
import type { Environ, TsgiResponse } from '../types.js';
import { validate } from './validate.js';
import { collector, drain, harness, lifespanContext, makeEnviron, makeInput, violates } from './test-fixtures/harness.js';

const text = [['content-type', 'text/plain']] as const;

t.test('valid responses of every body form pass untouched', async (t) => {
  const file = { type: 'tsgi.file', path: '/etc/hosts' } as const;
  for (const body of [undefined, null, '', 'hi', new Uint8Array([104, 105]), file, ['h', 'i'], []]) {
    const response = Object.freeze({ status: 200, headers: text, body, 'myframework.route': '/' });
    const h = await harness(() => response);
    t.equal(await h.call(), response, `the same object for ${JSON.stringify(body)}`);
  }
  const sync = await harness(() => ({ status: 200, headers: text, body: new Set(['h', 'i']), 'x.y': 1 }));
  const syncResponse = await sync.call();
  t.equal(await drain(syncResponse.body), 'hi');
  t.equal(syncResponse['x.y'], 1, 'extension keys are kept');
  t.same(syncResponse.headers, text);
  t.ok(Symbol.iterator in (syncResponse.body as object) && !(Symbol.asyncIterator in (syncResponse.body as object)));
  const frozen = await harness(() => Object.freeze({ status: 200, headers: text, body: new Set([7]) }) as never);
  await t.rejects(drain((await frozen.call()).body), violates('BODY-FORM-3'), 'a frozen response still gets its body checked');
  const asyncBody = await harness(async () => ({ status: 200, headers: text, body: (async function* () { yield 'h'; yield new Uint8Array([105]); })() }));
  const asyncResponse = await asyncBody.call();
  t.ok(Symbol.asyncIterator in (asyncResponse.body as object) && !(Symbol.iterator in (asyncResponse.body as object)));
  t.equal(await drain(asyncResponse.body), 'hi');
});

t.test('a body whose iterator throws: the error passes through unchanged', async (t) => {
  const boom = new Error('disk on fire');
  const h = await harness(() => ({ status: 200, headers: text, body: (function* () { yield 'a'; throw boom; })() }));
  await t.rejects(drain((await h.call()).body), boom);
});

t.test('throw mode: a broken environ rejects the handler and the application is not called', async (t) => {
  let called = false;
  const h = await harness(() => { called = true; return { status: 204 }; });
  await t.rejects(h.call({ SERVER_PROTOCOL: 'HTTP/9' }), violates('ENV-SERVER-3'));
  t.notOk(called);
});

t.test('the application reads tsgi.input and writes tsgi.errors through the checking wrappers', async (t) => {
  const h = await harness(async (environ: Environ) => {
    for await (const chunk of environ['tsgi.input']) void chunk;
    return { status: 204 };
  });
  const bytes = new TextEncoder().encode('abc');
  t.same(await h.call({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '3', 'tsgi.input': makeInput([bytes]) }), { status: 204 });
  await t.rejects(h.call({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '5', 'tsgi.input': makeInput([bytes]) }), violates('INPUT-ITER-2'));
  const logger = await harness((environ: Environ) => {
    environ['tsgi.errors'].write(42 as never);
    return { status: 204 };
  });
  await t.rejects(logger.call(), violates('ENV-TSGI-4'));
});

t.test('report mode: everything goes to onViolation and the request goes on unchanged', async (t) => {
  const seen = collector();
  let sawEnviron: unknown;
  const response = { status: 204, headers: [['Connection', 'close']], body: 'x', extra: 1 };
  const h = await harness((environ: Environ) => { sawEnviron = environ; return response as never; }, { mode: 'report', onViolation: seen.onViolation });
  const environ = h.environ({ SERVER_PROTOCOL: 'HTTP/9', HTTP_PROXY: 'evil' });
  t.equal(await h.app.handle(environ), response, 'the same response');
  t.equal(sawEnviron, environ, 'the application was called with the environ');
  t.same(seen.seen.map((s) => s.id).sort(), ['BODY-NOBODY-2', 'ENV-SERVER-3', 'RESP-HDR-10', 'RESP-HDR-5', 'RESP-SHAPE-1', 'SEC-PROXY-1']);
  t.ok(seen.seen.every((s) => s.level === (s.id === 'RESP-HDR-10' ? 'warning' : 'error')));
  const odd = await harness(() => 'not a response' as never, { mode: 'report', onViolation: seen.onViolation });
  t.equal(await odd.call(), 'not a response', 'APP-SHAPE-2 reported, the value returned as it was');
});

t.test('report mode: a frozen or Proxy environ does not crash the validator', async (t) => {
  const seen = collector();
  const h = await harness(() => ({ status: 204 }), { mode: 'report', onViolation: seen.onViolation });
  t.same(await h.app.handle(Object.freeze(h.environ())), { status: 204 });
  t.same(await h.app.handle(new Proxy(h.environ(), {})), { status: 204 });
  const { proxy, revoke } = Proxy.revocable(h.environ(), {});
  revoke();
  t.same(await h.app.handle(proxy), { status: 204 });
  t.same(await h.app.handle(undefined as never), { status: 204 });
  t.ok(seen.seen.length >= 4 && seen.seen.every((s) => s.id === 'ENV-OBJ-1' || s.id === 'APP-SHAPE-3' || s.id.startsWith('ENV-') || s.id.startsWith('LIFE-')));
});

t.test('HEAD: a response without a body may declare the GET length (RFC 9110 §8.6)', async (t) => {
  const h = await harness(() => ({ status: 200, headers: [...text, ['content-length', '1234']] }));
  t.ok(await h.call({ REQUEST_METHOD: 'HEAD' }));
  await t.rejects(h.call({ REQUEST_METHOD: 'GET' }), violates('RESP-HDR-9'));
});

t.test('validate() can wrap validate(): both layers check, neither breaks the other', async (t) => {
  const inner = validate(async (environ: Environ) => {
    let size = 0;
    for await (const chunk of environ['tsgi.input']) size += chunk.byteLength;
    return { status: 200, headers: text, body: (function* () { yield String(size); })() };
  });
  const outer = validate(inner);
  const ctx = lifespanContext();
  await outer.startup?.(ctx);
  const response: TsgiResponse = await outer.handle(
    makeEnviron({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '2', 'tsgi.input': makeInput([new Uint8Array(2)]) }, { state: ctx.state, extensions: ctx.extensions }),
  );
  t.equal(await drain(response.body), '2');
  await outer.shutdown?.(ctx);
});

t.test('a SHOULD is written once to tsgi.errors by default, never thrown', async (t) => {
  const h = await harness(() => ({ status: 200, body: 'no content type' }));
  const environ = h.environ();
  const log = environ['tsgi.errors'];
  t.ok(await h.app.handle(environ));
  t.match(log.lines, [/^tsgi validate: warning: RESP-HDR-10: .*\n$/]);
  t.not(environ['tsgi.errors'], log, 'the application got the checking wrapper');
});

t.test('MW-COMP-1: validate() is a middleware: what it returns is an application', async (t) => {
  const app = validate(() => ({ status: 204 }));
  t.type(app.handle, 'function');
  t.equal(app.handle.length, 1, 'a handler of one parameter');
  t.doesNotThrow(() => validate(app), 'validate() accepts what it returns');
});

t.test('MW-COMP-3: the body validate() replaces is finalised through the wrapper', async (t) => {
  let finalised = false;
  const h = await harness(() => ({
    status: 200,
    headers: text,
    body: (function* () {
      try {
        yield 'a';
        yield 'b';
      } finally {
        finalised = true;
      }
    })(),
  }));
  const response = await h.call();
  const it = (response.body as Iterable<string>)[Symbol.iterator]();
  t.same(it.next(), { done: false, value: 'a' });
  it.return?.();
  t.ok(finalised, "return() reached the application's iterator");
});

t.test('MW-COMP-3: a response refused by validate() still has its body finalised', async (t) => {
  let finalised = false;
  async function* body() {
    try { yield 'never sent'; } finally { finalised = true; }
  }
  const gen = body();
  await gen.next(); // started, so return() runs the finally block
  const app = validate(() => ({ status: 200, headers: [['x-bad', 'a\r\nb']], body: gen }));
  const ctx = lifespanContext();
  await app.startup(ctx);
  await t.rejects(app.handle(makeEnviron({}, { state: ctx.state })), { requirement: 'RESP-HDR-3' });
  t.ok(finalised, 'the generator finally block ran');
});
