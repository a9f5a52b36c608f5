/**
 * Lifespan (section 9 of the spec), seen from between the server and one
 * application instance: startup before the first request and once, shutdown
 * once and only after a successful startup, one state object and one
 * extensions object shared by the hooks and every request. ASGI's lifespan
 * protocol states the same order; no peer validator checks it.
 *
 * `validate()` always has startup and shutdown, even around a bare handler
 * (section 10: a middleware defines them so that it can be wrapped around
 * anything), so these checks hold for every application.
 * @module
 */
import type { SpecViolation } from '../errors.js';
import type { ApplicationParts } from './app-shape.js';
import { describe, isObjectLike, isPlainObject, read, readOrUndefined } from './inspect.js';
import { Reporter, violation, type Settings } from './report.js';

type Phase = 'idle' | 'starting' | 'started' | 'failed' | 'stopping' | 'stopped';
type Source = 'startup' | 'shutdown' | 'request';

/** A request in flight: its handler has not settled yet. */
interface InFlight {
  readonly signal: AbortSignal | undefined;
}

/** The first object seen for a key that must stay the same object, and where it was seen. */
class SameObject {
  #value: object | undefined;
  #from: Source | undefined;

  /** Where the earlier, different object was seen; undefined when `value` is the same (or the first). */
  differsFrom(value: object, from: Source): Source | undefined {
    if (this.#value === undefined) {
      this.#value = value;
      this.#from = from;
      return undefined;
    }
    return value === this.#value ? undefined : this.#from;
  }
}

const WHERE: Record<Source, string> = { startup: "startup's ctx", shutdown: "shutdown's ctx", request: 'the earlier requests' };

/** The lifespan of the one application instance a `validate()` wrapper stands for. */
export class Lifespan {
  readonly #settings: Settings;
  readonly #parts: ApplicationParts;
  #phase: Phase = 'idle';
  #startups = 0;
  #shutdowns = 0;
  readonly #state = new SameObject();
  readonly #extensions = new SameObject();
  readonly #inFlight = new Set<InFlight>();

  constructor(settings: Settings, parts: ApplicationParts) {
    this.#settings = settings;
    this.#parts = parts;
  }

  /// LIFE-CTX-1: ctx.state is a plain object, the same in startup, in shutdown and as tsgi.state in every request.
  /// EXT-DECL-3: tsgi.extensions is the same object in every request and in the lifespan context (a warning).
  #checkContext(ctx: unknown, hook: 'startup' | 'shutdown'): SpecViolation[] {
    if (!isObjectLike(ctx)) return [violation('LIFE-CTX-1', `${hook} was called with ${describe(ctx)}, not a lifespan context`)];
    const problems: SpecViolation[] = [];
    const state = read(ctx, 'state');
    if (!state.ok || !isPlainObject(state.value)) {
      problems.push(violation('LIFE-CTX-1', `ctx.state in ${hook} must be a plain object, got ${state.ok ? describe(state.value) : 'an unreadable value'}`));
    } else {
      const earlier = this.#state.differsFrom(state.value, hook);
      if (earlier !== undefined) problems.push(violation('LIFE-CTX-1', `ctx.state in ${hook} is not the same object as in ${WHERE[earlier]}`));
    }
    const extensions = readOrUndefined(ctx, 'extensions');
    if (isPlainObject(extensions)) {
      const earlier = this.#extensions.differsFrom(extensions, hook);
      if (earlier !== undefined) problems.push(violation('EXT-DECL-3', `ctx.extensions in ${hook} should be the same object as in ${WHERE[earlier]}`));
    }
    return problems;
  }

  /// APP-SHAPE-5: the server calls handle, startup and shutdown as methods of the application object (a warning).
  static methodCall(self: unknown, application: object, name: string): SpecViolation[] {
    if (self === application) return [];
    return [violation('APP-SHAPE-5', `the server called ${name} with this = ${describe(self)}; it should call it as a method of the application object`)];
  }

  /// LIFE-START-1: startup runs once per instance, before any request.
  async startup(ctx: unknown, extra: readonly SpecViolation[]): Promise<void> {
    const reporter = new Reporter(this.#settings, readOrUndefined(ctx, 'errors'));
    const problems = [...extra];
    this.#startups++;
    if (this.#startups > 1) problems.push(violation('LIFE-START-1', `startup was called ${this.#startups} times; it runs once per application instance`));
    else if (this.#phase !== 'idle') problems.push(violation('LIFE-START-1', 'startup was called after shutdown'));
    problems.push(...this.#checkContext(ctx, 'startup'));
    const first = this.#startups === 1 && this.#phase === 'idle';
    if (first) this.#phase = 'starting';
    reporter.flagAll(problems);
    try {
      await this.#parts.startup?.call(this.#parts.target, ctx);
    } catch (error) {
      if (first) this.#phase = 'failed';
      throw error;
    }
    if (first) this.#phase = 'started';
  }

  /// LIFE-STOP-1: shutdown runs once, after startup succeeded and after the last request finished or its deadline passed.
  async shutdown(ctx: unknown, extra: readonly SpecViolation[]): Promise<void> {
    const reporter = new Reporter(this.#settings, readOrUndefined(ctx, 'errors'));
    const problems = [...extra];
    const stop = (detail: string): number => problems.push(violation('LIFE-STOP-1', detail));
    this.#shutdowns++;
    if (this.#shutdowns > 1) stop(`shutdown was called ${this.#shutdowns} times; it runs once`);
    else if (this.#phase === 'idle') stop('shutdown was called but startup never ran');
    else if (this.#phase === 'starting') stop('shutdown was called before startup finished');
    else if (this.#phase === 'failed') stop('shutdown was called after startup failed; it is not called then');
    // A request past its deadline has an aborted signal (CANCEL-SIG-1); one still running without is not finished.
    const running = [...this.#inFlight].filter((r) => r.signal?.aborted !== true).length;
    if (running > 0) stop(`shutdown was called while ${running} request(s) were still running with tsgi.signal not aborted`);
    problems.push(...this.#checkContext(ctx, 'shutdown'));
    if (this.#shutdowns === 1) this.#phase = 'stopping';
    reporter.flagAll(problems);
    try {
      await this.#parts.shutdown?.call(this.#parts.target, ctx);
    } finally {
      if (this.#shutdowns === 1) this.#phase = 'stopped';
    }
  }

  /** The lifespan violations of a request about to start, given its tsgi.state and tsgi.extensions. */
  beforeRequest(state: unknown, extensions: unknown): SpecViolation[] {
    const problems: SpecViolation[] = [];
    /// LIFE-START-1: requests come only after startup's promise resolved.
    if (this.#phase === 'idle') problems.push(violation('LIFE-START-1', 'a request arrived before startup ran'));
    else if (this.#phase === 'starting') problems.push(violation('LIFE-START-1', 'a request arrived before startup finished'));
    /// LIFE-START-2: an instance whose startup failed never serves.
    else if (this.#phase === 'failed') problems.push(violation('LIFE-START-2', 'a request arrived although startup failed; the instance never serves'));
    else if (this.#phase === 'stopping' || this.#phase === 'stopped') {
      problems.push(violation('LIFE-STOP-1', 'a request arrived after shutdown began; shutdown runs after the last request'));
    }
    if (isPlainObject(state)) {
      const earlier = this.#state.differsFrom(state, 'request');
      /// ENV-TSGI-7: tsgi.state is the same object in every request of the instance.
      if (earlier === 'request') problems.push(violation('ENV-TSGI-7', 'tsgi.state is not the same object as in the earlier requests of this application instance'));
      else if (earlier !== undefined) problems.push(violation('LIFE-CTX-1', `tsgi.state is not the object ${WHERE[earlier]} had as ctx.state`));
    }
    if (isPlainObject(extensions)) {
      const earlier = this.#extensions.differsFrom(extensions, 'request');
      if (earlier !== undefined) problems.push(violation('EXT-DECL-3', `tsgi.extensions should be the same object as in ${WHERE[earlier]}`));
    }
    return problems;
  }

  /** Marks a request as running until its handler settles; returns the token for `settled`. */
  started(signal: AbortSignal | undefined): InFlight {
    const request = { signal };
    this.#inFlight.add(request);
    return request;
  }

  settled(request: InFlight): void {
    this.#inFlight.delete(request);
  }
}
