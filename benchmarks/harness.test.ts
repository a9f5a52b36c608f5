/**
 * The pure parts of the harness: statistics, argument parsing, scheduling and
 * report rendering. Nothing here is timed or starts a server.
 */
import t from 'tap';
import { ArgsError, DEFAULT_CONNECTIONS, DEFAULT_DURATION_S, DEFAULT_ROUNDS, parseBenchArgs, QUICK_DURATION_S } from './lib/args.js';
import { fmtGBps, fmtInt, fmtMiB, fmtRatio, MIB, MISSING } from './lib/format.js';
import { summarize } from './lib/proc.js';
import { aggregateRounds, renderReport, renderSeries, type ReportInput, type RoundResult } from './lib/report.js';
import type { Column, ScenarioSpec } from './lib/scenario.js';
import { schedule } from './lib/schedule.js';
import { aggregate, cpuPercent, max, median, ratio } from './lib/stats.js';
import { targetEnv } from './targets/target-kit.js';

const known = { targets: ['node-http', 'fastify', 'tsgi-http'], scenarios: ['hello', '64k', 'stream-1g'] };

t.test('median of odd and even counts, NaN for none, missing figures ignored', async (t) => {
  t.equal(median([3, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([5]), 5);
  t.ok(Number.isNaN(median([])));
  t.equal(median([Number.NaN, 7, 9]), 8);
  t.same([3, 1, 2], [3, 1, 2], 'the input is not sorted in place');
});

t.test('max, sum and aggregate by kind', async (t) => {
  t.equal(max([1, 9, 3]), 9);
  t.ok(Number.isNaN(max([])));
  t.equal(aggregate('sum', [1, 2, Number.NaN]), 3);
  t.equal(aggregate('max', [1, 2]), 2);
  t.equal(aggregate('median', [1, 2, 10]), 2);
});

t.test('ratio against the baseline; NaN when there is none', async (t) => {
  t.equal(ratio(50, 100), 0.5);
  t.ok(Number.isNaN(ratio(50, 0)));
  t.ok(Number.isNaN(ratio(50, Number.NaN)));
  t.ok(Number.isNaN(ratio(Number.NaN, 100)));
});

t.test('cpu percent of one core from clock ticks', async (t) => {
  t.equal(cpuPercent(100, 1000, 100), 100);
  t.equal(cpuPercent(50, 2000, 100), 25);
  t.ok(Number.isNaN(cpuPercent(10, 0, 100)));
});

t.test('usage summary: peak, median, per-second series', async (t) => {
  const samples = [0, 500, 1000, 1500, 2100].map((at, i) => ({ at, usage: { rssBytes: (50 + i) * MIB, cpuTicks: i * 10 } }));
  const s = summarize(samples);
  t.equal(s.rssPeakBytes, 54 * MIB);
  t.equal(s.rssMedianBytes, 52 * MIB);
  t.same(s.rssSeries, [51 * MIB, 53 * MIB, 54 * MIB]);
  t.equal(s.samples, 5);
  t.ok(s.cpuPercent > 0);
  t.ok(Number.isNaN(summarize([]).rssPeakBytes));
});

t.test('arguments: defaults', async (t) => {
  const o = parseBenchArgs([], known);
  t.same(o.targets, known.targets);
  t.same(o.scenarios, known.scenarios);
  t.equal(o.rounds, DEFAULT_ROUNDS);
  t.equal(o.durationS, DEFAULT_DURATION_S);
  t.equal(o.connections, DEFAULT_CONNECTIONS);
  t.equal(o.quick, false);
  t.equal(o.out, 'RESULTS.md');
  t.ok(Object.isFrozen(o));
});

t.test('arguments: lists, numbers, --quick and explicit options winning over it', async (t) => {
  const o = parseBenchArgs(['--targets', 'tsgi-http, node-http', '--scenarios', 'hello', '--connections', '10', '--out', 'x.md'], known);
  t.same(o.targets, ['tsgi-http', 'node-http'], 'order as given');
  t.same(o.scenarios, ['hello']);
  t.equal(o.connections, 10);
  t.equal(o.out, 'x.md');
  const q = parseBenchArgs(['--quick'], known);
  t.equal(q.rounds, 1);
  t.equal(q.durationS, QUICK_DURATION_S);
  const q2 = parseBenchArgs(['--quick', '--rounds', '2', '--duration=1.5'], known);
  t.equal(q2.rounds, 2);
  t.equal(q2.durationS, 1.5);
  t.equal(parseBenchArgs(['--warmup', '0'], known).warmupS, 0);
});

t.test('arguments: errors name the option and the known values', async (t) => {
  t.throws(() => parseBenchArgs(['--targets', 'nope'], known), /unknown targets: nope \(known: node-http, fastify, tsgi-http\)/);
  t.throws(() => parseBenchArgs(['--targets', ','], known), ArgsError);
  t.throws(() => parseBenchArgs(['--rounds', '0'], known), /--rounds must be a positive integer/);
  t.throws(() => parseBenchArgs(['--rounds', '1.5'], known), /--rounds/);
  t.throws(() => parseBenchArgs(['--duration', 'x'], known), /--duration must be a positive number/);
  t.throws(() => parseBenchArgs(['--warmup', '-1'], known), /--warmup/);
  t.throws(() => parseBenchArgs(['--bogus'], known), ArgsError);
  t.throws(() => parseBenchArgs(['extra'], known), ArgsError);
});

t.test('schedule: rounds interleaved, target order rotating each round', async (t) => {
  const slots = schedule(2, ['hello', '64k'], ['a', 'b', 'c']);
  t.equal(slots.length, 12);
  t.same(slots.slice(0, 3).map((s) => s.target), ['a', 'b', 'c']);
  t.same(slots.slice(3, 6).map((s) => `${s.scenario}:${s.target}`), ['64k:a', '64k:b', '64k:c']);
  t.same(slots.slice(6, 9).map((s) => `${s.round}:${s.target}`), ['2:b', '2:c', '2:a']);
});

t.test('formatting: missing figures are a dash, never 0', async (t) => {
  t.equal(fmtInt(12345.6), '12,346');
  t.equal(fmtMiB(52.25 * MIB), '52.3');
  t.equal(fmtGBps(1.234e9), '1.23');
  t.equal(fmtRatio(0.8512), '0.85×');
  t.equal(fmtInt(Number.NaN), MISSING);
  t.equal(fmtRatio(Number.NaN), MISSING);
});

t.test('target environment: port required', async (t) => {
  t.same(targetEnv({ BENCH_PORT: '8080', BENCH_SCENARIO: 'hello' }), { host: '127.0.0.1', port: 8080, scenario: 'hello' });
  t.throws(() => targetEnv({}), /BENCH_PORT must be a TCP port/);
  t.throws(() => targetEnv({ BENCH_PORT: '70000' }), /BENCH_PORT/);
});

const reqs: Column = { key: 'reqPerS', header: 'req/s', aggregate: 'median', format: fmtInt };
const spec: ScenarioSpec = {
  name: 'hello',
  title: 'tiny body',
  measures: 'Per-request overhead.',
  columns: [reqs, { key: 'errors', header: 'errors', aggregate: 'sum', format: fmtInt }, { key: 'rssPeakBytes', header: 'RSS peak MiB', aggregate: 'max', format: fmtMiB }],
  primary: reqs,
  goal: { text: '≥ 50 req/s', met: (m) => (m.reqPerS ?? 0) >= 50 },
  seriesHeader: 'RSS per second',
};

function round(target: string, n: number, reqPerS: number, extra: Partial<RoundResult> = {}): RoundResult {
  return { round: n, scenario: 'hello', target, metrics: { reqPerS, errors: 1, rssPeakBytes: (40 + n) * MIB }, rssSeries: [40 * MIB, 41 * MIB], ...extra };
}

const input: ReportInput = {
  meta: {
    date: '2026-01-01T00:00:00.000Z',
    command: 'pnpm bench --quick',
    settings: '1 round',
    machine: 'Test CPU, 2 cores',
    node: 'v20.0.0',
    packages: [['autocannon', '9.0.0'], ['fastify', '5.12.8']],
    commit: 'abc1234',
    pinning: 'server on CPU 0',
    load: '0.10 before, 1.20 after',
    quick: true,
  },
  scenarios: [spec],
  baseline: 'node-http',
  targets: [
    { name: 'node-http', description: 'baseline' },
    { name: 'fastify', description: 'framework' },
    { name: 'tsgi-http', description: 'TSGI', skipped: 'not built' },
  ],
  results: [
    round('node-http', 1, 100), round('node-http', 2, 120), round('node-http', 3, 110),
    round('fastify', 1, 60), round('fastify', 2, 40), round('fastify', 3, 0, { metrics: {}, error: 'server exited | badly' }),
  ],
};

t.test('aggregateRounds: medians of successful rounds only, sums and maxima as declared', async (t) => {
  const fastify = input.results.filter((r) => r.target === 'fastify');
  const agg = aggregateRounds(spec, fastify);
  t.equal(agg.reqPerS, 50);
  t.equal(agg.errors, 2);
  t.equal(agg.rssPeakBytes, 42 * MIB);
  t.ok(Number.isNaN(aggregateRounds(spec, []).reqPerS ?? 0));
});

t.test('report: header facts, one row per target run, ratio to the baseline, rounds and failures', async (t) => {
  const md = renderReport(input);
  t.match(md, /^# TSGI benchmark results/);
  t.match(md, /\| command \| `pnpm bench --quick` \|/);
  t.match(md, /\| packages \| autocannon 9\.0\.0, fastify 5\.12\.8 \|/);
  t.match(md, /\| load average \| 0\.10 before, 1\.20 after \|/);
  t.match(md, /Quick run/);
  t.match(md, /`tsgi-http`: TSGI — \*\*not run\*\*: not built/);
  t.match(md, /\| target \| req\/s \| errors \| RSS peak MiB \| req\/s vs node-http \| rounds \(req\/s\) \| goal: ≥ 50 req\/s \| RSS per second \|/);
  t.match(md, /\| `node-http` \| 110 \| 3 \| 43\.0 \| 1\.00× \| 100 \/ 120 \/ 110 \| yes \| 40 41 \|/);
  t.match(md, /\| `fastify` \| 50 \| 2 \| 42\.0 \| 0\.45× \| 60 \/ 40 \/ failed \| yes \| 40 41 \|/);
  t.notMatch(md, /\| `tsgi-http` \|/, 'a skipped target has no row');
  t.match(md, /- `fastify`, round 3: server exited \\\| badly/, 'failures listed, pipes escaped');
  t.ok(md.endsWith('\n') && !md.endsWith('\n\n'));
});

t.test('report: without the baseline the ratio is a dash; a goal can fail', async (t) => {
  const md = renderReport({ ...input, results: input.results.filter((r) => r.target !== 'node-http'), scenarios: [{ ...spec, goal: { text: 'impossible', met: () => false } }] });
  t.match(md, /\| `fastify` \| 50 \| 2 \| 42\.0 \| — \|/);
  t.match(md, /\| \*\*no\*\* \|/);
  t.match(md, /\| `node-http` \| — \| — \| — \| — \| — \| — \| — \|/, 'a target with no rounds is all dashes');
});

t.test('series of the worst round in whole MiB', async (t) => {
  t.equal(renderSeries(round('x', 1, 1)), '40 41');
  t.equal(renderSeries(undefined), MISSING);
});
