/**
 * The forms a response body may take (section 6 of the spec), judged before
 * the server reads it: which form it is, its length when that is known before
 * the head is sent, and the checks that need no iteration. Arrays are checked
 * eagerly, so they can be passed to the server unwrapped.
 * @module
 */
import { isAbsolute } from 'node:path';
import { byteLengthOf, describe, isAsyncIterable, isObjectLike, isProxy, isSyncIterable, quote, read } from './inspect.js';
import type { Flag } from './report.js';

/** The form of a body, as BODY-FORM-1 lists them. */
export type BodyKind = 'absent' | 'string' | 'bytes' | 'file' | 'array' | 'sync' | 'async' | 'invalid';

/** What a body is, and what is known of it before the head is sent. */
export interface BodyFacts {
  readonly kind: BodyKind;
  /** Bytes the body yields, when known without iterating: absent, string, bytes, array, file with length. */
  readonly knownLength: number | undefined;
}

export function isFileBody(body: unknown): boolean {
  if (!isObjectLike(body)) return false;
  const type = read(body, 'type');
  return type.ok && type.value === 'tsgi.file';
}

/** The form of a body; never throws, never iterates. */
export function bodyKind(body: unknown): BodyKind {
  if (body === undefined || body === null) return 'absent';
  if (typeof body === 'string') return 'string';
  // A Proxy could answer the server differently from the checks made here at once, so it is
  // only accepted as an iterable, which the body wrapper checks as it is read.
  if (!isProxy(body)) {
    if (body instanceof Uint8Array) return 'bytes';
    if (isFileBody(body)) return 'file';
    if (Array.isArray(body)) return 'array';
  } else {
    try {
      // Typed-array methods refuse a Proxy as their receiver: it could not even be iterated.
      if (body instanceof Uint8Array) return 'invalid';
    } catch {
      return 'invalid';
    }
  }
  if (isAsyncIterable(body)) return 'async';
  if (isSyncIterable(body)) return 'sync';
  return 'invalid';
}

/** Bytes of a chunk (BODY-FORM-2: strings are sent as UTF-8), or undefined for what is not a chunk. */
export function chunkLength(chunk: unknown): number | undefined {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, 'utf8');
  return byteLengthOf(chunk);
}

/** Why a value is not a body, with the fix for the usual mistakes; "" when none applies. */
function invalidBodyHint(body: unknown): string {
  try {
    return usualMistake(body);
  } catch {
    // instanceof on a revoked Proxy throws: no hint for it.
    return '';
  }
}

function usualMistake(body: unknown): string {
  if (typeof body === 'number' || typeof body === 'boolean' || typeof body === 'bigint') return '; convert it to a string';
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return '; wrap the bytes in a Uint8Array';
  const then = isObjectLike(body) ? read(body, 'then') : undefined;
  if (then?.ok === true && typeof then.value === 'function') {
    return '; await it before returning the response, or make the body an async iterable';
  }
  if (typeof Response === 'function' && body instanceof Response) return '; use response.body (an async iterable of bytes)';
  return '';
}

/// BODY-FORM-5: a file body's path is absolute; offset and length, when present, are non-negative safe integers.
function checkFileBody(body: object, flag: Flag): number | undefined {
  const path = read(body, 'path');
  if (!path.ok || typeof path.value !== 'string') {
    flag('BODY-FORM-5', `the file body's path must be a string, got ${path.ok ? describe(path.value) : 'an unreadable value'}`);
  } else if (!isAbsolute(path.value)) {
    flag('BODY-FORM-5', `the file body's path ${quote(path.value)} is not absolute`);
  } else if (path.value.includes('\0')) {
    flag('BODY-FORM-5', `the file body's path ${quote(path.value)} contains NUL`);
  }
  let length: number | undefined;
  for (const key of ['offset', 'length'] as const) {
    const r = read(body, key);
    if (r.ok && r.value === undefined) continue;
    if (!r.ok || typeof r.value !== 'number' || !Number.isSafeInteger(r.value) || r.value < 0) {
      flag('BODY-FORM-5', `the file body's ${key} must be a non-negative safe integer, got ${r.ok ? describe(r.value) : 'an unreadable value'}`);
    } else if (key === 'length') {
      length = r.value;
    }
  }
  return length;
}

/// BODY-FORM-3: an iterable body yields only strings and Uint8Arrays (an array is checked here, at once).
function checkArrayBody(body: readonly unknown[], flag: Flag): number | undefined {
  const length = read(body, 'length');
  if (!length.ok || typeof length.value !== 'number') {
    flag('BODY-FORM-3', 'the length of the body array cannot be read');
    return undefined;
  }
  let total = 0;
  let valid = true;
  for (let i = 0; i < length.value; i++) {
    const chunk = read(body, i);
    const bytes = chunk.ok ? chunkLength(chunk.value) : undefined;
    if (bytes === undefined) {
      flag('BODY-FORM-3', `body[${i}] is ${chunk.ok ? describe(chunk.value) : 'unreadable'}; chunks must be strings or Uint8Arrays`);
      valid = false;
    } else {
      total += bytes;
    }
  }
  return valid ? total : undefined;
}

/// BODY-FORM-1: the body is absent, null, a string, a Uint8Array, a file body, a sync iterable or an async iterable.
/// BODY-NOBODY-2: a 204 or 304 response has an empty body (absent, null, "", an empty Uint8Array or an empty array).
/**
 * Checks a body before it is read and returns its form and known length.
 * Iterables are checked as they are read, by `wrapBody`. Never throws.
 */
export function checkBody(body: unknown, status: unknown, flag: Flag): BodyFacts {
  const kind = bodyKind(body);
  let knownLength: number | undefined;
  switch (kind) {
    case 'absent':
      knownLength = 0;
      break;
    case 'string':
    case 'bytes':
      knownLength = chunkLength(body);
      break;
    case 'file':
      knownLength = checkFileBody(body as object, flag);
      break;
    case 'array':
      knownLength = checkArrayBody(body as unknown[], flag);
      break;
    case 'invalid':
      flag('BODY-FORM-1', `the body is ${describe(body)}; it must be absent, null, a string, a Uint8Array, a file body or an iterable${invalidBodyHint(body)}`);
      break;
    default:
      // A Uint16Array or other typed array is iterable, but of numbers: known before reading it.
      if (ArrayBuffer.isView(body)) flag('BODY-FORM-3', `the body is ${describe(body)}, which yields numbers; wrap the bytes in a Uint8Array`);
      break;
  }
  const bodiless = status === 204 || status === 304;
  // A file body is not among the empty forms unless it says it is 0 bytes long.
  if (bodiless && ((knownLength !== undefined && knownLength > 0) || (kind === 'file' && knownLength === undefined))) {
    flag('BODY-NOBODY-2', `a ${String(status)} response must have an empty body, got ${describe(body)}`);
  }
  return { kind, knownLength };
}
