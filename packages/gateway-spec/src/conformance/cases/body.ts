/**
 * Response bodies and framing (section 6 of the spec): every body form, its
 * bytes and its framing on the wire (Content-Length, chunked, close), HEAD,
 * 204 and 304, and a Content-Length the body does not match.
 * @module
 */
import type { CaseContext, RequestSpec } from '../context.js';
import { PROBE_MARKER_HEADER, PROBE_TEXT, patternBytes } from '../probe/protocol.js';
import type { ConformanceCase } from '../types.js';
import { header, type Framing, type WireResponse } from '../wire.js';
import { defineCases, quote, utf8 } from './helpers.js';

const FILE_BYTES = utf8(PROBE_TEXT.repeat(4000));

/** A body form: its bytes on the wire, and the framing the server must choose for it. */
interface FormCase extends Omit<ConformanceCase, 'app' | 'expect'> {
  /** Arguments of the probe's `body` behaviour. */
  readonly args: Record<string, string | number>;
  readonly expected: Buffer;
  readonly framing: Framing;
  readonly request?: Partial<RequestSpec>;
}

function formCase({ args, expected, framing, request, ...rest }: FormCase): ConformanceCase {
  const { ids } = rest;
  return {
    app: 'body', ...rest,
    async expect(ctx) {
      const s: RequestSpec = { probe: 'body', args, ...request };
      const { res, conn } = await ctx.request(s);
      conn.destroy();
      const req = ctx.describe(s);
      if (!ctx.check(res.status === 200, ids.slice(0, 1), `${req}: answered ${res.status} ${quote(res.body)}`)) return;
      ctx.check(res.complete && res.body.equals(expected), ids.includes('BODY-FORM-2') ? ['BODY-FORM-2'] : ids.slice(0, 1),
        `${req}: the body is ${res.body.length} bytes ${res.body.length < 200 ? quote(res.body) : ''}, expected ${expected.length} bytes ${expected.length < 200 ? quote(expected) : ''}`);
      checkFraming(ctx, res, framing, expected.length, req);
    },
  };
}

function checkFraming(ctx: CaseContext, res: WireResponse, framing: Framing, length: number, req: string): void {
  if (!ctx.has('raw-socket')) {
    // A front web server frames the response itself (CGI, FastCGI behind Apache): only the bytes are the server's.
    ctx.note('framing not checked: the server declares no raw-socket');
    return;
  }
  const te = header(res, 'transfer-encoding');
  if (framing === 'content-length') {
    ctx.check(res.framing === 'content-length' && header(res, 'content-length') === String(length), ['BODY-LEN-1'],
      `${req}: the length is known before the head, so Content-Length: ${length} is expected; got ${te ? `Transfer-Encoding: ${te}` : `framing ${res.framing}, Content-Length ${JSON.stringify(header(res, 'content-length'))}`}`);
  } else if (framing === 'chunked') {
    ctx.check(res.framing === 'chunked', ['BODY-LEN-1'], `${req}: an HTTP/1.1 response of unknown length must be chunked; got framing ${res.framing}`);
  } else if (framing === 'close') {
    ctx.check(res.framing === 'close', ['BODY-LEN-1'], `${req}: an HTTP/1.0 response of unknown length is ended by closing the connection; got framing ${res.framing}${te ? ` (Transfer-Encoding: ${te} is not HTTP/1.0)` : ''}`);
  }
}

/**
 * HEAD, 204, 304: no body bytes (a response pipelined behind proves it), and
 * the body the application gave is finalised without being iterated.
 */
interface BodylessCase extends Omit<ConformanceCase, 'app' | 'expect'> {
  /** The request whose response has no body. */
  readonly first: RequestSpec;
  readonly status: number;
}

function bodylessCase({ first, status: expectStatus, ...rest }: BodylessCase): ConformanceCase {
  const { ids } = rest;
  return {
    app: first.probe ?? 'head', requires: ['keep-alive'], ...rest,
    async expect(ctx) {
      const token = ctx.token();
      const conn = await ctx.connect();
      await conn.write(Buffer.concat([ctx.bytes(first, token), ctx.bytes({ probe: 'delay', args: { id: 'after' } }, ctx.token())]));
      const req = ctx.describe(first);
      const res = await conn.readResponse({ method: first.method ?? 'GET' });
      ctx.check(res.status === expectStatus, ids.slice(0, 1), `${req}: answered ${res.status}, expected ${expectStatus}`);
      if (expectStatus !== 200 || first.method === 'HEAD') {
        ctx.check(header(res, 'transfer-encoding') === undefined, ids.slice(0, 1), `${req}: the response has Transfer-Encoding: ${header(res, 'transfer-encoding')}; it has no body`);
      }
      let next: WireResponse | undefined;
      try {
        next = await conn.readResponse({ timeoutMs: 3000 });
      } catch (error) {
        ctx.fail(ids.slice(0, 1), `${req}: the response pipelined behind it could not be read (${(error as Error).message}); body bytes were probably sent: ${quote(conn.pending)}`);
      }
      if (next) ctx.check(next.status === 200 && next.body.toString() === 'after', ids.slice(0, 1), `${req}: body bytes were sent: the next response on the connection reads as ${next.status} ${quote(next.body)}`);
      conn.destroy();
      const r = await ctx.record(token, (rec) => (rec.body?.returnCalls ?? 0) > 0, 1500);
      const b = r?.body;
      ctx.check(b !== undefined && b.nextCalls === 0, [ids[0]!], `${req}: the server iterated the body it must not send (${b?.nextCalls ?? '?'} next() calls)`);
      ctx.check(b !== undefined && b.iterations > 0 && b.returnCalls === 1, ['BODY-ITER-2'],
        `${req}: the unsent body was not finalised: ${b ? `${b.iterations} iteration(s), return() called ${b.returnCalls} time(s)` : 'no record'}; expected return() exactly once`);
    },
  };
}

export const bodyCases: ConformanceCase[] = defineCases([
  formCase({ name: 'body-string-utf8', ids: ['BODY-FORM-2', 'BODY-LEN-1'], title: 'a string body is sent as UTF-8 with Content-Length', args: { form: 'string' }, expected: utf8(PROBE_TEXT), framing: 'content-length' }),
  formCase({ name: 'body-uint8array', ids: ['BODY-LEN-1'], title: 'a Uint8Array body is sent as is with Content-Length', args: { form: 'bytes', size: 1000 }, expected: Buffer.from(patternBytes(0, 1000)), framing: 'content-length' }),
  formCase({ name: 'body-array', ids: ['BODY-LEN-1', 'BODY-FORM-2'], title: 'an array of strings and bytes: Content-Length, strings as UTF-8', args: { form: 'array' }, expected: utf8(PROBE_TEXT), framing: 'content-length' }),
  formCase({ name: 'body-empty-string', ids: ['BODY-LEN-1'], title: 'an empty string: Content-Length: 0', args: { form: 'empty-string' }, expected: Buffer.alloc(0), framing: 'content-length' }),
  formCase({ name: 'body-null', ids: ['BODY-LEN-1'], title: 'a null body: Content-Length: 0', args: { form: 'null' }, expected: Buffer.alloc(0), framing: 'content-length' }),
  formCase({ name: 'body-absent', ids: ['BODY-LEN-1'], title: 'no body key: Content-Length: 0', args: { form: 'absent' }, expected: Buffer.alloc(0), framing: 'content-length' }),
  formCase({ name: 'body-sync-iterable', ids: ['BODY-LEN-1', 'BODY-FORM-2'], title: 'a sync generator: chunked, strings as UTF-8', args: { form: 'sync' }, expected: utf8(PROBE_TEXT), framing: 'chunked' }),
  formCase({ name: 'body-async-iterable', ids: ['BODY-LEN-1', 'BODY-FORM-2'], title: 'an async generator: chunked, strings as UTF-8', args: { form: 'async' }, expected: utf8(PROBE_TEXT), framing: 'chunked' }),
  formCase({ name: 'body-readable-stream', ids: ['BODY-LEN-1'], title: 'a ReadableStream (an async iterable): chunked', args: { form: 'stream' }, expected: utf8(PROBE_TEXT), framing: 'chunked' }),
  formCase({ name: 'body-app-content-length', ids: ['BODY-LEN-1'], title: 'an iterable with the application\'s Content-Length: framed by it, not chunked', args: { form: 'cl-gen' }, expected: utf8(PROBE_TEXT), framing: 'content-length' }),
  formCase({ name: 'body-file', ids: ['BODY-FORM-4', 'BODY-LEN-1'], title: 'a file body: the whole file, with Content-Length', args: { form: 'file' }, expected: FILE_BYTES, framing: 'content-length' }),
  formCase({ name: 'body-file-range', ids: ['BODY-FORM-4'], title: 'a file body with offset and length: exactly those bytes', args: { form: 'file-range', offset: 7, length: 10 }, expected: FILE_BYTES.subarray(7, 17), framing: 'content-length' }),
  formCase({ name: 'body-file-offset', ids: ['BODY-FORM-4'], title: 'a file body with an offset only: to the end of the file', args: { form: 'file-offset', offset: 70000 }, expected: FILE_BYTES.subarray(70000), framing: 'content-length' }),
  formCase({ name: 'body-http10-unknown-length', ids: ['BODY-LEN-1'], title: 'HTTP/1.0 and a body of unknown length: no chunked, ended by closing the connection', args: { form: 'async' }, expected: utf8(PROBE_TEXT), framing: 'close', request: { version: '1.0' }, requires: ['http/1.0', 'raw-socket'] }),
  formCase({ name: 'body-http10-known-length', ids: ['BODY-LEN-1'], title: 'HTTP/1.0 and a body of known length: Content-Length', args: { form: 'string' }, expected: utf8(PROBE_TEXT), framing: 'content-length', request: { version: '1.0' }, requires: ['http/1.0', 'raw-socket'] }),
  formCase({ name: 'body-large-download', ids: ['BODY-ITER-1'], title: 'an 8 MiB generator body arrives byte for byte', args: { form: 'big', size: 8 * 1024 * 1024 }, expected: Buffer.from(patternBytes(0, 8 * 1024 * 1024)), framing: 'chunked', timeoutMs: 15000 }),
  formCase({ name: 'body-large-known', ids: ['BODY-LEN-1'], title: 'an 8 MiB Uint8Array body: Content-Length and every byte', args: { form: 'big', size: 8 * 1024 * 1024, known: 1 }, expected: Buffer.from(patternBytes(0, 8 * 1024 * 1024)), framing: 'content-length', timeoutMs: 15000 }),
  {
    name: 'body-file-missing', ids: ['BODY-FORM-4'], title: 'a file body whose file cannot be opened: 500, none of the application\'s headers', app: 'body',
    async expect(ctx) {
      const { res, conn } = await ctx.request({ probe: 'body', args: { form: 'file-missing' } });
      conn.destroy();
      ctx.check(res.status === 500, ['BODY-FORM-4'], `a file body naming a missing file: answered ${res.status}, expected 500`);
      ctx.check(header(res, PROBE_MARKER_HEADER) === undefined, ['BODY-FORM-4'], 'the 500 carries the application\'s headers');
    },
  },
  {
    name: 'body-iterator-protocol', ids: ['BODY-ITER-3', 'BODY-ITER-1'], title: 'the body is iterated once, one next() at a time, never after done', app: 'body',
    async expect(ctx) {
      const token = ctx.token();
      const { res, conn } = await ctx.request({ probe: 'body', args: { form: 'counted', size: 5000 }, token });
      conn.destroy();
      ctx.check(res.body.equals(Buffer.from(patternBytes(0, 5000))), ['BODY-ITER-1'], `the body is ${res.body.length} bytes, expected 5000`);
      const b = (await ctx.record(token, (r) => r.body?.ended === true))?.body;
      if (!ctx.check(b !== undefined, ['BODY-ITER-1'], 'the probe has no record of the body')) return;
      ctx.check(b!.iterations === 1, ['BODY-ITER-1'], `[Symbol.asyncIterator]() was called ${b!.iterations} times; the server iterates the body at most once`);
      ctx.check(b!.overlapping === 0, ['BODY-ITER-3'], `${b!.overlapping} next() call(s) were made while another was outstanding`);
      ctx.check(b!.nextAfterEnd === 0, ['BODY-ITER-3'], `next() was called ${b!.nextAfterEnd} time(s) after the iterator was done`);
    },
  },
  {
    name: 'body-flush-hint', ids: ['BODY-FORM-6'], title: 'an empty chunk is a flush hint: the head leaves before the slow rest', app: 'body', level: 'recommended',
    async expect(ctx) {
      const conn = await ctx.connect();
      await conn.write(ctx.bytes({ probe: 'body', args: { form: 'flush', ms: 800 } }, ctx.token()));
      const start = conn.elapsedMs;
      const res = await conn.readResponse({ timeoutMs: 4000 });
      conn.destroy();
      ctx.check(res.headAtMs - start < 500, ['BODY-FORM-6'], `the head arrived after ${res.headAtMs - start} ms; after an empty chunk it should leave at once, not after the 800 ms wait`);
      ctx.check(res.body.toString() === 'late\n', ['BODY-FORM-6'], `the body is ${quote(res.body)}, expected "late\\n" (an empty chunk sends nothing)`);
    },
  },
  {
    name: 'body-length-short', ids: ['BODY-LEN-2'], title: 'a body shorter than its Content-Length: the connection closes at the short end', app: 'body', requires: ['raw-socket'],
    async expect(ctx) {
      const { res, conn } = await ctx.request({ probe: 'body', args: { form: 'cl-short' } });
      ctx.check(!res.complete && res.body.toString() === '0123456789', ['BODY-LEN-2'],
        `Content-Length: 20 with a 10-byte body: the client got ${res.body.length} bytes, ${res.complete ? 'a complete message' : 'a truncated message'}; the server must close at the short end`);
      ctx.check(await conn.waitClose(2000), ['BODY-LEN-2'], 'the connection stayed open after the short body');
      conn.destroy();
    },
  },
  {
    name: 'body-length-long', ids: ['BODY-LEN-2'], title: 'a body longer than its Content-Length: exactly the declared bytes, then the connection closes', app: 'body', requires: ['raw-socket'],
    async expect(ctx) {
      const { res, conn } = await ctx.request({ probe: 'body', args: { form: 'cl-long' } });
      ctx.check(res.body.toString() === '0123456789', ['BODY-LEN-2'], `Content-Length: 10 with a 35-byte body: the client got ${quote(res.body)}`);
      ctx.check(await conn.waitClose(2000), ['BODY-LEN-2'], 'the connection stayed open after the declared bytes; the server must close it');
      ctx.check(conn.pending.length === 0, ['BODY-LEN-2'], `bytes past the declared length were sent: ${quote(conn.pending)}`);
      conn.destroy();
    },
  },
  bodylessCase({ name: 'head-no-body', ids: ['BODY-HEAD-1'], title: 'HEAD: the head only, no body byte; the body is finalised, not iterated', first: { method: 'HEAD', probe: 'head' }, status: 200 }),
  bodylessCase({ name: 'head-no-body-with-length', ids: ['BODY-HEAD-1'], title: 'HEAD with the application\'s Content-Length: no body byte', first: { method: 'HEAD', probe: 'head', args: { cl: 1 } }, status: 200 }),
  bodylessCase({ name: 'status-204-no-body', ids: ['BODY-NOBODY-1'], title: '204: no body, no Transfer-Encoding; the given body is finalised, not sent', first: { probe: 'status', args: { code: 204 } }, status: 204 }),
  bodylessCase({ name: 'status-304-no-body', ids: ['BODY-NOBODY-1'], title: '304: no body, no Transfer-Encoding; the given body is finalised, not sent', first: { probe: 'status', args: { code: 304 } }, status: 304 }),
]);
