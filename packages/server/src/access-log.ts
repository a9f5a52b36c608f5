/**
 * Access log lines: Apache's combined format, or one JSON object per line.
 * @module
 */

export type AccessLogFormat = 'combined' | 'json';

/** One finished request, as the worker saw it on the wire. */
export interface AccessRecord {
  readonly remoteAddr: string;
  /** When the request arrived. */
  readonly time: Date;
  readonly method: string;
  /** The request target as received (REQUEST_URI). */
  readonly uri: string;
  /** `HTTP/1.1` */
  readonly protocol: string;
  readonly status: number;
  /** Bytes of response body sent. */
  readonly bytes: number;
  readonly referer: string | undefined;
  readonly userAgent: string | undefined;
  readonly durationMs: number;
  readonly requestId: string;
  readonly worker: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** Apache's `%t`: `[10/Oct/2000:13:55:36 +0000]`, in UTC. */
export function apacheTime(d: Date): string {
  return `[${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000]`;
}

/** Escapes a field the way Apache does in quoted fields: `"` and `\` get a backslash, control and non-ASCII bytes become \xhh. */
export function apacheEscape(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += '\\' + text[i];
    else if (c < 0x20 || c >= 0x7f) out += '\\x' + (c & 0xff).toString(16).padStart(2, '0');
    else out += text[i];
  }
  return out;
}

/** `%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"` */
export function combinedLine(r: AccessRecord): string {
  const requestLine = apacheEscape(`${r.method} ${r.uri} ${r.protocol}`);
  const bytes = r.bytes === 0 ? '-' : String(r.bytes);
  return `${r.remoteAddr || '-'} - - ${apacheTime(r.time)} "${requestLine}" ${r.status} ${bytes} "${apacheEscape(r.referer ?? '-')}" "${apacheEscape(r.userAgent ?? '-')}"`;
}

export function jsonLine(r: AccessRecord): string {
  return JSON.stringify({
    time: r.time.toISOString(),
    remote_addr: r.remoteAddr,
    method: r.method,
    uri: r.uri,
    protocol: r.protocol,
    status: r.status,
    bytes: r.bytes,
    referer: r.referer ?? null,
    user_agent: r.userAgent ?? null,
    duration_ms: Math.round(r.durationMs * 1000) / 1000,
    request_id: r.requestId,
    worker: r.worker,
  });
}

export function formatAccess(format: AccessLogFormat, record: AccessRecord): string {
  return format === 'json' ? jsonLine(record) : combinedLine(record);
}
