import t from 'tap';
import { heartbeatIntervalMs, isSilent, MAX_HEARTBEAT_INTERVAL_MS, MIN_HEARTBEAT_INTERVAL_MS } from './heartbeat.js';

t.test('several heartbeats fit in one --timeout, within bounds', async (t) => {
  t.equal(heartbeatIntervalMs(30), MAX_HEARTBEAT_INTERVAL_MS);
  t.equal(heartbeatIntervalMs(2), 400);
  t.equal(heartbeatIntervalMs(0.1), MIN_HEARTBEAT_INTERVAL_MS);
  t.equal(heartbeatIntervalMs(0), MAX_HEARTBEAT_INTERVAL_MS, '--timeout 0: heartbeats still carry metrics');
});

t.test('a worker is silent once --timeout passes with no heartbeat; never with --timeout 0', async (t) => {
  t.notOk(isSilent(1_000, 2_900, 2));
  t.ok(isSilent(1_000, 3_001, 2));
  t.notOk(isSilent(0, 1e12, 0));
});
