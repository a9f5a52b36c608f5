/**
 * A TSGI application on the TSGI HTTP adapter (`@tsgi/adapters/http`). The app
 * is a plain request handler; the adapter frames bodies of known length itself,
 * so only the stream names its Content-Length.
 * @module
 */
import { serve } from '@tsgi/adapters/http';
import type { Environ, TsgiResponse } from '@tsgi/gateway-spec';
import { BODY_64K, HELLO_BODY, OCTET_STREAM, ROUTES, STREAM_TOTAL_BYTES, TEXT_PLAIN } from './contract.js';
import { runTarget, streamChunks } from './target-kit.js';

async function echo(environ: Environ): Promise<TsgiResponse> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of environ['tsgi.input']) {
    chunks.push(chunk);
    length += chunk.length;
  }
  return { status: 200, headers: [['content-type', OCTET_STREAM]], body: Buffer.concat(chunks, length) };
}

function app(environ: Environ): TsgiResponse | Promise<TsgiResponse> {
  switch (environ.PATH_INFO) {
    case ROUTES.hello:
      return { status: 200, headers: [['content-type', TEXT_PLAIN]], body: HELLO_BODY };
    case ROUTES.body64k:
      return { status: 200, headers: [['content-type', OCTET_STREAM]], body: BODY_64K };
    case ROUTES.echo:
      return echo(environ);
    case ROUTES.stream:
      return {
        status: 200,
        headers: [['content-type', OCTET_STREAM], ['content-length', String(STREAM_TOTAL_BYTES)]],
        body: streamChunks(),
      };
    default:
      return { status: 404 };
  }
}

runTarget(async ({ host, port }) => {
  await serve(app, { host, port });
});
