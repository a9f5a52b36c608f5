/**
 * How the suite talks to the probe application: request headers select a
 * behaviour (as Plack::Test::Suite selects a case with X-Plack-Test), so the
 * path and query stay free for the checks that are about them.
 * @module
 */

/** Request header naming the probe behaviour; absent means `environ`. */
export const PROBE_HEADER = 'x-tsgi-probe';
/** Request header with the behaviour's arguments, as a URL query string. */
export const PROBE_ARGS_HEADER = 'x-tsgi-probe-args';
/** Request header with a token under which the probe records what happened to the request. */
export const PROBE_TOKEN_HEADER = 'x-tsgi-probe-token';
/** Response header the probe sets on every response it makes. */
export const PROBE_HIT_HEADER = 'x-tsgi-probe-hit';
/** Response header the probe puts before a bad header: it must never reach the client (RESP-HDR-8). */
export const PROBE_MARKER_HEADER = 'x-tsgi-probe-marker';

/** Text with one-, two-, three- and four-byte UTF-8 characters (BODY-FORM-2). */
export const PROBE_TEXT = 'Grüße, café ✓ — 🎉\n';

/** The n-th byte of a pattern body: easy to verify, not compressible into a repeat of a short string. */
export function patternByte(i: number): number {
  return (i * 7 + (i >> 8)) & 0xff;
}

/** The pattern repeats every 65536 bytes: (i * 7) mod 256 has period 256, (i >> 8) mod 256 period 65536. */
const PERIOD = 65536;
let cycle: Uint8Array | undefined;

/** `size` bytes of the pattern starting at byte `from`, copied from one precomputed period. */
export function patternBytes(from: number, size: number): Uint8Array {
  if (!cycle) {
    cycle = new Uint8Array(PERIOD);
    for (let i = 0; i < PERIOD; i++) cycle[i] = patternByte(i);
  }
  const out = new Uint8Array(size);
  let written = 0;
  let at = from % PERIOD;
  while (written < size) {
    const n = Math.min(PERIOD - at, size - written);
    out.set(cycle.subarray(at, at + n), written);
    written += n;
    at = 0;
  }
  return out;
}

/** What the probe records about one request (by its token). */
export interface ProbeRecord {
  /** Calls of the request handler with this token. */
  calls?: number;
  /** Number of arguments of the last call. */
  argc?: number;
  /** True when an environ object was passed to the handler twice. */
  reusedEnviron?: boolean;
  /** tsgi.signal: aborted, and what its reason was. */
  signal?: { aborted: boolean; reasonIsError?: boolean; reasonCode?: unknown; reasonMessage?: string; afterComplete?: boolean };
  /** The counted body iterator's history. */
  body?: BodyHistory;
  /** The input stream as the application read it. */
  input?: InputSummary;
  /** Requirement ids (server party) the validator reported for this request. */
  violations?: Array<{ id: string; message: string }>;
  [key: string]: unknown;
}

/** What the server did to a counted body iterator (BODY-ITER-1..4). */
export interface BodyHistory {
  /** Calls of `[Symbol.asyncIterator]()` (BODY-ITER-1: at most once). */
  iterations: number;
  nextCalls: number;
  /** Calls of next() after the iterator was done or returned (BODY-ITER-3). */
  nextAfterEnd: number;
  /** Calls of next() while one was outstanding (BODY-ITER-3). */
  overlapping: number;
  returnCalls: number;
  /** True once the iterator ended: done, or return() called. */
  ended: boolean;
  yieldedBytes: number;
  yieldedChunks: number;
}

/** The request body as the application read it. */
export interface InputSummary {
  bytes: number;
  chunks: number;
  emptyChunks: number;
  /** Chunks that were not Uint8Arrays (INPUT-ITER-1). */
  nonBytes: number;
  sha256: string;
  /** The read error, if a read rejected. */
  error: { code?: unknown; message: string } | null;
  /** What a second `[Symbol.asyncIterator]()` did (INPUT-ITER-3), when asked. */
  secondIteration?: { threw: boolean; message?: string; code?: unknown };
  done: boolean;
}
