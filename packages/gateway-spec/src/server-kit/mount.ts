import type { Environ } from '../types.js';
import { assertMountPrefix } from './environ.js';

/** True when `prefix` matches `path` on a segment boundary (MOUNT-PATH-1). */
export function prefixMatches(prefix: string, path: string): boolean {
  return prefix === '' || path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f);
}

/** Moves a matched prefix from PATH_INFO to SCRIPT_NAME (MOUNT-PATH-3). */
export function mountEnviron(environ: Environ, prefix: string): Environ {
  if (prefix === '') return environ;
  environ.SCRIPT_NAME = environ.SCRIPT_NAME + prefix;
  environ.PATH_INFO = environ.PATH_INFO.slice(prefix.length);
  return environ;
}

/** Several applications at URL prefixes; the longest matching prefix wins (MOUNT-PATH-2). */
export class MountTable<T> {
  readonly #entries: Array<{ prefix: string; target: T }> = [];

  constructor(mounts: Iterable<readonly [prefix: string, target: T]> = []) {
    for (const [prefix, target] of mounts) this.add(prefix, target);
  }

  add(prefix: string, target: T): void {
    assertMountPrefix(prefix);
    if (this.#entries.some((e) => e.prefix === prefix)) throw new Error(`two applications are mounted at ${JSON.stringify(prefix)}`);
    this.#entries.push({ prefix, target });
    this.#entries.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** The entry for a decoded path (PATH_INFO before mounting), or null: the server answers 404 (MOUNT-PATH-3). */
  match(path: string): { prefix: string; target: T } | null {
    for (const entry of this.#entries) if (prefixMatches(entry.prefix, path)) return entry;
    return null;
  }

  get size(): number { return this.#entries.length; }
}
