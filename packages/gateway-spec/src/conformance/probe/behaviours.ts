/**
 * The probe's behaviours that build responses: every body form, failures
 * before and after the head, and the abort-signal watcher.
 * @module
 */
import { join } from 'node:path';
import type { TsgiResponse } from '../../types.js';
import { abortedOrTimeout, countedBody, patternSource, sleep, type Update } from './bodies.js';
import { PROBE_TEXT, patternBytes } from './protocol.js';

export type Args = URLSearchParams;

/** A number argument of the behaviour, or `fallback`. */
export function num(args: Args, name: string, fallback: number): number {
  const v = args.get(name);
  return v === null || v === '' || !Number.isFinite(Number(v)) ? fallback : Number(v);
}

/** A JSON response. */
export function json(value: unknown, status = 200): TsgiResponse {
  return { status, headers: [['content-type', 'application/json']], body: JSON.stringify(value) };
}

/** Records in the request's record when and why tsgi.signal aborts (CANCEL-SIG-1..3). */
export function watchSignal(signal: AbortSignal | undefined, update: Update): void {
  if (!signal || typeof signal.addEventListener !== 'function') return;
  update((r) => { r.signal = { aborted: signal.aborted }; });
  signal.addEventListener('abort', () => {
    const reason = signal.reason as { code?: unknown; message?: unknown } | undefined;
    update((r) => {
      r.signal = {
        aborted: true,
        reasonIsError: reason instanceof Error,
        reasonCode: reason?.code,
        reasonMessage: typeof reason?.message === 'string' ? reason.message : String(reason),
      };
    });
  }, { once: true });
}

export async function throwing(args: Args, update: Update, token: string): Promise<TsgiResponse> {
  // The message and stack name this file: neither may reach the client (ERR-APP-1, SEC-ERR-1).
  const secret = `tsgi-probe-secret-${token}`;
  switch (args.get('where')) {
    case 'async':
      await sleep(1);
      throw new Error(secret);
    case 'non-error':
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      throw { secret };
    case 'after-head': {
      const declared = args.get('cl');
      const headers: Array<[string, string]> = [['content-type', 'text/plain']];
      if (declared) headers.push(['content-length', declared]);
      return {
        status: 200,
        headers,
        body: countedBody(update, async (i) => {
          if (i === 0) return 'partial-';
          await sleep(20);
          throw new Error(secret);
        }),
      };
    }
    default:
      throw new Error(secret);
  }
}

export function bodyResponse(args: Args, update: Update, probeFile: () => string, signal: AbortSignal | undefined): TsgiResponse {
  const headers: Array<[string, string]> = [['content-type', 'text/plain; charset=utf-8']];
  const form = args.get('form') ?? 'string';
  const size = num(args, 'size', 0);
  const encoder = new TextEncoder();
  switch (form) {
    case 'string':
      return { status: 200, headers, body: PROBE_TEXT };
    case 'empty-string':
      return { status: 200, headers, body: '' };
    case 'null':
      return { status: 200, headers, body: null };
    case 'absent':
      return { status: 200, headers };
    case 'bytes':
      return { status: 200, headers, body: size ? patternBytes(0, size) : encoder.encode(PROBE_TEXT) };
    case 'array':
      return { status: 200, headers, body: ['Grüße, ', encoder.encode('café '), '✓ — 🎉\n'] };
    case 'sync': {
      function* gen() {
        yield 'Grüße, ';
        yield encoder.encode('café ');
        yield '✓ — 🎉\n';
      }
      return { status: 200, headers, body: gen() };
    }
    case 'async': {
      async function* gen() {
        yield 'Grüße, ';
        await sleep(5);
        yield encoder.encode('café ');
        yield '✓ — 🎉\n';
      }
      return { status: 200, headers, body: gen() };
    }
    case 'stream': {
      const parts = ['Grüße, ', 'café ', '✓ — 🎉\n'];
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = parts.shift();
          if (next === undefined) controller.close();
          else controller.enqueue(encoder.encode(next));
        },
      });
      return { status: 200, headers, body: stream as unknown as AsyncIterable<Uint8Array> };
    }
    case 'counted':
      return { status: 200, headers, body: countedBody(update, patternSource(size || 1000, 100)) };
    case 'big':
      // 8 MiB and more: a generator (chunked) or, with known=1, one Uint8Array (Content-Length).
      if (args.get('known') === '1') return { status: 200, headers: [['content-type', 'application/octet-stream']], body: patternBytes(0, size) };
      return { status: 200, headers: [['content-type', 'application/octet-stream']], body: countedBody(update, patternSource(size, 64 * 1024)) };
    case 'file':
      return { status: 200, headers, body: { type: 'tsgi.file', path: probeFile() } };
    case 'file-range':
      return { status: 200, headers, body: { type: 'tsgi.file', path: probeFile(), offset: num(args, 'offset', 0), length: num(args, 'length', 10) } };
    case 'file-offset':
      return { status: 200, headers, body: { type: 'tsgi.file', path: probeFile(), offset: num(args, 'offset', 0) } };
    case 'file-missing':
      return { status: 200, headers: [...headers, ['x-tsgi-probe-marker', 'app-headers']], body: { type: 'tsgi.file', path: join(probeFile(), '..', 'no-such-file.txt') } };
    case 'flush': {
      // An empty chunk first: a flush hint; the head should leave before the slow part (BODY-FORM-6).
      async function* gen() {
        yield '';
        await abortedOrTimeout(signal, num(args, 'ms', 600));
        yield 'late\n';
      }
      return { status: 200, headers, body: gen() };
    }
    case 'cl-gen': {
      const text = encoder.encode(PROBE_TEXT);
      async function* gen() {
        yield text.subarray(0, 5);
        yield text.subarray(5);
      }
      return { status: 200, headers: [...headers, ['content-length', String(text.byteLength)]], body: gen() };
    }
    case 'cl-short':
      // Declares 20 bytes, yields 10 (BODY-LEN-2).
      return { status: 200, headers: [['content-type', 'text/plain'], ['content-length', '20']], body: countedBody(update, (i) => (i === 0 ? '0123456789' : null)) };
    case 'cl-long':
      // Declares 10 bytes, yields 30; the extra bytes look like a response so a server that sends them is caught.
      return {
        status: 200,
        headers: [['content-type', 'text/plain'], ['content-length', '10']],
        body: countedBody(update, (i) => (i === 0 ? '0123456789' : i === 1 ? 'HTTP/1.1 299 Smuggled\r\n\r\n' : null)),
      };
    default:
      return json({ error: `unknown body form ${form}` }, 400);
  }
}
