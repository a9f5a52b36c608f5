/** Bad values for every option, shared by bad-flags.test.ts and bad-config.test.ts. */
import { spawnSync } from 'node:child_process';
import { BIN, PACKAGE_DIR } from './helpers.js';

/** Runs the real command to its end (these runs stop at validation, before any worker starts). */
export function tsgiSync(args: string[], cwd = PACKAGE_DIR) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** For each option: a bad flag text, a bad config-file value, and what the message must say is allowed. */
export const BAD: Record<string, { flag?: string; file: unknown; allowed: RegExp }> = {
  host: { flag: '', file: '', allowed: /a host name or IP address/ },
  port: { flag: '70000', file: '8080', allowed: /an integer from 0 to 65535/ },
  unixSocket: { flag: '', file: 5, allowed: /unix-domain socket/ },
  socketMode: { flag: '999', file: 'rw', allowed: /octal file mode/ },
  backlog: { flag: '0', file: -1, allowed: /an integer from 1 to 65535/ },
  workers: { flag: 'many', file: 0, allowed: /an integer from 1 to 1024/ },
  timeout: { flag: 'soon', file: -1, allowed: /a number of seconds from 0/ },
  gracefulTimeout: { flag: '-3', file: '30', allowed: /a number of seconds from 0/ },
  startupTimeout: { flag: '0', file: 0, allowed: /a number of seconds from 0\.1/ },
  keepAlive: { flag: 'x', file: true, allowed: /a number of seconds/ },
  maxRequests: { flag: '1.5', file: -1, allowed: /an integer from 0/ },
  maxRequestsJitter: { flag: 'x', file: 0.5, allowed: /an integer from 0/ },
  maxMemory: { flag: '12Q', file: '1 potato', allowed: /a size such as 512K, 256M, 2G/ },
  maxBodySize: { flag: '-1', file: [], allowed: /a size such as 512K/ },
  trustedProxies: { flag: 'nonsense', file: ['256.1.1.1'], allowed: /an IP address, a CIDR range/ },
  user: { flag: 'not a user!', file: -1, allowed: /a user name or numeric uid/ },
  group: { flag: 'bad group!', file: {}, allowed: /a group name or numeric gid/ },
  allowRoot: { file: 'yes', allowed: /true or false/ },
  reload: { file: 1, allowed: /true or false/ },
  accessLog: { flag: '', file: 5, allowed: /a file path, or "-" for standard output/ },
  accessLogFormat: { flag: 'xml', file: 'apache', allowed: /"combined" or "json"/ },
  errorLog: { flag: '', file: null, allowed: /a file path, or "-" for standard error/ },
  logLevel: { flag: 'verbose', file: 'trace', allowed: /"debug", "info", "warning" or "error"/ },
  healthPath: { flag: 'healthz', file: '/h?x', allowed: /a URL path that starts with "\/"/ },
  metricsPath: { flag: 'metrics', file: 42, allowed: /a URL path that starts with "\/"/ },
  procName: { flag: '', file: 'x'.repeat(65), allowed: /a name of 1 to 64 characters/ },
  mounts: { flag: 'api=x', file: [5], allowed: /PREFIX=MODULE\[:EXPORT\]/ },
};

