// The whole suite against the real standalone HTTP adapter (serve() of
// @tsgi/adapters/http), at the root and mounted with compose's mount():
// every applicable check passes. A check that fails because of an adapter bug
// is listed in KNOWN_ADAPTER_BUGS with the bug, and reported as a TODO until
// the adapter is fixed: the check itself is never weakened.
import t from 'tap';
import { mount } from '../../src/compose/index.js';
import { tapConformance, type ConformanceReport } from '../../src/conformance/index.js';
import { serve } from '../../../adapters/src/node-http/index.js';

const MAX_BODY_BYTES = 10 * 1024 * 1024;
const HEADERS_TIMEOUT_MS = 1000;

/** Check name → the adapter bug it finds. Remove an entry when the adapter is fixed. */
const KNOWN_ADAPTER_BUGS: Readonly<Record<string, string>> = {};

t.test('the HTTP adapter passes every applicable conformance check', async (t) => {
  let log = '';
  const assertions = {
    pass: (message: string, extra?: { skip?: string | boolean; todo?: string | boolean }) => t.pass(message, extra ?? {}),
    fail: (message: string, extra?: Record<string, unknown>) => {
      const name = message.split(' ')[0]!;
      const bug = KNOWN_ADAPTER_BUGS[name];
      return bug ? t.fail(message, { ...extra, todo: `known adapter bug: ${bug}` }) : t.fail(message, extra ?? {});
    },
  };
  const report: ConformanceReport = await tapConformance(assertions, {
    name: 'node-http serve()',
    mount: true,
    start: async (app, { mountPrefix }) => {
      const handle = await serve(mountPrefix ? mount({ [mountPrefix]: app }) : app, {
        host: '127.0.0.1',
        port: 0,
        maxBodyBytes: MAX_BODY_BYTES,
        headersTimeoutMs: HEADERS_TIMEOUT_MS,
        timeoutCheckIntervalMs: 200,
        gracefulTimeoutMs: 3000,
        errorLog: (line: string) => { log += `${line}\n`; },
      });
      return {
        url: handle.url + (mountPrefix ?? ''),
        close: () => handle.close(),
        limits: { maxBodyBytes: MAX_BODY_BYTES, headersTimeoutMs: HEADERS_TIMEOUT_MS },
        logs: () => log,
      };
    },
  });
  t.equal(report.counts['n/a'], 0, 'every check applies to a standalone HTTP server');
  for (const name of Object.keys(KNOWN_ADAPTER_BUGS)) {
    const r = report.results.find((x) => x.name === name);
    if (r?.status === 'pass') t.fail(`${name} passes now: remove it from KNOWN_ADAPTER_BUGS`);
  }
  // The budget is 30 s per server (about 8 s alone); under a loaded CI machine only a hang is an error.
  t.ok(report.durationMs < 60_000, `the suite ran in ${(report.durationMs / 1000).toFixed(1)} s`);
});
