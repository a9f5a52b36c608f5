import t from 'tap';
import { MAX_CONSECUTIVE_BOOT_FAILURES, RESTART_BACKOFF_MAX_MS, RestartPolicy } from './restart-policy.js';

t.test('crashes in a row back off exponentially; a long run resets the back-off', async (t) => {
  const p = new RestartPolicy();
  t.equal(p.crashed(100, 0), 100);
  t.equal(p.crashed(100, 0), 200);
  t.equal(p.crashed(100, 0), 400);
  t.notOk(p.canSpawn(399));
  t.ok(p.canSpawn(400));
  for (let i = 0; i < 20; i++) p.crashed(100, 0);
  t.equal(p.crashed(100, 0), RESTART_BACKOFF_MAX_MS);
  t.equal(p.crashed(60_000, 0), 100, 'a worker that ran 60 s starts the streak again');
});

t.test('boot failures in a row end in giving up; a ready worker resets them', async (t) => {
  const p = new RestartPolicy();
  for (let i = 1; i < MAX_CONSECUTIVE_BOOT_FAILURES; i++) t.not(p.bootFailed(0).delay, null);
  p.booted();
  t.not(p.bootFailed(0).delay, null, 'the count starts again after a success');
  for (let i = 2; i < MAX_CONSECUTIVE_BOOT_FAILURES; i++) p.bootFailed(0);
  t.same(p.bootFailed(0), { inARow: MAX_CONSECUTIVE_BOOT_FAILURES, delay: null });
});
