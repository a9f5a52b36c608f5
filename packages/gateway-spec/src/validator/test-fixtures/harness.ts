/**
 * Test helpers of the validator: a spec-exact environ, a server-like input
 * stream, a collecting error stream, and a harness that runs `startup` before
 * requests as a server would. Deliberately small and local: the validator's
 * tests do not depend on the test client, which is itself checked by them.
 */
import { TsgiError, type SpecViolation } from '../../errors.js';
import type { AppState, Application, Environ, ErrorStream, Extensions, InputStream, LifespanContext, TsgiResponse } from '../../types.js';
import type { ViolationLevel } from '../checked-ids.js';
import type { ValidateOptions } from '../report.js';
import { validate, type ValidatedApplication } from '../validate.js';

/** Marks a key to delete in `makeEnviron` overrides. */
export const ABSENT = Symbol('absent');

export interface CollectingErrors extends ErrorStream {
  readonly lines: string[];
}

export function collectingErrors(): CollectingErrors {
  const lines: string[] = [];
  return {
    lines,
    write(message: string) {
      lines.push(message);
    },
  };
}

/** An input stream as a server gives it: the chunks, once; a second iteration throws TSGI_ERR_INPUT_CONSUMED. */
export function makeInput(chunks: readonly unknown[] = [], options: { second?: 'throws' | 'works' | 'throws-plain' } = {}): InputStream {
  let used = false;
  return {
    [Symbol.asyncIterator]() {
      if (used && options.second !== 'works') {
        if (options.second === 'throws-plain') throw new Error('already read');
        throw new TsgiError('TSGI_ERR_INPUT_CONSUMED', 'the request body was already read');
      }
      used = true;
      let i = 0;
      return {
        async next() {
          if (i < chunks.length) return { done: false, value: chunks[i++] as Uint8Array };
          return { done: true, value: undefined };
        },
        async return() {
          i = chunks.length;
          return { done: true, value: undefined };
        },
      };
    },
  };
}

export type Overrides = Record<string, unknown>;

/** A valid environ for `GET /` (HTTP/1.1 on localhost:80), with keys replaced or deleted (ABSENT). */
export function makeEnviron(overrides: Overrides = {}, base: { state?: AppState; extensions?: Extensions } = {}): Environ & { 'tsgi.errors': CollectingErrors } {
  const environ: Record<string, unknown> = {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: '/',
    QUERY_STRING: '',
    REQUEST_URI: '/',
    SERVER_NAME: 'localhost',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
    HTTP_HOST: 'localhost',
    'tsgi.version': Object.freeze([1, 0]),
    'tsgi.url_scheme': 'http',
    'tsgi.input': makeInput(),
    'tsgi.errors': collectingErrors(),
    'tsgi.multithread': false,
    'tsgi.multiprocess': false,
    'tsgi.run_once': false,
    'tsgi.signal': new AbortController().signal,
    'tsgi.state': base.state ?? {},
    'tsgi.extensions': base.extensions ?? Object.freeze({}),
  };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === ABSENT) delete environ[key];
    else environ[key] = value;
  }
  return environ as unknown as Environ & { 'tsgi.errors': CollectingErrors };
}

/** Collects what `onViolation` receives. */
export function collector(): { onViolation: (v: SpecViolation, level: ViolationLevel) => void; seen: Array<{ id: string; level: ViolationLevel; v: SpecViolation }> } {
  const seen: Array<{ id: string; level: ViolationLevel; v: SpecViolation }> = [];
  return { seen, onViolation: (v, level) => seen.push({ id: v.requirement, level, v }) };
}

export function lifespanContext(state: AppState = {}, extensions: Extensions = Object.freeze({})): LifespanContext & { errors: CollectingErrors } {
  return { state, errors: collectingErrors(), signal: new AbortController().signal, multithread: false, multiprocess: false, extensions };
}

/** An application wrapped in validate() and started, with environs of its instance. */
export interface Harness {
  readonly app: ValidatedApplication;
  readonly ctx: LifespanContext & { errors: CollectingErrors };
  environ(overrides?: Overrides): Environ & { 'tsgi.errors': CollectingErrors };
  /** handle(environ) called as a method, as servers do (APP-SHAPE-5). */
  call(overrides?: Overrides | Environ): Promise<TsgiResponse>;
}

export async function harness(inner: Application, options?: ValidateOptions): Promise<Harness> {
  const app = validate(inner, options);
  const ctx = lifespanContext();
  await app.startup?.(ctx);
  const environ = (overrides?: Overrides) => makeEnviron(overrides, { state: ctx.state, extensions: ctx.extensions });
  return {
    app,
    ctx,
    environ,
    call(overrides?: Overrides | Environ) {
      const env = overrides !== undefined && 'tsgi.version' in overrides ? (overrides as Environ) : environ(overrides);
      return app.handle(env);
    },
  };
}

/** Reads a sync or async iterable body to its end, as a string. */
export async function drain(body: unknown): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  const add = (chunk: unknown) => {
    text += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array);
  };
  if (typeof body === 'object' && body !== null && Symbol.asyncIterator in body) {
    for await (const chunk of body as AsyncIterable<unknown>) add(chunk);
  } else {
    for (const chunk of body as Iterable<unknown>) add(chunk);
  }
  return text;
}

/** What t.throws / t.rejects expect of a SpecViolation of `requirement`. */
export function violates(requirement: string): { code: string; requirement: string } {
  return { code: 'TSGI_ERR_SPEC_VIOLATION', requirement };
}

/** The requirement ids of a list of violations. */
export function ids(list: readonly SpecViolation[]): string[] {
  return list.map((v) => v.requirement);
}
