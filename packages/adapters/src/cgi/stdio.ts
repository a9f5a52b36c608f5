import { closeSync, openSync } from 'node:fs';

/**
 * Closes standard input or output, so that the host sees the end of the
 * response while the process goes on with `shutdown` (Apache's mod_cgid gives
 * a script one socket as both: the response ends only when both are closed).
 * libuv never closes descriptors 0 to 2 itself. /dev/null then takes the
 * descriptor (open() returns the lowest free one), so that no file opened
 * later becomes "standard output" for a stray console.log.
 */
export function closeStdio(fd: 0 | 1): void {
  try {
    closeSync(fd);
  } catch {
    return; // already closed
  }
  try {
    const devNull = openSync('/dev/null', fd === 0 ? 'r' : 'w');
    if (devNull !== fd) closeSync(devNull);
  } catch {
    // No /dev/null: the descriptor stays closed.
  }
}
