/** The TSGI CGI benchmark application: a 14-byte hello, as small as the plain scripts beside it. */
import type { TsgiResponse } from '@tsgi/gateway-spec/server-kit';

export default function hello(): TsgiResponse {
  return { status: 200, headers: [['content-type', 'text/plain']], body: 'Hello, world!\n' };
}
