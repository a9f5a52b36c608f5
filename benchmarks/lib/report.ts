/**
 * Renders RESULTS.md from the rounds of a run. Pure: everything it prints
 * comes from its input, so figures are never edited by hand.
 * @module
 */
import { cell, fmtRatio, MIB, MISSING } from './format.js';
import type { Metrics, ScenarioSpec } from './scenario.js';
import { USAGE_KEYS } from './scenario.js';
import { aggregate, ratio } from './stats.js';

/** One target x scenario x round. */
export interface RoundResult {
  readonly round: number;
  readonly scenario: string;
  readonly target: string;
  readonly metrics: Metrics;
  /** Server RSS per second, bytes. */
  readonly rssSeries: readonly number[];
  /** Set when the round failed; its metrics are then empty. */
  readonly error?: string;
}

export interface RunMeta {
  readonly date: string;
  /** The command as typed, e.g. `pnpm bench --quick`. */
  readonly command: string;
  /** Rounds, durations and connections actually used. */
  readonly settings: string;
  readonly machine: string;
  readonly node: string;
  readonly packages: readonly (readonly [name: string, version: string])[];
  readonly commit: string;
  readonly pinning: string;
  /** 1-minute load average before and after the run. */
  readonly load: string;
  readonly quick: boolean;
}

export interface TargetRow {
  readonly name: string;
  readonly description: string;
  /** Why it was not run, when it was not. */
  readonly skipped?: string;
}

export interface ReportInput {
  readonly meta: RunMeta;
  readonly scenarios: readonly ScenarioSpec[];
  readonly targets: readonly TargetRow[];
  readonly baseline: string;
  readonly results: readonly RoundResult[];
}

/** Each column's figure combined across the target's successful rounds. */
export function aggregateRounds(spec: ScenarioSpec, rounds: readonly RoundResult[]): Metrics {
  const ok = rounds.filter((r) => r.error === undefined);
  const out: Record<string, number> = {};
  for (const column of [spec.primary, ...spec.columns]) {
    out[column.key] = ok.length === 0 ? Number.NaN : aggregate(column.aggregate, ok.map((r) => r.metrics[column.key] ?? Number.NaN));
  }
  return out;
}

export function renderReport(input: ReportInput): string {
  const { meta } = input;
  const lines: string[] = [
    '# TSGI benchmark results',
    '',
    `Written by the harness in \`benchmarks/\` (\`${meta.command}\`); do not edit the figures by hand, run it again.`,
    '',
    '| | |',
    '| --- | --- |',
    `| date | ${cell(meta.date)} |`,
    `| command | \`${cell(meta.command)}\` |`,
    `| settings | ${cell(meta.settings)} |`,
    `| machine | ${cell(meta.machine)} |`,
    `| node | ${cell(meta.node)} |`,
    `| packages | ${cell(meta.packages.map(([n, v]) => `${n} ${v}`).join(', '))} |`,
    `| commit | ${cell(meta.commit)} |`,
    `| pinning | ${cell(meta.pinning)} |`,
    `| load average | ${cell(meta.load)} |`,
    '',
  ];
  if (meta.quick) lines.push('> **Quick run** (`--quick`): one short round, a smoke test of the harness. Do not compare these figures.', '');
  lines.push(
    `Medians across rounds unless a header says otherwise; ratios are against \`${input.baseline}\` measured in the same run, `
      + 'and are the figures to compare: absolute numbers depend on the machine and on what else it was doing.',
    '',
    '## Targets',
    '',
  );
  for (const t of input.targets) {
    lines.push(`- \`${t.name}\`: ${t.description}${t.skipped === undefined ? '' : ` — **not run**: ${t.skipped}`}`);
  }
  lines.push('');
  for (const spec of input.scenarios) lines.push(...renderScenario(spec, input), '');
  return `${lines.join('\n').trimEnd()}\n`;
}

export function renderScenario(spec: ScenarioSpec, input: ReportInput): string[] {
  const ran = input.targets.filter((t) => t.skipped === undefined);
  const roundsOf = (target: string): RoundResult[] =>
    input.results.filter((r) => r.scenario === spec.name && r.target === target).sort((a, b) => a.round - b.round);
  const baseline = aggregateRounds(spec, roundsOf(input.baseline))[spec.primary.key] ?? Number.NaN;

  const headers = ['target', ...spec.columns.map((c) => c.header), `${spec.primary.header} vs ${input.baseline}`, `rounds (${spec.primary.header})`];
  if (spec.goal !== undefined) headers.push(`goal: ${spec.goal.text}`);
  if (spec.seriesHeader !== undefined) headers.push(spec.seriesHeader);

  const lines = [`## ${spec.name}: ${spec.title}`, '', spec.measures, '', `| ${headers.map(cell).join(' | ')} |`, `|${headers.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`];
  const failures: string[] = [];
  for (const target of ran) {
    const rounds = roundsOf(target.name);
    const agg = aggregateRounds(spec, rounds);
    const ok = rounds.filter((r) => r.error === undefined);
    const row = [
      `\`${target.name}\``,
      ...spec.columns.map((c) => c.format(agg[c.key] ?? Number.NaN)),
      fmtRatio(ratio(agg[spec.primary.key] ?? Number.NaN, baseline)),
      rounds.length === 0 ? MISSING : rounds.map((r) => (r.error === undefined ? spec.primary.format(primaryValue(spec, r)) : 'failed')).join(' / '),
    ];
    if (spec.goal !== undefined) row.push(ok.length === 0 ? MISSING : spec.goal.met(agg) ? 'yes' : '**no**');
    if (spec.seriesHeader !== undefined) row.push(renderSeries(worstRound(ok)));
    lines.push(`| ${row.map(cell).join(' | ')} |`);
    for (const r of rounds) if (r.error !== undefined) failures.push(`- \`${r.target}\`, round ${r.round}: ${r.error}`);
  }
  if (failures.length > 0) lines.push('', 'Failed rounds:', '', ...failures.map(cell));
  return lines;
}

function primaryValue(spec: ScenarioSpec, round: RoundResult): number {
  return round.metrics[spec.primary.key] ?? Number.NaN;
}

function worstRound(rounds: readonly RoundResult[]): RoundResult | undefined {
  let worst: RoundResult | undefined;
  for (const r of rounds) {
    if (worst === undefined || (r.metrics[USAGE_KEYS.rssPeak] ?? 0) > (worst.metrics[USAGE_KEYS.rssPeak] ?? 0)) worst = r;
  }
  return worst;
}

/** RSS per second in whole MiB: "45 46 46 47". */
export function renderSeries(round: RoundResult | undefined): string {
  if (round === undefined || round.rssSeries.length === 0) return MISSING;
  return round.rssSeries.map((b) => (Number.isFinite(b) ? String(Math.round(b / MIB)) : '?')).join(' ');
}
