import t from 'tap';
import { createTestClient } from '@tsgi/gateway-spec';
import app, { KeyValuePool, MAX_VALUE_BYTES, poolOf } from './lifespan-state.js';

t.test('LIFE-START-1, LIFE-CTX-1: the pool opens once and every request uses it', async (t) => {
  const client = createTestClient(app, { scriptName: '/kv' });
  t.equal((await client.put('/kv/keys/greeting', { body: 'hello' })).status, 204);
  const pool = client.state?.pool;
  t.ok(pool instanceof KeyValuePool, 'startup put the pool in ctx.state');
  t.equal(await (await client.get('/kv/keys/greeting')).text(), 'hello');
  t.equal((await client.get('/kv/keys/absent')).status, 404);
  t.same(await (await client.get('/kv/stats')).json(), { opened: 4, active: 1, keys: 1 }, 'four requests, four connections, all released but the stats request\'s own');
  t.equal(poolOf(client.state!), pool, 'the same pool throughout');
  t.match(client.errorLog, ['key-value pool opened']);
  await client.close();
  t.equal((pool as KeyValuePool).closed, true, 'LIFE-STOP-1: shutdown closed it');
  t.match(client.errorLog.at(-1), /closed after 4 connections/);
});

t.test('keys are decoded paths; values round-trip as UTF-8', async (t) => {
  await using client = createTestClient(app);
  t.equal((await client.put('/keys/caf%C3%A9', { body: 'crème ✓' })).status, 204);
  t.equal(await (await client.get('/keys/caf%C3%A9')).text(), 'crème ✓');
  t.equal((await client.delete('/keys/caf%C3%A9')).status, 204);
  t.equal((await client.delete('/keys/caf%C3%A9')).status, 404);
});

t.test('values over the limit get 413, declared or not', async (t) => {
  await using client = createTestClient(app);
  t.equal((await client.put('/keys/big', { body: 'x'.repeat(MAX_VALUE_BYTES + 1) })).status, 413);
  t.equal((await client.put('/keys/big', { body: ['x'.repeat(MAX_VALUE_BYTES), 'y'] })).status, 413, 'a chunked body is counted as it is read');
  t.equal((await client.get('/keys/big')).status, 404, 'nothing was stored');
  t.same(await (await client.get('/stats')).json(), { opened: 4, active: 1, keys: 0 }, 'connections are released on every path (the one active is the stats request\'s)');
});

t.test('routes and methods', async (t) => {
  await using client = createTestClient(app);
  t.equal((await client.get('/nowhere')).status, 404);
  t.equal((await client.get('/keys/')).status, 404);
  const post = await client.post('/keys/a', { body: 'x' });
  t.equal(post.status, 405);
  t.equal(post.header('allow'), 'GET, HEAD, PUT, DELETE');
  t.equal((await client.post('/stats')).status, 405);
  const head = await client.head('/stats');
  t.equal(head.status, 200);
  t.equal(await head.text(), '');
});

t.test('concurrent requests share the pool', async (t) => {
  await using client = createTestClient(app);
  await Promise.all(Array.from({ length: 20 }, (_, i) => client.put(`/keys/k${i}`, { body: String(i) })));
  const values = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await client.get(`/keys/k${i}`)).text()));
  t.same(values, Array.from({ length: 20 }, (_, i) => String(i)));
  t.same(await (await client.get('/stats')).json(), { opened: 41, active: 1, keys: 20 });
});

t.test('without startup the handler says what is missing', async (t) => {
  const error = await Promise.resolve(app.handle({ 'tsgi.state': {} } as never)).catch((e: unknown) => e);
  t.match(error, { message: /was startup run\?/ });
});
