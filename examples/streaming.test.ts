import t from 'tap';
import { createTestClient } from '@tsgi/gateway-spec';
import { createStreamingApp, DEFAULT_TICKS, MAX_TICKS } from './streaming.js';

const DELAY_MS = 5;

t.test('BODY-ITER-1: lines arrive one by one, each after its delay', async (t) => {
  const ends: Array<{ sent: number; reason: string }> = [];
  await using client = createTestClient(createStreamingApp({ delayMs: DELAY_MS, onEnd: (e) => ends.push(e) }));
  const res = await client.get('/?count=3');
  t.equal(res.status, 200);
  t.equal(res.contentLength, null, 'BODY-LEN-1: unknown length, chunked');
  const started = Date.now();
  const lines: string[] = [];
  for await (const chunk of res.body) lines.push(Buffer.from(chunk).toString());
  t.same(lines, ['tick 1 of 3\n', 'tick 2 of 3\n', 'tick 3 of 3\n'], 'one chunk per line');
  t.ok(Date.now() - started >= 3 * DELAY_MS - 2, 'each line waited for its delay');
  t.same(ends, [{ sent: 3, reason: 'complete' }]);
  t.equal(res.signal.aborted, false, 'CANCEL-SIG-3: a complete response is never aborted');
});

t.test('nothing is produced before the client reads', async (t) => {
  const ends: Array<{ sent: number }> = [];
  await using client = createTestClient(createStreamingApp({ delayMs: DELAY_MS, onEnd: (e) => ends.push(e) }));
  const res = await client.get('/?count=2');
  const it = res.body[Symbol.asyncIterator]();
  t.equal(Buffer.from((await it.next()).value!).toString(), 'tick 1 of 2\n');
  await new Promise((resolve) => setTimeout(resolve, DELAY_MS * 4));
  t.same(ends, [], 'the generator waits at its yield: it never runs ahead of the reader');
  await it.next();
  t.same((await it.next()).done, true);
});

t.test('CANCEL-SIG-1, BODY-ITER-2: a client that leaves stops the stream at once', async (t) => {
  const ends: Array<{ sent: number; reason: string }> = [];
  const slow = 60_000;
  await using client = createTestClient(createStreamingApp({ delayMs: slow, onEnd: (e) => ends.push(e) }));
  const controller = new AbortController();
  const res = await client.get('/?count=5', { signal: controller.signal });
  const reading = res.text();
  const started = Date.now();
  controller.abort();
  await t.rejects(reading, { name: 'AbortError' });
  await client.close();
  t.ok(Date.now() - started < 1000, 'the pending delay ended with the signal, not after a minute');
  t.same(ends, [{ sent: 0, reason: 'cancelled' }], 'the generator finished, its finally ran');
  t.match(res.signal.reason, { code: 'TSGI_ERR_CLIENT_GONE' });
});

t.test('cancel() after the first line', async (t) => {
  const ends: Array<{ sent: number; reason: string }> = [];
  await using client = createTestClient(createStreamingApp({ delayMs: DELAY_MS, onEnd: (e) => ends.push(e) }));
  const res = await client.get('/');
  for await (const line of res.body) {
    t.equal(Buffer.from(line).toString(), `tick 1 of ${DEFAULT_TICKS}\n`);
    break; // the client leaves
  }
  t.same(ends, [{ sent: 1, reason: 'cancelled' }]);
  t.equal(res.bodyState, 'finalised');
});

t.test('BODY-HEAD-1: HEAD never starts the generator', async (t) => {
  const ends: unknown[] = [];
  await using client = createTestClient(createStreamingApp({ delayMs: DELAY_MS, onEnd: (e) => ends.push(e) }));
  const res = await client.head('/');
  t.equal(res.status, 200);
  t.equal(await res.text(), '');
  t.same(ends, [], 'an unstarted generator has nothing to clean up');
});

t.test('a bad count is a 400', async (t) => {
  await using client = createTestClient(createStreamingApp({ delayMs: DELAY_MS }));
  for (const count of ['0', '-1', 'x', String(MAX_TICKS + 1), '1.5']) {
    t.equal((await client.get(`/?count=${count}`)).status, 400, count);
  }
});
