import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';

/** Longest one request may take, start to end. */
export const REQUEST_TIMEOUT_MS = 30_000;

export interface Reply {
  status: number;
  /** Raw header lines, names as sent, repeats kept. */
  rawHeaders: string[];
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** False when the connection ended before the end of the message (no last chunk, short Content-Length). */
  complete: boolean;
  /** Milliseconds from the request to the first body byte, and to the end. */
  firstByteMs: number | null;
  totalMs: number;
}

export interface RequestOptions {
  method?: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer | string;
  /** Send the body with chunked transfer coding instead of Content-Length. */
  chunked?: boolean;
}

/**
 * One HTTP/1.1 request with node:http, whose path goes out exactly as given
 * (no URL normalisation, unlike fetch), and which tells a truncated body from
 * a whole one.
 */
export function request(url: string, options: RequestOptions = {}): Promise<Reply> {
  const { hostname, port } = new URL(url);
  // new URL() would normalise the path; take it verbatim from the string.
  const path = url.slice(url.indexOf('/', url.indexOf('//') + 2));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const headers: OutgoingHttpHeaders = { connection: 'close', ...options.headers };
    if (options.body !== undefined && !options.chunked) headers['content-length'] = String(Buffer.byteLength(options.body));
    if (options.chunked) headers['transfer-encoding'] = 'chunked';
    const req = httpRequest({ host: hostname, port: Number(port), path, method: options.method ?? (options.body === undefined ? 'GET' : 'POST'), headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let firstByteMs: number | null = null;
      res.on('data', (chunk: Buffer) => {
        firstByteMs ??= Date.now() - started;
        chunks.push(chunk);
      });
      const finish = (complete: boolean) => resolve({
        status: res.statusCode ?? 0,
        rawHeaders: res.rawHeaders,
        headers: res.headers,
        body: Buffer.concat(chunks),
        complete,
        firstByteMs,
        totalMs: Date.now() - started,
      });
      res.on('end', () => finish(res.complete));
      res.on('error', () => finish(false));
      res.on('aborted', () => finish(false));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    if (options.body !== undefined) {
      if (options.chunked) {
        const body = Buffer.from(options.body);
        for (let i = 0; i < body.length; i += 100_000) req.write(body.subarray(i, i + 100_000));
      } else req.write(options.body);
    }
    req.end();
  });
}

/** The values of a header in the raw list, case-insensitive. */
export function headerValues(reply: Reply, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < reply.rawHeaders.length; i += 2) {
    if (reply.rawHeaders[i]!.toLowerCase() === name.toLowerCase()) values.push(reply.rawHeaders[i + 1]!);
  }
  return values;
}
