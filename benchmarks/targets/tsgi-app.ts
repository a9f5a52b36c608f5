/**
 * The TSGI application every TSGI target serves: the routes of `contract.ts`
 * as one request handler. `tsgi-http` runs it on the adapter directly; the
 * `tsgi-serve-*` targets load this file with `tsgi serve`.
 * @module
 */
import type { Environ, TsgiResponse } from '@tsgi/gateway-spec';
import { BODY_64K, HELLO_BODY, OCTET_STREAM, ROUTES, STREAM_TOTAL_BYTES, TEXT_PLAIN } from './contract.js';
import { streamChunks } from './target-kit.js';

async function echo(environ: Environ): Promise<TsgiResponse> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of environ['tsgi.input']) {
    chunks.push(chunk);
    length += chunk.length;
  }
  return { status: 200, headers: [['content-type', OCTET_STREAM]], body: Buffer.concat(chunks, length) };
}

export default function app(environ: Environ): TsgiResponse | Promise<TsgiResponse> {
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

