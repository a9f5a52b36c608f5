import { assertValidResponse } from '../validator/index.js';
import type { EarlyHints, HeaderList } from '../types.js';

/** The environ key, and the name the extension is declared under in `tsgi.extensions` (EXT-HINTS-1). */
export const EARLY_HINTS = 'tsgi.early_hints';

/** The value declared for the extension (EXT-HINTS-1, EXT-DECL-3). */
export const EARLY_HINTS_DECLARATION: Readonly<{ version: 1 }> = Object.freeze({ version: 1 });

/** What the `tsgi.early_hints` function of one request needs to know of it. */
export interface HintsTarget {
  /** True once the head of the final response is out: later hints are dropped (EXT-HINTS-2). */
  readonly headSent: boolean;
  readonly signal: AbortSignal;
  /** The request's protocol: HTTP/1.0 clients get no 1xx response (RFC 9110 §15.2). */
  readonly protocol: string;
  /** Takes one 103 response. */
  record(headers: HeaderList): void;
}

/**
 * The `tsgi.early_hints` function of one request: instead of writing a 103
 * response, the test client records its fields on the response
 * (`res.earlyHints`), under the rules a server follows.
 */
export function earlyHintsFor(target: HintsTarget): EarlyHints {
  return async (headers) => {
    // EXT-HINTS-3: checked as response headers are; a SpecViolation naming the id rejects the call and nothing is sent.
    assertValidResponse({ status: 200, headers });
    // EXT-HINTS-2: too late, nobody listening, or a client that cannot take a 1xx: nothing is sent, the call resolves.
    if (target.headSent || target.signal.aborted || target.protocol === 'HTTP/1.0') return;
    target.record(Object.freeze(headers.map(([name, value]) => Object.freeze([name, value] as const))));
  };
}
