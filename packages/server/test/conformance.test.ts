/**
 * The TSGI conformance suite against the real `tsgi serve` command with two
 * workers (the case where per-process state and record files must work across
 * processes), as every server of the project runs it in CI (issue 7).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { commandStarter, tapConformance } from '@tsgi/gateway-spec/conformance';

const TSGI = join(fileURLToPath(new URL('..', import.meta.url)), 'bin/tsgi.js');
const MAX_BODY_BYTES = 10 * 1024 * 1024;
// CI runs as root: the operator's explicit choice is what lets the probe run as root (SEC-PRIV-1).
const ROOT_FLAG = process.getuid?.() === 0 ? ' --allow-root' : '';
const COMMON = `--host {host} --port {port} -w 2 --max-body-size 10M --graceful-timeout 3${ROOT_FLAG}`;

t.test('tsgi serve -w 2 passes the conformance suite', async (t) => {
  await tapConformance(t, {
    name: 'tsgi serve -w 2',
    mount: true,
    start: commandStarter({
      command: `${JSON.stringify(process.execPath)} ${JSON.stringify(TSGI)} serve {app} ${COMMON}`,
      mountCommand: `${JSON.stringify(process.execPath)} ${JSON.stringify(TSGI)} serve --mount {prefix}={app} ${COMMON}`,
      capabilities: { mount: true, 'log-observable': true },
      limits: { maxBodyBytes: MAX_BODY_BYTES },
    }),
  });
});
