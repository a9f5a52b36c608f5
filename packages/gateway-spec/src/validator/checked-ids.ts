/**
 * Every requirement the validator checks, with the level it reports it at:
 * `error` for MUST and MUST NOT, `warning` for SHOULD. A check can only name an
 * id of this table (`CheckedId`), so the table is complete by construction;
 * `checked-ids.test.ts` compares it with `spec/tsgi-1.0.md`.
 * @module
 */
import type { RequirementId } from '../errors.js';

/** How a violation is reported: an error breaks a MUST, a warning a SHOULD. */
export type ViolationLevel = 'error' | 'warning';

const LEVELS = {
  // Section 1: the application, and how the server calls it.
  'APP-SHAPE-1': 'error',
  'APP-SHAPE-2': 'error',
  'APP-SHAPE-3': 'error',
  'APP-SHAPE-5': 'warning',
  // Section 2: the environ, checked before the application runs.
  'ENV-OBJ-1': 'error',
  'ENV-OBJ-2': 'error',
  'ENV-OBJ-3': 'error',
  'ENV-METHOD-1': 'error',
  'ENV-PATH-1': 'error',
  'ENV-PATH-2': 'error',
  'ENV-PATH-3': 'error',
  'ENV-PATH-4': 'error',
  'ENV-PATH-5': 'warning',
  'ENV-PATH-6': 'error',
  'ENV-QUERY-1': 'error',
  'ENV-CONTENT-2': 'error',
  'ENV-CONTENT-3': 'error',
  'ENV-SERVER-1': 'error',
  'ENV-SERVER-2': 'error',
  'ENV-SERVER-3': 'error',
  'ENV-REMOTE-1': 'error',
  'ENV-REMOTE-3': 'warning',
  'ENV-REMOTE-4': 'warning',
  'ENV-HTTP-1': 'error',
  'ENV-HTTP-4': 'error',
  'ENV-TSGI-1': 'error',
  'ENV-TSGI-2': 'error',
  'ENV-TSGI-3': 'error',
  'ENV-TSGI-4': 'error',
  'ENV-TSGI-5': 'error',
  'ENV-TSGI-6': 'error',
  'ENV-TSGI-7': 'error',
  'ENV-TSGI-8': 'error',
  'ENV-EXT-1': 'error',
  'EXT-NS-1': 'error',
  'EXT-DECL-1': 'error',
  'EXT-DECL-3': 'warning',
  'SEC-PROXY-1': 'error',
  'SRV-HTTP-3': 'error',
  // Section 3: the input stream, as the application reads it.
  'INPUT-ITER-1': 'error',
  'INPUT-ITER-2': 'error',
  'INPUT-ITER-3': 'error',
  'INPUT-ITER-4': 'warning',
  'INPUT-ITER-5': 'warning',
  // Section 5: the response.
  'RESP-SHAPE-1': 'error',
  'RESP-STATUS-1': 'error',
  'RESP-HDR-1': 'error',
  'RESP-HDR-2': 'error',
  'RESP-HDR-3': 'error',
  'RESP-HDR-4': 'warning',
  'RESP-HDR-5': 'error',
  'RESP-HDR-6': 'error',
  'RESP-HDR-9': 'error',
  'RESP-HDR-10': 'warning',
  'RESP-HDR-11': 'error',
  'RESP-HDR-12': 'warning',
  // Section 6: the body, as the application gives it and the server reads it.
  'BODY-FORM-1': 'error',
  'BODY-FORM-3': 'error',
  'BODY-FORM-5': 'error',
  'BODY-ITER-1': 'error',
  'BODY-ITER-2': 'error',
  'BODY-ITER-3': 'error',
  'BODY-ITER-5': 'warning',
  'BODY-HEAD-1': 'error',
  'BODY-NOBODY-2': 'error',
  // Section 7: cancellation.
  'CANCEL-SIG-2': 'error',
  'CANCEL-SIG-4': 'error',
  // Section 9: lifespan.
  'LIFE-START-1': 'error',
  'LIFE-START-2': 'error',
  'LIFE-STOP-1': 'error',
  'LIFE-CTX-1': 'error',
} as const satisfies Record<RequirementId, ViolationLevel>;

/** An id the validator checks: the only ids its checks may name. */
export type CheckedId = keyof typeof LEVELS;

/** The level a violation of `id` is reported at; an id from elsewhere counts as an error. */
export function levelOf(id: RequirementId): ViolationLevel {
  return (LEVELS as Partial<Record<RequirementId, ViolationLevel>>)[id] ?? 'error';
}

/** Every requirement id `validate()` and `assertValidResponse()` check, for `scripts/check-spec-ids.mjs`. */
export const VALIDATOR_REQUIREMENTS: readonly RequirementId[] = Object.freeze(Object.keys(LEVELS) as CheckedId[]);
