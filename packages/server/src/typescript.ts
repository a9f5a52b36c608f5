/**
 * TypeScript with no build step: tsx's loaders, registered once in the
 * process that imports a .ts module (a worker for the app, the CLI for a .ts
 * config). Both the ESM and the CommonJS hooks are needed: a .ts file outside
 * a `"type": "module"` package is loaded as CommonJS. Each module is
 * transpiled once, when it is imported, never per request.
 * @module
 */

let registered = false;

export async function registerTypeScript(): Promise<void> {
  if (registered) return;
  const esm = await import('tsx/esm/api');
  esm.register();
  const cjs = await import('tsx/cjs/api');
  cjs.register();
  registered = true;
}

/**
 * The default export of an imported module. A module written with `export
 * default` but loaded as CommonJS arrives as `{ default: { __esModule, default } }`.
 */
export function defaultExport(namespace: Record<string, unknown>): unknown {
  const value = namespace.default;
  if (typeof value === 'object' && value !== null && (value as { __esModule?: unknown }).__esModule === true && 'default' in value) {
    return (value as { default: unknown }).default;
  }
  return value;
}
