import t from 'tap';
import { createTestClient } from '@tsgi/gateway-spec';
import hello from './hello.js';

t.test('hello answers with a greeting, validated', async (t) => {
  await using client = createTestClient(hello);
  const res = await client.get('/');
  t.equal(res.status, 200);
  t.equal(res.header('content-type'), 'text/plain; charset=utf-8');
  t.equal(await res.text(), 'Hello, world! You asked for /\n');
  t.same(client.errorLog, [], 'no validator warnings');
});

t.test('hello reads the query and the decoded path', async (t) => {
  await using client = createTestClient(hello);
  t.equal(await (await client.get('/caf%C3%A9?name=J%C3%BCrgen')).text(), 'Hello, Jürgen! You asked for /café\n');
});

t.test('MOUNT-PATH-3: hello under a mount prefix sees SCRIPT_NAME + PATH_INFO', async (t) => {
  await using client = createTestClient(hello, { scriptName: '/greet' });
  t.equal(await (await client.get('/greet')).text(), 'Hello, world! You asked for /greet\n');
  t.equal(await (await client.get('/greet/x')).text(), 'Hello, world! You asked for /greet/x\n');
  t.equal((await client.get('/other')).status, 404);
});

t.test('BODY-HEAD-1: HEAD gets the head without the body', async (t) => {
  await using client = createTestClient(hello);
  const res = await client.head('/');
  t.equal(res.status, 200);
  t.equal(res.contentLength, Buffer.byteLength('Hello, world! You asked for /\n'));
  t.equal(await res.text(), '');
});
