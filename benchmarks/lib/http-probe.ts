/**
 * One HTTP request on a fresh connection, body read whole: used to wait for
 * a target to come up and to check its answer before it is measured.
 * @module
 */
import { request } from 'node:http';

export const PROBE_TIMEOUT_MS = 5000;

export interface ProbeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

export function probe(url: string, init: { method?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false, timeout: PROBE_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(init.body);
  });
}
