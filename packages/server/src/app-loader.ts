/**
 * Loads the applications a worker serves: registers a TypeScript loader when
 * one is needed (once, at load: never per request), imports each module, picks
 * its export, and composes mounts into one application with `mount()` of
 * @tsgi/gateway-spec (section 8 of the spec).
 * @module
 */
import { pathToFileURL } from 'node:url';
import { normalizeApplication, type ApplicationObject } from '@tsgi/gateway-spec/server-kit';
import { mount, type Application } from '@tsgi/gateway-spec';
import { isTypeScriptPath, splitAppSpec } from './app-spec.js';
import { ServerError } from './errors.js';
import { defaultExport, registerTypeScript } from './typescript.js';
import type { ServerOptions } from './options.js';

function describeExports(namespace: Record<string, unknown>): string {
  const names = Object.keys(namespace).filter((k) => k !== '__esModule');
  return names.length > 0 ? names.join(', ') : 'nothing';
}

/** Imports `spec` (`/abs/module.ts[:export]`) and returns the application it exports. */
export async function loadApplication(spec: string): Promise<Application> {
  const { path, exportName } = splitAppSpec(spec);
  if (isTypeScriptPath(path)) await registerTypeScript();
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ServerError('TSGI_ERR_APP_IMPORT', `importing ${path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`, { cause: error });
  }
  const name = exportName ?? 'default';
  let value = exportName === null ? defaultExport(namespace) : namespace[name];
  // A CommonJS module imported as ESM puts module.exports on `default`.
  if (value === undefined && exportName !== null && typeof namespace.default === 'object' && namespace.default !== null) {
    value = (namespace.default as Record<string, unknown>)[exportName];
  }
  if (value === undefined || value === null) {
    throw new ServerError('TSGI_ERR_APP_EXPORT', `${path} has no export ${JSON.stringify(name)} (it exports ${describeExports(namespace)}); name one as ${path}:exportName`);
  }
  try {
    normalizeApplication(value);
  } catch (error) {
    throw new ServerError('TSGI_ERR_APP_EXPORT', `the export ${JSON.stringify(name)} of ${path} is not a TSGI application: ${(error as Error).message}`, { cause: error });
  }
  return value as Application;
}

/** The one application a worker serves: the root app alone, or every app composed at its prefix. */
export async function loadServedApplication(options: Pick<ServerOptions, 'app' | 'mounts'>): Promise<ApplicationObject> {
  if (options.mounts.length === 0 && options.app !== null) return normalizeApplication(await loadApplication(options.app));
  const entries: Array<readonly [string, Application]> = [];
  if (options.app !== null) entries.push(['', await loadApplication(options.app)]);
  for (const m of options.mounts) entries.push([m.prefix, await loadApplication(m.app)]);
  return mount(entries);
}
