/**
 * Merges the layers of options (defaults, then the config file, then flags or
 * the `startServer()` argument), validates each value where it came from, and
 * freezes the result. Relative paths are taken from the directory of the layer
 * that gave them: the config file's directory for the file, the working
 * directory for flags.
 * @module
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ServerError } from './errors.js';
import { resolveAttachOptions } from '@tsgi/adapters/http';
import { checkOption, defaultOptions, describeSource, optionSpec, showValue, type MountSpec, type OptionSource, type ServerOptions } from './options.js';
import { splitAppSpec } from './app-spec.js';

export interface OptionLayer {
  readonly source: OptionSource;
  /** Directory relative paths of this layer are resolved against. */
  readonly baseDir: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** A root-level mount prefix (MOUNT-PATH-1): "" or "/x" with no trailing "/". */
const PREFIX = /^(\/[^\s?#]*[^/\s?#])?$/;

function absolutePath(path: string, baseDir: string): string {
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function absoluteAppSpec(spec: string, baseDir: string): string {
  const { path, exportName } = splitAppSpec(spec);
  const abs = absolutePath(path, baseDir);
  return exportName === null ? abs : `${abs}:${exportName}`;
}

function mountFrom(prefix: string, app: unknown, where: string, baseDir: string): MountSpec {
  const normalized = prefix === '/' ? '' : prefix;
  if (!PREFIX.test(normalized)) {
    throw new ServerError('TSGI_ERR_OPTS_INVALID', `${where} has the prefix ${JSON.stringify(prefix)}; allowed: "" or a path that starts with "/" and does not end with "/" (MOUNT-PATH-1)`);
  }
  if (typeof app !== 'string' || app === '') {
    throw new ServerError('TSGI_ERR_OPTS_INVALID', `${where} mounts ${showValue(app)} at ${JSON.stringify(prefix)}; allowed: a module path, MODULE[:EXPORT]`);
  }
  return { prefix: normalized, app: absoluteAppSpec(app, baseDir) };
}

/** `mounts` as a config file may write it: ["/p=app.ts"], [{ prefix, app }] or { "/p": "app.ts" }. */
function readMounts(value: unknown, layer: OptionLayer): MountSpec[] {
  const where = describeSource(undefined, 'mounts', layer.source);
  if (layer.source.kind === 'flag') {
    const entries = checkOption('mounts', value, layer.source) as string[];
    return entries.map((entry) => {
      const eq = entry.indexOf('=');
      return mountFrom(entry.slice(0, eq), entry.slice(eq + 1), `--mount ${JSON.stringify(entry)}`, layer.baseDir);
    });
  }
  if (Array.isArray(value)) {
    return value.map((entry, i) => {
      if (typeof entry === 'string') {
        const eq = entry.indexOf('=');
        if (eq < 0) throw new ServerError('TSGI_ERR_OPTS_INVALID', `${where} entry ${i} is ${showValue(entry)}; allowed: "PREFIX=MODULE[:EXPORT]" or { "prefix": ..., "app": ... }`);
        return mountFrom(entry.slice(0, eq), entry.slice(eq + 1), `${where} entry ${i}`, layer.baseDir);
      }
      if (typeof entry === 'object' && entry !== null && typeof (entry as MountSpec).prefix === 'string') {
        return mountFrom((entry as MountSpec).prefix, (entry as MountSpec).app, `${where} entry ${i}`, layer.baseDir);
      }
      throw new ServerError('TSGI_ERR_OPTS_INVALID', `${where} entry ${i} is ${showValue(entry)}; allowed: "PREFIX=MODULE[:EXPORT]" or { "prefix": ..., "app": ... }`);
    });
  }
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).map(([prefix, app]) => mountFrom(prefix, app, `${where} key ${JSON.stringify(prefix)}`, layer.baseDir));
  }
  throw new ServerError('TSGI_ERR_OPTS_INVALID', `${where} is ${showValue(value)}; allowed: an array of "PREFIX=MODULE[:EXPORT]" or an object { "PREFIX": "MODULE" }`);
}

const PATH_KEYS = new Set(['unixSocket', 'accessLog', 'errorLog']);

/** Validates and merges `layers` (later ones win) into frozen ServerOptions. */
export function resolveOptions(layers: readonly OptionLayer[]): ServerOptions {
  const merged: Record<string, unknown> = { ...defaultOptions(), app: null, mounts: [] };
  for (const layer of layers) {
    for (const [key, raw] of Object.entries(layer.values)) {
      if (raw === undefined) continue;
      if (key === 'app') {
        if (raw === null) continue;
        if (typeof raw !== 'string' || raw === '') {
          throw new ServerError('TSGI_ERR_OPTS_INVALID', `${describeSource(undefined, 'app', layer.source)} is ${showValue(raw)}; allowed: a module path, MODULE[:EXPORT]`);
        }
        merged.app = absoluteAppSpec(raw, layer.baseDir);
      } else if (key === 'mounts') {
        merged.mounts = readMounts(raw, layer);
      } else {
        let value = checkOption(key, raw, layer.source);
        if (key === 'trustedProxies') checkTrustedProxies(value as string[], layer.source);
        if (PATH_KEYS.has(key) && typeof value === 'string' && value !== '-') value = absolutePath(value, layer.baseDir);
        if (key === 'socketMode') value = parseInt(value as string, 8);
        merged[key] = value;
      }
    }
  }
  const options = merged as unknown as ServerOptions;
  checkAcrossFields(options);
  return deepFreeze(options);
}

/** The HTTP adapter knows what a trusted-proxy entry may be; ask it now rather than fail in every worker. */
function checkTrustedProxies(entries: string[], source: OptionSource): void {
  try {
    resolveAttachOptions({ trustedProxies: entries });
  } catch (error) {
    const e = error as { option?: string; value?: unknown; allowed?: string; message: string };
    const index = e.option?.split('.')[1];
    const where = index === undefined ? '' : ` entry ${index}`;
    throw new ServerError('TSGI_ERR_OPTS_INVALID', `${describeSource(optionSpec('trustedProxies'), 'trustedProxies', source)}${where} is ${showValue(e.value)}; allowed: ${e.allowed ?? e.message}`);
  }
}

function checkAcrossFields(o: ServerOptions): void {
  if (o.app === null && o.mounts.length === 0) {
    throw new ServerError('TSGI_ERR_CLI_USAGE', 'no application to serve: name a module (tsgi serve app.ts) or mount one (--mount /prefix=app.ts)');
  }
  const prefixes = new Set<string>(o.app !== null ? [''] : []);
  for (const m of o.mounts) {
    if (prefixes.has(m.prefix)) {
      throw new ServerError('TSGI_ERR_OPTS_INVALID', `two applications are mounted at ${JSON.stringify(m.prefix === '' ? '/' : m.prefix)}; allowed: one application per prefix`);
    }
    prefixes.add(m.prefix);
  }
  for (const spec of [...(o.app !== null ? [o.app] : []), ...o.mounts.map((m) => m.app)]) {
    const { path } = splitAppSpec(spec);
    if (!existsSync(path)) throw new ServerError('TSGI_ERR_APP_NOT_FOUND', `the application module ${path} does not exist`);
  }
  if (o.healthPath !== null && o.healthPath === o.metricsPath) {
    throw new ServerError('TSGI_ERR_OPTS_INVALID', `--health-path and --metrics-path are both ${JSON.stringify(o.healthPath)}; allowed: two different paths`);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
