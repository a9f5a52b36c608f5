import { runConformance, type RunOptions } from './runner.js';
import type { ConformanceReport } from './types.js';

/** The part of a node-tap `t` the helper uses (any TAP library with pass/fail and skip/todo options fits). */
export interface TapLike {
  pass(message: string, extra?: { skip?: string | boolean; todo?: string | boolean }): unknown;
  fail(message: string, extra?: Record<string, unknown>): unknown;
}

/**
 * Runs the suite and reports each check as one assertion: a server's own
 * test file is a few lines.
 *
 *     import t from 'tap';
 *     import { tapConformance } from '@tsgi/gateway-spec/conformance';
 *     t.test('TSGI conformance', (t) => tapConformance(t, { start: (app) => startMyServer(app) }));
 */
export async function tapConformance(t: TapLike, options: RunOptions): Promise<ConformanceReport> {
  const report = await runConformance(options);
  for (const r of report.results) {
    const label = r.ids.length ? `${r.name} [${r.ids.join(', ')}]` : r.name;
    const detail = r.failures.map((f) => `[${f.ids.join(', ')}] ${f.message}`).join('\n');
    if (r.status === 'pass') t.pass(label);
    else if (r.status === 'n/a') t.pass(label, { skip: r.reason ?? 'not applicable' });
    else if (r.status === 'warn') t.fail(`${label}\n${detail}`, { todo: 'recommended (SHOULD), not required' });
    else t.fail(`${label}\n${detail}`, { failures: r.failures });
  }
  return report;
}
