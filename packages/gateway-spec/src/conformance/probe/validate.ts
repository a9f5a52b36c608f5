/**
 * The probe inside `validate()` in report mode, so that what the validator
 * sees of the server (the environ, how tsgi.input delivers, how the body is
 * iterated, the lifespan order) becomes requirement ids in the report.
 *
 * The validator reports each request's violations to that request's
 * `tsgi.errors`; the probe puts a recorder in front of the server's stream,
 * so every violation lands in the record of the request's token, also those
 * found later while the server iterates the body.
 * @module
 */
import type { ApplicationObject, Environ, ErrorStream, LifespanContext } from '../../types.js';
import { validate } from '../../validator/index.js';

/** Requirement ids bound on the application: the probe breaks some on purpose, they say nothing of the server. */
const APP_PARTY = new Set([
  'APP-SHAPE-1', 'APP-SHAPE-2', 'RESP-SHAPE-1', 'RESP-STATUS-1', 'RESP-HDR-1', 'RESP-HDR-2', 'RESP-HDR-3', 'RESP-HDR-4',
  'RESP-HDR-5', 'RESP-HDR-6', 'RESP-HDR-9', 'RESP-HDR-10', 'RESP-HDR-11', 'BODY-FORM-1', 'BODY-FORM-3', 'BODY-FORM-5',
  'BODY-FORM-6', 'BODY-NOBODY-2', 'SRV-CONC-1', 'EXT-DECL-2', 'MW-COMP-1', 'MW-COMP-3', 'MW-COMP-4',
]);

/** True for a requirement the validator reports that binds the server (or middleware). */
export function isServerParty(id: string): boolean {
  return !APP_PARTY.has(id);
}

/** How the validator's default handler writes a violation: `tsgi validate: error: ID: detail`. */
const LINE = /^tsgi validate: (error|warning): ([A-Z]+-[A-Z]+-\d+): (.*)$/;

export type RecordViolation = (id: string, message: string) => void;

/**
 * An error stream that takes the validator's lines out (server-party MUST
 * violations go to `record`) and passes everything to the server's stream.
 */
function recorder(server: ErrorStream, record: RecordViolation): ErrorStream {
  let pending = '';
  return {
    write(message: string) {
      const text = pending + String(message);
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const m = LINE.exec(line);
        if (m && m[1] === 'error' && isServerParty(m[2]!)) record(m[2]!, `${m[2]}: ${m[3]}`);
      }
      try {
        server.write(message);
      } catch {
        // A broken server stream is the validator's finding (ENV-TSGI-4), not the probe's failure.
      }
    },
  };
}

function hasWrite(value: unknown): value is ErrorStream {
  return typeof value === 'object' && value !== null && typeof (value as ErrorStream).write === 'function';
}

/**
 * Wraps the probe's core in validate() (report mode). `recordFor(environ)`
 * says where a request's violations go; lifespan violations go to `lifespan`.
 */
export function withValidator(core: ApplicationObject, recordFor: (environ: Environ) => RecordViolation, lifespan: RecordViolation): ApplicationObject {
  const checked = validate(core, { mode: 'report' });
  const lifespanContext = (ctx: LifespanContext): LifespanContext => (hasWrite(ctx?.errors) ? { ...ctx, errors: recorder(ctx.errors, lifespan) } : ctx);
  return {
    handle(environ: Environ) {
      const errors = typeof environ === 'object' && environ !== null ? environ['tsgi.errors'] : undefined;
      if (hasWrite(errors)) {
        try {
          environ['tsgi.errors'] = recorder(errors, recordFor(environ));
        } catch {
          // A frozen environ: the validator reports ENV-OBJ-1, and its lines go to the server's log.
        }
      }
      return checked.handle(environ);
    },
    startup: (ctx) => checked.startup!(lifespanContext(ctx)),
    shutdown: (ctx) => checked.shutdown!(lifespanContext(ctx)),
  };
}
