import t from 'tap';
import { PassThrough } from 'node:stream';
import { fdSink, SYNC_WRITE_MAX_BYTES } from './fd-sink.js';

const errno = (code: string) => Object.assign(new Error(code), { code });

function collector() {
  const stream = new PassThrough();
  const received: Buffer[] = [];
  stream.on('data', (c: Buffer) => received.push(c));
  return { stream, text: () => Buffer.concat(received).toString() };
}

t.test('a small first write goes out with write(2), looping over partial writes; no stream is made', async (t) => {
  const written: string[] = [];
  let streams = 0;
  const sink = fdSink(() => t.fail('not gone'), {
    writeSync: (_fd, buffer, offset, length) => {
      const n = Math.min(length, 3);
      written.push(Buffer.from(buffer.subarray(offset, offset + n)).toString());
      return n;
    },
    stream: () => { streams++; return new PassThrough(); },
    closeFd: () => {},
  });
  await sink.write(Buffer.from('abcdefgh'));
  t.same(written, ['abc', 'def', 'gh']);
  t.equal(streams, 0);
});

t.test('later writes, and a first write too large for an empty pipe, go through the stream, in order', async (t) => {
  const { stream, text } = collector();
  const sync: number[] = [];
  const sink = fdSink(() => t.fail('not gone'), { writeSync: (_fd, _b, _o, length) => { sync.push(length); return length; }, stream: () => stream, closeFd: () => {} });
  await sink.write(Buffer.from('head+first'));
  await sink.write(Buffer.from('second'));
  await sink.flush();
  t.same(sync, [10]);
  t.equal(text(), 'second');
  const big = collector();
  const other = fdSink(() => {}, { writeSync: () => t.fail('no write(2) for a large first write') as never, stream: () => big.stream, closeFd: () => {} });
  await other.write(Buffer.alloc(SYNC_WRITE_MAX_BYTES + 1, 97));
  await other.flush();
  t.equal(big.text().length, SYNC_WRITE_MAX_BYTES + 1);
});

t.test('EAGAIN (a non-blocking descriptor): the rest goes through the stream', async (t) => {
  const { stream, text } = collector();
  let calls = 0;
  const sink = fdSink(() => t.fail('not gone'), {
    writeSync: (_fd, _b, _o, length) => { calls++; if (calls === 1) return Math.min(length, 2); throw errno('EAGAIN'); },
    stream: () => stream,
    closeFd: () => {},
  });
  await sink.write(Buffer.from('12345'));
  await sink.flush();
  t.equal(text(), '345', 'what write(2) took is not sent again');
});

t.test('CANCEL-SIG-1: EPIPE (the host went away) rejects the write and reports once', async (t) => {
  const gone: unknown[] = [];
  const sink = fdSink((e) => gone.push(e), { writeSync: () => { throw errno('EPIPE'); }, closeFd: () => {} });
  await t.rejects(sink.write(Buffer.from('x')), { code: 'EPIPE' });
  await t.rejects(sink.write(Buffer.from('y')), { code: 'EPIPE' });
  t.equal(gone.length, 1);
  t.equal(sink.gone, true);
});

t.test('close flushes the stream, then closes the descriptor, once', async (t) => {
  const { stream } = collector();
  const events: string[] = [];
  stream.on('finish', () => events.push('stream ended'));
  const sink = fdSink(() => {}, { writeSync: (_f, _b, _o, l) => l, stream: () => stream, closeFd: () => events.push('fd closed') });
  await sink.write(Buffer.from('a'));
  await sink.write(Buffer.from('b'));
  await sink.close();
  await sink.close();
  t.same(events, ['stream ended', 'fd closed']);
  await t.rejects(sink.write(Buffer.from('c')), { code: 'EPIPE' });
});
