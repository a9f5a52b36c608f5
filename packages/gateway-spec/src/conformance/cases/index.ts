/** Every conformance case of the suite, grouped by area. @module */
import type { RequirementId } from '../../errors.js';
import type { ConformanceCase } from '../types.js';
import { bodyCases } from './body.js';
import { environCases } from './environ.js';
import { errorCases } from './errors.js';
import { httpCases } from './http.js';
import { inputCases } from './input.js';
import { lifespanCases } from './lifespan.js';
import { pathCases } from './paths.js';
import { streamingCases } from './streaming.js';

export const ALL_CASES: readonly ConformanceCase[] = Object.freeze([
  ...environCases,
  ...pathCases,
  ...inputCases,
  ...bodyCases,
  ...streamingCases,
  ...errorCases,
  ...httpCases,
  ...lifespanCases,
]);

/** Every requirement id some case of the suite covers. */
export const COVERED_IDS: ReadonlySet<RequirementId> = new Set(ALL_CASES.flatMap((c) => c.ids));

/** Case names are unique; a duplicate would make --only ambiguous. */
const names = new Set<string>();
for (const c of ALL_CASES) {
  if (names.has(c.name)) throw new Error(`conformance: two cases are named ${c.name}`);
  names.add(c.name);
}
