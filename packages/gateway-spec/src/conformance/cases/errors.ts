/**
 * Errors (section 7) and response headers (section 5): what a server does
 * with an application that throws, fails mid-body or returns a response it
 * must not send, and how it sends the headers of a good one.
 * @module
 */
import type { RequirementId } from '../../errors.js';
import type { CaseContext, RequestSpec } from '../context.js';
import { badResponseIds } from '../probe/bad-responses.js';
import { PROBE_MARKER_HEADER } from '../probe/protocol.js';
import type { ConformanceCase } from '../types.js';
import { header, headerValues, type WireResponse } from '../wire.js';
import { defineCases, quote, sleep } from './helpers.js';

/** A body the server made for an error: short, and nothing of the error in it (ERR-APP-1, SEC-ERR-1). */
function expectOpaque500(ctx: CaseContext, res: WireResponse, token: string, what: string, ids: readonly RequirementId[]): void {
  ctx.check(res.status === 500, ids, `${what}: answered ${res.status}, expected 500`);
  const text = res.body.toString('latin1');
  ctx.check(!text.includes('tsgi-probe-secret'), ['SEC-ERR-1', 'ERR-APP-1'], `${what}: the 500 body reveals the error message: ${quote(res.body)}`);
  ctx.check(!/\n\s+at |\.(?:[cm]?[jt]s|tsx):\d+|\/(?:src|node_modules|probe)\//.test(text), ['SEC-ERR-1'], `${what}: the 500 body has a stack trace or a file path: ${quote(res.body)}`);
  ctx.check(res.body.length <= 512, ['ERR-APP-1'], `${what}: the 500 body is ${res.body.length} bytes; it should be a short text`);
  const type = header(res, 'content-type');
  ctx.check(type === undefined || /^text\/plain\b/i.test(type), ['ERR-APP-1'], `${what}: the 500 is ${type}, expected plain text`);
  void token;
}

/** After an error, the server still serves (ERR-APP-3). */
async function expectStillServing(ctx: CaseContext, what: string): Promise<void> {
  const { res, conn } = await ctx.request({ probe: 'delay', args: { id: 'alive' } });
  conn.destroy();
  ctx.check(res.status === 200 && res.body.toString() === 'alive', ['ERR-APP-3'], `after ${what}, the next request got ${res.status} ${quote(res.body)}`);
}

function throwCase(name: string, where: string, what: string): ConformanceCase {
  return {
    name, ids: ['ERR-APP-1', 'SEC-ERR-1'], title: `a handler that ${what}: 500 with a short plain-text body that reveals nothing`, app: 'throw',
    async expect(ctx) {
      const token = ctx.token();
      const { res, conn } = await ctx.request({ probe: 'throw', args: { where }, token });
      conn.destroy();
      expectOpaque500(ctx, res, token, `a handler that ${what}`, ['ERR-APP-1']);
      await expectStillServing(ctx, 'the error');
    },
  };
}

/** A group of bad responses: each must become a 500 with none of the application's headers, its body finalised. */
function badResponseCase({ kinds, ...rest }: Omit<ConformanceCase, 'app' | 'expect'> & { readonly kinds: readonly string[] }): ConformanceCase {
  return {
    app: 'bad-response', ...rest,
    async expect(ctx) {
      await Promise.all(kinds.map(async (kind) => {
        const token = ctx.token();
        const what = `a response with ${kind} (breaks ${badResponseIds(kind).join(', ')})`;
        const { res, conn } = await ctx.request({ probe: 'bad-response', args: { kind }, token });
        conn.destroy();
        ctx.check(res.status === 500, ['RESP-HDR-8', 'ERR-APP-1'], `${what}: answered ${res.status}, expected 500`);
        ctx.check(header(res, PROBE_MARKER_HEADER) === undefined, ['RESP-HDR-8'], `${what}: the application's headers reached the client (${PROBE_MARKER_HEADER} is there)`);
        ctx.check(header(res, 'x-injected') === undefined && header(res, 'x-bad') === undefined, ['RESP-HDR-8'], `${what}: the bad header reached the client: ${JSON.stringify(res.rawHead)}`);
        ctx.check(!res.body.toString().includes('must not be sent'), ['RESP-HDR-8'], `${what}: the application's body was sent`);
        expectOpaque500(ctx, res, token, what, ['RESP-HDR-8']);
        if (kind.startsWith('shape-undefined') || kind.startsWith('shape-null') || kind === 'shape-fetch-response') return;
        const r = await ctx.record(token, (rec) => (rec.body?.returnCalls ?? 0) > 0, 1000);
        const b = r?.body;
        ctx.check(b !== undefined && b.nextCalls === 0 && (b.iterations === 0 || b.returnCalls === 1), ['BODY-ITER-4', 'BODY-ITER-2'],
          `${what}: the refused response's body was ${b ? `iterated ${b.iterations} time(s), next() ${b.nextCalls}, return() ${b.returnCalls}` : 'not recorded'}; it must be finalised, not sent`);
        ctx.check(b === undefined || b.iterations > 0, ['BODY-ITER-4'], `${what}: the refused response's body was never finalised (no iterator was taken to call return() on)`);
      }));
      await expectStillServing(ctx, 'refusing responses');
    },
  };
}

/** Waits until the server's log has a line with every one of `needles`. */
async function logLine(ctx: CaseContext, needles: string[], timeoutMs = 1500): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = (ctx.logs() ?? '').split('\n').find((l) => needles.every((n) => l.includes(n)));
    if (line !== undefined || Date.now() > deadline) return line;
    await sleep(50);
  }
}

export const errorCases: ConformanceCase[] = defineCases([
  throwCase('error-handler-throws', 'sync', 'throws'),
  throwCase('error-handler-rejects', 'async', 'rejects'),
  throwCase('error-handler-throws-non-error', 'non-error', 'throws a non-Error value'),
  {
    name: 'error-server-survives', ids: ['ERR-APP-3'], title: 'failing requests, alone and among others, never stop the server serving the rest', app: 'throw',
    async expect(ctx) {
      const calls = Array.from({ length: 12 }, (_, i) => i % 2 === 0
        ? ctx.request({ probe: 'throw', args: { where: i % 4 === 0 ? 'sync' : 'async' } })
        : ctx.request({ probe: 'delay', args: { id: `ok${i}`, ms: 20 } }));
      const answers = await Promise.all(calls);
      answers.forEach(({ res, conn }, i) => {
        conn.destroy();
        if (i % 2 === 1) ctx.check(res.status === 200 && res.body.toString() === `ok${i}`, ['ERR-APP-3'], `a request served among failing ones got ${res.status} ${quote(res.body)}`);
      });
      if (ctx.has('keep-alive')) {
        const conn = await ctx.connect();
        await conn.write(Buffer.concat([ctx.bytes({ probe: 'throw' }, ctx.token()), ctx.bytes({ probe: 'delay', args: { id: 'after' } }, ctx.token())]));
        const first = await conn.readResponse();
        ctx.check(first.status === 500, ['ERR-APP-1'], `a throwing handler answered ${first.status}`);
        if (!conn.closed || conn.pending.length > 0) {
          const second = await conn.readResponse().catch(() => undefined);
          if (second) ctx.check(second.status === 200 && second.body.toString() === 'after', ['ERR-APP-3'], `the request after a failed one on the same connection got ${second.status} ${quote(second.body)}`);
        }
        conn.destroy();
      }
      await expectStillServing(ctx, 'the failing requests');
    },
  },
  {
    name: 'error-responses-opaque', ids: ['SEC-ERR-1'], title: 'responses the server makes for errors (400, 404, 417, 500) carry no stack trace or path', app: 'throw',
    async expect(ctx) {
      const requests: RequestSpec[] = [
        { probe: 'throw' },
        { probe: 'throw', args: { where: 'async' } },
        { path: '/%FF' },
        { method: 'POST', body: 'x', headers: [['Expect', 'tsgi-unknown']] },
        { probe: 'body', args: { form: 'file-missing' } },
      ];
      await Promise.all(requests.map(async (spec) => {
        const { res, conn } = await ctx.request(spec);
        conn.destroy();
        const text = res.body.toString('latin1') + res.rawHead;
        ctx.check(res.status >= 400, ['SEC-ERR-1'], `${ctx.describe(spec)} answered ${res.status}, expected an error status`);
        ctx.check(!text.includes('tsgi-probe-secret') && !/\n\s+at |\.(?:[cm]?[jt]s|tsx):\d+|\/(?:src|node_modules|probe)\//.test(text), ['SEC-ERR-1'],
          `${ctx.describe(spec)}: the ${res.status} response reveals internal detail: ${quote(res.body)}`);
      }));
    },
  },
  {
    name: 'error-after-head-chunked', ids: ['ERR-APP-2'], title: 'the body fails after the head (chunked): no last chunk, the connection closes', app: 'throw',
    async expect(ctx) {
      const { res, conn } = await ctx.request({ probe: 'throw', args: { where: 'after-head' } });
      ctx.check(res.status === 200, ['ERR-APP-2'], `answered ${res.status}; the head was already sent`);
      ctx.check(!res.complete, ['ERR-APP-2'], `the client got a complete ${res.framing} message (${quote(res.body)}); it must see a truncated response`);
      ctx.check(await conn.waitClose(2000), ['ERR-APP-2'], 'the connection stayed open after the body failed');
      conn.destroy();
      await expectStillServing(ctx, 'a body that failed');
    },
  },
  {
    name: 'error-after-head-content-length', ids: ['ERR-APP-2'], title: 'the body fails after the head (Content-Length): fewer bytes, the connection closes', app: 'throw',
    async expect(ctx) {
      const { res, conn } = await ctx.request({ probe: 'throw', args: { where: 'after-head', cl: 100 } });
      ctx.check(!res.complete && res.body.toString() === 'partial-', ['ERR-APP-2'], `the client got ${res.body.length} of 100 bytes, ${res.complete ? 'complete' : 'truncated'}; expected the 8 bytes sent before the failure, then the end of the connection`);
      ctx.check(await conn.waitClose(2000), ['ERR-APP-2'], 'the connection stayed open after the body failed');
      conn.destroy();
    },
  },
  badResponseCase({ name: 'resp-header-value-invalid', ids: ['RESP-HDR-8', 'RESP-HDR-3'], title: 'header values with CR, LF, NUL, controls or code units over 0xFF: 500, nothing injected', kinds: ['value-crlf', 'value-lf', 'value-cr', 'value-nul', 'value-ctl', 'value-wide', 'name-crlf'] }),
  badResponseCase({ name: 'resp-header-name-invalid', ids: ['RESP-HDR-8', 'RESP-HDR-2'], title: 'header names that are not tokens: 500', kinds: ['name-space', 'name-colon', 'name-empty'] }),
  badResponseCase({ name: 'resp-header-hop-by-hop', ids: ['RESP-HDR-8', 'RESP-HDR-5'], title: 'hop-by-hop headers from the application: 500', kinds: ['hop-connection', 'hop-keep-alive', 'hop-proxy-connection', 'hop-transfer-encoding', 'hop-te', 'hop-trailer', 'hop-upgrade'] }),
  badResponseCase({ name: 'resp-header-status', ids: ['RESP-HDR-8', 'RESP-HDR-6'], title: 'a Status header from the application: 500', kinds: ['status-header'] }),
  badResponseCase({ name: 'resp-status-invalid', ids: ['RESP-HDR-8', 'RESP-STATUS-1'], title: 'a status outside 200-599 or not an integer: 500', kinds: ['status-100', 'status-103', 'status-199', 'status-600', 'status-float', 'status-string', 'status-missing'] }),
  badResponseCase({ name: 'resp-shape-invalid', ids: ['RESP-HDR-8', 'RESP-SHAPE-1', 'RESP-HDR-1'], title: 'a response of the wrong shape (extra key, headers not pairs, no response at all): 500', kinds: ['shape-extra-key', 'shape-headers-object', 'shape-pair-of-three', 'shape-value-number', 'shape-undefined', 'shape-null', 'shape-fetch-response'] }),
  {
    name: 'resp-header-order-and-repeats', ids: ['RESP-HDR-7'], title: 'headers are sent in order, each pair its own field: Set-Cookie never joined', app: 'cookies',
    async expect(ctx) {
      const { res, conn } = await ctx.request({ probe: 'cookies' });
      conn.destroy();
      ctx.equal(headerValues(res, 'set-cookie'), ['a=1; Path=/', 'b=2; Expires=Wed, 21 Oct 2015 07:28:00 GMT; HttpOnly', 'c=3'], ['RESP-HDR-7'], 'the list of Set-Cookie fields');
      const order = res.headers.filter(([n]) => /^(set-cookie|x-order)$/i.test(n)).map(([n, v]) => `${n.toLowerCase()}: ${v.slice(0, 3)}`);
      ctx.equal(order, ['set-cookie: a=1', 'x-order: 1', 'set-cookie: b=2', 'x-order: 2', 'set-cookie: c=3'], ['RESP-HDR-7'], 'the order of the application\'s fields as sent');
    },
  },
  {
    name: 'errors-stream-not-to-client', ids: ['ENV-TSGI-4'], title: 'text written to tsgi.errors never reaches the client', app: 'errors-write',
    async expect(ctx) {
      const token = ctx.token();
      const { res, conn } = await ctx.request({ probe: 'errors-write', token });
      conn.destroy();
      ctx.check(res.status === 200 && !res.rawHead.includes('tsgi-probe-errors-marker') && !res.body.toString().includes('tsgi-probe-errors-marker'), ['ENV-TSGI-4'], 'tsgi.errors output reached the client');
    },
  },
  {
    name: 'errors-stream-logged', ids: ['ENV-TSGI-4'], title: 'text written to tsgi.errors goes to the server\'s error log', app: 'errors-write', requires: ['log-observable'],
    async expect(ctx) {
      const token = ctx.token();
      const { conn } = await ctx.request({ probe: 'errors-write', token });
      conn.destroy();
      ctx.check(await logLine(ctx, ['tsgi-probe-errors-marker', token]) !== undefined, ['ENV-TSGI-4'], 'the text the application wrote to tsgi.errors is not in the server\'s log');
    },
  },
  {
    name: 'resp-invalid-logged', ids: ['RESP-HDR-8'], title: 'a refused response is logged with the id of the broken requirement', app: 'bad-response', requires: ['log-observable'],
    async expect(ctx) {
      const token = ctx.token();
      const { conn } = await ctx.request({ path: `/logged?t=${token}`, probe: 'bad-response', args: { kind: 'value-crlf' }, token });
      conn.destroy();
      const line = await logLine(ctx, ['RESP-HDR-3']);
      ctx.check(line !== undefined, ['RESP-HDR-8'], 'no log line names RESP-HDR-3 after a response with CR/LF in a header value');
    },
  },
  {
    name: 'length-mismatch-logged', ids: ['BODY-LEN-2'], title: 'a body that does not match its Content-Length is logged naming RESP-HDR-9', app: 'body', requires: ['log-observable'],
    async expect(ctx) {
      const { conn } = await ctx.request({ path: '/mismatch', probe: 'body', args: { form: 'cl-short' } });
      await conn.waitClose(2000);
      conn.destroy();
      ctx.check(await logLine(ctx, ['RESP-HDR-9']) !== undefined, ['BODY-LEN-2'], 'no log line names RESP-HDR-9 after a body shorter than its Content-Length');
    },
  },
  {
    name: 'error-logged-with-request', ids: ['ERR-APP-4'], title: 'the log line of an application error names the request', app: 'throw', requires: ['log-observable'], level: 'recommended',
    async expect(ctx) {
      const token = ctx.token();
      const { conn } = await ctx.request({ path: `/failing?t=${token}`, probe: 'throw', token });
      conn.destroy();
      ctx.check(await logLine(ctx, [token]) !== undefined, ['ERR-APP-4'], `no log line names the failing request (GET ${ctx.prefix}/failing?t=${token})`);
    },
  },
]);
