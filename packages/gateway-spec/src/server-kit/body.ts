import type { FileHandle } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { SpecViolation } from '../errors.js';
import type { BodyChunk, FileBody, ResponseBody } from '../types.js';
import { describeValue } from './application.js';

/** Size of the reads a file body is sent in. */
export const FILE_CHUNK_BYTES = 64 * 1024;

/**
 * A response body in the one shape every server writes from (section 6 of the
 * spec): its length when known before the head, a pull of the next chunk, and
 * finalisation that runs exactly once.
 */
export interface BodySource {
  /** Byte length known before the head is sent (BODY-LEN-1), or null. */
  readonly length: number | null;
  /** The file, for servers that can send it themselves (BODY-FORM-4). */
  readonly file: FileBody | null;
  /**
   * The whole body when it is already in memory (absent, a string, bytes or an
   * array of chunks), for servers that send it in one write without pulling it;
   * undefined for iterables and files. There is nothing to finalise then.
   */
  readonly bytes?: Uint8Array | undefined;
  /**
   * The application's string, when the body is one: a writer that can encode
   * it as UTF-8 itself (node's `res.end(text)`) saves a copy (BODY-FORM-2).
   */
  readonly text?: string | undefined;
  /** The next chunk; an empty one is a flush hint (BODY-FORM-6); null at the end. */
  next(): Promise<Uint8Array | null>;
  /**
   * Finalises the body (BODY-ITER-2): calls the iterator's return() once if it
   * has not finished, closes a file. Never rejects: resolves to the error the
   * application's return() threw, if any, for the caller to log.
   */
  close(): Promise<unknown>;
}

/** UTF-8 bytes of a chunk (BODY-FORM-2); a Buffer or other Uint8Array passes unchanged. */
export function chunkBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  throw new SpecViolation('BODY-FORM-3', `the body yielded ${describeValue(chunk)}; chunks must be strings or Uint8Arrays`);
}

function isFileBody(body: unknown): body is FileBody {
  return typeof body === 'object' && body !== null && (body as FileBody).type === 'tsgi.file';
}

const NO_BYTES = new Uint8Array(0);

/** A body held in memory: bytes, or the application's string, encoded only if someone asks for bytes. */
class MemoryBody implements BodySource {
  readonly file = null;
  readonly length: number;
  readonly text: string | undefined;
  #bytes: Uint8Array | undefined;
  #sent: boolean;

  constructor(bytes: Uint8Array | undefined, text: string | undefined, length: number) {
    this.#bytes = bytes;
    this.text = text;
    this.length = length;
    this.#sent = length === 0;
  }

  get bytes(): Uint8Array {
    return (this.#bytes ??= Buffer.from(this.text!, 'utf8'));
  }

  async next(): Promise<Uint8Array | null> {
    if (this.#sent) return null;
    this.#sent = true;
    return this.bytes;
  }

  async close(): Promise<unknown> {
    this.#sent = true;
    return undefined;
  }
}

function fixed(bytes: Uint8Array | null, length: number): BodySource {
  return new MemoryBody(bytes ?? NO_BYTES, undefined, length);
}

/**
 * `openBody` for the bodies that need no waiting (absent, null, a string,
 * bytes), synchronously; null for every other form.
 */
export function inMemoryBody(body: unknown): BodySource | null {
  if (body === undefined || body === null) return fixed(null, 0);
  // BODY-FORM-2: a string is sent as UTF-8; its length is known without encoding it.
  if (typeof body === 'string') return new MemoryBody(undefined, body, Buffer.byteLength(body, 'utf8'));
  if (body instanceof Uint8Array) return fixed(body, body.byteLength);
  return null;
}

/**
 * Opens a response body. Rejects (the server answers 500, ERR-APP-1) when the
 * body is of no allowed form (BODY-FORM-1), when the application's iterable
 * throws on `[Symbol.iterator]()`, or when a file body cannot be opened.
 */
export async function openBody(body: ResponseBody | unknown): Promise<BodySource> {
  const inMemory = inMemoryBody(body);
  if (inMemory !== null) return inMemory;
  if (isFileBody(body)) return openFile(body);
  if (Array.isArray(body)) {
    const chunks = body.map(chunkBytes);
    let length = 0;
    for (const c of chunks) length += c.byteLength;
    const joined = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
    return fixed(joined, length);
  }
  if (typeof body === 'object' && typeof (body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator] === 'function') {
    return fromIterator((body as AsyncIterable<BodyChunk>)[Symbol.asyncIterator]());
  }
  if (typeof body === 'object' && typeof (body as Iterable<BodyChunk>)[Symbol.iterator] === 'function') {
    return fromIterator((body as Iterable<BodyChunk>)[Symbol.iterator]());
  }
  throw new SpecViolation('BODY-FORM-1', `the body is ${describeValue(body)}; expected a string, Uint8Array, file body, iterable or async iterable`);
}

function fromIterator(iterator: Iterator<BodyChunk> | AsyncIterator<BodyChunk>): BodySource {
  let finished = false;
  let closing: Promise<unknown> | undefined;
  return {
    length: null,
    file: null,
    async next() {
      if (finished) return null; // BODY-ITER-3: never next() after done or return()
      let result: IteratorResult<BodyChunk>;
      try {
        result = await iterator.next();
      } catch (error) {
        finished = true; // an iterator that threw is done; return() is not called on it
        throw error;
      }
      if (result.done) {
        finished = true;
        return null;
      }
      try {
        return chunkBytes(result.value);
      } catch (error) {
        await this.close();
        throw error;
      }
    },
    close() {
      closing ??= (async () => {
        if (finished) return undefined;
        finished = true;
        try {
          await iterator.return?.();
          return undefined;
        } catch (error) {
          return error;
        }
      })();
      return closing;
    },
  };
}

async function openFile(body: FileBody): Promise<BodySource> {
  const { path, offset = 0 } = body;
  if (typeof path !== 'string' || !isAbsolute(path)) {
    throw new SpecViolation('BODY-FORM-5', `the file body's path ${JSON.stringify(path)} is not absolute`);
  }
  for (const [name, value] of [['offset', body.offset], ['length', body.length]] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new SpecViolation('BODY-FORM-5', `the file body's ${name} is ${describeValue(value)}; it must be a non-negative integer`);
    }
  }
  // Loaded on first use: a CGI process pays for every module it loads, and most responses are not files.
  const { open } = await import('node:fs/promises');
  const handle: FileHandle = await open(path, 'r');
  let length: number;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    const available = Math.max(0, stat.size - offset);
    length = body.length === undefined ? available : Math.min(body.length, available);
  } catch (error) {
    await handle.close();
    throw error;
  }
  let position = offset;
  let remaining = length;
  let closed = false;
  const close = async () => {
    if (closed) return undefined;
    closed = true;
    try { await handle.close(); return undefined; } catch (error) { return error; }
  };
  return {
    length,
    file: Object.freeze({ type: 'tsgi.file', path, offset, length }),
    async next() {
      if (closed || remaining === 0) {
        await close();
        return null;
      }
      const buffer = Buffer.allocUnsafe(Math.min(FILE_CHUNK_BYTES, remaining));
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, position);
      if (bytesRead === 0) {
        // The file shrank after the head promised `length` bytes: a short body, which the writer must expose.
        await close();
        throw new Error(`${path} ended ${remaining} bytes early`);
      }
      position += bytesRead;
      remaining -= bytesRead;
      return bytesRead === buffer.byteLength ? buffer : buffer.subarray(0, bytesRead);
    },
    close,
  };
}

/**
 * Holds a body to the application's Content-Length (BODY-LEN-2): never yields
 * more than declared, and throws a RESP-HDR-9 violation when the body runs
 * over or ends short, so that the writer cuts the connection.
 */
export function enforceLength(source: BodySource, declared: number): BodySource {
  let sent = 0;
  let overrun: SpecViolation | undefined;
  return {
    length: declared,
    file: source.file,
    async next() {
      if (overrun) throw overrun;
      const chunk = await source.next();
      if (chunk === null) {
        if (sent < declared) throw new SpecViolation('RESP-HDR-9', `Content-Length is ${declared} but the body ended after ${sent} bytes`);
        return null;
      }
      if (sent + chunk.byteLength <= declared) {
        sent += chunk.byteLength;
        return chunk;
      }
      // Send what was declared, then fail on the following pull: the client gets exactly `declared` bytes.
      overrun = new SpecViolation('RESP-HDR-9', `Content-Length is ${declared} but the body yields more bytes`);
      await source.close();
      const allowed = chunk.subarray(0, declared - sent);
      sent = declared;
      if (allowed.byteLength === 0) throw overrun;
      return allowed;
    },
    close: () => source.close(),
  };
}

/**
 * Finalises the body of a response that will not be sent (BODY-ITER-4,
 * MW-COMP-3): when a response is replaced by a 500, its iterator's return()
 * still runs so the application's `finally` blocks release what they hold.
 * What the cleanup throws is ignored: the replacement is already decided.
 */
export async function discardResponseBody(response: unknown): Promise<void> {
  const body = typeof response === 'object' && response !== null ? (response as { body?: unknown }).body : undefined;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || body instanceof Uint8Array) return;
  try {
    const iterable = body as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const iterator = typeof iterable[Symbol.asyncIterator] === 'function' ? iterable[Symbol.asyncIterator]!() : iterable[Symbol.iterator]?.();
    await iterator?.return?.();
  } catch {
    // Nothing to do: the response is being replaced either way.
  }
}
