// The suite catches real faults: deliberately broken servers fail exactly the
// checks aimed at their fault, with messages naming the requirement ids, while
// the same server without the fault passes those checks.
import t from 'tap';
import { runConformance, type CaseResult, type ConformanceReport } from '../../src/conformance/index.js';
import { startMiniServer, type Fault } from './fixtures/mini-server.js';
import { startNaiveServer } from './fixtures/naive-server.js';

interface FaultCase {
  readonly fault: Fault;
  /** Checks that must fail, each with the ids its failures must name. */
  readonly fails: Readonly<Record<string, readonly string[]>>;
  readonly mount?: boolean;
}

const FAULTS: Record<string, FaultCase> = {
  'ENV-PATH-3: a server that drops PATH_INFO fails the path checks': { fault: 'drop-path-info', fails: { 'env-path-segments': ['ENV-PATH-3'], 'env-path-utf8': ['ENV-PATH-3'], 'env-path-segments@mount': ['ENV-PATH-3'] }, mount: true },
  'BODY-HEAD-1: a server that sends a body for HEAD fails head-no-body': { fault: 'head-body', fails: { 'head-no-body': ['BODY-HEAD-1'], 'status-204-no-body': ['BODY-NOBODY-1'] } },
  'BODY-ITER-2: a server that never finalises the iterator fails the finalisation checks': { fault: 'no-finalise', fails: { 'disconnect-mid-body': ['BODY-ITER-2'], 'head-no-body': ['BODY-ITER-2'], 'disconnect-before-response': ['BODY-ITER-4'] } },
  'RESP-HDR-7: a server that joins Set-Cookie fails resp-header-order-and-repeats': { fault: 'join-set-cookie', fails: { 'resp-header-order-and-repeats': ['RESP-HDR-7'] } },
  'INPUT-CONT-1: a server that sends 100 Continue eagerly fails the 100-continue checks': { fault: 'eager-continue', fails: { 'continue-on-first-read': ['INPUT-CONT-1'], 'continue-not-without-read': ['INPUT-CONT-1'] } },
  'SEC-PROXY-1: a server that passes Proxy as HTTP_PROXY fails sec-proxy-header-dropped': { fault: 'pass-proxy', fails: { 'sec-proxy-header-dropped': ['SEC-PROXY-1'] } },
  'CANCEL-SIG-1: a server that never aborts tsgi.signal fails the disconnect checks': { fault: 'no-signal', fails: { 'disconnect-mid-body': ['CANCEL-SIG-1'] } },
  'SEC-ERR-1: a server that answers errors with a stack trace fails the error checks': { fault: 'leak-stack', fails: { 'error-handler-throws': ['SEC-ERR-1'], 'resp-header-status': ['SEC-ERR-1'] } },
  'BODY-ITER-1: a server that ignores backpressure fails backpressure-slow-reader': { fault: 'no-backpressure', fails: { 'backpressure-slow-reader': ['BODY-ITER-1'] } },
  'ENV-HTTP-2: a server that passes header names with "_" fails env-http-underscore-dropped': { fault: 'keep-underscore', fails: { 'env-http-underscore-dropped': ['ENV-HTTP-2'] } },
  'ENV-QUERY-1: a server that decodes QUERY_STRING fails the query checks': { fault: 'decode-query', fails: { 'env-query-raw': ['ENV-QUERY-1'], 'env-query-edge': ['ENV-QUERY-1'] } },
  'BODY-LEN-1: a server that chunks bodies of known length fails the Content-Length checks': { fault: 'chunk-known-length', fails: { 'body-string-utf8': ['BODY-LEN-1'], 'body-file': ['BODY-LEN-1'] } },
  'ENV-TSGI-7: a server that gives each request a new tsgi.state fails env-tsgi-state': { fault: 'no-state', fails: { 'env-tsgi-state': ['ENV-TSGI-7', 'LIFE-CTX-1'] } },
  'LIFE-STOP-1: a server that never runs shutdown fails lifespan-shutdown': { fault: 'skip-shutdown', fails: { 'lifespan-shutdown': ['LIFE-STOP-1'] } },
  'SRV-HTTP-2: a server that accepts a request without Host fails http-host-missing': { fault: 'lenient-host', fails: { 'http-host-missing': ['SRV-HTTP-2'] } },
  'SRV-HTTP-6: a server that passes OPTIONS * to the application fails http-options-asterisk': { fault: 'options-to-app', fails: { 'http-options-asterisk': ['SRV-HTTP-6'] } },
  'LIFE-START-2: a server that serves an application whose startup failed fails lifespan-startup-failure': { fault: 'serve-failed-startup', fails: { 'lifespan-startup-failure': ['LIFE-START-2'] } },
};

function result(report: ConformanceReport, name: string): CaseResult | undefined {
  return report.results.find((r) => r.name === name);
}

const run = (faults: Fault[], only: string[], mount = false) =>
  runConformance({ only, mount, start: (app, { mountPrefix }) => startMiniServer(app, { faults, ...(mountPrefix ? { mountPrefix } : {}) }) });

t.test('the mini server without faults passes every check the fault tests aim at', async (t) => {
  const targets = [...new Set(Object.values(FAULTS).flatMap((f) => Object.keys(f.fails)))];
  const report = await run([], targets, true);
  for (const name of targets) {
    const r = result(report, name);
    t.equal(r?.status, 'pass', `${name} passes without the fault`, { failures: r?.failures });
  }
});

for (const [title, { fault, fails, mount }] of Object.entries(FAULTS)) {
  t.test(title, async (t) => {
    const report = await run([fault], Object.keys(fails), mount ?? false);
    t.notOk(report.ok, 'the run does not conform');
    for (const [name, ids] of Object.entries(fails)) {
      const r = result(report, name);
      t.equal(r?.status, 'fail', `${name} fails`);
      const named = new Set(r?.failures.flatMap((f) => f.ids));
      for (const id of ids) t.ok(named.has(id as never), `${name}: a failure names ${id}`, { failures: r?.failures });
      t.ok(r?.failures.every((f) => f.message.length > 0 && f.ids.length > 0), `${name}: every failure has ids and a message`);
    }
  });
}

t.test('SRV-HTTP-1: a naive server over node:net fails the RFC 9112 checks and the pipelining order', async (t) => {
  const report = await runConformance({
    only: ['http-content-length-with-transfer-encoding', 'http-obs-fold', 'http-host-repeated', 'http-pipelining-order', 'http-connect'],
    validate: false,
    start: () => startNaiveServer(),
  });
  const expected: Record<string, string> = {
    'http-content-length-with-transfer-encoding': 'SRV-HTTP-1',
    'http-obs-fold': 'SRV-HTTP-3',
    'http-host-repeated': 'SRV-HTTP-2',
    'http-pipelining-order': 'SRV-HTTP-5',
    'http-connect': 'SRV-HTTP-6',
  };
  for (const [name, id] of Object.entries(expected)) {
    const r = result(report, name);
    t.equal(r?.status, 'fail', `${name} fails`);
    t.ok(r?.failures.some((f) => (f.ids as readonly string[]).includes(id)), `${name}: a failure names ${id}`, { failures: r?.failures });
  }
  t.match(result(report, 'http-pipelining-order')?.failures[0]?.message ?? '', /r3.*r0|order/);
});
