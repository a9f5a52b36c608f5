/**
 * The input stream (section 3 of the spec): what the application reads, and
 * what the server does around it: 100-continue, limits, draining, aborts,
 * backpressure.
 * @module
 */
import { createHash } from 'node:crypto';
import type { CaseContext, RequestSpec } from '../context.js';
import { patternBytes, type InputSummary } from '../probe/protocol.js';
import type { ConformanceCase } from '../types.js';
import { defineCases, expectNotCalled, quote, sleep } from './helpers.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Sends `spec` to the `read` behaviour and returns the application's summary of the body. */
async function readSummary(ctx: CaseContext, spec: RequestSpec, timeoutMs = 8000): Promise<InputSummary> {
  const { res, conn } = await ctx.request({ method: 'POST', probe: 'read', ...spec }, { timeoutMs });
  conn.destroy();
  if (res.status !== 200) throw ctx.abort(['INPUT-ITER-2'], `${ctx.describe(spec)}: answered ${res.status}: ${quote(res.body)}`);
  return JSON.parse(res.body.toString('utf8')) as InputSummary;
}

function expectBody(ctx: CaseContext, summary: InputSummary, sent: Uint8Array, what: string): void {
  ctx.check(summary.error === null, ['INPUT-FLOW-2'], `${what}: a read failed: ${summary.error?.code ?? ''} ${summary.error?.message ?? ''}`);
  ctx.check(summary.bytes === sent.byteLength && summary.sha256 === sha256(sent), ['INPUT-ITER-2'],
    `${what}: the application read ${summary.bytes} bytes${summary.bytes === sent.byteLength ? ' with other content' : ''}, the client sent ${sent.byteLength}`);
  ctx.check(summary.nonBytes === 0, ['INPUT-ITER-1'], `${what}: ${summary.nonBytes} chunk(s) were not Uint8Arrays`);
  ctx.check(summary.emptyChunks === 0, ['INPUT-ITER-1'], `${what}: ${summary.emptyChunks} chunk(s) were empty`);
}

const FAKE_REQUEST = (token: string) => `GET /smuggled HTTP/1.1\r\nHost: x\r\nx-tsgi-probe: delay\r\nx-tsgi-probe-args: id=smuggled\r\nx-tsgi-probe-token: ${token}\r\n\r\n`;

/**
 * The application does not read the body (or reads part of it); a second
 * request follows on the same connection. The server drains or closes, and
 * never parses body bytes as a request (INPUT-DRAIN-1).
 */
async function drainCase(ctx: CaseContext, mode: 'none' | 'first', size: number): Promise<void> {
  const smuggledToken = ctx.token();
  const fake = Buffer.from(FAKE_REQUEST(smuggledToken), 'latin1');
  const body = Buffer.concat([Buffer.alloc(size - fake.length, 'x'), fake]);
  const conn = await ctx.connect();
  const first = ctx.bytes({ method: 'POST', probe: 'read', args: { mode }, body }, ctx.token());
  const second = ctx.bytes({ probe: 'delay', args: { id: 'second' } }, ctx.token());
  await conn.write(Buffer.concat([first, second]));
  const res1 = await conn.readResponse();
  ctx.check(res1.status === 200, ['INPUT-DRAIN-1'], `POST with an unread ${size}-byte body: answered ${res1.status}`);
  let res2;
  try {
    res2 = await conn.readResponse({ timeoutMs: 4000 });
  } catch (error) {
    // Closing the connection after the response is allowed; hanging is not.
    if (!conn.closed) ctx.fail(['INPUT-DRAIN-1'], `after a response that left the body unread, the next request on the connection got no answer and the connection stayed open (${(error as Error).message})`);
  }
  if (res2) {
    const text = res2.body.toString('utf8');
    ctx.check(text !== 'smuggled', ['INPUT-DRAIN-1'], 'bytes of the unread body were parsed as a request');
    ctx.check(res2.status === 200 && text === 'second', ['INPUT-DRAIN-1'], `the request after the unread body got ${res2.status} ${JSON.stringify(text.slice(0, 80))}, expected 200 "second"`);
  }
  conn.destroy();
  const smuggled = await ctx.record(smuggledToken);
  ctx.check(!smuggled?.calls, ['INPUT-DRAIN-1'], 'bytes of the unread body were parsed as a request and reached the application');
}

export const inputCases: ConformanceCase[] = defineCases([
  {
    name: 'input-read-content-length', ids: ['INPUT-ITER-2', 'INPUT-ITER-1'], title: 'a Content-Length body arrives whole, as non-empty Uint8Array chunks', app: 'read',
    async expect(ctx) {
      const sent = patternBytes(0, 200 * 1024);
      expectBody(ctx, await readSummary(ctx, { body: sent }), sent, 'POST 200 KiB');
    },
  },
  {
    name: 'input-read-chunked', ids: ['INPUT-ITER-2', 'INPUT-ITER-1'], title: 'a chunked body arrives decoded, exactly', app: 'read',
    async expect(ctx) {
      const parts = [patternBytes(0, 10), patternBytes(10, 70000), patternBytes(70010, 1)];
      expectBody(ctx, await readSummary(ctx, { chunks: parts }), Buffer.concat(parts), 'chunked POST');
    },
  },
  {
    name: 'input-no-body', ids: ['ENV-TSGI-3', 'INPUT-ITER-2'], title: 'without a body, tsgi.input ends at once', app: 'read',
    async expect(ctx) {
      const summary = await readSummary(ctx, { method: 'GET' });
      ctx.check(summary.done && summary.bytes === 0 && summary.error === null, ['ENV-TSGI-3'], `GET: reading tsgi.input gave ${JSON.stringify(summary)}`);
    },
  },
  {
    name: 'input-iterate-once', ids: ['INPUT-ITER-3'], title: 'a second [Symbol.asyncIterator]() throws an error saying the body was read', app: 'read',
    async expect(ctx) {
      const summary = await readSummary(ctx, { body: 'hello', args: { second: 1 } });
      ctx.check(summary.secondIteration?.threw === true, ['INPUT-ITER-3'], 'a second [Symbol.asyncIterator]() on tsgi.input did not throw');
      if (summary.secondIteration?.threw) {
        ctx.check(/already|consumed|once/i.test(summary.secondIteration.message ?? ''), ['INPUT-ITER-3'], `the error does not say the body was already read: ${JSON.stringify(summary.secondIteration.message)}`);
      }
      ctx.check(summary.bytes === 5, ['INPUT-ITER-2'], `the first iteration read ${summary.bytes} bytes, expected 5`);
    },
  },
  {
    name: 'input-not-past-length', ids: ['INPUT-ITER-2'], title: 'tsgi.input stops at CONTENT_LENGTH: the next request\'s bytes are not body', app: 'read', requires: ['keep-alive'],
    async expect(ctx) {
      const conn = await ctx.connect();
      await conn.write(Buffer.concat([ctx.bytes({ method: 'POST', probe: 'read', body: 'hello' }, ctx.token()), ctx.bytes({ probe: 'delay', args: { id: 'next' } }, ctx.token())]));
      const res = await conn.readResponse();
      const summary = JSON.parse(res.body.toString('utf8')) as InputSummary;
      ctx.check(summary.bytes === 5, ['INPUT-ITER-2'], `the application read ${summary.bytes} bytes of a 5-byte body followed by another request`);
      const next = await conn.readResponse();
      ctx.check(next.body.toString() === 'next', ['INPUT-ITER-2'], `the following request got ${JSON.stringify(next.body.toString().slice(0, 80))}`);
      conn.destroy();
    },
  },
  {
    name: 'input-drain-unread', ids: ['INPUT-DRAIN-1'], title: 'an unread body is drained or the connection closed; it is never parsed as a request', app: 'read', requires: ['keep-alive'],
    expect: (ctx) => drainCase(ctx, 'none', 32 * 1024),
  },
  {
    name: 'input-drain-partly-read', ids: ['INPUT-DRAIN-1'], title: 'a partly read body is drained or the connection closed', app: 'read', requires: ['keep-alive'],
    expect: (ctx) => drainCase(ctx, 'first', 256 * 1024),
  },
  {
    name: 'input-client-aborts', ids: ['INPUT-FLOW-2'], title: 'a body cut short by the client: the read rejects with TSGI_ERR_INPUT_ABORTED', app: 'read', requires: ['client-disconnect'],
    async expect(ctx) {
      const token = ctx.token();
      const conn = await ctx.connect();
      const head = ctx.bytes({ method: 'POST', probe: 'read', headers: [['Content-Length', '100000']] }, token);
      await conn.write(Buffer.concat([head, Buffer.alloc(1000, 'a')]));
      await ctx.record(token, (r) => (r.input?.bytes ?? 0) >= 1000, 3000);
      conn.destroy();
      const r = await ctx.record(token, (rec) => rec.input?.error != null || rec.input?.done === true, 3000);
      ctx.check(r?.input?.done !== true, ['INPUT-FLOW-2'], 'the truncated body ended as if it were complete');
      ctx.check(r?.input?.error?.code === 'TSGI_ERR_INPUT_ABORTED', ['INPUT-FLOW-2'],
        `after the client went away mid-body, the pending read ${r?.input?.error ? `rejected with code ${JSON.stringify(r.input.error.code)}` : 'never settled'}; expected TSGI_ERR_INPUT_ABORTED`);
    },
  },
  {
    name: 'input-backpressure', ids: ['INPUT-FLOW-1'], title: 'while the application does not read, the server stops reading the body from the client', app: 'read',
    requires: ['backpressure'], exclusive: true, timeoutMs: 10000,
    async expect(ctx) {
      const total = 64 * 1024 * 1024;
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ method: 'POST', probe: 'read', args: { delay: 3000 }, headers: [['Content-Length', String(total)]] }, ctx.token()));
      const chunk = Buffer.alloc(256 * 1024, 'b');
      let flushed = 0;
      const until = Date.now() + 1500;
      while (Date.now() < until && flushed < total) {
        const ok = conn.socket.write(chunk);
        if (!ok) {
          const drained = await Promise.race([new Promise<boolean>((r) => conn.socket.once('drain', () => r(true))), sleep(Math.max(0, until - Date.now())).then(() => false)]);
          if (!drained) break;
        }
        flushed += chunk.length;
      }
      const accepted = flushed - conn.socket.writableLength;
      conn.destroy();
      ctx.check(accepted < 24 * 1024 * 1024, ['INPUT-FLOW-1'],
        `the server took ${(accepted / 1048576).toFixed(1)} MiB of the body in 1.5 s while the application read nothing; it must stop reading from the client (bounded buffer)`);
    },
  },
  {
    name: 'continue-on-first-read', ids: ['INPUT-CONT-1'], title: 'Expect: 100-continue: 100 Continue is sent when the application first reads, not before', app: 'read', requires: ['expect-continue'],
    async expect(ctx) {
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ method: 'POST', probe: 'read', args: { delay: 400 }, headers: [['Content-Length', '5'], ['Expect', '100-continue']] }, ctx.token()));
      const sentAt = conn.elapsedMs;
      const interim = await conn.readResponse({ stopAtInterim: true, timeoutMs: 3000 });
      if (!ctx.check(interim.status === 100, ['INPUT-CONT-1'], `the first response was ${interim.status}, expected 100 Continue once the application reads`)) return;
      ctx.check(interim.headAtMs - sentAt >= 300, ['INPUT-CONT-1'], `100 Continue came ${interim.headAtMs - sentAt} ms after the request; the application only read after 400 ms`);
      await conn.write('hello');
      const res = await conn.readResponse();
      const summary = JSON.parse(res.body.toString('utf8')) as InputSummary;
      ctx.check(summary.bytes === 5, ['INPUT-CONT-1'], `after 100 Continue the application read ${summary.bytes} bytes, expected 5`);
      ctx.check(res.interim.length === 0, ['INPUT-CONT-1'], `${res.interim.length} more 1xx responses followed the first 100 Continue`);
      conn.destroy();
    },
  },
  {
    name: 'continue-not-without-read', ids: ['INPUT-CONT-1'], title: 'Expect: 100-continue and an application that answers without reading: no 100 Continue', app: 'delay', requires: ['expect-continue'],
    async expect(ctx) {
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ method: 'POST', probe: 'delay', args: { id: 'no-read', ms: 100 }, headers: [['Content-Length', '5'], ['Expect', '100-continue']] }, ctx.token()));
      const res = await conn.readResponse({ timeoutMs: 4000 });
      conn.destroy();
      ctx.check(res.interim.length === 0, ['INPUT-CONT-1'], `the server sent ${res.interim.map((i) => i.status).join(', ')} although the application never read the body`);
      ctx.check(res.status === 200 && res.body.toString() === 'no-read', ['INPUT-CONT-1'], `the final response is ${res.status} ${quote(res.body)}`);
    },
  },
  {
    name: 'continue-sent-once', ids: ['INPUT-CONT-1'], title: 'reading a body in many chunks: exactly one 100 Continue', app: 'read', requires: ['expect-continue'],
    async expect(ctx) {
      const conn = await ctx.connect();
      const size = 3 * 20000;
      await conn.write(ctx.bytes({ method: 'POST', probe: 'read', headers: [['Content-Length', String(size)], ['Expect', '100-continue']] }, ctx.token()));
      const interim = await conn.readResponse({ stopAtInterim: true, timeoutMs: 3000 });
      if (!ctx.check(interim.status === 100, ['INPUT-CONT-1'], `the first response was ${interim.status}, expected 100 Continue`)) return;
      for (let i = 0; i < 3; i++) {
        await conn.write(Buffer.alloc(20000, 'c'));
        await sleep(40);
      }
      const res = await conn.readResponse();
      conn.destroy();
      ctx.check(res.interim.length === 0, ['INPUT-CONT-1'], `${res.interim.length + 1} 100 Continue responses for one request`);
      const summary = JSON.parse(res.body.toString('utf8')) as InputSummary;
      ctx.check(summary.bytes === size, ['INPUT-ITER-2'], `the application read ${summary.bytes} of ${size} bytes`);
    },
  },
  {
    name: 'expect-unknown', ids: ['INPUT-CONT-2'], title: 'an Expect value other than 100-continue: 417, the application is not called', app: 'environ',
    async expect(ctx) {
      const token = ctx.token();
      const { res, conn } = await ctx.request({ method: 'POST', body: 'x', headers: [['Expect', 'something-else']], token });
      conn.destroy();
      ctx.check(res.status === 417, ['INPUT-CONT-2'], `Expect: something-else answered ${res.status}, expected 417`);
      await expectNotCalled(ctx, token, ['INPUT-CONT-2'], 'Expect: something-else');
    },
  },
  {
    name: 'input-limit-declared', ids: ['INPUT-FLOW-3', 'SRV-HTTP-4'], title: 'a declared Content-Length over the body limit: 413 without calling the application, connection closed', app: 'read',
    async expect(ctx) {
      const max = ctx.limits.maxBodyBytes;
      if (max === undefined) {
        ctx.note('the server declared no maxBodyBytes limit; the check sent 2^53-1 as Content-Length');
      }
      const declared = max === undefined ? Number.MAX_SAFE_INTEGER : max + 1;
      const token = ctx.token();
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ method: 'POST', probe: 'read', headers: [['Content-Length', String(declared)]] }, token));
      await conn.write(Buffer.alloc(1024, 'x')).catch(() => undefined);
      const res = await conn.readResponse({ timeoutMs: 4000 });
      ctx.check(res.status === 413, ['INPUT-FLOW-3'], `Content-Length ${declared} (limit ${max ?? 'unknown'}): answered ${res.status}, expected 413`);
      ctx.check(await conn.waitClose(2000), ['SRV-HTTP-4'], 'after 413 the connection stayed open; it must close');
      conn.destroy();
      await expectNotCalled(ctx, token, ['INPUT-FLOW-3'], `Content-Length ${declared}`);
    },
  },
  {
    name: 'input-limit-chunked', ids: ['INPUT-FLOW-3'], title: 'a chunked body crossing the limit: the read rejects with TSGI_ERR_INPUT_TOO_LARGE, the server answers 413', app: 'read',
    async expect(ctx) {
      const max = ctx.limits.maxBodyBytes;
      if (max === undefined || max > 16 * 1024 * 1024) {
        ctx.note(max === undefined ? 'skipped: the server declared no maxBodyBytes' : `skipped: the limit (${max} bytes) is over the 16 MiB this check sends`);
        return;
      }
      const token = ctx.token();
      const conn = await ctx.connect();
      const chunk = Buffer.alloc(64 * 1024, 'z');
      const parts = [];
      for (let sent = 0; sent <= max; sent += chunk.length) parts.push(chunk);
      await conn.write(ctx.bytes({ method: 'POST', probe: 'read', chunks: parts }, token)).catch(() => undefined);
      const res = await conn.readResponse({ timeoutMs: 6000 });
      conn.destroy();
      ctx.check(res.status === 413, ['INPUT-FLOW-3'], `a chunked body over the ${max}-byte limit: answered ${res.status}, expected 413`);
      const r = await ctx.record(token, (rec) => rec.input?.error != null, 2000);
      ctx.check(r?.input?.error?.code === 'TSGI_ERR_INPUT_TOO_LARGE', ['INPUT-FLOW-3'],
        `the read that crossed the limit ${r?.input?.error ? `rejected with code ${JSON.stringify(r.input.error.code)}` : 'did not reject'}; expected TSGI_ERR_INPUT_TOO_LARGE`);
    },
  },
  {
    name: 'input-large-upload', ids: ['INPUT-ITER-2'], title: 'an 8 MiB upload arrives byte for byte', app: 'read', timeoutMs: 15000,
    async expect(ctx) {
      const size = Math.min(8 * 1024 * 1024, ctx.limits.maxBodyBytes ?? Infinity);
      const sent = patternBytes(0, size);
      expectBody(ctx, await readSummary(ctx, { body: sent }, 12000), sent, `POST ${size} bytes`);
    },
  },
]);
