/**
 * Liveness of workers. gunicorn's workers touch a temp file and the arbiter
 * kills one whose file went stale; here a worker sends a heartbeat message on
 * a timer, which cannot fire while its event loop is blocked, so a worker that
 * is silent for --timeout is known to be stuck. Heartbeats also carry the
 * worker's RSS and metrics.
 * @module
 */

/** Longest gap between heartbeats, even with a long --timeout. */
export const MAX_HEARTBEAT_INTERVAL_MS = 1_000;
/** Shortest gap, so that a tiny --timeout does not flood the channel. */
export const MIN_HEARTBEAT_INTERVAL_MS = 50;
/** After SIGABRT, how long a worker gets to die before SIGKILL. */
export const KILL_GRACE_MS = 1_000;

/** A fifth of the timeout, within bounds: several heartbeats fit in one --timeout. */
export function heartbeatIntervalMs(timeoutS: number): number {
  if (timeoutS <= 0) return MAX_HEARTBEAT_INTERVAL_MS;
  return Math.max(MIN_HEARTBEAT_INTERVAL_MS, Math.min(MAX_HEARTBEAT_INTERVAL_MS, Math.floor((timeoutS * 1000) / 5)));
}

/** Worker side: calls `beat` every `intervalMs` until stopped; the timer does not keep the process alive. */
export function startHeartbeat(intervalMs: number, beat: () => void): () => void {
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Supervisor side: true when a worker last heard from at `lastBeatMs` has been silent too long. */
export function isSilent(lastBeatMs: number, nowMs: number, timeoutS: number): boolean {
  return timeoutS > 0 && nowMs - lastBeatMs > timeoutS * 1000;
}
