/**
 * /metrics asks every worker for its current counts (each answers from its own
 * event loop), so a scrape is exact rather than a heartbeat old. A worker that
 * does not answer within METRICS_POLL_MS (a blocked one) counts with what its
 * last heartbeat said.
 * @module
 */
import type { WorkerProcess } from './worker-process.js';

/** How long a scrape waits for the other workers' counts. */
export const METRICS_POLL_MS = 250;

export class MetricsPoll {
  #nextId = 1;
  readonly #pending = new Map<number, { waiting: Set<WorkerProcess>; done: () => void }>();

  /** Polls every worker but `asking` (whose counts came with its request); resolves when all answered or time is up. */
  collect(workers: readonly WorkerProcess[], asking: WorkerProcess): Promise<void> {
    const others = workers.filter((w) => w !== asking && w.state !== 'booting' && !w.gone);
    if (others.length === 0) return Promise.resolve();
    const id = this.#nextId++;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(finish, METRICS_POLL_MS);
      const pending = this.#pending;
      function finish(): void {
        clearTimeout(timer);
        pending.delete(id);
        resolve();
      }
      this.#pending.set(id, { waiting: new Set(others), done: finish });
      for (const w of others) w.send({ t: 'metrics-poll', id });
    });
  }

  /** A worker's answer to poll `id` (its counts are already on its record). */
  answered(id: number, worker: WorkerProcess): void {
    const poll = this.#pending.get(id);
    if (poll === undefined) return;
    poll.waiting.delete(worker);
    if (poll.waiting.size === 0) poll.done();
  }
}
