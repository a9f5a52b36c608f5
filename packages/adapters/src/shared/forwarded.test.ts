import t from 'tap';
import { parseForwarded, parseNode, resolveClientOrigin } from './forwarded.js';
import { parseTrustedProxies } from './trusted-proxies.js';

t.test('RFC 7239 §4: Forwarded elements and parameters', async (t) => {
  const elements = parseForwarded('for=192.0.2.60;proto=http;by=203.0.113.43, For="[2001:db8:cafe::17]:4711" ;host="a.example"');
  t.same(elements?.map((e) => Object.fromEntries(e)), [
    { for: '192.0.2.60', proto: 'http', by: '203.0.113.43' },
    { for: '[2001:db8:cafe::17]:4711', host: 'a.example' },
  ]);
  t.same(parseForwarded('for="a\\"b"')?.map((e) => e.get('for')), ['a"b'], 'quoted-pair');
  for (const bad of ['for', 'for=a b', 'for="open', 'for=1;for=2', '=x', 'for=a@b']) t.equal(parseForwarded(bad), null, bad);
});

t.test('nodes: addresses with optional ports', async (t) => {
  t.same(parseNode('192.0.2.1'), { address: '192.0.2.1', port: undefined });
  t.same(parseNode('192.0.2.1:8080'), { address: '192.0.2.1', port: '8080' });
  t.same(parseNode('[2001:db8::1]:80'), { address: '2001:db8::1', port: '80' });
  t.same(parseNode('2001:db8::1'), { address: '2001:db8::1', port: undefined });
  t.same(parseNode('[::ffff:10.0.0.1]'), { address: '10.0.0.1', port: undefined });
  for (const bad of ['unknown', '_hidden', '1.2.3.4:99999', '[1.2.3.4]', 'host.example', '[::1', '1.2.3.4:x']) t.equal(parseNode(bad), null, bad);
});

t.test('ENV-REMOTE-2: walking the chain', async (t) => {
  const trusted = parseTrustedProxies(['127.0.0.1', '10.0.0.0/8']);
  t.equal(resolveClientOrigin('192.0.2.1', '5', { xForwardedFor: '6.6.6.6' }, trusted), null, 'an untrusted peer is not believed');
  t.equal(resolveClientOrigin('127.0.0.1', '5', {}, trusted), null, 'nothing forwarded');
  t.same(resolveClientOrigin('127.0.0.1', '5', { xForwardedFor: '6.6.6.6, 203.0.113.5, 10.0.0.2', xForwardedProto: 'http, https, https' }, trusted), {
    remoteAddr: '203.0.113.5', remotePort: undefined, scheme: 'https', host: undefined, port: undefined,
  }, 'stops at the first untrusted hop; proto of the same hop');
  t.same(resolveClientOrigin('127.0.0.1', '5', { forwarded: 'for=6.6.6.6, for="203.0.113.5:99";proto=https;host=shop.example, for=10.0.0.2;proto=http' }, trusted), {
    remoteAddr: '203.0.113.5', remotePort: '99', scheme: 'https', host: 'shop.example', port: undefined,
  });
  t.same(resolveClientOrigin('127.0.0.1', '5', { forwarded: 'for=unknown;proto=https' }, trusted), {
    remoteAddr: '127.0.0.1', remotePort: '5', scheme: 'https', host: undefined, port: undefined,
  }, 'a hidden client leaves the peer as REMOTE_ADDR');
  t.same(resolveClientOrigin('127.0.0.1', '5', { forwarded: 'for=1.2.3.4', xForwardedFor: '5.6.7.8' }, trusted)?.remoteAddr, '1.2.3.4', 'Forwarded wins');
  t.equal(resolveClientOrigin('127.0.0.1', '5', { forwarded: 'garbage' }, trusted), null, 'a malformed Forwarded is ignored whole');
  t.same(resolveClientOrigin('127.0.0.1', '5', { xForwardedProto: 'ftp', xForwardedPort: '99999' }, trusted), {
    remoteAddr: '127.0.0.1', remotePort: '5', scheme: undefined, host: undefined, port: undefined,
  }, 'values outside what is allowed are dropped');
});
