import t from 'tap';
import * as entry from './index.js';

t.test('the package entry exports the public API', async (t) => {
  for (const name of ['TSGI_VERSION', 'SpecViolation', 'TsgiError', 'isSpecViolation', 'isTsgiError', 'ERROR_CODES',
    'validate', 'assertValidResponse', 'createTestClient', 'TestClient', 'TruncatedResponseError', 'environFor', 'mount', 'defineApp']) {
    t.ok(name in entry, name);
  }
  t.same(entry.TSGI_VERSION, [1, 0]);
});

t.test('the server kit stays behind its own subpath', async (t) => {
  for (const name of ['callApplication', 'BodyInput', 'buildEnviron', 'openBody', 'startApplication', 'MountTable']) {
    t.notOk(name in entry, `${name} is only in @tsgi/gateway-spec/server-kit`);
  }
});

t.test('the entry works end to end: validate, mount and the test client together', async (t) => {
  const app = entry.mount({ '/api': (env) => ({ status: 200, headers: [['content-type', 'text/plain']], body: `${env.SCRIPT_NAME}|${env.PATH_INFO}` }) });
  await using client = entry.createTestClient(app);
  t.equal(await (await client.get('/api/x')).text(), '/api|/x');
  t.equal((await client.get('/elsewhere')).status, 404);
});
