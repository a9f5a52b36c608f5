import t from 'tap';
import { addSnapshots, renderPrometheus, WorkerMetrics } from './metrics.js';

t.test('workers count; the supervisor adds live and retired counts', async (t) => {
  const a = new WorkerMetrics();
  a.started();
  a.finished(200, 0.003);
  a.started();
  a.finished(404, 0.2);
  a.started();
  const b = new WorkerMetrics();
  b.started();
  b.finished(200, 3);
  const retired = addSnapshots([{ ...b.snapshot(), inFlight: 0 }]);
  const sum = addSnapshots([a.snapshot()], retired);
  t.same(sum.requests, { '200': 2, '404': 1 });
  t.equal(sum.inFlight, 1);
  t.equal(sum.durationCount, 3);
  const text = renderPrometheus(sum, { workers: 1, restarts: { crash: 1, timeout: 0 } });
  t.match(text, /^tsgi_requests_total\{status="200"\} 2$/m);
  t.match(text, /^tsgi_requests_in_flight 1$/m);
  t.match(text, /^tsgi_request_duration_seconds_bucket\{le="0.005"\} 1$/m);
  t.match(text, /^tsgi_request_duration_seconds_bucket\{le="0.25"\} 2$/m);
  t.match(text, /^tsgi_request_duration_seconds_bucket\{le="5"\} 3$/m);
  t.match(text, /^tsgi_request_duration_seconds_bucket\{le="\+Inf"\} 3$/m);
  t.match(text, /^tsgi_worker_restarts_total\{reason="crash"\} 1$/m);
  t.match(text, /^# TYPE tsgi_request_duration_seconds histogram$/m);
});
