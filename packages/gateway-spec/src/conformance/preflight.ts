/** Where the runner reaches a probe, and the check that one answers at all (URL mode). @module */
import type { ServerHandle } from './types.js';
import { WireConnection } from './wire.js';

/** Where the runner reaches one running probe. */
export interface Target {
  readonly handle: ServerHandle;
  readonly hostname: string;
  readonly port: number;
  readonly prefix: string;
  readonly stateDir: string;
  closing?: Promise<void>;
}

/** Fails fast, with a message that says what is wrong, when no probe answers at the URL. */
export async function preflight(target: Target): Promise<void> {
  const where = target.handle.url;
  let conn: WireConnection | undefined;
  try {
    conn = await WireConnection.open(target.hostname, target.port);
    const host = target.hostname.includes(':') ? `[${target.hostname}]:${target.port}` : `${target.hostname}:${target.port}`;
    await conn.write(`GET ${target.prefix}/ HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    const res = await conn.readResponse({ timeoutMs: 5000 });
    const body = res.body.toString('utf8');
    if (res.status !== 200 || !body.startsWith('{"keys":')) {
      throw new Error(`GET ${target.prefix}/ answered ${res.status} ${JSON.stringify(body.slice(0, 120))}, not the probe's environ dump`);
    }
  } catch (error) {
    throw new Error(`no TSGI conformance probe answers at ${where}: ${(error as Error).message}. Serve createProbeApp() there (see spec/conformance-guide.md).`);
  } finally {
    conn?.destroy();
  }
}

