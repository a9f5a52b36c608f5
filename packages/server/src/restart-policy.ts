/**
 * When to start a replacement worker, and when to give up (RELIABILITY.md P1,
 * P4): crashes back off exponentially, and replacements that cannot even boot
 * end the server after a few in a row, instead of a restart storm (php-fpm's
 * emergency_restart_threshold, LIFE-START-2).
 * @module
 */

/** First delay before replacing a crashed worker; doubles with each crash in a row. */
export const RESTART_BACKOFF_BASE_MS = 100;
export const RESTART_BACKOFF_MAX_MS = 10_000;
/** A worker that ran this long before crashing resets the back-off. */
export const RESTART_BACKOFF_RESET_MS = 10_000;
/** Replacements that fail to start in a row before the supervisor gives up. */
export const MAX_CONSECUTIVE_BOOT_FAILURES = 5;

export class RestartPolicy {
  #crashStreak = 0;
  #bootFailures = 0;
  #nextSpawnAt = 0;

  /** A worker may be started now. */
  canSpawn(now = Date.now()): boolean {
    return now >= this.#nextSpawnAt;
  }

  /** Holds every start for `ms` (the system could not even fork). */
  pause(ms: number, now = Date.now()): void {
    this.#nextSpawnAt = Math.max(this.#nextSpawnAt, now + ms);
  }

  /** A worker that served for `ranMs` crashed; returns the delay before its replacement. */
  crashed(ranMs: number, now = Date.now()): number {
    this.#crashStreak = ranMs >= RESTART_BACKOFF_RESET_MS ? 1 : this.#crashStreak + 1;
    const delay = Math.min(RESTART_BACKOFF_BASE_MS * 2 ** (this.#crashStreak - 1), RESTART_BACKOFF_MAX_MS);
    this.pause(delay, now);
    return delay;
  }

  /** A replacement could not boot: the delay before the next try, or null when it is time to give up. */
  bootFailed(now = Date.now()): { readonly inARow: number; readonly delay: number | null } {
    this.#bootFailures++;
    if (this.#bootFailures >= MAX_CONSECUTIVE_BOOT_FAILURES) return { inARow: this.#bootFailures, delay: null };
    const delay = Math.min(RESTART_BACKOFF_BASE_MS * 2 ** this.#bootFailures, RESTART_BACKOFF_MAX_MS);
    this.pause(delay, now);
    return { inARow: this.#bootFailures, delay };
  }

  /** A worker became ready: the application can start after all. */
  booted(): void {
    this.#bootFailures = 0;
  }
}
