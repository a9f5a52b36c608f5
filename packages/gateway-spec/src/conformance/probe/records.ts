import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeRecord } from './protocol.js';

/** Records kept in memory; older ones are dropped so a long-running probe stays small. */
const MAX_RECORDS = 5000;
/** At most one file write per record in this time; the last change is always written. */
const WRITE_INTERVAL_MS = 25;

/**
 * What the probe saw of each request, by token. The checks run over HTTP, so
 * what happens after a response (finalisation, an abort signal) is read back
 * by a follow-up request. With a state directory every record is also written
 * to a file, so that a follow-up served by another worker process finds it.
 */
export class ProbeRecords {
  readonly #records = new Map<string, ProbeRecord>();
  readonly #dir: string | undefined;
  #dirReady = false;
  /** Tokens with a file write scheduled: a body pulled chunk by chunk must not cost a file write per chunk. */
  readonly #scheduled = new Set<string>();
  readonly #lastWrite = new Map<string, number>();

  constructor(stateDir?: string) {
    this.#dir = stateDir ? join(stateDir, 'records') : undefined;
  }

  #file(token: string): string | undefined {
    if (!this.#dir || !/^[A-Za-z0-9._-]{1,100}$/.test(token)) return undefined;
    return join(this.#dir, `${token}.json`);
  }

  get(token: string): ProbeRecord | undefined {
    const held = this.#records.get(token);
    if (held) return held;
    const file = this.#file(token);
    if (!file) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProbeRecord;
    } catch {
      return undefined;
    }
  }

  /** Changes the record of `token` (created empty) and persists it. */
  update(token: string | undefined, change: (record: ProbeRecord) => void): void {
    if (!token) return;
    let record = this.#records.get(token);
    if (!record) {
      record = {};
      this.#records.set(token, record);
      if (this.#records.size > MAX_RECORDS) {
        const oldest = this.#records.keys().next().value;
        if (oldest !== undefined) this.#records.delete(oldest);
      }
    }
    change(record);
    const file = this.#file(token);
    if (!file || this.#scheduled.has(token)) return;
    const since = Date.now() - (this.#lastWrite.get(token) ?? 0);
    if (since >= WRITE_INTERVAL_MS) {
      this.#write(token, file);
      return;
    }
    this.#scheduled.add(token);
    setTimeout(() => {
      this.#scheduled.delete(token);
      this.#write(token, file);
    }, WRITE_INTERVAL_MS - since).unref();
  }

  #write(token: string, file: string): void {
    const record = this.#records.get(token);
    if (!record) return;
    this.#lastWrite.set(token, Date.now());
    if (this.#lastWrite.size > MAX_RECORDS) this.#lastWrite.delete(this.#lastWrite.keys().next().value!);
    try {
      if (!this.#dirReady) {
        mkdirSync(this.#dir!, { recursive: true });
        this.#dirReady = true;
      }
      writeFileSync(file, JSON.stringify(record));
    } catch {
      // The memory copy still answers follow-ups served by this process.
    }
  }
}
