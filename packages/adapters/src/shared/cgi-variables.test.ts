import t, { type Test } from 'tap';
import { cgiEnviron, encodePath, parseCgiRequest, splitScriptPath, type CgiVariables } from './cgi-variables.js';

const base: CgiVariables = {
  REQUEST_METHOD: 'GET',
  SCRIPT_NAME: '/cgi-bin/app.cgi',
  PATH_INFO: '/a/b',
  QUERY_STRING: 'x=1&y=%20',
  REQUEST_URI: '/cgi-bin/app.cgi/a/b?x=1&y=%20',
  SERVER_NAME: 'example.com',
  SERVER_PORT: '80',
  SERVER_PROTOCOL: 'HTTP/1.1',
  REMOTE_ADDR: '192.0.2.7',
  REMOTE_PORT: '51234',
  GATEWAY_INTERFACE: 'CGI/1.1',
};

function refused(t: Test, vars: CgiVariables, status: number, requirement: string) {
  t.throws(() => parseCgiRequest(vars), { name: 'BadRequest', status, requirement }, JSON.stringify(vars));
}

t.test('ENV-OBJ-3: the required keys from RFC 3875 meta-variables', async (t) => {
  const { keys, scheme, contentLength, bodyToEof } = parseCgiRequest(base);
  t.match(keys, {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '/cgi-bin/app.cgi',
    PATH_INFO: '/a/b',
    QUERY_STRING: 'x=1&y=%20',
    REQUEST_URI: '/cgi-bin/app.cgi/a/b?x=1&y=%20',
    SERVER_NAME: 'example.com',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '192.0.2.7',
    REMOTE_PORT: '51234',
    GATEWAY_INTERFACE: 'CGI/1.1',
  });
  t.equal(scheme, 'http');
  t.equal(contentLength, null);
  t.equal(bodyToEof, false);
  t.notOk('CONTENT_LENGTH' in keys, 'ENV-CONTENT-2: absent without a body');
  t.notOk('CONTENT_TYPE' in keys, 'ENV-CONTENT-1: absent without the header');
});

t.test('missing optional variables give the defaults, never undefined (ENV-OBJ-2)', async (t) => {
  const { keys } = parseCgiRequest({ REQUEST_METHOD: 'GET' });
  t.same(
    { SCRIPT_NAME: keys.SCRIPT_NAME, PATH_INFO: keys.PATH_INFO, QUERY_STRING: keys.QUERY_STRING, REQUEST_URI: keys.REQUEST_URI, SERVER_NAME: keys.SERVER_NAME, SERVER_PORT: keys.SERVER_PORT, SERVER_PROTOCOL: keys.SERVER_PROTOCOL, REMOTE_ADDR: keys.REMOTE_ADDR },
    { SCRIPT_NAME: '', PATH_INFO: '', QUERY_STRING: '', REQUEST_URI: '/', SERVER_NAME: 'localhost', SERVER_PORT: '80', SERVER_PROTOCOL: 'HTTP/1.0', REMOTE_ADDR: '' },
  );
  for (const value of Object.values(keys)) t.type(value, 'string');
  t.notOk('REMOTE_PORT' in keys);
});

t.test('ENV-PATH-6: REQUEST_URI rebuilt when the host sets none', async (t) => {
  const vars = { ...base, REQUEST_URI: undefined, PATH_INFO: '/a b/caf\xc3\xa9/%/?#' };
  const { keys } = parseCgiRequest(vars);
  t.equal(keys.PATH_INFO, '/a b/café/%/?#');
  t.equal(keys.REQUEST_URI, '/cgi-bin/app.cgi/a%20b/caf%C3%A9/%25/%3F%23?x=1&y=%20');
  t.equal(decodeURIComponent(keys.REQUEST_URI!.split('?')[0]!), keys.SCRIPT_NAME! + keys.PATH_INFO, 'ENV-PATH-3: decodes back to SCRIPT_NAME + PATH_INFO');
  t.equal(parseCgiRequest({ ...vars, QUERY_STRING: '' }).keys.REQUEST_URI, '/cgi-bin/app.cgi/a%20b/caf%C3%A9/%25/%3F%23', 'no "?" without a query');
  t.equal(encodePath("/-._~!$&'()*+,;=:@"), "/-._~!$&'()*+,;=:@", 'pchar stays as it is');
});

t.test('ENV-PATH-5: the host split wins over REQUEST_URI (the host normalised the path)', async (t) => {
  const { keys } = parseCgiRequest({ ...base, PATH_INFO: '/y', REQUEST_URI: '/cgi-bin/app.cgi/x/../y' });
  t.equal(keys.PATH_INFO, '/y');
  t.equal(keys.REQUEST_URI, '/cgi-bin/app.cgi/x/../y');
});

t.test('ENV-PATH-1, ENV-PATH-2: host shapes TSGI forbids are repaired without changing the path', async (t) => {
  t.same(splitScriptPath('/', '', '/'), { scriptName: '', pathInfo: '/' }, 'a script at the root (plack#147)');
  t.same(splitScriptPath('/', 'foo', null), { scriptName: '', pathInfo: '/foo' });
  t.same(splitScriptPath('/', '/foo', '/foo'), { scriptName: '', pathInfo: '/foo' }, 'a host that counted the slash twice');
  t.same(splitScriptPath('/app/', 'x', '/app/x'), { scriptName: '/app', pathInfo: '/x' });
  t.same(splitScriptPath('/app', 'x', null), { scriptName: '/app', pathInfo: '/x' });
  t.same(splitScriptPath('/app', '/app/x', '/app/x'), { scriptName: '/app', pathInfo: '/x' }, 'IIS puts the whole path in PATH_INFO');
  t.same(splitScriptPath('/app', '/app/x', '/app/app/x'), { scriptName: '/app', pathInfo: '/app/x' }, 'a real /app/app/x is left alone');
  t.same(splitScriptPath('', '', null), { scriptName: '', pathInfo: '' });
});

t.test('scriptName option: the app mounted at a prefix the host does not know (MOUNT-PATH-3)', async (t) => {
  const vars = { ...base, SCRIPT_NAME: '/shop/products/42', PATH_INFO: '' };
  const { keys } = parseCgiRequest(vars, { scriptName: '/shop' });
  t.equal(keys.SCRIPT_NAME, '/shop');
  t.equal(keys.PATH_INFO, '/products/42');
  t.same(parseCgiRequest({ ...vars, SCRIPT_NAME: '/shop' }, { scriptName: '/shop' }).keys.PATH_INFO, '');
  t.throws(() => parseCgiRequest({ ...vars, SCRIPT_NAME: '/shopping' }, { scriptName: '/shop' }), { name: 'BadRequest', status: 404, requirement: 'MOUNT-PATH-3' });
});

t.test('ENV-PATH-4: paths are bytes decoded as UTF-8; invalid UTF-8 and NUL are refused with 400', async (t) => {
  t.equal(parseCgiRequest({ ...base, PATH_INFO: '/caf\xc3\xa9/\xf0\x9f\x98\x80' }).keys.PATH_INFO, '/café/😀');
  refused(t, { ...base, PATH_INFO: '/caf\xe9' }, 400, 'ENV-PATH-4');
  refused(t, { ...base, PATH_INFO: '/x\xff' }, 400, 'ENV-PATH-4');
  refused(t, { ...base, SCRIPT_NAME: '/\xc3' }, 400, 'ENV-PATH-4');
  refused(t, { ...base, PATH_INFO: '/a\0b' }, 400, 'ENV-PATH-4');
});

t.test('C5: hostile PATH_INFO values pass through unsplit', async (t) => {
  for (const path of ['/a\nb', '/../../etc/passwd', '/a%0a', '/.', '//x']) {
    const { keys } = parseCgiRequest({ ...base, PATH_INFO: path, REQUEST_URI: undefined });
    t.equal(keys.SCRIPT_NAME, '/cgi-bin/app.cgi', JSON.stringify(path));
    t.equal(keys.PATH_INFO, path, JSON.stringify(path));
  }
});

t.test('ENV-QUERY-1: QUERY_STRING raw, "" when absent', async (t) => {
  t.equal(parseCgiRequest({ ...base, QUERY_STRING: 'a=%ZZ&b=c+d' }).keys.QUERY_STRING, 'a=%ZZ&b=c+d');
  t.equal(parseCgiRequest({ ...base, QUERY_STRING: undefined }).keys.QUERY_STRING, '');
});

t.test('ENV-CONTENT-1, ENV-CONTENT-2: body framing from CONTENT_LENGTH', async (t) => {
  const post = { ...base, REQUEST_METHOD: 'POST', CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '0012' };
  const r = parseCgiRequest(post);
  t.equal(r.contentLength, 12);
  t.equal(r.keys.CONTENT_LENGTH, '12', 'digits only, canonical');
  t.equal(r.keys.CONTENT_TYPE, 'text/plain');
  t.equal(parseCgiRequest({ ...post, CONTENT_LENGTH: '' }).contentLength, null, 'empty is absent');
  t.notOk('CONTENT_LENGTH' in parseCgiRequest({ ...post, CONTENT_LENGTH: '' }).keys);
  for (const bad of ['-1', '1.5', ' 12', '12 ', '0x10', '1e3', '99999999999999999999']) refused(t, { ...post, CONTENT_LENGTH: bad }, 400, 'ENV-CONTENT-2');
  t.equal(parseCgiRequest({ ...post, CONTENT_LENGTH: undefined, HTTP_TRANSFER_ENCODING: 'chunked' }).bodyToEof, true, 'chunked without a length: to the end of stdin');
  t.equal(parseCgiRequest({ ...post, CONTENT_LENGTH: undefined }).bodyToEof, false, 'no length, no Transfer-Encoding: no body (RFC 3875 §4.2)');
});

t.test('INPUT-FLOW-3: a declared body over maxBodyBytes is refused with 413', async (t) => {
  const post = { ...base, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '1001' };
  t.throws(() => parseCgiRequest(post, { maxBodyBytes: 1000 }), { name: 'BadRequest', status: 413, requirement: 'INPUT-FLOW-3' });
  t.equal(parseCgiRequest({ ...post, CONTENT_LENGTH: '1000' }, { maxBodyBytes: 1000 }).contentLength, 1000);
});

t.test('ENV-METHOD-1: the method as received, a token', async (t) => {
  t.equal(parseCgiRequest({ ...base, REQUEST_METHOD: 'patch' }).keys.REQUEST_METHOD, 'patch');
  refused(t, { ...base, REQUEST_METHOD: 'GE T' }, 400, 'ENV-METHOD-1');
  refused(t, { ...base, REQUEST_METHOD: '' }, 400, 'ENV-METHOD-1');
});

t.test('ENV-HTTP-1: HTTP_* variables pass, trimmed, as bytes (ENV-HTTP-4)', async (t) => {
  const { keys } = parseCgiRequest({ ...base, HTTP_X_REP: '  1, 2\t', HTTP_X_LATIN: 'caf\xc3\xa9', HTTP_ACCEPT: '*/*', HTTP_AUTHORIZATION: 'Basic Zm9v' });
  t.equal(keys.HTTP_X_REP, '1, 2');
  t.equal(keys.HTTP_X_LATIN, 'caf\xc3\xa9', 'one code unit per byte');
  t.equal(keys.HTTP_AUTHORIZATION, 'Basic Zm9v', 'C2: passed when the host passes it (CGIPassAuth On)');
});

t.test('ENV-HTTP-3: Cookie fields Apache joined with ", " are joined with "; "', async (t) => {
  t.equal(parseCgiRequest({ ...base, SERVER_SOFTWARE: 'Apache/2.4.71 (Debian)', HTTP_COOKIE: 'a=1, b=2; c=3' }).keys.HTTP_COOKIE, 'a=1; b=2; c=3');
  t.equal(parseCgiRequest({ ...base, SERVER_SOFTWARE: 'lighttpd/1.4.69', HTTP_COOKIE: 'a=x, y' }).keys.HTTP_COOKIE, 'a=x, y', 'other hosts join with "; " themselves');
});

t.test('SEC-PROXY-1, ENV-CONTENT-3: HTTP_PROXY and HTTP_CONTENT_* never reach the environ', async (t) => {
  const { keys } = parseCgiRequest({ ...base, HTTP_PROXY: 'http://evil:8080', HTTP_CONTENT_TYPE: 'x/y', HTTP_CONTENT_LENGTH: '5', http_proxy: 'http://ok', 'HTTP_X-Y': 'z' });
  t.notOk('HTTP_PROXY' in keys);
  t.notOk('HTTP_CONTENT_TYPE' in keys);
  t.notOk('HTTP_CONTENT_LENGTH' in keys);
  t.notOk('http_proxy' in keys, 'the process environment is not the request');
  t.notOk('HTTP_X-Y' in keys, 'names that cannot come from a header are dropped');
});

t.test('ENV-EXT-2: other CGI variables as extra keys, nothing of the process environment', async (t) => {
  const { keys } = parseCgiRequest({
    ...base, AUTH_TYPE: 'Basic', REMOTE_USER: 'ann', DOCUMENT_ROOT: '/srv/caf\xc3\xa9', SCRIPT_FILENAME: '/srv/\xe9.cgi',
    HTTPS: 'on', SSL_PROTOCOL: 'TLSv1.3', SSL_CERT_FILE: '/etc/ssl/x.pem', PATH: '/usr/bin', HOME: '/root', NODE_OPTIONS: '--x',
  });
  t.match(keys, { AUTH_TYPE: 'Basic', REMOTE_USER: 'ann', DOCUMENT_ROOT: '/srv/café', SCRIPT_FILENAME: '/srv/\xe9.cgi', HTTPS: 'on', SSL_PROTOCOL: 'TLSv1.3' });
  for (const key of ['SSL_CERT_FILE', 'PATH', 'HOME', 'NODE_OPTIONS']) t.notOk(key in keys, key);
});

t.test('ENV-TSGI-2: HTTPS=on (or REQUEST_SCHEME=https) gives https, with 443 as default port', async (t) => {
  t.equal(parseCgiRequest({ ...base, HTTPS: 'on' }).scheme, 'https');
  t.equal(parseCgiRequest({ ...base, HTTPS: 'ON' }).scheme, 'https');
  t.equal(parseCgiRequest({ ...base, HTTPS: '1' }).scheme, 'https');
  t.equal(parseCgiRequest({ ...base, HTTPS: 'off' }).scheme, 'http');
  t.equal(parseCgiRequest({ ...base, REQUEST_SCHEME: 'https' }).scheme, 'https');
  const { keys } = parseCgiRequest({ ...base, HTTPS: 'on', HTTP_HOST: 'example.org', SERVER_PORT: undefined });
  t.equal(keys.SERVER_PORT, '443');
});

t.test('ENV-SERVER-1, ENV-SERVER-2: the authority the client addressed', async (t) => {
  t.match(parseCgiRequest({ ...base, HTTP_HOST: 'shop.example:8080' }).keys, { SERVER_NAME: 'shop.example', SERVER_PORT: '8080' });
  t.match(parseCgiRequest({ ...base, HTTP_HOST: '[::1]:81' }).keys, { SERVER_NAME: '[::1]', SERVER_PORT: '81' });
  t.match(parseCgiRequest({ ...base, HTTP_HOST: undefined }).keys, { SERVER_NAME: 'example.com', SERVER_PORT: '80' }, 'HTTP/1.0 without Host: the host configured name');
  t.match(parseCgiRequest({ ...base, HTTP_HOST: 'shop.example', SERVER_PORT: '8080' }).keys, { SERVER_NAME: 'shop.example', SERVER_PORT: '8080' }, 'nginx passes Host without its port: the host\'s SERVER_PORT');
  t.match(parseCgiRequest({ ...base, HTTP_HOST: 'shop.example', SERVER_PORT: undefined }).keys, { SERVER_PORT: '80' }, 'the scheme default');
  refused(t, { ...base, HTTP_HOST: 'bad host' }, 400, 'ENV-SERVER-1');
});

t.test('ENV-TSGI-*: cgiEnviron adds the tsgi keys', async (t) => {
  const input = (async function* () {})();
  const signal = new AbortController().signal;
  const environ = cgiEnviron(parseCgiRequest(base), {
    input, errors: { write() {} }, signal, state: {}, extensions: {}, multithread: false, multiprocess: true, runOnce: true,
  });
  t.same(environ['tsgi.version'], [1, 0]);
  t.equal(environ['tsgi.url_scheme'], 'http');
  t.equal(environ['tsgi.run_once'], true);
  t.equal(environ['tsgi.multiprocess'], true);
  t.equal(environ['tsgi.multithread'], false);
  t.equal(environ['tsgi.signal'], signal);
  t.equal(environ.PATH_INFO, '/a/b');
});
