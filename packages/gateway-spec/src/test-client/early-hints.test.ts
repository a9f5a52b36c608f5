import t from 'tap';
import { isSpecViolation } from '../errors.js';
import type { EarlyHints, Environ, HeaderList } from '../types.js';
import { createTestClient } from './client.js';

const hintsOf = (env: Environ) => env['tsgi.early_hints'] as EarlyHints;
const preload: HeaderList = [['link', '</style.css>; rel=preload; as=style']];

t.test('EXT-HINTS-1: declared and provided only when asked for', async (t) => {
  let seen: Environ | undefined;
  const app = (env: Environ) => { seen = env; return { status: 204 }; };
  await createTestClient(app).get('/');
  t.notOk('tsgi.early_hints' in seen!, 'by default the client is a server without the extension');
  t.notOk('tsgi.early_hints' in seen!['tsgi.extensions']);
  await createTestClient(app, { earlyHints: true, extensions: { 'x.other': 1 } }).get('/');
  t.same(seen!['tsgi.extensions'], { 'x.other': 1, 'tsgi.early_hints': { version: 1 } }, 'EXT-DECL-1: declared with { version: 1 }');
  t.type(seen!['tsgi.early_hints'], 'function');
  t.throws(() => createTestClient(app, { extensions: { 'tsgi.early_hints': { version: 1 } } }), { code: 'TSGI_ERR_INVALID_ARGUMENT', message: /earlyHints: true/ });
});

t.test('EXT-HINTS-2: each call before the head is one 103, recorded in order and never merged', async (t) => {
  const client = createTestClient(async (env) => {
    await hintsOf(env)(preload);
    await hintsOf(env)([['link', '<https://cdn.test>; rel=preconnect']]);
    return { status: 200, headers: [['content-type', 'text/plain']], body: 'ok' };
  }, { earlyHints: true });
  const res = await client.get('/');
  t.same(res.earlyHints, [preload, [['link', '<https://cdn.test>; rel=preconnect']]]);
  t.same(res.headers, [['content-type', 'text/plain']], 'the final head is the application\'s alone');
  t.ok(Object.isFrozen(res.earlyHints[0]), 'a snapshot, not the array the application may reuse');
});

t.test('EXT-HINTS-2: after the head, after an abort, or to HTTP/1.0, nothing is sent and the call resolves', async (t) => {
  let late: Promise<void> | undefined;
  const afterHead = createTestClient((env) => ({
    status: 200,
    headers: [['content-type', 'text/plain']],
    body: (async function* () { late = hintsOf(env)(preload); yield 'x'; })(),
  }), { earlyHints: true });
  const res = await afterHead.get('/');
  t.equal(await res.text(), 'x');
  await t.resolves(late!);
  t.same(res.earlyHints, [], 'too late');

  const controller = new AbortController();
  let afterAbort: Promise<void> | undefined;
  const aborting = createTestClient(async (env) => {
    controller.abort();
    afterAbort = hintsOf(env)(preload);
    return { status: 204 };
  }, { earlyHints: true });
  await t.rejects(aborting.get('/', { signal: controller.signal }), { name: 'AbortError' });
  await t.resolves(afterAbort!, 'resolves after the signal aborted');

  const old = createTestClient(async (env) => { await hintsOf(env)(preload); return { status: 204 }; }, { earlyHints: true, protocol: 'HTTP/1.0' });
  t.same((await old.get('/')).earlyHints, [], 'RFC 9110 §15.2: no 1xx to HTTP/1.0');
});

t.test('EXT-HINTS-3: invalid fields reject with a SpecViolation naming the id; nothing is sent', async (t) => {
  const outcomes: string[] = [];
  const client = createTestClient(async (env) => {
    for (const fields of [[['bad name', 'x']], [['link', 'a\r\nb']], [['connection', 'close']], 'nope'] as unknown as HeaderList[]) {
      try {
        await hintsOf(env)(fields);
        outcomes.push('sent');
      } catch (error) {
        outcomes.push(isSpecViolation(error) ? error.requirement : 'other');
      }
    }
    return { status: 204 };
  }, { earlyHints: true });
  const res = await client.get('/');
  t.same(outcomes, ['RESP-HDR-2', 'RESP-HDR-3', 'RESP-HDR-5', 'RESP-HDR-1']);
  t.same(res.earlyHints, []);
});
