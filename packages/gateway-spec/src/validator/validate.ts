/**
 * `validate()`: the middleware that checks both sides of the TSGI contract at
 * run time, as wsgiref.validate and Rack::Lint do for theirs. It sits between
 * a server (or another middleware) and an application; what it sees of the
 * server it checks too: the environ before the application runs, how the
 * input is delivered, how the body is read, the order of lifespan calls.
 * @module
 */
import { discardResponseBody } from '../server-kit/body.js';
import type { Application, ApplicationObject, Environ, LifespanContext, TsgiResponse } from '../types.js';
import { resolveApplication, checkHandlerResult } from './app-shape.js';
import { wrapBody } from './body-iterator.js';
import { watchSignal } from './cancel.js';
import { reviewEnviron } from './environ.js';
import { wrapErrors } from './errors-stream.js';
import { hasMethod, isAsyncIterable, isObjectLike, readOrUndefined } from './inspect.js';
import { wrapInput } from './input.js';
import { Lifespan } from './lifespan.js';
import { Reporter, parseOptions, violation, type ValidateOptions } from './report.js';
import { reviewResponse, type ResponseFacts } from './response.js';

const DIGITS = /^[0-9]+$/;

/** Replaces a key of the environ; false when the environ refuses (frozen, a Proxy that throws), already reported as ENV-OBJ-1. */
function replace(environ: object, key: string, value: unknown): boolean {
  try {
    return Reflect.set(environ, key, value);
  } catch {
    return false;
  }
}

/**
 * Puts the checking wrappers of tsgi.input and tsgi.errors into the environ,
 * in place, as wsgiref.validate and Rack::Lint do: the application sees the
 * same object the server built.
 */
function instrument(environ: object, values: ReadonlyMap<string, unknown>, reporter: Reporter): void {
  const input = values.get('tsgi.input');
  if (isAsyncIterable(input)) {
    const length = values.get('CONTENT_LENGTH');
    const contentLength = typeof length === 'string' && DIGITS.test(length) ? Number(length) : undefined;
    replace(environ, 'tsgi.input', wrapInput(input, { reporter, contentLength }));
  }
  const errors = values.get('tsgi.errors');
  if (hasMethod(errors, 'write')) replace(environ, 'tsgi.errors', wrapErrors(errors as Environ['tsgi.errors'], reporter));
  const signal = values.get('tsgi.signal');
  if (signal instanceof AbortSignal) watchSignal(signal, reporter);
}

/** The response with its iterable body replaced by the checking wrapper; the same object when there is nothing to wrap. */
function withCheckedBody(response: object, facts: ResponseFacts, values: ReadonlyMap<string, unknown> | undefined, reporter: Reporter): unknown {
  const { kind } = facts.bodyFacts;
  if (kind !== 'sync' && kind !== 'async') return response;
  const method = values?.get('REQUEST_METHOD');
  const signal = values?.get('tsgi.signal');
  const body = wrapBody(facts.body, kind, {
    reporter,
    status: facts.status,
    method: typeof method === 'string' ? method : undefined,
    contentLength: facts.headers.contentLength,
    hasContentType: facts.headers.hasContentType,
    signal: signal instanceof AbortSignal ? signal : undefined,
  });
  try {
    // A copy by descriptors keeps extension keys, getters and the prototype without reading them
    // again; the response may be frozen, so the body is replaced in the descriptors, not on the copy.
    const descriptors: PropertyDescriptorMap = Object.getOwnPropertyDescriptors(response);
    descriptors.body = { value: body, enumerable: true, writable: true, configurable: true };
    return Object.create(Object.getPrototypeOf(response), descriptors) as object;
  } catch {
    return response;
  }
}

/** What `validate()` returns: an application object whose three methods return promises. */
export interface ValidatedApplication extends ApplicationObject {
  handle(environ: Environ): Promise<TsgiResponse>;
  startup(ctx: LifespanContext): Promise<void>;
  shutdown(ctx: LifespanContext): Promise<void>;
}

/**
 * Wraps an application in run-time checks of the TSGI contract and returns an
 * application object that forwards `startup` and `shutdown` (MW-COMP-2).
 *
 * In 'throw' mode (default) a broken MUST throws a SpecViolation naming the
 * requirement: the handler's promise rejects, or the call of a body or input
 * wrapper that broke the rule throws. SHOULDs are only reported to
 * `onViolation` (default: once, to `tsgi.errors`, or console.warn outside a
 * request). In 'report' mode every violation goes to `onViolation` and the
 * request goes on unchanged as far as possible. What the application throws
 * passes through unchanged.
 *
 * Throws a TsgiError with code TSGI_ERR_INVALID_ARGUMENT when `app` is not an
 * application (APP-SHAPE-1) or `options` are invalid.
 */
export function validate(app: Application, options?: ValidateOptions): ValidatedApplication {
  const settings = parseOptions(options);
  const parts = resolveApplication(app);
  const lifespan = new Lifespan(settings, parts);
  const seen = new WeakSet<object>();

  async function handle(this: unknown, environ: Environ): Promise<TsgiResponse> {
    const reporter = new Reporter(settings, isObjectLike(environ) ? readOrUndefined(environ, 'tsgi.errors') : undefined);
    const problems = Lifespan.methodCall(this, application, 'handle');
    /// APP-SHAPE-3: the server calls the handler once per request, with one argument: a new environ of that request alone.
    if (arguments.length !== 1) {
      problems.push(violation('APP-SHAPE-3', `the request handler was called with ${arguments.length} arguments; it takes exactly one, the environ`));
    }
    if (isObjectLike(environ)) {
      if (seen.has(environ)) problems.push(violation('APP-SHAPE-3', 'the request handler was given an environ object it had already been given; each request has a new one'));
      seen.add(environ);
    }
    const { violations, values } = reviewEnviron(environ);
    problems.push(...lifespan.beforeRequest(values?.get('tsgi.state'), values?.get('tsgi.extensions')), ...violations);
    reporter.flagAll(problems);
    if (values !== undefined && isObjectLike(environ)) instrument(environ, values, reporter);

    const signal = values?.get('tsgi.signal');
    const request = lifespan.started(signal instanceof AbortSignal ? signal : undefined);
    let result: unknown;
    try {
      result = await Reflect.apply(parts.handle, parts.target, [environ]);
    } finally {
      lifespan.settled(request);
    }

    const shape = checkHandlerResult(result);
    if (shape !== undefined) {
      reporter.flag(shape);
      return result as TsgiResponse;
    }
    const method = values?.get('REQUEST_METHOD');
    const review = reviewResponse(result, typeof method === 'string' ? { method } : undefined);
    try {
      reporter.flagAll([...review.warnings, ...review.errors]);
    } catch (error) {
      // MW-COMP-3: the response is refused, so its body will never be pulled; finalise it here.
      await discardResponseBody(result);
      throw error;
    }
    if (review.facts === undefined) return result as TsgiResponse;
    return withCheckedBody(result as object, review.facts, values, reporter) as TsgiResponse;
  }

  // Both hooks always exist, as section 10 asks of middleware, so that the lifespan checks hold around a bare handler too.
  const application: ValidatedApplication = {
    handle,
    startup(this: unknown, ctx: LifespanContext): Promise<void> {
      return lifespan.startup(ctx, Lifespan.methodCall(this, application, 'startup'));
    },
    shutdown(this: unknown, ctx: LifespanContext): Promise<void> {
      return lifespan.shutdown(ctx, Lifespan.methodCall(this, application, 'shutdown'));
    },
  };
  return application;
}
