import t from 'tap';
import { normalizeAddress, parseTrustedProxies, trustedProxyProblem } from './trusted-proxies.js';

t.test('ENV-REMOTE-1: addresses as REMOTE_ADDR shows them', async (t) => {
  t.equal(normalizeAddress('::ffff:192.0.2.1'), '192.0.2.1', 'IPv4-mapped becomes IPv4');
  t.equal(normalizeAddress('::FFFF:10.0.0.1'), '10.0.0.1');
  t.equal(normalizeAddress('2001:db8::1'), '2001:db8::1');
  t.equal(normalizeAddress('127.0.0.1'), '127.0.0.1');
  t.equal(normalizeAddress(undefined), '', 'a unix-domain socket');
});

t.test('entries: addresses, ranges, loopback, unix', async (t) => {
  for (const ok of ['10.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '2001:db8::/32', '::1', '::/0', 'loopback', 'unix', '::ffff:10.0.0.0/104']) {
    t.equal(trustedProxyProblem(ok), null, ok);
  }
  for (const bad of ['localhost', '10.0.0.0/33', '10.0.0.0/-1', '2001:db8::/129', '10.0.0', '', '*', '::ffff:10.0.0.0/8']) {
    t.type(trustedProxyProblem(bad), 'string', bad);
  }
  t.throws(() => parseTrustedProxies(['nope']), TypeError);
});

t.test('ENV-REMOTE-2: who is trusted', async (t) => {
  const none = parseTrustedProxies([]);
  t.ok(none.empty);
  t.notOk(none.trusts('127.0.0.1'));
  const list = parseTrustedProxies(['loopback', '10.0.0.0/8', '2001:db8::/32', '192.0.2.7', '::ffff:172.16.0.0/108']);
  t.notOk(list.empty);
  for (const yes of ['127.0.0.1', '127.9.9.9', '::1', '10.255.0.1', '2001:db8:1::5', '192.0.2.7', '172.16.3.4']) t.ok(list.trusts(yes), yes);
  for (const no of ['192.0.2.8', '11.0.0.1', '2001:db9::1', '', 'not an ip', '172.32.0.1']) t.notOk(list.trusts(no), no || '(unix)');
  t.ok(parseTrustedProxies(['unix']).trusts(''), 'unix trusts unix-socket peers');
});
