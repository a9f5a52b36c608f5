/**
 * The scenario registry, in the order they run and are reported. A new
 * request/response scenario is one `loadScenario({...})` entry here (and a
 * route in targets/contract.ts that every target serves).
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OUT_DIR } from '../lib/paths.js';
import type { Scenario } from '../lib/scenario.js';
import {
  BODY_64K, BODY_64K_BYTES, ECHO_BODY_BYTES, HELLO_BODY, OCTET_STREAM, ROUTES,
} from '../targets/contract.js';
import { loadScenario } from './load-scenario.js';
import { slowReader } from './slow-reader.js';
import { stream1g } from './stream-1g.js';

/** The echo body: 1 MiB of a repeating byte pattern, so a reordering shows. */
function echoBody(): Buffer {
  const body = Buffer.allocUnsafe(ECHO_BODY_BYTES);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 8)) & 0xff;
  return body;
}
let echoBytes: Buffer | undefined;
let echoFile: string | undefined;

const hello = loadScenario({
  name: 'hello',
  title: `13-byte "${HELLO_BODY}", GET`,
  measures: 'Per-request overhead: routing, header writing, framing. The body is negligible.',
  route: ROUTES.hello,
  method: 'GET',
  verify: (res) => (res.status === 200 && res.body.toString() === HELLO_BODY ? null : `answered ${res.status} ${JSON.stringify(res.body.toString().slice(0, 40))}`),
});

const body64k = loadScenario({
  name: '64k',
  title: '64 KiB response body, GET',
  measures: 'Response writing once bodies stop being tiny: copies and socket writes.',
  route: ROUTES.body64k,
  method: 'GET',
  verify: (res) => (res.status === 200 && res.body.equals(BODY_64K) ? null : `answered ${res.status} with ${res.body.length} bytes, expected ${BODY_64K_BYTES}`),
});

const echo1m = loadScenario({
  name: 'echo-1m',
  title: '1 MiB request body POSTed and echoed back',
  measures: 'Request body reading plus a 1 MiB response; MB/s counts response bytes only.',
  route: ROUTES.echo,
  method: 'POST',
  body: {
    bytes: () => (echoBytes ??= echoBody()),
    contentType: OCTET_STREAM,
    async file() {
      if (echoFile === undefined) {
        await mkdir(OUT_DIR, { recursive: true });
        echoFile = join(OUT_DIR, 'echo-1m.bin');
        await writeFile(echoFile, echoBytes ??= echoBody());
      }
      return echoFile;
    },
  },
  verify: (res) => (res.status === 200 && res.body.equals(echoBytes ??= echoBody()) ? null : `answered ${res.status} with ${res.body.length} bytes that are not the ${ECHO_BODY_BYTES} sent`),
});

export const SCENARIOS: readonly Scenario[] = Object.freeze([hello, body64k, echo1m, stream1g, slowReader]);

export function findScenario(name: string): Scenario {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (scenario === undefined) throw new Error(`no scenario named ${JSON.stringify(name)}`);
  return scenario;
}
