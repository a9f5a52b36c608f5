import type { Environ, HeaderList } from '../types.js';
import { prefixMatches } from '../server-kit/mount.js';
import type { RequestPlan } from './request.js';

/** A request the server answers itself, without calling the application. */
export interface Refusal {
  readonly status: number;
  /** The requirement that calls for it, for the error log. */
  readonly requirement: string;
  readonly detail: string;
  readonly headers?: HeaderList;
}

/** What a server answers before parsing the target: CONNECT and `*` (SRV-HTTP-6). */
export function refuseTarget(plan: RequestPlan): Refusal | null {
  if (plan.method === 'CONNECT') return { status: 501, requirement: 'SRV-HTTP-6', detail: 'CONNECT is not implemented' };
  if (plan.target === '*') {
    if (plan.method !== 'OPTIONS') return { status: 400, requirement: 'SRV-HTTP-6', detail: `"*" is a target for OPTIONS only, not ${plan.method}` };
    return { status: 204, requirement: 'SRV-HTTP-6', detail: 'OPTIONS * is answered by the server', headers: [['allow', 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS']] };
  }
  return null;
}

/**
 * What a server refuses once the environ is built and before the application
 * runs: a missing or repeated Host (SRV-HTTP-2), an Expect it cannot meet
 * (INPUT-CONT-2), a declared body over the limit (INPUT-FLOW-3), a path
 * outside the mount prefix (MOUNT-PATH-3).
 */
export function refuseRequest(plan: RequestPlan, environ: Environ, protocol: string, maxBodyBytes: number | undefined, scriptName: string): Refusal | null {
  const hosts = plan.headers.filter(([name]) => name.toLowerCase() === 'host').length;
  if (protocol === 'HTTP/1.1' && hosts !== 1) {
    return { status: 400, requirement: 'SRV-HTTP-2', detail: hosts === 0 ? 'an HTTP/1.1 request without Host' : `${hosts} Host fields` };
  }
  const expect = environ.HTTP_EXPECT;
  if (expect !== undefined && expect.toLowerCase() !== '100-continue') {
    return { status: 417, requirement: 'INPUT-CONT-2', detail: `cannot meet Expect: ${expect}` };
  }
  if (maxBodyBytes !== undefined && environ.CONTENT_LENGTH !== undefined && Number(environ.CONTENT_LENGTH) > maxBodyBytes) {
    return { status: 413, requirement: 'INPUT-FLOW-3', detail: `Content-Length ${environ.CONTENT_LENGTH} is over the limit of ${maxBodyBytes} bytes` };
  }
  if (!prefixMatches(scriptName, environ.PATH_INFO)) {
    return { status: 404, requirement: 'MOUNT-PATH-3', detail: `${JSON.stringify(environ.PATH_INFO)} is outside the mount prefix ${JSON.stringify(scriptName)}` };
  }
  return null;
}
