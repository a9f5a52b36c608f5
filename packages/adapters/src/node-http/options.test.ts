import t from 'tap';
import { InvalidOptionError } from '../shared/options.js';
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  HEADERS_TIMEOUT_MS,
  MAX_BODY_BYTES,
  MAX_HEADER_BYTES,
  MAX_HEADER_COUNT,
  resolveAttachOptions,
  resolveHttpOptions,
  socketModeOf,
  stderrLog,
  type HttpOptions,
} from './options.js';

t.test('defaults, documented in README.md', async (t) => {
  const o = resolveHttpOptions(undefined);
  t.equal(o.host, DEFAULT_HOST);
  t.equal(o.port, DEFAULT_PORT);
  t.equal(o.maxHeaderBytes, MAX_HEADER_BYTES);
  t.equal(o.maxHeaderCount, MAX_HEADER_COUNT);
  t.equal(o.maxBodyBytes, MAX_BODY_BYTES);
  t.equal(o.headersTimeoutMs, HEADERS_TIMEOUT_MS);
  t.equal(o.errorLog, stderrLog);
  t.type(o.serverName, 'string');
  t.same(o.trustedProxies, []);
  t.ok(Object.isFrozen(o), 'frozen');
  t.ok(Object.isFrozen(o.trustedProxies), 'deeply frozen');
});

t.test('a unix socket, an fd or a handle replace host and port', async (t) => {
  const o = resolveHttpOptions({ path: '/tmp/x.sock', socketMode: '660' });
  t.equal(o.host, undefined);
  t.equal(o.port, undefined);
  t.equal(socketModeOf(o.socketMode!), 0o660);
  t.equal(socketModeOf(0o600), 0o600);
  t.equal(resolveHttpOptions({ fd: 3 }).port, undefined);
});

t.test('TSGI_ERR_OPTS_INVALID: each bad option names the option, the value and what is allowed', async (t) => {
  const cases: Array<[HttpOptions | unknown, string, RegExp]> = [
    [{ port: 70000 }, 'port', /is number 70000; allowed: an integer from 0 to 65535/],
    [{ port: '80' }, 'port', /the string "80"/],
    [{ porrt: 80 }, 'porrt', /no such option; known options: .*port/],
    [{ port: 80, path: '/tmp/s' }, 'path', /only one of port, path, fd and handle/],
    [{ path: '/tmp/s', host: 'x' }, 'host', /host goes with port/],
    [{ socketMode: 0o600 }, 'socketMode', /only together with path/],
    [{ socketMode: '999', path: '/tmp/s' }, 'socketMode', /octal/],
    [{ trustedProxies: ['10.0.0.0/33'] }, 'trustedProxies.0', /"10.0.0.0\/33"; allowed: an IP address, a CIDR range/],
    [{ trustedProxies: ['localhost'] }, 'trustedProxies.0', /"loopback" or "unix"/],
    [{ headersTimeoutMs: 10_000, requestTimeoutMs: 5_000 }, 'headersTimeoutMs', /at most requestTimeoutMs \(5000\)/],
    [{ maxBodyBytes: -1 }, 'maxBodyBytes', /an integer from 0/],
    [{ errorLog: 'stderr' }, 'errorLog', /a function/],
    [{ tls: { key: 'k' } }, 'tls.cert', /certificate chain/],
    [{ tls: { key: 'k', cert: 'c', ciphers: 'x' } }, 'tls.ciphers', /no such option; known options: key, cert, ca, passphrase/],
    [null, '', /is null; allowed: an options object/],
  ];
  for (const [input, option, message] of cases) {
    const error = (() => {
      try {
        resolveHttpOptions(input as HttpOptions);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    t.ok(error instanceof InvalidOptionError, `${JSON.stringify(input)} is refused`);
    const e = error as InvalidOptionError;
    t.equal(e.code, 'TSGI_ERR_OPTS_INVALID');
    t.equal(e.option, option);
    t.match(e.message, /^serve\(\): option /);
    t.match(e.message, message);
  }
});

t.test('attachTsgi() takes only the request options', async (t) => {
  t.throws(() => resolveAttachOptions({ port: 80 } as never), { code: 'TSGI_ERR_OPTS_INVALID', option: 'port' });
  t.equal(resolveAttachOptions({ maxBodyBytes: 5 }).maxBodyBytes, 5);
});
