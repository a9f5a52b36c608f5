/**
 * Privilege separation (SEC-PRIV-1, S1 of RELIABILITY.md): a server started
 * as root binds its socket as root, and each worker switches to --user and
 * --group before it loads the application. Without --user the application
 * would run as root, which is refused unless --allow-root says so.
 * @module
 */
import { readFileSync } from 'node:fs';
import { ServerError } from './errors.js';
import type { ServerOptions } from './options.js';

export interface DropTarget {
  readonly uid: number;
  readonly gid: number;
  /** For initgroups(3): the user name, or the uid when only a number was given. */
  readonly user: string | number;
}

interface DbEntry { readonly name: string; readonly id: number; readonly gid?: number }

function readDb(file: string): DbEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const entries: DbEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0]!.startsWith('#')) continue;
    entries.push({ name: f[0]!, id: Number(f[2]), ...(file.endsWith('passwd') ? { gid: Number(f[3]) } : {}) });
  }
  return entries;
}

/**
 * Resolves --user and --group to ids from /etc/passwd and /etc/group (users
 * only known to NSS, e.g. LDAP, can be given as numbers). Throws
 * TSGI_ERR_PRIV_USER for a name that does not exist.
 */
export function resolveDropTarget(o: Pick<ServerOptions, 'user' | 'group'>): DropTarget | null {
  if (o.user === null && o.group === null) return null;
  const passwd = readDb('/etc/passwd');
  let uid = process.getuid?.() ?? 0;
  let gid = process.getgid?.() ?? 0;
  let user: string | number = uid;
  if (o.user !== null) {
    const found = typeof o.user === 'number' ? passwd.find((e) => e.id === o.user) : passwd.find((e) => e.name === o.user);
    if (found === undefined && typeof o.user !== 'number') throw new ServerError('TSGI_ERR_PRIV_USER', `--user ${JSON.stringify(o.user)}: no such user in /etc/passwd (give a numeric uid for users from other sources)`);
    uid = found?.id ?? (o.user as number);
    gid = found?.gid ?? uid;
    user = found?.name ?? uid;
  }
  if (o.group !== null) {
    if (typeof o.group === 'number') gid = o.group;
    else {
      const found = readDb('/etc/group').find((e) => e.name === o.group);
      if (found === undefined) throw new ServerError('TSGI_ERR_PRIV_USER', `--group ${JSON.stringify(o.group)}: no such group in /etc/group (give a numeric gid for groups from other sources)`);
      gid = found.id;
    }
  }
  return { uid, gid, user };
}

/**
 * Supervisor-side check before any worker starts. Root without --user is
 * refused (TSGI_ERR_PRIV_ROOT) unless --allow-root; --user without root is
 * refused unless it names the current user (TSGI_ERR_PRIV_DROP).
 */
export function checkPrivileges(o: Pick<ServerOptions, 'user' | 'group' | 'allowRoot'>): DropTarget | null {
  const target = resolveDropTarget(o);
  const euid = process.geteuid?.() ?? -1;
  if (euid === 0) {
    if ((target === null || target.uid === 0) && !o.allowRoot) {
      throw new ServerError('TSGI_ERR_PRIV_ROOT', 'started as root: the application would run as root. Give --user (and --group) to run workers as an unprivileged user, or --allow-root to run it as root anyway (SEC-PRIV-1)');
    }
    return target;
  }
  if (target !== null && (target.uid !== euid || target.gid !== (process.getegid?.() ?? -1))) {
    throw new ServerError('TSGI_ERR_PRIV_DROP', `--user/--group need the server to be started as root (running as uid ${euid})`);
  }
  return null;
}

/** Worker side, after the socket is inherited and before the application is loaded. Order matters: groups, then gid, then uid. */
export function dropPrivileges(target: DropTarget): void {
  try {
    // initgroups(3) needs a passwd entry; a bare uid gets just its group.
    const initgroups = (process as unknown as { initgroups: (user: string, group: number) => void }).initgroups;
    if (typeof target.user === 'string') initgroups(target.user, target.gid);
    else process.setgroups!([target.gid]);
    process.setgid!(target.gid);
    process.setuid!(target.uid);
  } catch (error) {
    throw new ServerError('TSGI_ERR_PRIV_DROP', `switching to uid ${target.uid} gid ${target.gid} failed: ${(error as Error).message}`, { cause: error });
  }
  if (process.getuid!() !== target.uid || process.geteuid!() !== target.uid) {
    throw new ServerError('TSGI_ERR_PRIV_DROP', `still uid ${process.getuid!()} after switching to ${target.uid}`);
  }
}
