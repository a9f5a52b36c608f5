import type { ErrorStream } from '../types.js';

/**
 * A `tsgi.errors` that writes to a log function (ENV-TSGI-4). Each write
 * becomes whole lines: text is split at newlines, and a trailing partial line
 * is held until the next newline or `flush`, so lines of concurrent requests
 * do not interleave mid-line.
 */
export function createErrorStream(writeLine: (line: string) => void): ErrorStream & { flush(): void } {
  return new LineErrorStream(writeLine);
}

// A class rather than closures: servers make one per request.
class LineErrorStream implements ErrorStream {
  #pending = '';
  readonly #writeLine: (line: string) => void;

  constructor(writeLine: (line: string) => void) {
    this.#writeLine = writeLine;
  }

  write(message: string): void {
    const text = this.#pending + String(message);
    const lines = text.split('\n');
    this.#pending = lines.pop() ?? '';
    const writeLine = this.#writeLine;
    for (const line of lines) writeLine(line);
  }

  flush(): void {
    if (this.#pending !== '') this.#writeLine.call(undefined, this.#pending);
    this.#pending = '';
  }
}
