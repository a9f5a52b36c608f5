import { types } from 'node:util';

/**
 * A quick yes for the everyday response, so that servers need not run the full
 * validator (which snapshots the object to report every problem) on every
 * request. It covers only what RESP-HDR-8 makes the server refuse, in the
 * simplest shapes: a plain object with an integer status from 200 to 599 (not
 * 204 or 304), headers as an array of string pairs with token names, clean
 * values, no hop-by-hop or Status header and at most one Content-Length that
 * matches the body, and a body that is absent, null, a string or bytes.
 *
 * `true` means assertValidResponse would not throw (`fast-check.test.ts` holds
 * the two together); `false` means only "look closer": callApplication then
 * runs the validator, which finds and names the problem, if any.
 */
export function isPlainlyValidResponse(response: unknown, method: string): boolean {
  if (typeof response !== 'object' || response === null || Object.getPrototypeOf(response) !== Object.prototype || types.isProxy(response)) {
    return false;
  }
  try {
    /// RESP-SHAPE-1: status, headers, body and dotted extension keys only.
    // (A getter is read once here and again by the server, as by the validator; node itself
    // refuses a head with CR, LF or a bad name should a second read differ.)
    for (const key of Reflect.ownKeys(response)) {
      if (typeof key !== 'string') return false;
      if (key !== 'status' && key !== 'headers' && key !== 'body' && !key.includes('.')) return false;
    }
    const { status, headers, body } = response as { status?: unknown; headers?: unknown; body?: unknown };
    /// RESP-STATUS-1 (204 and 304, with their body and length rules, go to the validator).
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599 || status === 204 || status === 304) return false;
    let length: number;
    if (body === undefined || body === null) length = 0;
    else if (typeof body === 'string') length = -1; // measured only when a Content-Length asks
    else if (body instanceof Uint8Array && !types.isProxy(body)) length = body.byteLength;
    else return false;
    if (headers === undefined) return true;
    if (!Array.isArray(headers) || types.isProxy(headers)) return false;
    let declared: string | undefined;
    for (let i = 0; i < headers.length; i++) {
      const pair: unknown = headers[i];
      /// RESP-HDR-1: [name, value] pairs of strings.
      if (!Array.isArray(pair) || pair.length !== 2 || types.isProxy(pair)) return false;
      const name: unknown = pair[0];
      const value: unknown = pair[1];
      /// RESP-HDR-2, RESP-HDR-3.
      if (typeof name !== 'string' || typeof value !== 'string' || !TOKEN.test(name) || !VALUE.test(value)) return false;
      const lower = name.toLowerCase();
      /// RESP-HDR-5, RESP-HDR-6.
      if (REFUSED.has(lower)) return false;
      if (lower === 'content-length') {
        /// RESP-HDR-9: one Content-Length, digits, equal to the body's length.
        if (declared !== undefined || !DIGITS.test(value)) return false;
        declared = value;
      }
    }
    if (declared !== undefined) {
      if (length === -1) length = Buffer.byteLength(body as string, 'utf8');
      // HEAD may announce the length of the body a GET would get; leave that to the validator.
      if (Number(declared) !== length || method === 'HEAD') return false;
    }
    return true;
  } catch {
    return false;
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\t\x20-\x7E\x80-\xFF]*$/;
const DIGITS = /^[0-9]+$/;
const REFUSED: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'status']);
