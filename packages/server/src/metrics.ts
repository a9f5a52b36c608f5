/**
 * Request metrics: each worker counts its own requests, sends snapshots to the
 * supervisor, and the supervisor adds them up (keeping what exited workers had
 * counted, so counters never go down) and renders Prometheus text.
 * @module
 */

/** Prometheus' default histogram buckets, in seconds. */
export const DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** What one worker has counted since it started. */
export interface MetricsSnapshot {
  /** Finished requests by status code. */
  readonly requests: Readonly<Record<string, number>>;
  readonly inFlight: number;
  /** Cumulative counts per bucket of DURATION_BUCKETS_S (not including +Inf). */
  readonly buckets: readonly number[];
  readonly durationSum: number;
  readonly durationCount: number;
}

/** The worker's side: counts as requests start and finish. */
export class WorkerMetrics {
  readonly #requests: Record<string, number> = {};
  readonly #buckets = DURATION_BUCKETS_S.map(() => 0);
  #inFlight = 0;
  #sum = 0;
  #count = 0;

  started(): void {
    this.#inFlight++;
  }

  finished(status: number, seconds: number): void {
    this.#inFlight--;
    const key = String(status);
    this.#requests[key] = (this.#requests[key] ?? 0) + 1;
    this.#sum += seconds;
    this.#count++;
    for (let i = 0; i < DURATION_BUCKETS_S.length; i++) if (seconds <= DURATION_BUCKETS_S[i]!) this.#buckets[i]!++;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Requests finished so far. */
  get total(): number {
    return this.#count;
  }

  snapshot(): MetricsSnapshot {
    return { requests: { ...this.#requests }, inFlight: this.#inFlight, buckets: [...this.#buckets], durationSum: this.#sum, durationCount: this.#count };
  }
}

export function emptySnapshot(): MetricsSnapshot {
  return { requests: {}, inFlight: 0, buckets: DURATION_BUCKETS_S.map(() => 0), durationSum: 0, durationCount: 0 };
}

/** Adds snapshots; `inFlight` of `retired` ones is ignored (their requests are over). */
export function addSnapshots(live: readonly MetricsSnapshot[], retired: MetricsSnapshot = emptySnapshot()): MetricsSnapshot {
  const requests: Record<string, number> = { ...retired.requests };
  const buckets = [...retired.buckets];
  let inFlight = 0;
  let sum = retired.durationSum;
  let count = retired.durationCount;
  for (const s of live) {
    for (const [status, n] of Object.entries(s.requests)) requests[status] = (requests[status] ?? 0) + n;
    s.buckets.forEach((n, i) => (buckets[i] = (buckets[i] ?? 0) + n));
    inFlight += s.inFlight;
    sum += s.durationSum;
    count += s.durationCount;
  }
  return { requests, inFlight, buckets, durationSum: sum, durationCount: count };
}

/** Supervisor-side facts that are not per request. */
export interface SupervisorFacts {
  readonly workers: number;
  /** Workers replaced, by reason (crash, timeout, memory, max_requests, reload). */
  readonly restarts: Readonly<Record<string, number>>;
}

/** The Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(s: MetricsSnapshot, facts: SupervisorFacts): string {
  const lines: string[] = [];
  lines.push('# HELP tsgi_requests_total Requests answered, by HTTP status.', '# TYPE tsgi_requests_total counter');
  for (const status of Object.keys(s.requests).sort()) lines.push(`tsgi_requests_total{status="${status}"} ${s.requests[status]}`);
  lines.push('# HELP tsgi_requests_in_flight Requests being answered now, in all workers.', '# TYPE tsgi_requests_in_flight gauge');
  lines.push(`tsgi_requests_in_flight ${s.inFlight}`);
  lines.push('# HELP tsgi_request_duration_seconds Time from request to the end of its response.', '# TYPE tsgi_request_duration_seconds histogram');
  DURATION_BUCKETS_S.forEach((le, i) => lines.push(`tsgi_request_duration_seconds_bucket{le="${le}"} ${s.buckets[i] ?? 0}`));
  lines.push(`tsgi_request_duration_seconds_bucket{le="+Inf"} ${s.durationCount}`);
  lines.push(`tsgi_request_duration_seconds_sum ${s.durationSum}`);
  lines.push(`tsgi_request_duration_seconds_count ${s.durationCount}`);
  lines.push('# HELP tsgi_worker_restarts_total Workers replaced, by reason.', '# TYPE tsgi_worker_restarts_total counter');
  const reasons = Object.keys(facts.restarts).sort();
  if (reasons.length === 0) lines.push('tsgi_worker_restarts_total 0');
  for (const reason of reasons) lines.push(`tsgi_worker_restarts_total{reason="${reason}"} ${facts.restarts[reason]}`);
  lines.push('# HELP tsgi_workers Worker processes running.', '# TYPE tsgi_workers gauge');
  lines.push(`tsgi_workers ${facts.workers}`);
  return lines.join('\n') + '\n';
}
