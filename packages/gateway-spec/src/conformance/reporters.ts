/**
 * Output of a run: a human summary, TAP 14 and JSON; and the list of checks.
 * @module
 */
import type { CaseResult, ConformanceCase, ConformanceReport } from './types.js';

const SYMBOL: Record<CaseResult['status'], string> = { pass: '✓', fail: '✗', warn: '!', 'n/a': '-' };

/** Failures shown per check by the human reporter unless verbose. */
const SHOWN_FAILURES = 6;

function failureLines(r: CaseResult, indent: string, all = false): string[] {
  const shown = all ? r.failures : r.failures.slice(0, SHOWN_FAILURES);
  const lines = shown.map((f) => `${indent}[${f.ids.join(', ')}] ${f.message}`);
  if (shown.length < r.failures.length) lines.push(`${indent}… and ${r.failures.length - shown.length} more (--verbose or --reporter json shows all)`);
  return lines;
}

/** One line per check, failures indented below, then the counts. */
export function formatHuman(report: ConformanceReport, options: { verbose?: boolean } = {}): string {
  const lines = [`TSGI conformance: ${report.server}`];
  for (const r of report.results) {
    if (r.status === 'pass' && !options.verbose) continue;
    const ids = r.ids.length ? `[${r.ids.join(', ')}]` : '';
    if (r.status === 'n/a') lines.push(`  ${SYMBOL[r.status]} ${r.name} ${ids} n/a: ${r.reason}`);
    else lines.push(`  ${SYMBOL[r.status]} ${r.name} ${ids}${r.status === 'warn' ? ' (recommended)' : ''}${r.reason ? ` (${r.reason})` : ''}`);
    lines.push(...failureLines(r, '      ', options.verbose));
  }
  const c = report.counts;
  lines.push(`${c.pass} passed, ${c.fail} failed, ${c.warn} warnings (SHOULD), ${c['n/a']} not applicable; ${(report.durationMs / 1000).toFixed(1)} s: ${report.ok ? 'CONFORMS' : 'DOES NOT CONFORM'}`);
  return lines.join('\n') + '\n';
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

/** TAP version 14: a failed recommended check is `not ok … # TODO`, a check that does not apply `# SKIP`. */
export function formatTap(report: ConformanceReport): string {
  const lines = ['TAP version 14', `# TSGI conformance: ${report.server}`, `1..${report.results.length}`];
  report.results.forEach((r, i) => {
    const label = r.ids.length ? `${r.name} [${r.ids.join(', ')}]` : r.name;
    const n = i + 1;
    if (r.status === 'pass') lines.push(`ok ${n} - ${label}`);
    else if (r.status === 'n/a') lines.push(`ok ${n} - ${label} # SKIP ${r.reason ?? ''}`.trimEnd());
    else lines.push(`not ok ${n} - ${label}${r.status === 'warn' ? ' # TODO recommended (SHOULD)' : ''}`);
    if (r.failures.length) {
      lines.push('  ---', '  failures:');
      for (const f of r.failures) lines.push(`    - ids: [${f.ids.join(', ')}]`, `      message: ${yamlString(f.message)}`);
      lines.push('  ...');
    }
  });
  lines.push(`# pass ${report.counts.pass}`, `# fail ${report.counts.fail}`, `# warn ${report.counts.warn}`, `# n/a ${report.counts['n/a']}`);
  return lines.join('\n') + '\n';
}

export function formatJson(report: ConformanceReport): string {
  return JSON.stringify(report, null, 2) + '\n';
}

/** Every check: name, ids, what it needs and what it proves. */
export function formatList(cases: readonly ConformanceCase[]): string {
  const width = Math.max(...cases.map((c) => c.name.length));
  return cases.map((c) => {
    const needs = [...(c.requires ?? []), ...(c.instance === 'mount' && !c.requires?.includes('mount') ? ['mount'] : [])];
    const flags = [(c.level ?? 'required') === 'recommended' ? 'SHOULD' : '', needs.length ? `needs ${needs.join(', ')}` : ''].filter(Boolean).join('; ');
    return `${c.name.padEnd(width)}  ${c.ids.join(', ')}\n${' '.repeat(width + 2)}${c.title}${flags ? ` (${flags})` : ''}`;
  }).join('\n') + '\n';
}
