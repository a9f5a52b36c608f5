import t from 'tap';
import { TsgiError } from '../errors.js';
import { watchSignal } from './cancel.js';
import { Reporter, parseOptions } from './report.js';
import { collector } from './test-fixtures/harness.js';

function watch(signal: AbortSignal, mode: 'throw' | 'report' = 'throw') {
  const seen = collector();
  watchSignal(signal, new Reporter(parseOptions({ mode, onViolation: seen.onViolation })));
  return seen.seen;
}

t.test('a reason with a code of the spec passes', async (t) => {
  for (const code of ['TSGI_ERR_CLIENT_GONE', 'TSGI_ERR_TIMEOUT', 'TSGI_ERR_SHUTDOWN'] as const) {
    const controller = new AbortController();
    const seen = watch(controller.signal);
    controller.abort(new TsgiError(code, 'x'));
    t.same(seen, [], code);
  }
  t.same(watch(AbortSignal.abort(new TsgiError('TSGI_ERR_TIMEOUT', 'x'))), [], 'already aborted');
});

t.test('CANCEL-SIG-2: the reason is an Error with one of the three codes; reported, never thrown', async (t) => {
  const controller = new AbortController();
  const seen = watch(controller.signal);
  t.doesNotThrow(() => controller.abort(), 'an abort listener has no caller to fail');
  t.same(seen.map((s) => [s.id, s.level]), [['CANCEL-SIG-2', 'error']], 'the default DOMException AbortError');
  t.same(watch(AbortSignal.abort('gone')).map((s) => s.id), ['CANCEL-SIG-2'], 'a string reason');
  t.same(watch(AbortSignal.abort(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).map((s) => s.id), ['CANCEL-SIG-2']);
  t.same(watch(AbortSignal.abort({ code: 'TSGI_ERR_TIMEOUT' })).map((s) => s.id), ['CANCEL-SIG-2'], 'not an Error');
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  t.same(watch(AbortSignal.abort(proxy)).map((s) => s.id), ['CANCEL-SIG-2'], 'a revoked Proxy is not a crash');
});
