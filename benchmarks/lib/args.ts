/**
 * Command-line options of `pnpm bench`, parsed and checked once, then frozen.
 * Pure: the lists of known targets and scenarios are passed in.
 * @module
 */
import { parseArgs } from 'node:util';

export const DEFAULT_ROUNDS = 3;
export const DEFAULT_DURATION_S = 10;
export const DEFAULT_WARMUP_S = 2;
export const DEFAULT_CONNECTIONS = 50;
export const QUICK_ROUNDS = 1;
export const QUICK_DURATION_S = 3;
export const QUICK_WARMUP_S = 1;
export const DEFAULT_OUT = 'RESULTS.md';

export interface BenchOptions {
  /** Targets in the order given (the first registry entries when none). */
  readonly targets: readonly string[];
  readonly scenarios: readonly string[];
  readonly rounds: number;
  /** Seconds of measured load per autocannon run. */
  readonly durationS: number;
  /** Seconds of unmeasured load before each measured run. */
  readonly warmupS: number;
  readonly connections: number;
  readonly quick: boolean;
  /** Where RESULTS.md goes, relative to the benchmarks folder unless absolute. */
  readonly out: string;
  readonly help: boolean;
}

export class ArgsError extends Error {
  readonly code = 'TSGI_ERR_BENCH_ARGS';
  constructor(message: string) {
    super(message);
    this.name = 'ArgsError';
  }
}

export const USAGE = `Usage: pnpm bench [options]

  --targets a,b        targets to run (default: all registered)
  --scenarios x,y      scenarios to run (default: all)
  --rounds N           rounds per target x scenario, interleaved; the median is reported (default ${DEFAULT_ROUNDS})
  --duration S         seconds of measured load per run (default ${DEFAULT_DURATION_S})
  --warmup S           seconds of unmeasured load before each run (default ${DEFAULT_WARMUP_S})
  --connections C      autocannon connections (default ${DEFAULT_CONNECTIONS})
  --quick              smoke run: ${QUICK_ROUNDS} round, ${QUICK_DURATION_S} s, ${QUICK_WARMUP_S} s warm-up (explicit options still win)
  --out FILE           results file, relative to benchmarks/ (default ${DEFAULT_OUT})
  -h, --help           this text`;

export interface Known {
  readonly targets: readonly string[];
  readonly scenarios: readonly string[];
}

/** Parses `argv` (without node and script) into frozen options; throws ArgsError. */
export function parseBenchArgs(argv: readonly string[], known: Known): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        targets: { type: 'string' },
        scenarios: { type: 'string' },
        rounds: { type: 'string' },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string' },
        quick: { type: 'boolean', default: false },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    throw new ArgsError((error as Error).message);
  }
  const quick = values.quick === true;
  return Object.freeze({
    targets: Object.freeze(pickNames('targets', values.targets, known.targets)),
    scenarios: Object.freeze(pickNames('scenarios', values.scenarios, known.scenarios)),
    rounds: positive('rounds', values.rounds, quick ? QUICK_ROUNDS : DEFAULT_ROUNDS, true),
    durationS: positive('duration', values.duration, quick ? QUICK_DURATION_S : DEFAULT_DURATION_S, false),
    warmupS: nonNegative('warmup', values.warmup, quick ? QUICK_WARMUP_S : DEFAULT_WARMUP_S),
    connections: positive('connections', values.connections, DEFAULT_CONNECTIONS, true),
    quick,
    out: values.out ?? DEFAULT_OUT,
    help: values.help === true,
  });
}

function pickNames(option: string, raw: string | undefined, known: readonly string[]): string[] {
  if (raw === undefined) return [...known];
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new ArgsError(`--${option} needs at least one name (known: ${known.join(', ')})`);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new ArgsError(`unknown ${option}: ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return [...new Set(names)];
}

function positive(option: string, raw: string | undefined, fallback: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ArgsError(`--${option} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function nonNegative(option: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ArgsError(`--${option} must be a number >= 0, got ${JSON.stringify(raw)}`);
  return n;
}
