/**
 * The environ as JSON: every key with its type, and what JSON cannot carry
 * (frozen-ness, AbortSignal, the identity of tsgi.state) described in words
 * the checks compare.
 * @module
 */

/** One environ value described. */
export interface ValueDump {
  type: string;
  value?: unknown;
  frozen?: boolean;
  className?: string;
  keys?: string[];
  aborted?: boolean;
  asyncIterable?: boolean;
  hasWrite?: boolean;
  plain?: boolean;
  /** For tsgi.state: a number that is the same for the same object within one process. */
  objectId?: string;
}

export interface EnvironDump {
  keys: Record<string, ValueDump>;
  plain: boolean;
  frozen: boolean;
  extensible: boolean;
  /** Could the application add a key (ENV-OBJ-1)? */
  addKeyWorked: boolean;
  pid: number;
  /** What the probe's startup left in tsgi.state, if it ran (LIFE-START-1). */
  startup: { instance: string; calls: number; done: boolean } | null;
  /** Requests the probe served before its startup resolved (LIFE-START-1). */
  requestsBeforeStartup: number;
  /** Request handler calls so far in this process. */
  argc: number;
}

const objectIds = new WeakMap<object, string>();
let nextObjectId = 1;

function objectId(value: object): string {
  let id = objectIds.get(value);
  if (!id) {
    id = `${process.pid}:${nextObjectId++}`;
    objectIds.set(value, id);
  }
  return id;
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === null || proto === Object.prototype;
}

function jsonable(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value)) as unknown;
  } catch {
    return undefined;
  }
}

export function dumpValue(value: unknown): ValueDump {
  if (value === null) return { type: 'null' };
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return { type: typeof value, value };
    case 'undefined':
      return { type: 'undefined' };
    case 'function':
      return { type: 'function' };
    case 'object':
      break;
    default:
      return { type: typeof value };
  }
  const obj = value as Record<PropertyKey, unknown>;
  if (Array.isArray(value)) return { type: 'array', value: jsonable(value), frozen: Object.isFrozen(value) };
  if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) return { type: 'AbortSignal', aborted: value.aborted };
  return {
    type: 'object',
    className: (value as object).constructor?.name ?? 'null-prototype',
    frozen: Object.isFrozen(value),
    plain: isPlain(value as object),
    keys: Object.keys(value as object),
    asyncIterable: typeof obj[Symbol.asyncIterator] === 'function',
    hasWrite: typeof obj.write === 'function',
    objectId: objectId(value as object),
  };
}

export function dumpEnviron(environ: Record<string, unknown>, extra: Omit<EnvironDump, 'keys' | 'plain' | 'frozen' | 'extensible' | 'addKeyWorked'>): EnvironDump {
  const keys: Record<string, ValueDump> = {};
  for (const key of Object.keys(environ)) {
    const dump = dumpValue(environ[key]);
    if (key === 'tsgi.extensions' && dump.type === 'object') {
      // Values of extensions: only their types, they may be anything.
      dump.value = Object.fromEntries(Object.keys(environ[key] as object).map((k) => [k, dumpValue((environ[key] as Record<string, unknown>)[k]).type]));
    }
    keys[key] = dump;
  }
  const frozen = Object.isFrozen(environ);
  const extensible = Object.isExtensible(environ);
  let addKeyWorked = false;
  try {
    environ['probe.added'] = true;
    addKeyWorked = environ['probe.added'] === true;
  } catch {
    addKeyWorked = false;
  }
  return { keys, plain: isPlain(environ), frozen, extensible, addKeyWorked, ...extra };
}
