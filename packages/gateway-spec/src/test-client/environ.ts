import { TsgiError } from '../errors.js';
import { cancelReason, inputError } from '../server-kit/cancel.js';
import { BadRequest, buildEnviron, parseAuthority } from '../server-kit/environ.js';
import { createErrorStream } from '../server-kit/errors-stream.js';
import { mountEnviron } from '../server-kit/mount.js';
import type { AppState, Environ, ErrorStream, Extensions, InputStream } from '../types.js';
import { invalidArgument, resolveClientOptions, type ResolvedClientOptions, type TestClientOptions } from './options.js';
import { EARLY_HINTS, earlyHintsFor, type HintsTarget } from './early-hints.js';
import { refuseRequest, refuseTarget } from './refusal.js';
import { planRequest, type RequestPlan, type TestRequestInit } from './request.js';
import { Upload } from './upload.js';

/** What an environ takes from outside the request: the instance and the request's own objects. */
export interface EnvironContext {
  readonly state: AppState;
  /** The instance's frozen extensions: the same object as the lifespan context's (EXT-DECL-3). */
  readonly extensions: Extensions;
  readonly errors: ErrorStream;
  readonly signal: AbortSignal;
  /** Where this request's early hints go, when the client implements them (EXT-HINTS-1). */
  readonly hints?: Omit<HintsTarget, 'signal' | 'protocol'>;
}

// Stands in for tsgi.input until the request is accepted: a refused request must not start reading its body.
const NOT_YET: InputStream = {
  [Symbol.asyncIterator]() {
    throw new TsgiError('TSGI_ERR_INVALID_ARGUMENT', 'test client: tsgi.input read before the request was accepted');
  },
};

/**
 * The environ of section 2 for a planned request, before mounting and with no
 * input yet. Throws BadRequest where a server answers 400 without calling the
 * application (ENV-PATH-4, ENV-SERVER-1, SRV-HTTP-1).
 */
export function environOf(plan: RequestPlan, options: ResolvedClientOptions, context: EnvironContext): Environ {
  const fallback = parseAuthority(options.host, plan.scheme)!;
  const environ = buildEnviron({
    method: plan.method,
    target: plan.target,
    protocol: options.protocol,
    headers: plan.headers,
    scheme: plan.scheme,
    remoteAddr: options.remoteAddr,
    remotePort: options.remotePort === undefined ? undefined : String(options.remotePort),
    defaultServerName: fallback.name,
    defaultServerPort: fallback.port,
    input: NOT_YET,
    errors: context.errors,
    signal: context.signal,
    state: context.state,
    extensions: context.extensions,
    multithread: false,
    multiprocess: options.multiprocess,
    runOnce: false,
  });
  if (options.earlyHints) {
    const hints = context.hints;
    environ[EARLY_HINTS] = earlyHintsFor({
      get headSent() { return hints?.headSent ?? false; },
      signal: context.signal,
      protocol: options.protocol,
      record: (headers) => hints?.record(headers),
    });
  }
  return environ;
}

/** Accepts a request: moves the mount prefix to SCRIPT_NAME (MOUNT-PATH-3) and starts its body flowing into `tsgi.input`. */
export function acceptRequest(environ: Environ, plan: RequestPlan, options: ResolvedClientOptions): Upload {
  mountEnviron(environ, options.scriptName);
  const upload = new Upload(plan.body, {
    declaredLength: environ.CONTENT_LENGTH === undefined ? null : Number(environ.CONTENT_LENGTH),
    maxBytes: options.maxBodyBytes,
    expectContinue: plan.expectContinue,
  });
  environ['tsgi.input'] = upload.input;
  return upload;
}

/** Options of `environFor`: the client's, plus the `tsgi.state` to use. */
export interface EnvironForOptions extends TestClientOptions {
  state?: AppState;
}

/**
 * The environ a test client would give the application for this request, for
 * calling a handler directly (Rack's `MockRequest.env_for`). `tsgi.errors`
 * writes to `options.errors` (or nowhere); `tsgi.signal` aborts with
 * TSGI_ERR_CLIENT_GONE when `init.signal` does. Throws TSGI_ERR_INVALID_ARGUMENT, naming the
 * requirement, for a request a server would refuse before calling the app.
 */
export function environFor(method: string, target: string, init?: TestRequestInit, options?: EnvironForOptions): Environ {
  const resolved = resolveClientOptions(options);
  const plan = planRequest(method, target, init, resolved);
  const errors = createErrorStream(resolved.errors ?? (() => {}));
  const controller = new AbortController();
  let environ: Environ;
  try {
    environ = environOf(plan, resolved, { state: options?.state ?? {}, extensions: resolved.extensions, errors, signal: controller.signal });
  } catch (error) {
    if (error instanceof BadRequest) throw invalidArgument(`a server would answer ${error.status}: ${error.message}`);
    throw error;
  }
  const refusal = refuseTarget(plan) ?? refuseRequest(plan, environ, resolved.protocol, resolved.maxBodyBytes, resolved.scriptName);
  if (refusal) throw invalidArgument(`a server would answer ${refusal.status} without calling the application: ${refusal.requirement}: ${refusal.detail}`);
  const upload = acceptRequest(environ, plan, resolved);
  const clientGone = () => {
    const reason = cancelReason('TSGI_ERR_CLIENT_GONE');
    controller.abort(reason);
    upload.close(inputError('TSGI_ERR_INPUT_ABORTED', reason.message));
  };
  if (plan.signal?.aborted) clientGone();
  else plan.signal?.addEventListener('abort', clientGone, { once: true });
  return environ;
}
