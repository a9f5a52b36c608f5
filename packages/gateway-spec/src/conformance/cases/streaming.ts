/**
 * Streaming, backpressure and cancellation (sections 6 and 7 of the spec),
 * observed from outside: a client that stops reading, a client that goes
 * away, and what the probe recorded of the server's calls meanwhile.
 * @module
 */
import type { ProbeRecord } from '../probe/protocol.js';
import type { ConformanceCase } from '../types.js';
import type { CaseContext } from '../context.js';
import { defineCases, sleep } from './helpers.js';

/** Checks that the signal aborted with TSGI_ERR_CLIENT_GONE and the body was finalised exactly once. */
function expectCancelled(ctx: CaseContext, r: ProbeRecord | undefined, what: string): void {
  const s = r?.signal;
  ctx.check(s?.aborted === true, ['CANCEL-SIG-1'], `${what}: tsgi.signal did not abort within 3 s`);
  if (s?.aborted) {
    ctx.check(s.reasonIsError === true, ['CANCEL-SIG-2'], `${what}: the signal's reason is not an Error (${JSON.stringify(s.reasonMessage)})`);
    ctx.check(s.reasonCode === 'TSGI_ERR_CLIENT_GONE', ['CANCEL-SIG-2'], `${what}: the signal's reason has code ${JSON.stringify(s.reasonCode)}, expected TSGI_ERR_CLIENT_GONE`);
  }
  const b = r?.body;
  ctx.check(b !== undefined && b.returnCalls === 1, ['BODY-ITER-2', 'CANCEL-SIG-4'],
    `${what}: the body iterator was ${b ? `returned ${b.returnCalls} time(s)` : 'never seen'}; the server must call return() exactly once so the application's finally blocks run`);
  ctx.check(b === undefined || b.nextAfterEnd === 0, ['CANCEL-SIG-4', 'BODY-ITER-3'], `${what}: next() was called ${b?.nextAfterEnd} time(s) after return()`);
}

export const streamingCases: ConformanceCase[] = defineCases([
  {
    name: 'backpressure-slow-reader', ids: ['BODY-ITER-1'], title: 'a client that stops reading: the server stops pulling the body (bounded buffer)', app: 'stream',
    requires: ['backpressure'], exclusive: true, timeoutMs: 10000,
    async expect(ctx) {
      const token = ctx.token();
      const total = 64 * 1024 * 1024;
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ probe: 'stream', args: { size: total, chunk: 16 * 1024 } }, token));
      await conn.waitData(3000);
      conn.pause();
      await sleep(1500);
      const r = await ctx.record(token);
      const yielded = r?.body?.yieldedBytes ?? 0;
      ctx.check(yielded > 0, ['BODY-ITER-1'], 'the body was never pulled');
      ctx.check(yielded < 24 * 1024 * 1024, ['BODY-ITER-1'],
        `the server pulled ${(yielded / 1048576).toFixed(1)} MiB from the body while the client read ${(conn.bytesRead / 1048576).toFixed(1)} MiB; it must wait until the connection can take more`);
      ctx.check((r?.body?.overlapping ?? 0) === 0, ['BODY-ITER-3'], `${r?.body?.overlapping} next() calls overlapped`);
      conn.destroy();
    },
  },
  {
    name: 'disconnect-mid-body', ids: ['CANCEL-SIG-1', 'CANCEL-SIG-2', 'CANCEL-SIG-4', 'BODY-ITER-2'], title: 'the client goes away mid-body: signal aborts with TSGI_ERR_CLIENT_GONE, return() is called once', app: 'hang',
    requires: ['client-disconnect'],
    async expect(ctx) {
      const token = ctx.token();
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ probe: 'hang' }, token));
      await conn.waitData(3000);
      await ctx.record(token, (r) => (r.body?.yieldedChunks ?? 0) >= 1, 2000);
      conn.destroy();
      const r = await ctx.record(token, (rec) => rec.signal?.aborted === true && (rec.body?.returnCalls ?? 0) > 0, 3000);
      expectCancelled(ctx, r, 'client gone after the first chunk');
    },
  },
  {
    name: 'disconnect-before-response', ids: ['CANCEL-SIG-1', 'BODY-ITER-4'], title: 'the client goes away while the handler runs: signal aborts; the body it then returns is finalised', app: 'hang',
    requires: ['client-disconnect'],
    async expect(ctx) {
      const token = ctx.token();
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ probe: 'hang', args: { before: 1 } }, token));
      await ctx.record(token, (r) => (r.calls ?? 0) > 0, 2000);
      await sleep(50);
      conn.destroy();
      const r = await ctx.record(token, (rec) => rec.signal?.aborted === true && (rec.body?.returnCalls ?? 0) > 0, 3000);
      const s = r?.signal;
      ctx.check(s?.aborted === true, ['CANCEL-SIG-1'], 'client gone before the response: tsgi.signal did not abort within 3 s');
      if (s?.aborted) ctx.check(s.reasonCode === 'TSGI_ERR_CLIENT_GONE', ['CANCEL-SIG-2'], `the signal's reason has code ${JSON.stringify(s.reasonCode)}, expected TSGI_ERR_CLIENT_GONE`);
      const b = r?.body;
      ctx.check(b !== undefined && b.returnCalls === 1, ['BODY-ITER-4'],
        `the body returned after the client left was ${b ? `returned ${b.returnCalls} time(s)` : 'never seen'}; it must be finalised (return() once)`);
    },
  },
  {
    name: 'signal-quiet-after-complete', ids: ['CANCEL-SIG-3'], title: 'the signal does not abort once the response was completely written', app: 'signal-watch',
    async expect(ctx) {
      const token = ctx.token();
      const { res, conn } = await ctx.request({ probe: 'signal-watch', token });
      ctx.check(res.status === 200 && res.complete, ['CANCEL-SIG-3'], `signal-watch answered ${res.status}`);
      conn.destroy();
      await sleep(300);
      const r = await ctx.record(token);
      ctx.check(r?.signal?.aborted === false, ['CANCEL-SIG-3'], `after a complete response and then a closed connection, tsgi.signal ${r?.signal?.aborted ? `aborted (${JSON.stringify(r.signal.reasonCode)})` : 'is not recorded'}`);
    },
  },
]);
