/**
 * What validate() inside the probe found: read back per check after it ran,
 * and gathered into the run's `validator-findings` result.
 * @module
 */
import type { RequirementId } from '../errors.js';
import type { CaseContext } from './context.js';
import { isServerParty } from './probe/validate.js';
import type { CaseResult } from './types.js';

/** What validate() inside the probe saw of the server, outside the ids of the check that was running. */
export const VALIDATOR_RESULT_NAME = 'validator-findings';

export interface Finding {
  readonly message: string;
  count: number;
  readonly cases: Set<string>;
}

/**
 * Reads the server-party violations the validator recorded under the case's
 * tokens. A violation of an id the case covers fails the case; any other is
 * kept for the run's `validator-findings` result, so that one server bug seen
 * by every request is reported once and not as a failure of every check.
 */
export async function collectViolations(ctx: CaseContext, caseIds: readonly RequirementId[], findings: Map<string, Finding>): Promise<void> {
  const tokens = ctx.usedTokens();
  if (tokens.length === 0) return;
  const seen = new Set<string>();
  await Promise.all(tokens.map(async (token) => {
    try {
      const record = await ctx.record(token);
      for (const v of record?.violations ?? []) {
        if (!isServerParty(v.id) || seen.has(v.message)) continue;
        seen.add(v.message);
        if ((caseIds as readonly string[]).includes(v.id)) {
          ctx.fail([v.id as RequirementId], `validate() inside the probe: ${v.message}`);
          continue;
        }
        const f = findings.get(v.id) ?? { message: v.message, count: 0, cases: new Set<string>() };
        f.count++;
        f.cases.add(ctx.caseName);
        findings.set(v.id, f);
      }
    } catch {
      // The server may be gone (a check that closes it); the check's own result stands.
    }
  }));
  ctx.cleanup();
}

/** The `validator-findings` result: one failure per requirement id the validator saw broken. */
export function findingsResult(findings: Map<string, Finding>): CaseResult {
  const ids = [...findings.keys()].sort() as RequirementId[];
  const failures = ids.map((id) => {
    const f = findings.get(id)!;
    const cases = [...f.cases];
    return { ids: [id], message: `validate() inside the probe: ${f.message} (${f.count} time(s), in ${cases.slice(0, 5).join(', ')}${cases.length > 5 ? ', …' : ''})` };
  });
  return {
    name: VALIDATOR_RESULT_NAME,
    ids,
    title: 'what validate() inside the probe saw the server break, outside the ids of the check that was running',
    level: 'required',
    status: failures.length ? 'fail' : 'pass',
    failures,
    durationMs: 0,
  };
}
