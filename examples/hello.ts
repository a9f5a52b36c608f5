/** The smallest useful TSGI application: one request handler, no lifespan. */
import type { Environ, TsgiResponse } from '@tsgi/gateway-spec';

export default function hello(environ: Environ): TsgiResponse {
  const name = new URLSearchParams(environ.QUERY_STRING).get('name') ?? 'world';
  const path = environ.SCRIPT_NAME + environ.PATH_INFO || '/';
  return {
    status: 200,
    headers: [['content-type', 'text/plain; charset=utf-8']],
    body: `Hello, ${name}! You asked for ${path}\n`,
  };
}
