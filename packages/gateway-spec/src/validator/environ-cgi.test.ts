import t from 'tap';
import { checkEnviron } from './environ.js';
import { ids, makeEnviron } from './test-fixtures/harness.js';

const only = (overrides: Record<string, unknown>) => ids(checkEnviron(makeEnviron(overrides)));

t.test('ENV-METHOD-1: REQUEST_METHOD is a token, case preserved', async (t) => {
  t.same(only({ REQUEST_METHOD: 'get' }), [], 'lower case is a valid method (case-sensitive, not normalised)');
  t.same(only({ REQUEST_METHOD: 'M-SEARCH' }), []);
  t.same(only({ REQUEST_METHOD: 'GET /' }), ['ENV-METHOD-1']);
  t.same(only({ REQUEST_METHOD: '' }), ['ENV-METHOD-1']);
  t.same(only({ REQUEST_METHOD: 'PÖST' }), ['ENV-METHOD-1']);
});

t.test('ENV-CONTENT-2: CONTENT_LENGTH is decimal digits, never ""', async (t) => {
  t.same(only({ CONTENT_LENGTH: '348' }), []);
  t.same(only({ CONTENT_LENGTH: '' }), ['ENV-CONTENT-2']);
  t.same(only({ CONTENT_LENGTH: '-1' }), ['ENV-CONTENT-2']);
  t.same(only({ CONTENT_LENGTH: '1e3' }), ['ENV-CONTENT-2']);
  t.same(only({ CONTENT_LENGTH: ' 5' }), ['ENV-CONTENT-2']);
});

t.test('ENV-CONTENT-3: no HTTP_CONTENT_TYPE or HTTP_CONTENT_LENGTH', async (t) => {
  t.same(only({ HTTP_CONTENT_TYPE: 'text/plain' }), ['ENV-CONTENT-3']);
  t.same(only({ HTTP_CONTENT_LENGTH: '5' }), ['ENV-CONTENT-3']);
});

t.test('ENV-SERVER-1: SERVER_NAME is a host without port; IPv6 keeps its brackets', async (t) => {
  t.same(only({ SERVER_NAME: 'example.com' }), []);
  t.same(only({ SERVER_NAME: '192.0.2.1' }), []);
  t.same(only({ SERVER_NAME: '[::1]' }), []);
  t.same(only({ SERVER_NAME: 'example.com:8080' }), ['ENV-SERVER-1']);
  t.same(only({ SERVER_NAME: '::1' }), ['ENV-SERVER-1']);
  t.same(only({ SERVER_NAME: '' }), ['ENV-SERVER-1']);
  t.same(only({ SERVER_NAME: 'a b' }), ['ENV-SERVER-1']);
  t.same(only({ SERVER_NAME: '[not-ip]' }), ['ENV-SERVER-1']);
});

t.test('ENV-SERVER-2: SERVER_PORT is a port in decimal digits', async (t) => {
  t.same(only({ SERVER_PORT: '443' }), []);
  t.same(only({ SERVER_PORT: '' }), ['ENV-SERVER-2']);
  t.same(only({ SERVER_PORT: 'http' }), ['ENV-SERVER-2']);
  t.same(only({ SERVER_PORT: '70000' }), ['ENV-SERVER-2']);
});

t.test('ENV-SERVER-3: SERVER_PROTOCOL is HTTP/1.0, HTTP/1.1, HTTP/2 or HTTP/3', async (t) => {
  for (const ok of ['HTTP/1.0', 'HTTP/1.1', 'HTTP/2', 'HTTP/3']) t.same(only({ SERVER_PROTOCOL: ok }), [], ok);
  for (const bad of ['http/1.1', 'HTTP/2.0', 'HTTP/1', 'INCLUDED', '']) t.same(only({ SERVER_PROTOCOL: bad }), ['ENV-SERVER-3'], bad);
});

t.test('ENV-REMOTE-1: REMOTE_ADDR is an IP address without brackets, or ""', async (t) => {
  for (const ok of ['203.0.113.7', '2001:db8::1', '']) t.same(only({ REMOTE_ADDR: ok }), [], ok);
  for (const bad of ['[2001:db8::1]', 'localhost', '203.0.113.7:5000', 'unix']) t.same(only({ REMOTE_ADDR: bad }), ['ENV-REMOTE-1'], bad);
});

t.test('ENV-REMOTE-3: REMOTE_PORT is decimal digits (a warning)', async (t) => {
  t.same(only({ REMOTE_PORT: '51234' }), []);
  t.same(only({ REMOTE_PORT: 'x' }), ['ENV-REMOTE-3']);
});

t.test('ENV-REMOTE-4: an IPv4-mapped address is given in IPv4 form (a warning)', async (t) => {
  const found = checkEnviron(makeEnviron({ REMOTE_ADDR: '::ffff:192.0.2.1' }));
  t.same(ids(found), ['ENV-REMOTE-4']);
  t.match(found[0]?.message, /"192\.0\.2\.1"/);
});

t.test('ENV-HTTP-1: header keys are HTTP_ + the upper-cased name with "-" as "_"', async (t) => {
  t.same(only({ HTTP_X_FORWARDED_FOR: '1.2.3.4' }), []);
  t.same(only({ 'HTTP_x-forwarded-for': '1.2.3.4' }), ['ENV-HTTP-1']);
  t.same(only({ HTTP_: 'x' }), ['ENV-HTTP-1']);
});

t.test('ENV-HTTP-4: header values are latin-1, without CR, LF, NUL or outer whitespace', async (t) => {
  t.same(only({ HTTP_X_A: 'caf\u00e9' }), [], 'obs-text as latin-1');
  t.same(only({ HTTP_X_A: 'a\r\nb' }), ['ENV-HTTP-4']);
  t.same(only({ HTTP_X_A: 'a\0b' }), ['ENV-HTTP-4']);
  t.same(only({ HTTP_X_A: ' a' }), ['ENV-HTTP-4']);
  t.same(only({ HTTP_X_A: 'a\t' }), ['ENV-HTTP-4']);
  t.same(only({ HTTP_X_A: 'caf\u00e9\u20ac' }), ['ENV-HTTP-4'], 'decoded as UTF-8 instead of latin-1');
  const [v] = checkEnviron(makeEnviron({ HTTP_X_A: 'a\r\nb' }));
  t.match(v?.message, /HTTP_X_A "a\\r\\nb"/);
});

t.test('SRV-HTTP-3: no other control character reaches the application in a header', async (t) => {
  t.same(only({ HTTP_X_A: 'a\u0001b' }), ['SRV-HTTP-3']);
  t.same(only({ HTTP_X_A: 'a\u007fb' }), ['SRV-HTTP-3']);
  t.same(only({ HTTP_X_A: 'a\tb' }), [], 'HTAB inside a value is fine');
});

t.test('SEC-PROXY-1: no HTTP_PROXY (httpoxy)', async (t) => {
  t.same(only({ HTTP_PROXY: 'http://evil.example' }), ['SEC-PROXY-1']);
});
