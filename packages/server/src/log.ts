/**
 * The error log (server messages, application errors, `tsgi.errors`) and the
 * sink both logs write to. A line is written whole with one write(2) on an
 * O_APPEND file, so lines of several workers never interleave mid-line; on
 * standard output or error the stream keeps each process's lines in order.
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { ServerError } from './errors.js';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

/** Where finished lines go. */
export interface LogSink {
  write(line: string): void;
  close(): void;
}

/** A sink on a file descriptor this process owns (a log file, or one passed to a worker). */
export function fdSink(fd: number): LogSink {
  return {
    write(line) {
      try {
        writeSync(fd, line.endsWith('\n') ? line : line + '\n');
      } catch {
        // A full disk or a closed pipe must not take the server down; the line is lost.
      }
    },
    close() {
      try { closeSync(fd); } catch { /* already closed */ }
    },
  };
}

/** A sink on process.stdout or process.stderr. */
export function streamSink(stream: NodeJS.WriteStream): LogSink {
  // EPIPE on a closed terminal or pipe must not become an uncaught 'error' that ends the process.
  if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  return {
    write(line) {
      stream.write(line.endsWith('\n') ? line : line + '\n');
    },
    close() {},
  };
}

/** Opens `target` ("-" for `dash`) for appending; throws TSGI_ERR_LOG_OPEN naming the path. */
export function openLogFile(target: string, option: string): number | null {
  if (target === '-') return null;
  try {
    return openSync(target, 'a', 0o640);
  } catch (error) {
    throw new ServerError('TSGI_ERR_LOG_OPEN', `${option} ${target} cannot be opened for appending: ${(error as Error).message}`, { cause: error });
  }
}

function timestamp(): string {
  return new Date().toISOString();
}

/** gunicorn-style error log lines: `[time] [pid] [who] [LEVEL] message`. */
export class ErrorLog {
  readonly #min: number;
  constructor(
    readonly sink: LogSink,
    level: LogLevel,
    /** `supervisor` or `worker 3`. */
    readonly who: string,
  ) {
    this.#min = RANK[level];
  }

  enabled(level: LogLevel): boolean {
    return RANK[level] >= this.#min;
  }

  log(level: LogLevel, message: string): void {
    if (RANK[level] < this.#min) return;
    const prefix = `[${timestamp()}] [${process.pid}] [${this.who}] [${level.toUpperCase()}] `;
    // Continuation lines (stacks) keep the prefix, so `grep` on a worker or request finds them all.
    this.sink.write(message.split('\n').map((line) => prefix + line).join('\n'));
  }

  debug(message: string): void { this.log('debug', message); }
  info(message: string): void { this.log('info', message); }
  warning(message: string): void { this.log('warning', message); }
  error(message: string): void { this.log('error', message); }
}
