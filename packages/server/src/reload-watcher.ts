/**
 * --reload, for development: watches the applications' directories
 * (recursively, node_modules and dot-directories left out) and reports a change
 * once the files have been quiet for a moment, since an editor's save is often
 * several events (gunicorn --reload, mod_wsgi-express --reload-on-changes).
 * @module
 */
import { watch, type FSWatcher } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Changes closer together than this are one reload. */
export const RELOAD_DEBOUNCE_MS = 200;

const IGNORED = /(^|[\\/])(node_modules|\.[^\\/]+)([\\/]|$)/;

/** True for a changed file that should not restart the workers. */
export function isIgnoredPath(path: string): boolean {
  return IGNORED.test(path) || path.endsWith('~') || /\.sw[a-p]$/.test(path);
}

/** Removes directories inside others of the list, so no file is watched twice. */
export function outermost(dirs: readonly string[]): string[] {
  const unique = [...new Set(dirs)].sort();
  return unique.filter((d) => !unique.some((o) => o !== d && (d + sep).startsWith(o.endsWith(sep) ? o : o + sep)));
}

/** Calls `onChange(file)` after changes settle; returns a function that stops watching. */
export function watchSources(dirs: readonly string[], onChange: (file: string) => void): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  for (const dir of outermost(dirs)) {
    const watcher = watch(dir, { recursive: true }, (_event, filename) => {
      if (filename === null) return;
      const name = filename.toString();
      if (isIgnoredPath(name)) return;
      last = relative(process.cwd(), join(dir, name));
      clearTimeout(timer);
      timer = setTimeout(() => onChange(last), RELOAD_DEBOUNCE_MS);
    });
    watcher.on('error', () => {});
    watchers.push(watcher);
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
