import t from 'tap';
import { isTsgiError } from '../errors.js';
import { cancelReason, inputError } from './cancel.js';

t.test('CANCEL-SIG-2: cancelReason is an Error with its code', async (t) => {
  for (const code of ['TSGI_ERR_CLIENT_GONE', 'TSGI_ERR_TIMEOUT', 'TSGI_ERR_SHUTDOWN'] as const) {
    const reason = cancelReason(code);
    t.ok(reason instanceof Error && isTsgiError(reason), code);
    t.equal(reason.code, code);
    t.ok(reason.message.length > 10);
  }
  t.match(cancelReason('TSGI_ERR_TIMEOUT', 'after 30 s').message, /: after 30 s$/);
  const controller = new AbortController();
  controller.abort(cancelReason('TSGI_ERR_CLIENT_GONE'));
  t.equal((controller.signal.reason as { code: string }).code, 'TSGI_ERR_CLIENT_GONE');
});

t.test('INPUT-FLOW-2, INPUT-FLOW-3: inputError carries the code', async (t) => {
  t.match(inputError('TSGI_ERR_INPUT_ABORTED', 'short'), { code: 'TSGI_ERR_INPUT_ABORTED', message: 'short' });
  t.match(inputError('TSGI_ERR_INPUT_TOO_LARGE', 'big'), { code: 'TSGI_ERR_INPUT_TOO_LARGE' });
});
