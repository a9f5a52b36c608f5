/**
 * The config file: `tsgi.config.json`, `.js`, `.mjs` or `.ts`, found in the
 * working directory or named with --config. It holds one object whose keys are
 * the option keys (as `startServer()` takes them); JSON may also carry a
 * "$schema" key for editors. Flags override what it says.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTypeScriptPath } from './app-spec.js';
import { ServerError } from './errors.js';
import { defaultExport, registerTypeScript } from './typescript.js';

/** Looked for, in this order, when --config is not given. */
export const CONFIG_FILE_NAMES = ['tsgi.config.json', 'tsgi.config.js', 'tsgi.config.mjs', 'tsgi.config.ts'] as const;

export interface ConfigFile {
  readonly path: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** The config file in `dir`, or null when there is none. */
export function findConfigFile(dir: string): string | null {
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(dir, name);
    if (existsSync(path)) return path;
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Reads and parses `path`; throws TSGI_ERR_CONFIG_NOT_FOUND or TSGI_ERR_CONFIG_READ naming the file. */
export async function loadConfigFile(path: string): Promise<ConfigFile> {
  if (!existsSync(path)) throw new ServerError('TSGI_ERR_CONFIG_NOT_FOUND', `the config file ${path} does not exist`);
  let value: unknown;
  if (path.endsWith('.json')) {
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new ServerError('TSGI_ERR_CONFIG_READ', `the config file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
  } else {
    try {
      if (isTypeScriptPath(path)) await registerTypeScript();
      const namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
      value = await defaultExport(namespace);
    } catch (error) {
      throw new ServerError('TSGI_ERR_CONFIG_READ', `importing the config file ${path} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  if (!isPlainObject(value)) {
    throw new ServerError('TSGI_ERR_CONFIG_READ', `the config file ${path} must hold an object of options${path.endsWith('.json') ? '' : ' as its default export'}`);
  }
  const { $schema: _schema, ...values } = value;
  return { path, values };
}
