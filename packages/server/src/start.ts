/**
 * The programmatic API: `createSupervisor()` and `startServer()`, what the CLI
 * and the tests use. Options are validated once, here (as `tsgi serve`
 * validates flags and the config file), and frozen.
 * @module
 */
import type { ServerOptionsInput } from './options.js';
import { resolveOptions } from './resolve-options.js';
import { Supervisor, type SupervisorControl } from './supervisor.js';

export interface StartControl extends SupervisorControl {
  /** Directory relative paths in the options are taken from; the working directory by default. */
  readonly cwd?: string;
}

/** A running server: the Supervisor, seen through what callers need. */
export type ServerHandle = Pick<Supervisor, 'ready' | 'exited' | 'url' | 'address' | 'reload' | 'stop' | 'signal' | 'workers' | 'options'>;

/**
 * Validates `input` (throws ServerError TSGI_ERR_OPTS_* naming the field),
 * binds and starts the workers in the background. `ready` resolves when the
 * first generation serves and rejects when it cannot start; `exited` resolves
 * with the exit status.
 */
export function createSupervisor(input: ServerOptionsInput, control: StartControl = {}): ServerHandle {
  const options = resolveOptions([{ source: { kind: 'api' }, baseDir: control.cwd ?? process.cwd(), values: input as Record<string, unknown> }]);
  const supervisor = new Supervisor(options, control);
  void supervisor.start();
  return supervisor;
}

/** createSupervisor(), then waits for `ready`; on failure waits for the workers to be gone and rethrows. */
export async function startServer(input: ServerOptionsInput, control: StartControl = {}): Promise<ServerHandle> {
  const handle = createSupervisor(input, control);
  try {
    await handle.ready;
  } catch (error) {
    await handle.exited;
    throw error;
  }
  return handle;
}
