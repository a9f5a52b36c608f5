/**
 * Reading values the validator does not trust. Every helper here survives
 * Proxy objects, getters that throw, symbol keys, revoked proxies and frozen
 * objects, so that a broken environ or response becomes a SpecViolation that
 * names what was wrong instead of a crash inside the validator.
 * @module
 */
import { types } from 'node:util';

/** How much of a bad string an error message shows: enough to recognise it, never a whole body. */
export const QUOTE_MAX_CHARS = 120;

/** The outcome of reading one property: a getter or a Proxy trap may throw. */
export type Read = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** Reads `target[key]` without letting a throwing getter or Proxy trap escape. */
export function read(target: unknown, key: PropertyKey): Read {
  try {
    return { ok: true, value: (target as Record<PropertyKey, unknown>)[key] };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `target[key]`, or undefined when reading it throws. */
export function readOrUndefined(target: unknown, key: PropertyKey): unknown {
  const r = read(target, key);
  return r.ok ? r.value : undefined;
}

/** True for a Proxy: it can answer differently each time it is read, so a check of it proves nothing. */
export function isProxy(value: unknown): boolean {
  return types.isProxy(value);
}

export function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * A plain object: made by `{}` or `Object.create(null)` (in this realm or
 * another: its prototype's prototype is null), and not a Proxy.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || types.isProxy(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** `Array.isArray`, which throws for a revoked Proxy: false then. */
export function isArray(value: unknown): value is readonly unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** `Object.isFrozen`, or undefined when a Proxy trap throws. */
export function isFrozen(value: object): boolean | undefined {
  try {
    return Object.isFrozen(value);
  } catch {
    return undefined;
  }
}

/** `Object.isExtensible`, or undefined when a Proxy trap throws. */
export function isExtensible(value: object): boolean | undefined {
  try {
    return Object.isExtensible(value);
  } catch {
    return undefined;
  }
}

/** True when `value[key]` is a function (reading it does not throw). */
export function hasMethod(value: unknown, key: PropertyKey): boolean {
  if (!isObjectLike(value)) return false;
  return typeof readOrUndefined(value, key) === 'function';
}

/** An object with `[Symbol.iterator]` (strings are primitives: not included). */
export function isSyncIterable(value: unknown): value is Iterable<unknown> {
  return hasMethod(value, Symbol.iterator);
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return hasMethod(value, Symbol.asyncIterator);
}

/** The byteLength of a real Uint8Array (a Buffer counts; a Proxy of one does not), else undefined. */
export function byteLengthOf(value: unknown): number | undefined {
  try {
    return value instanceof Uint8Array && !types.isProxy(value) ? value.byteLength : undefined;
  } catch {
    // instanceof runs the getPrototypeOf trap of a Proxy, which may throw.
    return undefined;
  }
}

/** A bad string for a message: JSON-quoted, so CR, LF, NUL and lone surrogates show as escapes. */
export function quote(text: string): string {
  if (text.length <= QUOTE_MAX_CHARS) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, QUOTE_MAX_CHARS))}… (${text.length} chars)`;
}

/** An error's message for a violation's detail; never throws, whatever was thrown. */
export function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return describe(error);
  } catch {
    return 'an error that cannot be printed';
  }
}

/** The name of the class an object was made by, or undefined. */
function className(value: object): string | undefined {
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || Object.getPrototypeOf(proto) === null) return undefined;
    const ctor = readOrUndefined(proto, 'constructor');
    const name = typeof ctor === 'function' ? readOrUndefined(ctor, 'name') : undefined;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

function describeFunction(fn: Function): string {
  let source = '';
  try {
    source = Function.prototype.toString.call(fn);
  } catch {
    // A Proxy of a function: describe it without its source.
  }
  const name = typeof readOrUndefined(fn, 'name') === 'string' ? (readOrUndefined(fn, 'name') as string) : '';
  const length = readOrUndefined(fn, 'length');
  const kind = source.startsWith('class') ? 'a class' : 'a function';
  const named = name ? ` ${quote(name)}` : '';
  return typeof length === 'number' ? `${kind}${named} of ${length} parameter${length === 1 ? '' : 's'}` : `${kind}${named}`;
}

function describeObject(value: object): string {
  if (types.isProxy(value)) return 'a Proxy';
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (value instanceof Uint8Array) return `a ${className(value) ?? 'Uint8Array'} of ${value.byteLength} bytes`;
  if (ArrayBuffer.isView(value)) return `a ${className(value) ?? 'typed array'} (not a Uint8Array)`;
  if (types.isAnyArrayBuffer(value)) return `an ArrayBuffer of ${value.byteLength} bytes (not a Uint8Array)`;
  if (typeof Response === 'function' && value instanceof Response) return 'a Fetch Response';
  if (typeof Headers === 'function' && value instanceof Headers) return 'a Fetch Headers object';
  if (types.isPromise(value)) return 'a Promise';
  if (value instanceof Error) return `an error (${errorText(value)})`;
  const name = className(value);
  if (name !== undefined) return `an instance of ${name}`;
  let keys: string[] = [];
  try {
    keys = Reflect.ownKeys(value).map((k) => (typeof k === 'string' ? k : String(k)));
  } catch {
    return 'an object whose keys cannot be read';
  }
  if (keys.length === 0) return 'an empty object';
  const shown = keys.slice(0, 5).map(quote).join(', ');
  return `an object with keys ${shown}${keys.length > 5 ? `, … (${keys.length} keys)` : ''}`;
}

/**
 * What a value is, for a message: `undefined`, `the number 42`,
 * `a Fetch Response`, `an object with keys "status", "body"`. Never throws and
 * never prints a whole body.
 */
export function describe(value: unknown): string {
  try {
    switch (typeof value) {
      case 'undefined':
        return 'undefined';
      case 'string':
        return `the string ${quote(value)}`;
      case 'number':
        return `the number ${String(value)}`;
      case 'bigint':
        return `the bigint ${String(value)}n`;
      case 'boolean':
        return `the boolean ${String(value)}`;
      case 'symbol':
        return `a symbol (${value.toString()})`;
      case 'function':
        return describeFunction(value);
      default:
        return value === null ? 'null' : describeObject(value as object);
    }
  } catch {
    return 'a value that cannot be described';
  }
}

/** The own properties of an untrusted object, read once each. */
export interface Snapshot {
  /** String-keyed own properties and their values, in key order. */
  readonly values: Map<string, unknown>;
  /** Keys whose getter or Proxy trap threw when read. */
  readonly failures: ReadonlyArray<{ readonly key: string; readonly error: unknown }>;
  readonly symbolKeys: ReadonlyArray<symbol>;
  /** Set when the keys themselves could not be listed (a revoked Proxy, a bad ownKeys trap). */
  readonly keysError?: unknown;
}

/**
 * Reads every own property once, so that later checks look at one consistent
 * picture even when the object is a Proxy or has getters.
 */
export function snapshot(target: object): Snapshot {
  const values = new Map<string, unknown>();
  const failures: Array<{ key: string; error: unknown }> = [];
  const symbolKeys: symbol[] = [];
  let keys: Array<string | symbol>;
  try {
    keys = Reflect.ownKeys(target);
  } catch (keysError) {
    return { values, failures, symbolKeys, keysError };
  }
  for (const key of keys) {
    if (typeof key === 'symbol') {
      symbolKeys.push(key);
      continue;
    }
    const r = read(target, key);
    if (r.ok) values.set(key, r.value);
    else failures.push({ key, error: r.error });
  }
  return { values, failures, symbolKeys };
}
