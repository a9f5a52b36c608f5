/**
 * Real CGI hosts for the end-to-end tests: Apache httpd 2.4 (mpm_event +
 * mod_cgid) and lighttpd 1.4 (mod_cgi), each started in the foreground on a
 * free loopback port with a configuration written into a temporary directory,
 * and stopped by PID. The configurations are the ones docs/deploy/cgi.md shows.
 * @module
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { dirname, join } from 'node:path';

/** Longest a host may take to accept connections. */
export const HOST_START_TIMEOUT_MS = 15_000;
/** Longest a host may take to exit after SIGTERM before it gets SIGKILL. */
export const HOST_STOP_TIMEOUT_MS = 5_000;

export type HostName = 'apache' | 'lighttpd' | 'nginx';

export interface CgiHost {
  readonly name: HostName;
  readonly port: number;
  /** Base URL of the CGI directory, e.g. http://127.0.0.1:PORT/cgi-bin */
  readonly cgiBase: string;
  /** Apache only: the CGI directory on a second virtual host whose read Timeout is short. */
  readonly shortTimeoutBase?: string;
  /** The host's error log, where CGI standard error goes. */
  errorLog(): string;
  stop(): Promise<void>;
}

const BINARIES: Record<HostName, string[]> = {
  apache: ['/usr/sbin/apache2', '/usr/sbin/httpd'],
  lighttpd: ['/usr/sbin/lighttpd'],
  nginx: ['/usr/sbin/nginx'],
};

/** The binary of a host, or null when it is not installed (nginx also needs fcgiwrap). */
export function hostBinary(name: HostName): string | null {
  if (name === 'nginx' && !existsSync('/usr/sbin/fcgiwrap')) return null;
  return BINARIES[name].find((c) => existsSync(c)) ?? null;
}

/** A port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + HOST_START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the host exited (${child.exitCode ?? child.signalCode}) before listening:\n${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(true); });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`the host did not listen on ${port} within ${HOST_START_TIMEOUT_MS} ms:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Stops a host by its PID (or, for a detached child, its own process group), SIGKILL after HOST_STOP_TIMEOUT_MS. */
function stopper(child: ChildProcess, group = false): () => Promise<void> {
  return async () => {
    if (child.pid === undefined) return;
    const target = group ? -child.pid : child.pid;
    const kill = (signal: NodeJS.Signals) => { try { process.kill(target, signal); } catch { /* gone */ } };
    const running = child.exitCode === null && child.signalCode === null;
    const exited = running ? new Promise<void>((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), HOST_STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };
}

function readLog(path: string): string {
  try { return readFileSync(path, 'utf8'); } catch { return ''; }
}

/** As root, Apache and lighttpd switch to this user; the temporary directory must be readable by it. */
function runUser(): string | null {
  return process.getuid?.() === 0 ? 'www-data' : null;
}

/** Hands a file to the unprivileged host user (lighttpd opens its log after dropping root). */
function giveToHost(path: string): void {
  const user = runUser();
  if (user === null) return;
  const id = (flag: string) => Number(spawnSync('id', [flag, user], { encoding: 'utf8' }).stdout.trim());
  writeFileSync(path, '');
  chownSync(path, id('-u'), id('-g'));
}

/** Makes the directory tree readable (and directories enterable) for the unprivileged host user. */
export function openForHost(dir: string): void {
  chmodSync(dir, 0o755);
}

/**
 * Starts Apache with `ScriptAlias /cgi-bin/ <cgiDir>/` and a document root
 * holding static files (the target of the local-redirect test).
 */
/** The .htaccess of the shared-hosting variant (docs/deploy/cgi.md): a directory of the site runs *.cgi files. */
export const HTACCESS = `Options +ExecCGI
AddHandler cgi-script .cgi
CGIPassAuth On
`;

export async function startApache(root: string, cgiDir: string, docRoot: string, shortTimeoutSeconds = 3): Promise<CgiHost> {
  const binary = hostBinary('apache');
  if (!binary) throw new Error('apache2 is not installed');
  const port = await freePort();
  const shortPort = await freePort();
  const modules = '/usr/lib/apache2/modules';
  const user = runUser();
  const errorLog = join(root, 'apache-error.log');
  const config = `# The minimal Apache for a TSGI CGI script (docs/deploy/cgi.md)
ServerRoot "${root}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
# Pass %2F to the script decoded in PATH_INFO (ENV-PATH-4); Apache answers 404 by default.
AllowEncodedSlashes On
PidFile "${root}/apache.pid"
ErrorLog "${errorLog}"
LogLevel warn
${user ? `User ${user}\nGroup ${user}` : ''}
LoadModule mpm_event_module ${modules}/mod_mpm_event.so
LoadModule authz_core_module ${modules}/mod_authz_core.so
LoadModule alias_module ${modules}/mod_alias.so
LoadModule mime_module ${modules}/mod_mime.so
LoadModule env_module ${modules}/mod_env.so
LoadModule cgid_module ${modules}/mod_cgid.so
ScriptSock "${root}/cgid.sock"
TypesConfig /etc/mime.types
DocumentRoot "${docRoot}"
<Directory "${docRoot}">
    Require all granted
    # Lets a .htaccess run CGI scripts (the shared-hosting variant of docs/deploy/cgi.md).
    AllowOverride Options=ExecCGI FileInfo AuthConfig
</Directory>
ScriptAlias /cgi-bin/ "${cgiDir}/"
<Directory "${cgiDir}">
    Options +ExecCGI
    Require all granted
    # Pass Authorization to the script (RFC 3875 §4.1.18 lets hosts drop it; Apache does by default).
    CGIPassAuth On
</Directory>
# A second site whose Timeout (also for reading CGI output) is short: for holdOnFailureMs.
Listen 127.0.0.1:${shortPort}
<VirtualHost 127.0.0.1:${shortPort}>
    Timeout ${shortTimeoutSeconds}
    # The whole site served by the script (docs/deploy/cgi.md), /cgi-bin/ aside.
    ScriptAliasMatch ^/(?!cgi-bin/)(.*)$ "${cgiDir}/app.cgi/$1"
</VirtualHost>
`;
  mkdirSync(join(root, 'logs'), { recursive: true });
  writeFileSync(join(root, 'apache.conf'), config);
  const child = spawn(binary, ['-f', join(root, 'apache.conf'), '-DFOREGROUND'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  await waitForPort(port, child, () => output + readLog(errorLog));
  return {
    name: 'apache',
    port,
    cgiBase: `http://127.0.0.1:${port}/cgi-bin`,
    shortTimeoutBase: `http://127.0.0.1:${shortPort}/cgi-bin`,
    errorLog: () => readLog(errorLog),
    stop: stopper(child),
  };
}

/** Starts lighttpd with `/cgi-bin/` aliased to `cgiDir` and every file there run as CGI. */
export async function startLighttpd(root: string, cgiDir: string, docRoot: string): Promise<CgiHost> {
  const binary = hostBinary('lighttpd');
  if (!binary) throw new Error('lighttpd is not installed');
  const port = await freePort();
  const user = runUser();
  const errorLog = join(root, 'lighttpd-error.log');
  // CGI standard error goes to server.breakagelog (lighttpd's own stderr without it).
  const breakageLog = join(root, 'lighttpd-cgi-stderr.log');
  const config = `# The minimal lighttpd for a TSGI CGI script (docs/deploy/cgi.md)
server.modules = ( "mod_alias", "mod_cgi" )
server.bind = "127.0.0.1"
server.port = ${port}
server.document-root = "${docRoot}"
server.errorlog = "${errorLog}"
server.breakagelog = "${breakageLog}"
${user ? `server.username = "${user}"\nserver.groupname = "${user}"` : ''}
mimetype.assign = ( ".txt" => "text/plain" )
alias.url = ( "/cgi-bin/" => "${cgiDir}/" )
$HTTP["url"] =~ "^/cgi-bin/" {
    cgi.assign = ( "" => "" )
    # RFC 3875 §6.2.2 local redirects; off by default in lighttpd.
    cgi.local-redir = "enable"
}
# Send a streamed body as it comes instead of buffering all of it first.
server.stream-response-body = 2
`;
  writeFileSync(join(root, 'lighttpd.conf'), config);
  giveToHost(errorLog);
  giveToHost(breakageLog);
  const check = spawnSync(binary, ['-tt', '-f', join(root, 'lighttpd.conf')], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`lighttpd rejected its configuration:\n${check.stdout}${check.stderr}`);
  const child = spawn(binary, ['-D', '-f', join(root, 'lighttpd.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  await waitForPort(port, child, () => output + readLog(errorLog));
  return {
    name: 'lighttpd',
    port,
    cgiBase: `http://127.0.0.1:${port}/cgi-bin`,
    errorLog: () => readLog(errorLog) + readLog(breakageLog),
    stop: stopper(child),
  };
}

/**
 * Starts fcgiwrap on a unix socket and nginx in front of it, with
 * /cgi-bin/<script>/<path info> split by fastcgi_split_path_info.
 */
export async function startNginx(root: string, cgiDir: string, docRoot: string): Promise<CgiHost> {
  const binary = hostBinary('nginx');
  if (!binary) throw new Error('nginx or fcgiwrap is not installed');
  const port = await freePort();
  const user = runUser();
  const errorLog = join(root, 'nginx-error.log');
  const socket = join(root, 'fcgiwrap.sock');
  for (const dir of ['nginx-body', 'nginx-fastcgi']) mkdirSync(join(root, dir), { recursive: true });
  const config = `# nginx + fcgiwrap for a TSGI CGI script (docs/deploy/cgi.md)
${user ? `user ${user};` : ''}
worker_processes 1;
daemon off;
pid ${root}/nginx.pid;
error_log ${errorLog} warn;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path ${root}/nginx-body;
    fastcgi_temp_path ${root}/nginx-fastcgi;
    client_max_body_size 8m;
    server {
        listen 127.0.0.1:${port};
        root ${docRoot};
        location /cgi-bin/ {
            # The directory that holds cgi-bin/ (here: ${cgiDir}).
            root ${dirname(cgiDir)};
            # (?s): PATH_INFO may hold a newline (%0A); without it the split fails (CVE-2019-11043's shape).
            fastcgi_split_path_info ^(/cgi-bin/[^/]+)((?s)/.*)?$;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_param PATH_INFO $fastcgi_path_info;
            # httpoxy: never let a Proxy request header become HTTP_PROXY.
            fastcgi_param HTTP_PROXY "";
            # Stream the response as the script writes it.
            fastcgi_buffering off;
            fastcgi_pass unix:${socket};
        }
    }
}
`;
  writeFileSync(join(root, 'nginx.conf'), config);
  // fcgiwrap runs the scripts; nginx's workers (www-data when started as root) must reach its socket.
  // Its own process group (fcgiwrap -c forks workers), stopped as one; without NODE_OPTIONS,
  // which tap's process tracking adds to children and fcgiwrap would hand on to the scripts.
  const wrapper = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', '/usr/sbin/fcgiwrap', '-c', '2', '-s', `unix:${socket}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let wrapperOutput = '';
  wrapper.stdout!.on('data', (d) => { wrapperOutput += d; });
  wrapper.stderr!.on('data', (d) => { wrapperOutput += d; });
  const deadline = Date.now() + HOST_START_TIMEOUT_MS;
  while (!existsSync(socket)) {
    if (wrapper.exitCode !== null || Date.now() > deadline) throw new Error(`fcgiwrap did not start:\n${wrapperOutput}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  chmodSync(socket, 0o666);
  const child = spawn(binary, ['-c', join(root, 'nginx.conf'), '-p', root], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => { output += d; });
  child.stderr!.on('data', (d) => { output += d; });
  const stopNginx = stopper(child);
  const stopWrapper = stopper(wrapper, true);
  try {
    await waitForPort(port, child, () => output + readLog(errorLog));
  } catch (error) {
    await stopNginx();
    await stopWrapper();
    throw error;
  }
  return {
    name: 'nginx',
    port,
    cgiBase: `http://127.0.0.1:${port}/cgi-bin`,
    // fcgiwrap passes the script's standard error to its own.
    errorLog: () => readLog(errorLog) + wrapperOutput,
    stop: async () => { await stopNginx(); await stopWrapper(); },
  };
}
