/** Where the harness lives and where it keeps what it builds. @module */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Absolute path of the benchmarks folder. */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/** Build output and raw results; ignored by git. */
export const OUT_DIR = join(BENCH_DIR, '.out');
