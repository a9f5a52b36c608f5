/**
 * Test helpers: start a server on 127.0.0.1:0 that is closed at teardown, talk
 * to it over raw sockets, parse what comes back, collect log lines and
 * validator reports.
 */
import { connect, type Socket } from 'node:net';
import type { Test } from 'tap';
import { validate } from '@tsgi/gateway-spec';
import type { Application } from '@tsgi/gateway-spec/server-kit';
import { serve, type HttpOptions, type HttpServerHandle } from '../index.js';

export interface Started {
  handle: HttpServerHandle;
  port: number;
  /** Lines the server logged. */
  log: string[];
  /** Violations the validator reported for the wrapped application. */
  violations: string[];
}

/** Small deadlines so that nothing in a test waits long. */
export const FAST: HttpOptions = {
  headersTimeoutMs: 2_000,
  requestTimeoutMs: 4_000,
  keepAliveTimeoutMs: 2_000,
  idleTimeoutMs: 4_000,
  timeoutCheckIntervalMs: 50,
  gracefulTimeoutMs: 1_000,
  shutdownTimeoutMs: 1_000,
};

/**
 * Serves `app`, wrapped in the validator (report mode, so that a violation by
 * the server shows up as a failed assertion instead of a 500), on a free port.
 */
export async function start(t: Test, app: Application, options: HttpOptions = {}, { wrap = true } = {}): Promise<Started> {
  const log: string[] = [];
  const violations: string[] = [];
  const served = wrap
    ? validate(app, { mode: 'report', onViolation: (v, level) => { if (level === 'error') violations.push(v.message); } })
    : app;
  const handle = await serve(served, { host: '127.0.0.1', port: 0, ...FAST, errorLog: (line) => log.push(line), ...options });
  t.teardown(() => handle.close({ timeoutMs: 200 }));
  return { handle, port: (handle.address as { port: number }).port, log, violations };
}

/** A raw connection with a buffer of everything received. */
export class RawClient {
  readonly socket: Socket;
  received = Buffer.alloc(0);
  closed = false;
  #waiters: Array<() => void> = [];

  constructor(port: number, host = '127.0.0.1') {
    this.socket = connect(port, host);
    this.socket.on('data', (d) => {
      this.received = Buffer.concat([this.received, d]);
      this.#notify();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.#notify();
    });
    this.socket.on('error', () => {});
  }

  #notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Waits until `predicate` holds (checked on every event) or `timeoutMs` passes; returns whether it held. */
  async until(predicate: (c: RawClient) => boolean, timeoutMs = 2_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  /** Waits for the server to close the connection. */
  waitClosed(timeoutMs = 2_000): Promise<boolean> {
    return this.until((c) => c.closed, timeoutMs);
  }

  /** Waits until `count` complete responses arrived (see parseResponses). */
  async responses(count: number, timeoutMs = 2_000, options?: ParseOptions): Promise<ParsedResponse[]> {
    await this.until((c) => parseResponses(c.received, options).length >= count || c.closed, timeoutMs);
    return parseResponses(this.received, options);
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** Opens a raw connection that the test closes at teardown. */
export function raw(t: Test, port: number): RawClient {
  const client = new RawClient(port);
  t.teardown(() => client.destroy());
  return client;
}

/** Sends `request` on a new connection and waits for the server to close it (or `timeoutMs`). */
export async function exchange(t: Test, port: number, request: string | Buffer, timeoutMs = 2_000): Promise<{ text: string; closed: boolean; responses: ParsedResponse[] }> {
  const client = raw(t, port);
  client.write(request);
  const closed = await client.waitClosed(timeoutMs);
  return { text: client.text, closed, responses: parseResponses(client.received) };
}

export interface ParsedResponse {
  status: number;
  /** Header fields in order, names as sent. */
  headers: Array<[string, string]>;
  body: Buffer;
  /** The whole message, head included, as latin1 text. */
  raw: string;
}

export interface ParseOptions {
  /** Responses to HEAD: no body whatever the headers say. */
  head?: boolean;
}

/** Splits a byte stream into the complete HTTP/1.x responses it holds (1xx included). */
export function parseResponses(data: Buffer, options: ParseOptions = {}): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at, 'latin1');
    if (end === -1) return out;
    const head = data.subarray(at, end).toString('latin1').split('\r\n');
    const status = Number(head[0]!.split(' ')[1]);
    const headers = head.slice(1).map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()] as [string, string];
    });
    const field = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
    let bodyStart = end + 4;
    let body: Buffer;
    if ((status >= 100 && status < 200) || status === 204 || status === 304 || options.head) {
      body = Buffer.alloc(0);
    } else if (field('transfer-encoding')?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      let p = bodyStart;
      for (;;) {
        const lineEnd = data.indexOf('\r\n', p, 'latin1');
        if (lineEnd === -1) return out;
        const size = parseInt(data.subarray(p, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) return out;
        if (size === 0) {
          if (data.length < lineEnd + 4) return out;
          bodyStart = lineEnd + 4;
          break;
        }
        if (data.length < lineEnd + 2 + size + 2) return out;
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        p = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
      out.push({ status, headers, body, raw: data.subarray(at, bodyStart).toString('latin1') });
      at = bodyStart;
      continue;
    } else if (field('content-length') !== undefined) {
      const length = Number(field('content-length'));
      if (data.length < bodyStart + length) return out;
      body = data.subarray(bodyStart, bodyStart + length);
      bodyStart += length;
    } else {
      // Close-delimited: the rest of the stream.
      body = data.subarray(bodyStart);
      bodyStart = data.length;
    }
    out.push({ status, headers, body, raw: data.subarray(at, bodyStart).toString('latin1') });
    at = bodyStart;
  }
}

/** The value of a header in a parsed response (first one), case-insensitive. */
export function header(response: ParsedResponse, name: string): string | undefined {
  return response.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function, for apps that wait on the test. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
