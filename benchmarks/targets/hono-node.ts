/**
 * A Hono app on @hono/node-server, one route per scenario, the stream as a
 * pull-based web ReadableStream (pulled only when the socket wants more).
 * @module
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { BODY_64K, HELLO_BODY, OCTET_STREAM, ROUTES, STREAM_TOTAL_BYTES } from './contract.js';
import { runTarget, streamChunks } from './target-kit.js';

/** Hono's types want an ArrayBuffer-backed view; Buffer.alloc(64 KiB) is one (no pool). */
const BODY_64K_VIEW = BODY_64K as Uint8Array<ArrayBuffer>;

function streamBody(): ReadableStream<Uint8Array> {
  const chunks = streamChunks();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = chunks.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

runTarget(async ({ host, port }) => {
  const app = new Hono();
  app.get(ROUTES.hello, (c) => c.text(HELLO_BODY));
  app.get(ROUTES.body64k, (c) => c.body(BODY_64K_VIEW, 200, { 'content-type': OCTET_STREAM }));
  app.post(ROUTES.echo, async (c) => c.body(await c.req.arrayBuffer(), 200, { 'content-type': OCTET_STREAM }));
  app.get(ROUTES.stream, (c) =>
    c.body(streamBody(), 200, { 'content-type': OCTET_STREAM, 'content-length': String(STREAM_TOTAL_BYTES) }));

  await new Promise<void>((resolve) => {
    serve({ fetch: app.fetch, hostname: host, port }, () => resolve());
  });
});
