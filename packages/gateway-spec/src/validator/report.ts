/**
 * Where violations go: thrown at the call that broke the rule ('throw' mode),
 * or handed to `onViolation` while the request goes on ('report' mode). Like
 * wsgiref.validate, SHOULDs never throw: they are warnings, written once.
 * @module
 */
import { z } from 'zod';
import { SpecViolation, TsgiError, type RequirementId } from '../errors.js';
import { levelOf, type CheckedId, type ViolationLevel } from './checked-ids.js';
import { describe, errorText, hasMethod } from './inspect.js';

/** Receives every violation that is not thrown. */
export type ViolationHandler = (violation: SpecViolation, level: ViolationLevel) => void;

/** Options of `validate()`. */
export interface ValidateOptions {
  /**
   * `'throw'` (default): a broken MUST throws a SpecViolation from the call
   * that broke it (the handler's promise rejects, a body's `next()` throws).
   * `'report'`: every violation goes to `onViolation` and the request goes on
   * unchanged as far as possible.
   */
  readonly mode?: 'throw' | 'report';
  /**
   * Called for warnings (SHOULDs) in both modes, and for errors in 'report'
   * mode. Default: each distinct violation is written once to the request's
   * `tsgi.errors`, or with console.warn outside a request.
   */
  readonly onViolation?: ViolationHandler;
}

/** The options once checked: what the rest of the validator trusts. */
export interface Settings {
  readonly mode: 'throw' | 'report';
  readonly onViolation: ViolationHandler | undefined;
}

const optionsSchema = z.strictObject({
  mode: z.enum(['throw', 'report']).optional(),
  onViolation: z.custom<ViolationHandler>((value) => typeof value === 'function').optional(),
});

/** Checks the options of `validate()` once, at the boundary, and freezes them. */
export function parseOptions(options: unknown): Settings {
  if (options === undefined) return Object.freeze({ mode: 'throw', onViolation: undefined });
  let result: ReturnType<typeof optionsSchema.safeParse>;
  try {
    result = optionsSchema.safeParse(options);
  } catch (error) {
    throw new TsgiError('TSGI_ERR_INVALID_ARGUMENT', `validate() options could not be read: ${errorText(error)}`);
  }
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `options.${issue.path.map(String).join('.')}` : 'options';
    throw new TsgiError(
      'TSGI_ERR_INVALID_ARGUMENT',
      `validate() ${where} is invalid (${issue?.message ?? 'unknown problem'}); got ${describe(options)}`,
    );
  }
  return Object.freeze({ mode: result.data.mode ?? 'throw', onViolation: result.data.onViolation });
}

/** How a check records what it found; the caller decides whether it throws. */
export type Flag = (id: CheckedId, detail: string) => void;

/** A SpecViolation of a requirement the validator checks. */
export function violation(id: CheckedId, detail: string, options?: ErrorOptions): SpecViolation {
  return new SpecViolation(id, detail, options);
}

function level(v: SpecViolation): ViolationLevel {
  return levelOf(v.requirement as RequirementId);
}

/**
 * The violations of one request, or of the lifespan calls of one application
 * instance. `sink` is where the default handler writes: the server's own
 * `tsgi.errors` (not the validator's wrapper of it), or nothing for console.warn.
 */
export class Reporter {
  readonly #settings: Settings;
  readonly #sink: unknown;
  readonly #written = new Set<string>();

  constructor(settings: Settings, sink?: unknown) {
    this.#settings = settings;
    this.#sink = sink;
  }

  get throws(): boolean {
    return this.#settings.mode === 'throw';
  }

  /** A violation found in a call the validator can fail: in 'throw' mode an error throws it. */
  flag(v: SpecViolation): void {
    if (this.throws && level(v) === 'error') throw v;
    this.#deliver(v);
  }

  /** Several at once: warnings are delivered first, then the first error throws ('throw' mode). */
  flagAll(list: readonly SpecViolation[]): void {
    const firstError = this.throws ? list.find((v) => level(v) === 'error') : undefined;
    for (const v of list) if (firstError === undefined || level(v) === 'warning') this.#deliver(v);
    if (firstError !== undefined) throw firstError;
  }

  /**
   * A violation found where there is no caller to fail (an abort listener):
   * delivered in both modes, and a throwing `onViolation` cannot turn it into
   * an uncaught exception.
   */
  report(v: SpecViolation): void {
    try {
      this.#deliver(v);
    } catch (error) {
      console.warn(`${v.message} (onViolation threw: ${errorText(error)})`);
    }
  }

  #deliver(v: SpecViolation): void {
    const lvl = level(v);
    if (this.#settings.onViolation !== undefined) {
      this.#settings.onViolation(v, lvl);
      return;
    }
    // Written once: a body that breaks a rule on every chunk must not flood the log.
    if (this.#written.has(v.message)) return;
    this.#written.add(v.message);
    const line = `tsgi validate: ${lvl}: ${v.message}`;
    if (hasMethod(this.#sink, 'write')) {
      try {
        (this.#sink as { write(message: string): void }).write(`${line}\n`);
        return;
      } catch {
        // A broken error stream was reported as ENV-TSGI-4; the console still works.
      }
    }
    console.warn(line);
  }
}
