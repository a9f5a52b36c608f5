/**
 * RFC 9112 strictness (SRV-HTTP-1..6): requests a server must refuse itself,
 * sent as raw bytes, and the order of pipelined responses.
 * @module
 */
import type { CaseContext } from '../context.js';
import { PROBE_TOKEN_HEADER } from '../probe/protocol.js';
import type { ConformanceCase } from '../types.js';
import { defineCases, expectRefused } from './helpers.js';

/** A raw request the server must refuse with `status` (and close), without calling the application. */
interface RefuseCase extends Omit<ConformanceCase, 'app' | 'expect'> {
  /** The raw requests, each carrying `token`. */
  readonly build: (ctx: CaseContext, token: string) => string[];
  /** The status expected (default 400). */
  readonly status?: number | number[];
  /** The connection must be closed after the answer (default true). */
  readonly close?: boolean;
}

function refuse({ build, status = 400, close = true, ...rest }: RefuseCase): ConformanceCase {
  const { ids } = rest;
  return {
    app: 'environ', requires: ['raw-socket'], ...rest,
    async expect(ctx) {
      await Promise.all(build(ctx, '').map(async (_, i) => {
        const token = ctx.token();
        const raw = build(ctx, token)[i]!;
        await expectRefused(ctx, { method: raw.slice(0, raw.indexOf(' ')) }, raw, status, ids, { close, token });
      }));
    },
  };
}

const line = (ctx: CaseContext, method = 'POST', target?: string) => `${method} ${target ?? ctx.prefix + '/strict'} HTTP/1.1\r\n`;
const tok = (token: string) => `${PROBE_TOKEN_HEADER}: ${token}\r\n`;

/** Header fields of 2 KiB each, 128 KiB in all or more than the declared limit. */
function bigHeaders(limit: number | undefined): string {
  const count = Math.ceil(Math.max(128 * 1024, (limit ?? 0) + 4096) / 2048);
  return Array.from({ length: count }, (_, i) => `X-Big-${i}: ${'v'.repeat(2036)}\r\n`).join('');
}

export const httpCases: ConformanceCase[] = defineCases([
  refuse({ name: 'http-content-length-with-transfer-encoding', ids: ['SRV-HTTP-1'], title: 'Content-Length together with Transfer-Encoding: 400 and close', build: (ctx, t) => [
    `${line(ctx)}Host: ${ctx.host}\r\n${tok(t)}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
    `${line(ctx)}Host: ${ctx.host}\r\n${tok(t)}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  ] }),
  refuse({ name: 'http-content-length-conflict', ids: ['SRV-HTTP-1'], title: 'two differing Content-Length fields: 400 and close', build: (ctx, t) => [
    `${line(ctx)}Host: ${ctx.host}\r\n${tok(t)}Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!`,
    `${line(ctx)}Host: ${ctx.host}\r\n${tok(t)}Content-Length: 5, 6\r\n\r\nhello!`,
  ] }),
  refuse({ name: 'http-content-length-invalid', ids: ['SRV-HTTP-1'], title: 'an invalid Content-Length (+5, 0x5, -1, abc): 400 and close', build: (ctx, t) =>
    ['+5', '0x5', '-1', 'abc', '5 5'].map((v) => `${line(ctx)}Host: ${ctx.host}\r\n${tok(t)}Content-Length: ${v}\r\n\r\nhello`) }),
  refuse({ name: 'http-transfer-encoding-not-chunked', ids: ['SRV-HTTP-1'], title: 'a Transfer-Encoding whose final coding is not chunked: 400 and close', build: (ctx, t) => [
    `${line(ctx)}Host: ${ctx.host}\r\n${tok(t)}Transfer-Encoding: gzip\r\n\r\nhello`,
    `${line(ctx)}Host: ${ctx.host}\r\n${tok(t)}Transfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
  ] }),
  refuse({ name: 'http-host-missing', ids: ['SRV-HTTP-2'], title: 'an HTTP/1.1 request without Host: 400', build: (ctx, t) => [`${line(ctx, 'GET')}${tok(t)}\r\n`], status: 400, close: false }),
  refuse({ name: 'http-host-repeated', ids: ['SRV-HTTP-2'], title: 'an HTTP/1.1 request with two Host fields: 400', build: (ctx, t) => [
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\nHost: other.example\r\n${tok(t)}\r\n`,
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\nHost: ${ctx.host}\r\n${tok(t)}\r\n`,
  ], status: 400, close: false }),
  refuse({ name: 'http-obs-fold', ids: ['SRV-HTTP-3'], title: 'obs-fold (a header line continued on the next): 400 and close', build: (ctx, t) => [
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}X-Folded: a\r\n  b\r\n\r\n`,
  ] }),
  refuse({ name: 'http-space-before-colon', ids: ['SRV-HTTP-3'], title: 'whitespace between a header name and the colon: 400 and close', build: (ctx, t) => [
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}X-Space : a\r\n\r\n`,
  ] }),
  refuse({ name: 'http-header-name-invalid', ids: ['SRV-HTTP-3'], title: 'a header name that is not a token: 400 and close', build: (ctx, t) => [
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}X[Bad]: a\r\n\r\n`,
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}X"Quote: a\r\n\r\n`,
  ] }),
  refuse({ name: 'http-header-value-control', ids: ['SRV-HTTP-3'], title: 'a control character in a header value (NUL, 0x01, bare CR): 400 and close', build: (ctx, t) => [
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}X-Ctl: a\x00b\r\n\r\n`,
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}X-Ctl: a\x01b\r\n\r\n`,
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}X-Ctl: a\rb\r\n\r\n`,
  ] }),
  refuse({ name: 'http-headers-too-large', ids: ['SRV-HTTP-4'], title: 'a request head over the server\'s limit (128 KiB when none is declared): 431 and close', build: (ctx, t) => [
    `${line(ctx, 'GET')}Host: ${ctx.host}\r\n${tok(t)}${bigHeaders(ctx.limits.maxHeaderBytes)}\r\n`,
  ], status: 431 }),
  {
    name: 'http-request-timeout', ids: ['SRV-HTTP-4'], title: 'a request head that never completes: 408 and close, within the server\'s header timeout', app: 'environ',
    requires: ['raw-socket'], timeoutMs: 9000,
    async expect(ctx) {
      const limit = ctx.limits.headersTimeoutMs;
      if (limit === undefined || limit > 3000) {
        ctx.note(limit === undefined ? 'skipped: the server declared no headersTimeoutMs' : `skipped: the header timeout (${limit} ms) is over the 3 s this check waits`);
        return;
      }
      const conn = await ctx.connect();
      await conn.write(`GET ${ctx.prefix}/slow HTTP/1.1\r\nHost: ${ctx.host}\r\nX-Slow: `);
      let res;
      try {
        res = await conn.readResponse({ timeoutMs: limit + 3000 });
      } catch (error) {
        ctx.fail(['SRV-HTTP-4'], `no response to an incomplete head within ${limit + 3000} ms (${(error as Error).message})`);
      }
      if (res) ctx.check(res.status === 408, ['SRV-HTTP-4'], `an incomplete head: answered ${res.status}, expected 408`);
      ctx.check(await conn.waitClose(2000), ['SRV-HTTP-4'], 'the connection stayed open after the header timeout');
      conn.destroy();
    },
  },
  {
    name: 'http-pipelining-order', ids: ['SRV-HTTP-5'], title: 'pipelined requests are answered in order, even when an earlier one is slower', app: 'delay',
    requires: ['keep-alive', 'raw-socket'],
    async expect(ctx) {
      const conn = await ctx.connect();
      const delays = [300, 0, 100, 0];
      await conn.write(Buffer.concat(delays.map((ms, i) => ctx.bytes({ probe: 'delay', args: { ms, id: `r${i}` } }, ctx.token()))));
      const got: string[] = [];
      for (let i = 0; i < delays.length; i++) {
        try {
          got.push((await conn.readResponse({ timeoutMs: 4000 })).body.toString());
        } catch (error) {
          ctx.fail(['SRV-HTTP-5'], `response ${i + 1} of ${delays.length} pipelined requests never came (${(error as Error).message})`);
          break;
        }
      }
      conn.destroy();
      if (got.length === delays.length) ctx.equal(got, ['r0', 'r1', 'r2', 'r3'], ['SRV-HTTP-5'], 'the order of the responses');
    },
  },
  refuse({ name: 'http-options-asterisk', ids: ['SRV-HTTP-6'], title: 'OPTIONS * is answered by the server itself', build: (ctx, t) => [`OPTIONS * HTTP/1.1\r\nHost: ${ctx.host}\r\n${tok(t)}\r\n`], status: [200, 204], close: false }),
  refuse({ name: 'http-connect', ids: ['SRV-HTTP-6'], title: 'CONNECT is refused with 501 by the server itself', build: (_ctx, t) => [`CONNECT connect.example:443 HTTP/1.1\r\nHost: connect.example:443\r\n${tok(t)}\r\n`], status: 501, close: false }),
]);
