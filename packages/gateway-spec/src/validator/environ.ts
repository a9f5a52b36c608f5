/**
 * The environ, checked before the application runs (section 2 of the spec),
 * as wsgiref.validate's check_environ and Rack::Lint's check_env do: the object
 * itself, which keys are there and of which type (from `environShape` in
 * `schemas.ts`), the `tsgi.*` keys, then the forms of the CGI-style values
 * (`environ-cgi.ts`) and of the target (`environ-paths.ts`).
 *
 * The environ is read once, key by key, into a snapshot: a Proxy or a getter
 * that throws becomes an ENV-OBJ-1 violation, not a crash of the validator.
 * @module
 */
import { ZodOptional, type ZodType } from 'zod';
import type { SpecViolation } from '../errors.js';
import { environShape, type EnvironKey } from '../schemas.js';
import type { CheckedId } from './checked-ids.js';
import { checkCgiValues } from './environ-cgi.js';
import { checkPaths } from './environ-paths.js';
import { describe, errorText, isArray, isFrozen, isExtensible, isObjectLike, isPlainObject, isProxy, quote, snapshot } from './inspect.js';
import { violation, type Flag } from './report.js';

/** The requirement that states the type of each key. */
const KEY_REQUIREMENT: Readonly<Record<EnvironKey, CheckedId>> = {
  REQUEST_METHOD: 'ENV-OBJ-2',
  SCRIPT_NAME: 'ENV-OBJ-2',
  PATH_INFO: 'ENV-OBJ-2',
  QUERY_STRING: 'ENV-OBJ-2',
  REQUEST_URI: 'ENV-OBJ-2',
  CONTENT_TYPE: 'ENV-OBJ-2',
  CONTENT_LENGTH: 'ENV-OBJ-2',
  SERVER_NAME: 'ENV-OBJ-2',
  SERVER_PORT: 'ENV-OBJ-2',
  SERVER_PROTOCOL: 'ENV-OBJ-2',
  REMOTE_ADDR: 'ENV-OBJ-2',
  REMOTE_PORT: 'ENV-OBJ-2',
  HTTPS: 'ENV-OBJ-2',
  AUTH_TYPE: 'ENV-OBJ-2',
  REMOTE_USER: 'ENV-OBJ-2',
  GATEWAY_INTERFACE: 'ENV-OBJ-2',
  DOCUMENT_ROOT: 'ENV-OBJ-2',
  SCRIPT_FILENAME: 'ENV-OBJ-2',
  PATH_TRANSLATED: 'ENV-OBJ-2',
  'tsgi.version': 'ENV-TSGI-1',
  'tsgi.url_scheme': 'ENV-TSGI-2',
  'tsgi.input': 'ENV-TSGI-3',
  'tsgi.errors': 'ENV-TSGI-4',
  'tsgi.multithread': 'ENV-TSGI-5',
  'tsgi.multiprocess': 'ENV-TSGI-5',
  'tsgi.run_once': 'ENV-TSGI-5',
  'tsgi.signal': 'ENV-TSGI-6',
  'tsgi.state': 'ENV-TSGI-7',
  'tsgi.extensions': 'ENV-TSGI-8',
};

const SHAPE: ReadonlyArray<readonly [EnvironKey, ZodType]> = Object.entries(environShape) as Array<[EnvironKey, ZodType]>;
const DEFINED_KEYS: ReadonlySet<string> = new Set(Object.keys(environShape));
/** The extensions the spec defines under `tsgi.` (section 11.7); each puts a key of its name in the environ. */
const SPEC_EXTENSIONS: ReadonlySet<string> = new Set(['tsgi.early_hints']);
/** An extension name: dotted, lower case (EXT-NS-1). */
const EXTENSION_NAME = /^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$/;

/// ENV-OBJ-1: the environ is a plain, extensible, unfrozen object (Rack::Lint: "env must be an unfrozen Hash").
function checkObject(environ: object, flag: Flag): void {
  if (isProxy(environ)) flag('ENV-OBJ-1', 'the environ is a Proxy; it must be a plain object');
  else if (!isPlainObject(environ)) flag('ENV-OBJ-1', `the environ is ${describe(environ)}, not a plain object`);
  if (isFrozen(environ) === true) flag('ENV-OBJ-1', 'the environ is frozen; the application and middleware may add keys to it');
  else if (isExtensible(environ) === false) flag('ENV-OBJ-1', 'the environ is not extensible (sealed); the application and middleware may add keys to it');
}

/// ENV-OBJ-3: the nine CGI keys and every tsgi.* key are always present.
/// ENV-OBJ-2: a present key has a value of its type; an optional one is absent rather than undefined.
function checkKeyTypes(values: ReadonlyMap<string, unknown>, unreadable: ReadonlySet<string>, flag: Flag): void {
  for (const [key, schema] of SHAPE) {
    const optional = schema instanceof ZodOptional;
    if (!values.has(key)) {
      if (!optional && !unreadable.has(key)) flag('ENV-OBJ-3', `the environ has no ${key}`);
      continue;
    }
    const value = values.get(key);
    if (optional && value === undefined) {
      flag('ENV-OBJ-2', `${key} is present with the value undefined; an optional key that does not apply is absent`);
      continue;
    }
    const base = optional ? (schema as ZodOptional<ZodType>).unwrap() : schema;
    let ok: boolean;
    try {
      ok = base.safeParse(value).success;
    } catch (error) {
      flag(KEY_REQUIREMENT[key], `${key} could not be read: ${errorText(error)}`);
      continue;
    }
    if (!ok) flag(KEY_REQUIREMENT[key], `${key} must be ${base.description ?? 'of another type'}, got ${describe(value)}`);
  }
  for (const [key, value] of values) {
    if (key.includes('.') || DEFINED_KEYS.has(key)) continue;
    /// ENV-OBJ-2: every key without a dot (HTTP_*, HTTPS, AUTH_TYPE…) has a string value, never undefined or null.
    if (typeof value !== 'string') flag('ENV-OBJ-2', `CGI-style key ${key} must have a string value, got ${describe(value)}`);
  }
}

/** Checks what the schemas cannot see in the tsgi.* keys: frozen objects, names, reserved keys. */
function checkTsgiKeys(values: ReadonlyMap<string, unknown>, flag: Flag): void {
  const version = values.get('tsgi.version');
  /// ENV-TSGI-1: tsgi.version is frozen, so an application cannot change what later requests see.
  if (isArray(version) && isFrozen(version) === false) flag('ENV-TSGI-1', 'tsgi.version must be a frozen array');

  const extensions = values.get('tsgi.extensions');
  if (isPlainObject(extensions)) {
    /// ENV-TSGI-8: tsgi.extensions is a frozen object.
    if (isFrozen(extensions) === false) flag('ENV-TSGI-8', 'tsgi.extensions must be a frozen object');
    for (const name of Reflect.ownKeys(extensions)) {
      /// EXT-NS-1: an extension has a dotted lower-case name; names under tsgi. are the spec's only.
      if (typeof name !== 'string' || !EXTENSION_NAME.test(name)) {
        flag('EXT-NS-1', `extension name ${typeof name === 'string' ? quote(name) : String(name)} in tsgi.extensions is not a dotted lower-case name`);
      } else if (name.startsWith('tsgi.') && !SPEC_EXTENSIONS.has(name)) {
        flag('EXT-NS-1', `extension name ${quote(name)} is under tsgi., which only the spec defines; use a namespace of your own`);
      }
    }
  }

  for (const key of values.keys()) {
    if (!key.startsWith('tsgi.') || DEFINED_KEYS.has(key)) continue;
    if (SPEC_EXTENSIONS.has(key)) {
      /// EXT-DECL-1: a server that implements an extension declares it in tsgi.extensions.
      if (isPlainObject(extensions) && !Object.hasOwn(extensions, key)) {
        flag('EXT-DECL-1', `the environ has ${key} but tsgi.extensions does not declare it`);
      }
      continue;
    }
    /// ENV-EXT-1: the tsgi. namespace is reserved to the spec; servers and middleware use their own.
    flag('ENV-EXT-1', `environ key ${quote(key)} is not defined by the spec; the tsgi. namespace is reserved (use a namespace of your own)`);
  }
}

/** The outcome of checking one environ. */
export interface EnvironReview {
  readonly violations: SpecViolation[];
  /** The environ's own string keys as read once by the checks; undefined when they cannot be read. */
  readonly values: ReadonlyMap<string, unknown> | undefined;
}

/**
 * Every violation of section 2 in `environ`, errors and warnings, and the
 * values the checks read. Never throws.
 */
export function reviewEnviron(environ: unknown): EnvironReview {
  const found: SpecViolation[] = [];
  const flag: Flag = (id, detail) => found.push(violation(id, detail));
  if (!isObjectLike(environ) || typeof environ === 'function') {
    flag('ENV-OBJ-1', `the environ is ${describe(environ)}, not an object`);
    return { violations: found, values: undefined };
  }
  checkObject(environ, flag);
  const snap = snapshot(environ);
  if (snap.keysError !== undefined) {
    flag('ENV-OBJ-1', `the keys of the environ cannot be listed: ${errorText(snap.keysError)}`);
    return { violations: found, values: undefined };
  }
  for (const failure of snap.failures) {
    flag('ENV-OBJ-1', `reading environ[${quote(failure.key)}] threw ${errorText(failure.error)}`);
  }
  checkKeyTypes(snap.values, new Set(snap.failures.map((f) => f.key)), flag);
  checkTsgiKeys(snap.values, flag);
  checkCgiValues(snap.values, flag);
  checkPaths(snap.values, flag);
  return { violations: found, values: snap.values };
}

/** Every violation of section 2 in `environ`, errors and warnings. Never throws. */
export function checkEnviron(environ: unknown): SpecViolation[] {
  return reviewEnviron(environ).violations;
}
