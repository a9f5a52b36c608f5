/**
 * Responses an application must not give (RESP-SHAPE-1, RESP-STATUS-1,
 * RESP-HDR-1/2/3/5/6, APP-SHAPE-2). The server must answer 500 instead and
 * send none of the application's headers (RESP-HDR-8, ERR-APP-1). Each one
 * carries the marker header first, so a server that writes headers one by one
 * until it meets the bad one is caught.
 * @module
 */
import { PROBE_MARKER_HEADER } from './protocol.js';

const MARKER: [string, string] = [PROBE_MARKER_HEADER, 'app-headers'];

type Make = (body: AsyncIterable<string | Uint8Array>) => unknown;

const withHeader = (pair: [string, string]): Make => (body) => ({ status: 200, headers: [MARKER, pair], body });
const withStatus = (status: unknown): Make => (body) => ({ status, headers: [MARKER], body });

/** Every bad response the probe can give, by name. */
export const BAD_RESPONSES: Readonly<Record<string, Make>> = {
  'value-crlf': withHeader(['x-bad', 'a\r\nx-injected: yes']),
  'value-lf': withHeader(['x-bad', 'a\nx-injected: yes']),
  'value-cr': withHeader(['x-bad', 'a\rx-injected: yes']),
  'value-nul': withHeader(['x-bad', 'a\0b']),
  'value-ctl': withHeader(['x-bad', 'a\x01b']),
  'value-wide': withHeader(['x-bad', 'snow \u2603']),
  'name-space': withHeader(['bad name', 'x']),
  'name-colon': withHeader(['x-bad:', 'x']),
  'name-empty': withHeader(['', 'x']),
  'name-crlf': withHeader(['x-injected: yes\r\nx-bad', 'x']),
  'hop-connection': withHeader(['connection', 'close']),
  'hop-keep-alive': withHeader(['keep-alive', 'timeout=5']),
  'hop-proxy-connection': withHeader(['proxy-connection', 'keep-alive']),
  'hop-transfer-encoding': withHeader(['transfer-encoding', 'chunked']),
  'hop-te': withHeader(['te', 'trailers']),
  'hop-trailer': withHeader(['trailer', 'x-t']),
  'hop-upgrade': withHeader(['upgrade', 'websocket']),
  'status-header': withHeader(['status', '200 OK']),
  'status-100': withStatus(100),
  'status-103': withStatus(103),
  'status-199': withStatus(199),
  'status-600': withStatus(600),
  'status-float': withStatus(200.5),
  'status-string': withStatus('200'),
  'status-missing': (body) => ({ headers: [MARKER], body }),
  'shape-extra-key': (body) => ({ status: 200, headers: [MARKER], body, extra: 1 }),
  'shape-headers-object': (body) => ({ status: 200, headers: { [MARKER[0]]: MARKER[1] }, body }),
  'shape-pair-of-three': (body) => ({ status: 200, headers: [MARKER, ['x-a', 'b', 'c']], body }),
  'shape-value-number': (body) => ({ status: 200, headers: [MARKER, ['x-n', 5]], body }),
  'shape-undefined': () => undefined,
  'shape-null': () => null,
  'shape-fetch-response': () => (typeof Response === 'function' ? new Response('x', { headers: { [MARKER[0]]: MARKER[1] } }) : null),
};

/** The ids each bad response breaks, for messages. */
export function badResponseIds(kind: string): string[] {
  if (kind.startsWith('value-') || kind === 'name-crlf') return ['RESP-HDR-3'];
  if (kind.startsWith('name-')) return ['RESP-HDR-2'];
  if (kind.startsWith('hop-')) return ['RESP-HDR-5'];
  if (kind === 'status-header') return ['RESP-HDR-6'];
  if (kind.startsWith('status-')) return ['RESP-STATUS-1'];
  if (kind === 'shape-headers-object' || kind === 'shape-pair-of-three' || kind === 'shape-value-number') return ['RESP-HDR-1'];
  if (kind === 'shape-extra-key') return ['RESP-SHAPE-1'];
  return ['APP-SHAPE-2'];
}
