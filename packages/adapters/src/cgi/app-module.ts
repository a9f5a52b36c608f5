import { TsgiError } from '@tsgi/gateway-spec/server-kit';

/** An application named on a command line: `path/to/app.mjs` or `path/to/app.mjs:exportName`. */
export interface AppSpec {
  readonly path: string;
  /** The export to serve; null: `default`, else `app`. */
  readonly exportName: string | null;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Splits `module[:export]`; a suffix that is not an identifier stays part of the path. */
export function parseAppSpec(spec: string): AppSpec {
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && IDENTIFIER.test(spec.slice(colon + 1))) return { path: spec.slice(0, colon), exportName: spec.slice(colon + 1) };
  return { path: spec, exportName: null };
}

/** True for a file Node cannot import without a TypeScript loader. */
export function isTypeScriptPath(path: string): boolean {
  return /\.(?:ts|mts|cts|tsx)$/.test(path);
}

/**
 * The application a module exports: the named export, else `default`, else
 * `app`. Throws, naming the module and what it has, when there is none.
 */
export function pickApp(namespace: Record<string, unknown>, exportName: string | null, where: string): unknown {
  const names = exportName !== null ? [exportName] : ['default', 'app'];
  for (const name of names) {
    const value = namespace[name];
    if (value !== undefined && value !== null) return value;
  }
  const has = Object.keys(namespace).filter((k) => k !== '__esModule');
  throw new TsgiError(
    'TSGI_ERR_INVALID_ARGUMENT',
    `${where} has no export ${names.map((n) => JSON.stringify(n)).join(' or ')} (it exports ${has.length ? has.join(', ') : 'nothing'}); name one as ${where}:exportName`,
  );
}
