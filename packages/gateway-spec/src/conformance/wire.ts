/**
 * A raw HTTP/1.x client over a TCP socket. The suite checks framing on the
 * actual bytes (Content-Length or chunked or close-delimited, HEAD, 1xx,
 * truncation), so it cannot use a client that hides them, and it sends
 * malformed requests no well-behaved client would.
 * @module
 */
import { connect, type Socket } from 'node:net';

/** An informational (1xx) response seen before the final one. */
export interface InterimResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Milliseconds since the connection was opened. */
  readonly atMs: number;
}

export type Framing = 'content-length' | 'chunked' | 'close' | 'none';

/** A response as it came off the wire. */
export interface WireResponse {
  readonly httpVersion: string;
  readonly status: number;
  readonly reason: string;
  /** Header fields in order, names as sent, repeats separate. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly rawHead: string;
  readonly body: Buffer;
  readonly framing: Framing;
  /** False when the connection ended before the message did (truncated chunked or short Content-Length). */
  readonly complete: boolean;
  readonly interim: readonly InterimResponse[];
  /** Milliseconds since the connection opened: head parsed, message ended. */
  readonly headAtMs: number;
  readonly endAtMs: number;
}

/** Values of every field named `name` (case-insensitive), in order. */
export function headerValues(res: { headers: ReadonlyArray<readonly [string, string]> }, name: string): string[] {
  const lower = name.toLowerCase();
  return res.headers.filter(([n]) => n.toLowerCase() === lower).map(([, v]) => v);
}

/** The single value of `name`, all values joined by ", " when repeated, or undefined. */
export function header(res: { headers: ReadonlyArray<readonly [string, string]> }, name: string): string | undefined {
  const values = headerValues(res, name);
  return values.length ? values.join(', ') : undefined;
}

export class WireError extends Error {
  constructor(message: string, readonly partial?: Buffer) {
    super(message);
    this.name = 'WireError';
  }
}

const CRLF2 = Buffer.from('\r\n\r\n');

/** One client connection, read as a byte stream that responses are parsed out of. */
export class WireConnection {
  readonly socket: Socket;
  readonly openedAt = Date.now();
  #buf: Buffer = Buffer.alloc(0);
  #ended = false;
  #error: Error | undefined;
  #waiters: Array<() => void> = [];
  /** Set once the server closed (or reset) the connection. */
  closedAtMs: number | undefined;
  /** Bytes read off the socket in total. */
  bytesRead = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.bytesRead += chunk.length;
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
      this.#wake();
    });
    socket.on('end', () => this.#close());
    socket.on('close', () => this.#close());
    socket.on('error', (error) => {
      this.#error ??= error;
      this.#close();
    });
  }

  static open(host: string, port: number, timeoutMs = 3000): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new WireError(`could not connect to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new WireConnection(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new WireError(`could not connect to ${host}:${port}: ${error.message}`));
      });
    });
  }

  get elapsedMs(): number {
    return Date.now() - this.openedAt;
  }

  /** True once the server ended the connection. */
  get closed(): boolean {
    return this.#ended;
  }

  /** Bytes received and not parsed yet. */
  get pending(): Buffer {
    return this.#buf;
  }

  #close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.closedAtMs = this.elapsedMs;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves on new data or close, or after `ms` (rejecting with a timeout). */
  #wait(deadline: number, what: string): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new WireError(`timed out waiting for ${what}`, this.#buf));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== done);
        reject(new WireError(`timed out after waiting for ${what}`, this.#buf));
      }, left);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#waiters.push(done);
    });
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.socket.destroyed) {
        reject(new WireError('the connection is closed'));
        return;
      }
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Stops reading from the socket (a slow client); the server's writes back up. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Resolves true when the server closes the connection within `timeoutMs`. */
  async waitClose(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#ended) {
      try {
        await this.#wait(deadline, 'the connection to close');
      } catch {
        return false;
      }
    }
    return true;
  }

  /** Waits until at least `n` bytes are buffered, or the connection ends. */
  async #fill(n: number, deadline: number, what: string): Promise<boolean> {
    while (this.#buf.length < n) {
      if (this.#ended) return false;
      await this.#wait(deadline, what);
    }
    return true;
  }

  #take(n: number): Buffer {
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** Waits for data: resolves true when any byte (or close) arrives within `timeoutMs`. */
  async waitData(timeoutMs: number): Promise<boolean> {
    if (this.#buf.length > 0 || this.#ended) return true;
    try {
      await this.#wait(Date.now() + timeoutMs, 'data');
      return true;
    } catch {
      return false;
    }
  }

  /** Reads one head (status line and fields). Null when the connection ended cleanly before any byte. */
  async #readHead(deadline: number): Promise<{ version: string; status: number; reason: string; headers: Array<[string, string]>; raw: string } | null> {
    for (;;) {
      const end = this.#buf.indexOf(CRLF2);
      if (end !== -1) {
        const raw = this.#take(end + 4).toString('latin1');
        const lines = raw.slice(0, -4).split('\r\n');
        const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
        if (!m) throw new WireError(`malformed status line ${JSON.stringify(lines[0])}`, Buffer.from(raw, 'latin1'));
        const headers: Array<[string, string]> = [];
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon <= 0) throw new WireError(`malformed header line ${JSON.stringify(line)}`, Buffer.from(raw, 'latin1'));
          headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
        }
        return { version: m[1]!, status: Number(m[2]), reason: m[3] ?? '', headers, raw };
      }
      if (this.#ended) {
        if (this.#buf.length === 0) return null;
        throw new WireError(`the connection ended inside a response head: ${JSON.stringify(this.#buf.toString('latin1').slice(0, 200))}`, this.#buf);
      }
      await this.#wait(deadline, 'a response head');
    }
  }

  /**
   * Reads the next final response; 1xx responses before it are collected as
   * `interim`. `method` decides whether a body follows (HEAD: none).
   */
  async readResponse(options: { method?: string; timeoutMs?: number; stopAtInterim?: boolean } = {}): Promise<WireResponse> {
    const deadline = Date.now() + (options.timeoutMs ?? 5000);
    const interim: InterimResponse[] = [];
    for (;;) {
      const head = await this.#readHead(deadline);
      if (head === null) {
        throw new WireError(interim.length ? `the connection closed after ${interim.length} interim response(s), before the final response` : 'the connection closed before a response');
      }
      const headAtMs = this.elapsedMs;
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        interim.push({ status: head.status, headers: head.headers, atMs: headAtMs });
        if (options.stopAtInterim) {
          return { httpVersion: head.version, status: head.status, reason: head.reason, headers: head.headers, rawHead: head.raw, body: Buffer.alloc(0), framing: 'none', complete: true, interim, headAtMs, endAtMs: headAtMs };
        }
        continue;
      }
      const base = { httpVersion: head.version, status: head.status, reason: head.reason, headers: head.headers, rawHead: head.raw, interim, headAtMs };
      const te = header(base, 'transfer-encoding');
      const cl = headerValues(base, 'content-length');
      if (options.method === 'HEAD' || head.status === 204 || head.status === 304) {
        return { ...base, body: Buffer.alloc(0), framing: 'none', complete: true, endAtMs: this.elapsedMs };
      }
      if (te !== undefined && /(?:^|,)\s*chunked\s*$/i.test(te)) {
        const { body, complete } = await this.#readChunked(deadline);
        return { ...base, body, framing: 'chunked', complete, endAtMs: this.elapsedMs };
      }
      if (cl.length > 0) {
        const length = Number(cl[0]);
        if (!/^\d+$/.test(cl[0]!) || cl.some((v) => v !== cl[0])) throw new WireError(`invalid Content-Length ${JSON.stringify(cl.join(', '))}`);
        const complete = await this.#fill(length, deadline, `${length} body bytes`);
        const body = Buffer.from(this.#take(Math.min(length, this.#buf.length)));
        return { ...base, body, framing: 'content-length', complete, endAtMs: this.elapsedMs };
      }
      while (!this.#ended) await this.#wait(deadline, 'the end of a close-delimited body');
      const body = Buffer.from(this.#take(this.#buf.length));
      return { ...base, body, framing: 'close', complete: true, endAtMs: this.elapsedMs };
    }
  }

  async #readChunked(deadline: number): Promise<{ body: Buffer; complete: boolean }> {
    const parts: Buffer[] = [];
    for (;;) {
      let eol = this.#buf.indexOf('\r\n');
      while (eol === -1) {
        if (this.#ended) return { body: Buffer.concat(parts), complete: false };
        await this.#wait(deadline, 'a chunk size line');
        eol = this.#buf.indexOf('\r\n');
      }
      const line = this.#take(eol + 2).toString('latin1').slice(0, -2);
      const m = /^([0-9a-fA-F]+)(?:;.*)?$/.exec(line);
      if (!m) throw new WireError(`malformed chunk size line ${JSON.stringify(line)}`);
      const size = parseInt(m[1]!, 16);
      if (size === 0) {
        // Trailer section, then the final CRLF.
        for (;;) {
          let end = this.#buf.indexOf('\r\n');
          while (end === -1) {
            if (this.#ended) return { body: Buffer.concat(parts), complete: false };
            await this.#wait(deadline, 'the end of the chunked body');
            end = this.#buf.indexOf('\r\n');
          }
          this.#take(end + 2);
          if (end === 0) return { body: Buffer.concat(parts), complete: true };
        }
      }
      if (!(await this.#fill(size + 2, deadline, 'a chunk'))) {
        parts.push(Buffer.from(this.#take(Math.min(size, this.#buf.length))));
        return { body: Buffer.concat(parts), complete: false };
      }
      parts.push(Buffer.from(this.#take(size)));
      const crlf = this.#take(2).toString('latin1');
      if (crlf !== '\r\n') throw new WireError('a chunk is not followed by CRLF');
    }
  }
}
