/**
 * The wrapper of `tsgi.errors`, which checks the application's side of the
 * stream, as wsgiref.validate's ErrorWrapper does: it writes strings.
 * @module
 */
import type { ErrorStream } from '../types.js';
import { describe } from './inspect.js';
import { violation, type Reporter } from './report.js';

/** A `tsgi.errors` that checks what the application writes; only `write` is forwarded (the spec defines nothing else). */
export function wrapErrors(errors: ErrorStream, reporter: Reporter): ErrorStream {
  return {
    write(message: string): void {
      /// ENV-TSGI-4: tsgi.errors has a write(message: string) method; the application passes it a string.
      if (typeof message !== 'string') {
        reporter.flag(violation('ENV-TSGI-4', `the application called tsgi.errors.write() with ${describe(message)}; it takes a string`));
      }
      errors.write(message);
    },
  };
}
