import type { ErrorStream } from '../types.js';

/**
 * A `tsgi.errors` that writes to a log function (ENV-TSGI-4). Each write
 * becomes whole lines: text is split at newlines, and a trailing partial line
 * is held until the next newline or `flush`, so lines of concurrent requests
 * do not interleave mid-line.
 */
export function createErrorStream(writeLine: (line: string) => void): ErrorStream & { flush(): void } {
  let pending = '';
  return {
    write(message: string) {
      const text = pending + String(message);
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) writeLine(line);
    },
    flush() {
      if (pending !== '') writeLine(pending);
      pending = '';
    },
  };
}
