/**
 * The application itself (section 1 of the spec): what `validate()` accepts,
 * and what a request handler may return. wsgiref.validate asserts that the
 * application returned something and that it is not a string; these checks
 * also name the usual mistakes of Node code: a `(req, res)` handler, a class,
 * a Fetch `Response`.
 * @module
 */
import { TsgiError, type SpecViolation } from '../errors.js';
import { describe, errorText, isArray, isObjectLike, isProxy, read } from './inspect.js';
import { violation } from './report.js';

type Hook = (this: unknown, ...args: unknown[]) => unknown;

/** An application taken apart: its handler and hooks, to be called with `this` as `target`. */
export interface ApplicationParts {
  readonly target: unknown;
  readonly handle: Hook;
  readonly startup: Hook | undefined;
  readonly shutdown: Hook | undefined;
}

function invalid(detail: string): TsgiError {
  return new TsgiError('TSGI_ERR_INVALID_ARGUMENT', `APP-SHAPE-1: validate() expects a TSGI application: ${detail}`);
}

/** Why a function cannot be a request handler, or undefined when it can. */
function handlerProblem(fn: Function, what: string): string | undefined {
  let source = '';
  let tag = '';
  try {
    source = Function.prototype.toString.call(fn);
    tag = Object.prototype.toString.call(fn);
  } catch {
    // A Proxy of a function: only its arity can be judged.
  }
  if (/^class\b/.test(source)) return `${what} is ${describe(fn)}; pass an instance, not the class`;
  if (tag === '[object GeneratorFunction]' || tag === '[object AsyncGeneratorFunction]') {
    return `${what} is a generator function; a handler returns a response object whose body may be a generator`;
  }
  const length = read(fn, 'length');
  if (!length.ok) return `${what} is a function that cannot be inspected (${errorText(length.error)}): a revoked Proxy?`;
  // A handler takes the environ alone; two or more parameters is a Node (req, res) or Express (req, res, next) handler.
  if (length.ok && typeof length.value === 'number' && length.value >= 2) {
    return `${what} is ${describe(fn)}; a request handler takes one argument, the environ (is this a Node or Express (req, res) handler?)`;
  }
  return undefined;
}

/// APP-SHAPE-1: an application is a request handler, or an object with a handle method and optional startup and shutdown methods.
/**
 * Takes an application apart, or throws a TsgiError with code
 * TSGI_ERR_INVALID_ARGUMENT that names what `app` was.
 */
export function resolveApplication(app: unknown): ApplicationParts {
  if (typeof app === 'function') {
    const problem = handlerProblem(app, 'the application');
    if (problem !== undefined) throw invalid(problem);
    return { target: undefined, handle: app as Hook, startup: undefined, shutdown: undefined };
  }
  if (!isObjectLike(app)) throw invalid(`got ${describe(app)}; pass a function (environ) => response, or an object with a handle method`);
  const hooks: Partial<Record<'handle' | 'startup' | 'shutdown', Hook>> = {};
  for (const name of ['handle', 'startup', 'shutdown'] as const) {
    const r = read(app, name);
    if (!r.ok) throw invalid(`reading ${name} of ${isProxy(app) ? 'a Proxy' : 'the object'} threw ${errorText(r.error)}`);
    if (r.value === undefined && name !== 'handle') continue;
    if (typeof r.value !== 'function') {
      const fetchMethod = read(app, 'fetch');
      const isFetchApp = name === 'handle' && fetchMethod.ok && typeof fetchMethod.value === 'function';
      const hint = isFetchApp ? ' (it has a fetch method: a Fetch-style app needs an adapter)' : '';
      throw invalid(`${describe(app)} has ${name} = ${describe(r.value)}; it must be a function${name === 'handle' ? '' : ' or absent'}${hint}`);
    }
    if (name === 'handle') {
      const problem = handlerProblem(r.value, 'its handle method');
      if (problem !== undefined) throw invalid(problem);
    }
    hooks[name] = r.value as Hook;
  }
  return { target: app, handle: hooks.handle as Hook, startup: hooks.startup, shutdown: hooks.shutdown };
}

/** What a handler's result is called in a message, with the hint for the usual mistakes. */
function resultProblem(result: unknown): string | undefined {
  if (result === undefined) return 'returned undefined (a missing return?)';
  if (typeof result !== 'object' || result === null) return `returned ${describe(result)}`;
  if (isProxy(result)) return undefined;
  if (typeof Response === 'function' && result instanceof Response) return 'returned a Fetch Response; return { status, headers, body } (or use a fetch adapter)';
  if (isArray(result)) return `returned ${describe(result)}; a TSGI response is an object { status, headers, body }, not a Rack-style triple`;
  return undefined;
}

/// APP-SHAPE-2: a handler returns a response object or a promise of one: never undefined, a Fetch Response, a number.
/**
 * The APP-SHAPE-2 violation of what a handler's promise resolved to, or
 * undefined when it is an object (whose shape RESP-SHAPE-1 then judges).
 */
export function checkHandlerResult(result: unknown): SpecViolation | undefined {
  const problem = resultProblem(result);
  if (problem === undefined) return undefined;
  return violation('APP-SHAPE-2', `the request handler ${problem}; it must return a response object { status, headers?, body? } or a promise of one`);
}
