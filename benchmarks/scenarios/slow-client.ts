/**
 * A client process that reads a large response slowly:
 * `node slow-client.mjs URL SECONDS [BYTES_PER_TICK] [TICK_MS]`. The response
 * stays paused; every tick it takes at most BYTES_PER_TICK, so the rest waits
 * in the socket buffers and a server that honours backpressure stops producing.
 * Hangs up after SECONDS and prints one JSON line.
 * @module
 */
import { get, type IncomingMessage } from 'node:http';

export interface SlowClientOutput {
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
}

const [url, secondsArg, bytesPerTickArg = String(64 * 1024), tickMsArg = '10'] = process.argv.slice(2);
if (url === undefined || secondsArg === undefined) throw new Error('usage: slow-client URL SECONDS [BYTES_PER_TICK] [TICK_MS]');
const bytesPerTick = Number(bytesPerTickArg);

const started = performance.now();
let bytes = 0;
let status = 0;
let done = false;

function readSome(res: IncomingMessage): void {
  let budget = bytesPerTick;
  while (budget > 0) {
    const available = res.readableLength;
    if (available === 0) {
      res.read(0); // asks the stream to refill from the socket
      return;
    }
    const chunk = res.read(Math.min(budget, available)) as Buffer | null;
    if (chunk === null) return;
    bytes += chunk.length;
    budget -= chunk.length;
  }
}

const req = get(url, { agent: false }, (res) => {
  status = res.statusCode ?? 0;
  const tick = setInterval(() => readSome(res), Number(tickMsArg));
  res.on('error', () => {});
  setTimeout(() => {
    clearInterval(tick);
    done = true;
    req.destroy();
    const output: SlowClientOutput = { status, bytes, ms: performance.now() - started };
    process.stdout.write(`${JSON.stringify(output)}\n`, () => process.exit(0));
  }, Number(secondsArg) * 1000);
});
req.on('error', (error) => {
  if (done) return; // our own hang-up
  console.error(`slow-client: ${error.message} after ${bytes} bytes`);
  process.exit(1);
});
