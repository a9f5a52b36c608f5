/**
 * `path/to/module.ts[:exportName]`, the way the command line names an
 * application (gunicorn's `module:variable`, with a file path).
 * @module
 */

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export interface AppSpec {
  readonly path: string;
  /** The export to serve; null means `default`. */
  readonly exportName: string | null;
}

/** Splits at the last ":" when what follows is an identifier; otherwise the whole text is the path. */
export function splitAppSpec(spec: string): AppSpec {
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && IDENTIFIER.test(spec.slice(colon + 1))) return { path: spec.slice(0, colon), exportName: spec.slice(colon + 1) };
  return { path: spec, exportName: null };
}

/** True for a module Node cannot import without a TypeScript loader. */
export function isTypeScriptPath(path: string): boolean {
  return /\.(?:ts|mts|cts|tsx)$/.test(path);
}
