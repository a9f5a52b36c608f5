import t from 'tap';
import { checkEnviron } from './environ.js';
import { ids, makeEnviron } from './test-fixtures/harness.js';

const only = (overrides: Record<string, unknown>) => ids(checkEnviron(makeEnviron(overrides)));
const target = (uri: string, scriptName: string, pathInfo: string, query = '') =>
  only({ REQUEST_URI: uri, SCRIPT_NAME: scriptName, PATH_INFO: pathInfo, QUERY_STRING: query });

t.test('valid splits of a target pass', async (t) => {
  t.same(target('/', '', '/'), []);
  t.same(target('/app', '/app', ''), []);
  t.same(target('/app/x?y=1', '/app', '/x', 'y=1'), []);
  t.same(target('/users/caf%C3%A9', '', '/users/café'), [], 'percent-decoded as UTF-8');
  t.same(target('/a%2Fb', '', '/a/b'), [], 'an encoded slash decodes to a slash');
  t.same(target('/a?', '', '/a'), [], 'an empty query');
  t.same(target('/a?b?c', '', '/a', 'b?c'), [], 'the query starts after the first "?"');
  t.same(target('http://example.com/p?q', '', '/p', 'q'), [], 'absolute-form');
  t.same(target('http://example.com', '', '/'), [], 'absolute-form with an empty path');
  t.same(target('*', '', ''), [], 'asterisk-form');
  t.same(target('/caf\u00c3\u00a9', '', '/café'), [], 'raw UTF-8 bytes given as latin-1 code units');
});

t.test('ENV-PATH-1: SCRIPT_NAME is "" or starts with "/" and does not end with "/"', async (t) => {
  t.ok(only({ SCRIPT_NAME: '/', PATH_INFO: '' }).includes('ENV-PATH-1'), '"/" is not a mount prefix');
  t.ok(only({ SCRIPT_NAME: 'app', REQUEST_URI: '/app', PATH_INFO: '' }).includes('ENV-PATH-1'));
  t.same(target('/app/', '/app/', ''), ['ENV-PATH-1']);
});

t.test('ENV-PATH-2: PATH_INFO is "" or starts with "/"', async (t) => {
  t.same(target('/app/x', '/app', '/x'), []);
  t.ok(only({ PATH_INFO: 'x', REQUEST_URI: '/x' }).includes('ENV-PATH-2'));
});

t.test('ENV-PATH-3: SCRIPT_NAME + PATH_INFO is the decoded path of REQUEST_URI', async (t) => {
  t.same(target('/a/b', '', '/a/c'), ['ENV-PATH-3']);
  t.same(target('/', '', ''), ['ENV-PATH-3'], 'the root path is "/", not ""');
  t.same(target('/a%20b', '', '/a%20b'), ['ENV-PATH-3'], 'not decoded');
  t.same(target('/a/b%0a', '', '/a/b'), ['ENV-PATH-3'], 'CVE-2019-11043: a %0a that vanished from PATH_INFO');
  const [v] = checkEnviron(makeEnviron({ REQUEST_URI: '/a/b', PATH_INFO: '/a/c' }));
  t.match(v?.message, /"\/a\/c".*"\/a\/b"/);
});

t.test('ENV-PATH-4: malformed escapes, invalid UTF-8 and NUL never reach the application', async (t) => {
  t.same(target('/a%zz', '', '/a%zz'), ['ENV-PATH-4']);
  t.same(target('/a%C3', '', '/a\ufffd'), ['ENV-PATH-4'], 'a truncated UTF-8 sequence');
  t.same(target('/a%00b', '', '/a'), ['ENV-PATH-4']);
  t.ok(only({ PATH_INFO: '/a\0b', REQUEST_URI: '/a%00b' }).includes('ENV-PATH-4'));
  t.ok(only({ PATH_INFO: '/a\ud800', REQUEST_URI: '/a' }).includes('ENV-PATH-4'), 'a lone surrogate');
});

t.test('ENV-PATH-5: a normalised path is only a warning (CGI hosts normalise)', async (t) => {
  t.same(target('/a//b', '', '/a/b'), ['ENV-PATH-5']);
  t.same(target('/a/./b/../c', '', '/a/c'), ['ENV-PATH-5']);
});

t.test('ENV-PATH-6: REQUEST_URI is the target as received', async (t) => {
  t.same(target('/a b', '', '/a b'), ['ENV-PATH-6'], 'decoded: a raw space');
  t.same(target('', '', ''), ['ENV-PATH-6']);
  t.same(target('a/b', '', '/a/b'), ['ENV-PATH-6']);
  t.same(target('/a\tb', '', '/a\tb'), ['ENV-PATH-6']);
});

t.test('ENV-QUERY-1: QUERY_STRING is the part after the first "?", not decoded', async (t) => {
  t.same(target('/?q=caf%C3%A9', '', '/', 'q=café'), ['ENV-QUERY-1']);
  t.same(target('/?a=1', '', '/', '?a=1'), ['ENV-QUERY-1']);
  t.same(target('/', '', '/', 'x'), ['ENV-QUERY-1']);
});
