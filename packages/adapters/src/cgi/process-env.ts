import { readFileSync } from 'node:fs';
import { isCgiVariableName, type CgiVariables } from '../shared/cgi-variables.js';

/** Where Linux keeps the environment a process started with, byte for byte. */
const PROC_ENVIRON = '/proc/self/environ';

/**
 * 0xFF never occurs in UTF-8: it stands for bytes that were lost when the
 * environment was read as text, so that a path carrying them still fails to
 * decode (ENV-PATH-4) instead of passing as U+FFFD.
 */
const LOST_BYTE = '\xff';

const ASCII = /^[\x00-\x7f]*$/;

/** The process's starting environment as byte strings, or null where /proc is missing. */
function readRawEnviron(): Map<string, string> | null {
  let raw: Buffer;
  try {
    raw = readFileSync(PROC_ENVIRON);
  } catch {
    return null;
  }
  const entries = new Map<string, string>();
  for (const entry of raw.toString('latin1').split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) entries.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return entries;
}

/**
 * The CGI meta-variables of an environment as byte strings (one code unit per
 * byte), the form `parseCgiRequest` takes.
 *
 * Hosts put bytes into the environment (Apache decodes `%E9` in PATH_INFO to
 * the byte E9); Node hands `process.env` out as UTF-8, with U+FFFD for bytes
 * that are not UTF-8. A value that is valid UTF-8 is turned back into its
 * bytes. A value with U+FFFD in it is looked up in /proc/self/environ when
 * `env` is the process's own environment, for its exact bytes; where that is
 * not possible, each U+FFFD becomes the byte 0xFF, which no UTF-8 text
 * contains, so that such a path is refused (ENV-PATH-4) rather than passed on
 * with a character the client never sent.
 */
export function cgiVariablesFromEnv(env: NodeJS.ProcessEnv, rawEnviron: () => Map<string, string> | null = readRawEnviron): CgiVariables {
  const vars: Record<string, string> = {};
  let raw: Map<string, string> | null | undefined;
  for (const name of Object.keys(env)) {
    if (!isCgiVariableName(name)) continue;
    const value = env[name];
    if (value === undefined) continue;
    if (ASCII.test(value)) {
      vars[name] = value;
    } else if (!value.includes('\ufffd')) {
      vars[name] = Buffer.from(value, 'utf8').toString('latin1');
    } else {
      if (raw === undefined) raw = env === process.env ? rawEnviron() : null;
      const bytes = raw?.get(name);
      // The raw value is used only when it is what Node decoded (not changed since start).
      vars[name] = bytes !== undefined && Buffer.from(bytes, 'latin1').toString('utf8') === value
        ? bytes
        : value.split('\ufffd').map((part) => Buffer.from(part, 'utf8').toString('latin1')).join(LOST_BYTE);
    }
  }
  return vars;
}
