/**
 * Option validation for every adapter: parse once at the boundary with a zod
 * schema, turn the first problem into an error that names the option, the value
 * and what is allowed, and deep-freeze the result (fastify's
 * initial-config-validation, STYLE.md "Validate options once").
 * @module
 */
import type { z } from 'zod';
import { describeValue } from '@tsgi/gateway-spec/server-kit';

/** The code of every bad-option error thrown by the adapters. */
export const TSGI_ERR_OPTS_INVALID = 'TSGI_ERR_OPTS_INVALID';

/** An option the caller gave is missing, unknown or out of range. */
export class InvalidOptionError extends Error {
  readonly code = TSGI_ERR_OPTS_INVALID;
  constructor(
    /** Dotted path of the option, as `tls.key`; `""` for the options object itself. */
    readonly option: string,
    readonly value: unknown,
    /** What the option accepts, in words. */
    readonly allowed: string,
    context: string,
  ) {
    super(`${context}: option ${option === '' ? 'object' : JSON.stringify(option)} is ${describeValue(value)}; allowed: ${allowed}`);
    this.name = 'InvalidOptionError';
  }
}

type Issue = z.core.$ZodIssue;

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The `.describe()` text of the option at `path`, looking through optional/default wrappers. */
function allowedAt(schema: z.ZodType, path: readonly PropertyKey[]): string | undefined {
  let current: unknown = schema;
  let text: string | undefined;
  const unwrap = () => {
    for (;;) {
      const s = current as { description?: string; def?: { type?: string; innerType?: unknown } };
      if (s.description) text = s.description;
      // Only the wrappers that add nothing to what is allowed (an array's element is a level of its own).
      const inner = s.def?.type === 'optional' || s.def?.type === 'default' || s.def?.type === 'nullable' ? s.def.innerType : undefined;
      if (!inner || inner === current) return;
      current = inner;
    }
  };
  for (const key of path) {
    text = undefined;
    unwrap();
    const element = (current as { element?: unknown }).element;
    if (typeof key === 'number' && element !== undefined) {
      current = element;
      continue;
    }
    const shape = (current as { shape?: Record<PropertyKey, unknown> }).shape;
    if (!shape || !(key in shape)) return text;
    current = shape[key];
  }
  text = undefined;
  unwrap();
  return text;
}

/** A schema without its optional/default/nullable wrappers. */
function bare(schema: unknown): unknown {
  let s = schema as { def?: { type?: string; innerType?: unknown } } | undefined;
  while (s?.def?.type === 'optional' || s?.def?.type === 'default' || s?.def?.type === 'nullable') s = s.def.innerType as typeof s;
  return s;
}

function toError(schema: z.ZodType, input: unknown, issue: Issue, context: string): InvalidOptionError {
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path;
    const key = issue.keys[0]!;
    const shape = (() => {
      let s: unknown = bare(schema);
      for (const k of parent) s = bare((s as { shape?: Record<PropertyKey, unknown> }).shape?.[k]);
      return (s as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
    })();
    const option = [...parent, key].join('.');
    return new InvalidOptionError(option, valueAt(input, [...parent, key]), `no such option; known options: ${Object.keys(shape).join(', ')}`, context);
  }
  const path = issue.path;
  // A rule between options (added with `params: { rule: true }`) carries its own explanation.
  const rule = issue.code === 'custom' && (issue.params as { rule?: unknown } | undefined)?.rule === true;
  const allowed = rule ? issue.message : path.length === 0 ? 'an options object, or nothing' : allowedAt(schema, path) ?? issue.message;
  return new InvalidOptionError(path.join('.'), valueAt(input, path), allowed, context);
}

function isPlain(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Freezes plain objects and arrays, depth first; leaves Buffers, functions and handles alone. */
export function deepFreeze<T>(value: T): T {
  if (!isPlain(value) || Object.isFrozen(value)) return value;
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}

/**
 * Validates `input` against `schema` and returns the frozen result. Throws
 * InvalidOptionError (code TSGI_ERR_OPTS_INVALID) for the first problem found.
 * `context` names the caller in the message, as `serve()`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, context: string): Readonly<z.output<S>> {
  const result = schema.safeParse(input === undefined ? {} : input);
  if (!result.success) throw toError(schema, input, result.error.issues[0]!, context);
  return deepFreeze(result.data);
}
