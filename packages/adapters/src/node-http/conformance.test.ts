/**
 * The TSGI conformance suite against serve(), as every adapter runs it
 * (STYLE.md): each check is one assertion named by its requirement ids.
 */
import t from 'tap';
import { tapConformance } from '@tsgi/gateway-spec/conformance';
import { serve } from './index.js';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const HEADERS_TIMEOUT_MS = 1_000;

t.test('the HTTP adapter passes the conformance suite', async (t) => {
  let log = '';
  await tapConformance(t, {
    name: 'node-http serve()',
    start: async (app) => {
      const handle = await serve(app, {
        host: '127.0.0.1',
        port: 0,
        maxBodyBytes: MAX_BODY_BYTES,
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        timeoutCheckIntervalMs: 100,
        gracefulTimeoutMs: 3_000,
        errorLog: (line) => {
          log += `${line}\n`;
        },
      });
      return {
        url: handle.url,
        close: () => handle.close(),
        limits: { maxBodyBytes: MAX_BODY_BYTES, headersTimeoutMs: HEADERS_TIMEOUT_MS },
        logs: () => log,
      };
    },
  });
  // The mounted variant (MOUNT-* checks, compose's mount() in front) runs in
  // packages/gateway-spec/test/conformance/adapter.test.ts.
});
