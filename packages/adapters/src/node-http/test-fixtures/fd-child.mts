/**
 * Serves on the listening socket inherited as file descriptor 3 (as systemd
 * socket activation or a supervisor would pass it), prints "ready", and closes
 * when stdin ends.
 */
import { serve } from '../index.js';

const handle = await serve(
  (environ) => ({ status: 200, headers: [['content-type', 'text/plain']], body: `fd ${process.pid} ${environ.PATH_INFO}` }),
  { fd: 3, errorLog: (line) => process.stderr.write(`${line}\n`) },
);
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void handle.close({ timeoutMs: 200 }).then(() => process.exit(0));
});
