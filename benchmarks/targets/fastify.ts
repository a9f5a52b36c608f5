/**
 * fastify with one route per scenario, logger off, written the way its docs
 * show (reply.header().send(); a Readable for the stream).
 * @module
 */
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import {
  BODY_64K, ECHO_LIMIT_BYTES, HELLO_BODY, OCTET_STREAM, ROUTES, STREAM_TOTAL_BYTES, TEXT_PLAIN,
} from './contract.js';
import { runTarget, streamChunks } from './target-kit.js';

runTarget(async ({ host, port }) => {
  const app = Fastify({ logger: false, bodyLimit: ECHO_LIMIT_BYTES });
  // fastify parses only JSON and text by default; the echo body is raw bytes.
  app.addContentTypeParser(OCTET_STREAM, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get(ROUTES.hello, (_req, reply) => {
    reply.header('content-type', TEXT_PLAIN).send(HELLO_BODY);
  });
  app.get(ROUTES.body64k, (_req, reply) => {
    reply.header('content-type', OCTET_STREAM).send(BODY_64K);
  });
  app.post(ROUTES.echo, (req, reply) => {
    reply.header('content-type', OCTET_STREAM).send(req.body as Buffer);
  });
  app.get(ROUTES.stream, (_req, reply) => {
    reply
      .header('content-type', OCTET_STREAM)
      .header('content-length', String(STREAM_TOTAL_BYTES))
      .send(Readable.from(streamChunks(), { objectMode: false }));
  });

  await app.listen({ host, port });
});
