import t from 'tap';
import { describe, isPlainObject, quote, snapshot } from './inspect.js';
import { runInNewContext } from 'node:vm';

t.test('describe() names values without dumping them, and never throws', async (t) => {
  const cases: Array<[unknown, string | RegExp]> = [
    [undefined, 'undefined'],
    [null, 'null'],
    [42, 'the number 42'],
    [10n, 'the bigint 10n'],
    [true, 'the boolean true'],
    ['a\nb', 'the string "a\\nb"'],
    [Symbol('s'), 'a symbol (Symbol(s))'],
    [(a: unknown) => a, 'a function of 1 parameter'],
    [function named(a: unknown, b: unknown) { return [a, b]; }, 'a function "named" of 2 parameters'],
    [class Foo {}, /^a class "Foo"/],
    [[1, 2], 'an array of 2 items'],
    [new Uint8Array(3), 'a Uint8Array of 3 bytes'],
    [Buffer.alloc(2), 'a Buffer of 2 bytes'],
    [new Uint16Array(1), 'a Uint16Array (not a Uint8Array)'],
    [new ArrayBuffer(8), 'an ArrayBuffer of 8 bytes (not a Uint8Array)'],
    [new Response('x'), 'a Fetch Response'],
    [new Headers(), 'a Fetch Headers object'],
    [Promise.resolve(), 'a Promise'],
    [new TypeError('bad'), 'an error (TypeError: bad)'],
    [new Map(), 'an instance of Map'],
    [{}, 'an empty object'],
    [{ status: 200, body: 'x' }, 'an object with keys "status", "body"'],
    [{ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, /, … \(6 keys\)$/],
    [new Proxy({}, {}), 'a Proxy'],
    [Proxy.revocable({}, {}).proxy, 'a Proxy'],
    ['x'.repeat(1000), /… \(1000 chars\)$/],
  ];
  for (const [value, expected] of cases) {
    const text = describe(value);
    if (typeof expected === 'string') t.equal(text, expected);
    else t.match(text, expected);
  }
  const hostile = Object.create(new Proxy({}, { get: () => { throw new Error('x'); }, getPrototypeOf: () => { throw new Error('x'); } }));
  t.type(describe(hostile), 'string');
});

t.test('quote() shows control characters and lone surrogates as escapes', async (t) => {
  t.equal(quote('a\r\n\0b'), '"a\\r\\n\\u0000b"');
  t.equal(quote('\ud800'), '"\\ud800"');
});

t.test('isPlainObject() accepts {} and Object.create(null), from any realm', async (t) => {
  t.ok(isPlainObject({}));
  t.ok(isPlainObject(Object.create(null)));
  t.ok(isPlainObject(runInNewContext('({ a: 1 })')));
  t.notOk(isPlainObject([]));
  t.notOk(isPlainObject(new (class X {})()));
  t.notOk(isPlainObject(new Proxy({}, {})));
  t.notOk(isPlainObject(null));
});

t.test('snapshot() reads every own key once and records what throws', async (t) => {
  let reads = 0;
  const target = { a: 1, get b() { reads++; return 2; }, get c(): number { throw new Error('nope'); }, [Symbol('s')]: 3 };
  Object.defineProperty(target, 'hidden', { value: 4, enumerable: false });
  const snap = snapshot(target);
  t.same([...snap.values], [['a', 1], ['b', 2], ['hidden', 4]]);
  t.equal(reads, 1);
  t.same(snap.failures.map((f) => f.key), ['c']);
  t.equal(snap.symbolKeys.length, 1);
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  t.ok(snapshot(proxy).keysError instanceof TypeError);
});
