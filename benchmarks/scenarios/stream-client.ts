/**
 * A client process that reads one response as fast as it can and counts the
 * bytes: `node stream-client.mjs URL [LIMIT_BYTES] [TIMEOUT_MS]`. With a limit
 * it hangs up after that many bytes (a warm-up). Prints one JSON line.
 * @module
 */
import { get } from 'node:http';

export interface StreamClientOutput {
  readonly status: number;
  readonly contentLength: number;
  readonly bytes: number;
  /** From sending the request to the last byte. */
  readonly ms: number;
  /** True when the response ended on its own (not cut at the limit). */
  readonly complete: boolean;
}

const [url, limitArg = '0', timeoutArg = '120000'] = process.argv.slice(2);
if (url === undefined) throw new Error('usage: stream-client URL [LIMIT_BYTES] [TIMEOUT_MS]');
const limit = Number(limitArg);

const started = performance.now();
let bytes = 0;
let status = 0;
let contentLength = Number.NaN;

function finish(complete: boolean): void {
  const output: StreamClientOutput = { status, contentLength, bytes, ms: performance.now() - started, complete };
  process.stdout.write(`${JSON.stringify(output)}\n`, () => process.exit(0));
}

const req = get(url, { agent: false }, (res) => {
  status = res.statusCode ?? 0;
  contentLength = Number(res.headers['content-length']);
  res.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (limit > 0 && bytes >= limit) {
      res.removeAllListeners('data');
      req.destroy();
      finish(false);
    }
  });
  res.on('end', () => finish(true));
  res.on('error', (error) => fail(error));
});
req.on('error', (error) => fail(error));

function fail(error: Error): void {
  if (limit > 0 && bytes >= limit) return;
  console.error(`stream-client: ${error.message} after ${bytes} bytes`);
  process.exit(1);
}

setTimeout(() => {
  console.error(`stream-client: timed out after ${timeoutArg} ms with ${bytes} bytes`);
  process.exit(2);
}, Number(timeoutArg)).unref();
