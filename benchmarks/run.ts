/**
 * `pnpm bench`: runs every selected target x scenario `rounds` times,
 * interleaved, each against a fresh server process pinned to its own core,
 * and writes RESULTS.md. See README.md for the options and caveats.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArgsError, parseBenchArgs, USAGE, type BenchOptions } from './lib/args.js';
import { buildEntries } from './lib/build.js';
import { describeCommit, describeMachine, loadAverage, packageVersion } from './lib/machine.js';
import { measureSlot } from './lib/measure-slot.js';
import { BENCH_DIR, OUT_DIR } from './lib/paths.js';
import { detectPinning, installCleanup, killAllTracked, pinSelf } from './lib/processes.js';
import { renderReport, type RoundResult, type RunMeta } from './lib/report.js';
import { USAGE_KEYS } from './lib/scenario.js';
import { schedule } from './lib/schedule.js';
import { fmtMiB } from './lib/format.js';
import { findScenario, SCENARIOS } from './scenarios/index.js';
import { slowReadSeconds } from './scenarios/slow-reader.js';
import { BASELINE_TARGET, findTarget, TARGETS, type TargetDefinition } from './targets/index.js';

/** Pause between two slots, so one server's exit does not overlap the next one's start. */
export const COOLDOWN_MS = 300;

function commandLine(argv: readonly string[]): string {
  const quoted = argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`));
  return ['pnpm bench', ...quoted].join(' ');
}

function settings(options: BenchOptions): string {
  return `${options.rounds} round${options.rounds === 1 ? '' : 's'}; autocannon: ${options.durationS} s measured after ${options.warmupS} s warm-up, `
    + `${options.connections} connections; stream-1g: 1 GiB per round after a 64 MiB warm-up; slow-reader: ${slowReadSeconds(options.durationS)} s`;
}

function packagesOf(targets: readonly TargetDefinition[]): [string, string][] {
  const names = ['autocannon', ...new Set(targets.flatMap((t) => t.packages))];
  return names.map((name) => [name, packageVersion(name)]);
}

function progress(result: RoundResult): string {
  if (result.error !== undefined) return `FAILED: ${result.error}`;
  const scenario = findScenario(result.scenario);
  const primary = scenario.primary;
  const head = `${primary.header} ${primary.format(result.metrics[primary.key] ?? Number.NaN)}`;
  return primary.key === USAGE_KEYS.rssPeak ? `${head} MiB` : `${head}, RSS peak ${fmtMiB(result.metrics[USAGE_KEYS.rssPeak] ?? Number.NaN)} MiB`;
}

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv, { targets: TARGETS.map((t) => t.name), scenarios: SCENARIOS.map((s) => s.name) });
  } catch (error) {
    if (!(error instanceof ArgsError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  installCleanup();
  const date = new Date().toISOString();
  const loadBefore = loadAverage();
  const pinning = detectPinning();
  pinSelf(pinning);

  const targets = options.targets.map(findTarget);
  const skipped = new Map<string, string>();
  for (const target of targets) {
    const reason = target.unavailable();
    if (reason !== null) skipped.set(target.name, reason);
  }
  for (const [name, reason] of skipped) console.error(`skipping ${name}: ${reason}`);
  const runnable = targets.filter((t) => !skipped.has(t.name));
  if (runnable.length === 0) {
    console.error('no target can run');
    return 1;
  }
  if (!runnable.some((t) => t.name === BASELINE_TARGET)) console.error(`${BASELINE_TARGET} is not in this run: the ratio columns stay empty`);
  const scenarios = options.scenarios.map(findScenario);

  const entries = new Map<string, string>();
  for (const t of runnable) if (t.start.kind === 'node') entries.set(t.name, join(BENCH_DIR, 'targets', t.start.entry));
  for (const s of scenarios) for (const [name, path] of s.clients) entries.set(name, path);
  const bins = await buildEntries(entries);

  const slots = schedule(options.rounds, scenarios.map((s) => s.name), runnable.map((t) => t.name));
  console.error(`${pinning.note}\n${slots.length} runs: ${settings(options)}`);
  const results: RoundResult[] = [];
  for (const [i, slot] of slots.entries()) {
    const result = await measureSlot(slot, findTarget(slot.target), findScenario(slot.scenario), { options, pinning, bins });
    results.push(result);
    console.error(`[${i + 1}/${slots.length}] round ${slot.round} ${slot.scenario} ${slot.target}: ${progress(result)}`);
    await sleep(COOLDOWN_MS);
  }

  const meta: RunMeta = {
    date,
    command: commandLine(argv),
    settings: settings(options),
    machine: describeMachine(),
    node: process.version,
    packages: packagesOf(targets),
    commit: describeCommit(),
    pinning: pinning.note,
    load: `${loadBefore.toFixed(2)} before, ${loadAverage().toFixed(2)} after (1-minute, /proc/loadavg; the run itself keeps about 2 busy, anything more is other work)`,
    quick: options.quick,
  };
  const report = renderReport({
    meta,
    scenarios,
    baseline: BASELINE_TARGET,
    targets: targets.map((t) => ({ name: t.name, description: t.description, ...(skipped.has(t.name) ? { skipped: skipped.get(t.name)! } : {}) })),
    results,
  });
  const outPath = isAbsolute(options.out) ? options.out : join(BENCH_DIR, options.out);
  await writeFile(outPath, report);
  await mkdir(OUT_DIR, { recursive: true });
  await writeFile(join(OUT_DIR, 'last-run.json'), `${JSON.stringify({ meta, options, results }, null, 2)}\n`);
  console.error(`wrote ${outPath} (raw rounds in ${join(OUT_DIR, 'last-run.json')})`);
  const failed = results.filter((r) => r.error !== undefined).length;
  if (failed > 0) console.error(`${failed} run(s) failed; see the report`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    killAllTracked();
    process.exit(1);
  },
);
