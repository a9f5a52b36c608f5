#!/usr/bin/env bash
# Start-up cost of a TSGI CGI script (tsgi-cgi wrap) against a plain Node.js
# CGI script, `node -e 0`, a shell and a Python CGI script:
#   1. hyperfine runs each script directly, with CGI meta-variables set, and
#      reports wall time and CPU time (user + system) per process;
#   2. ab measures requests/s of each script served by Apache (mpm_event +
#      mod_cgid) on a loopback port, with a bounded number of requests.
# CPU time is the figure to compare on a busy machine; wall time includes
# waiting for a core.
#
# Usage: benchmarks/cgi/run.sh   (RUNS=60 WARMUP=5 AB_REQUESTS=200 AB_CONCURRENCY=2 AB_ROUNDS=3)
# The ab rounds are interleaved (every script once per round) and the median
# round is reported, so that drift in the machine's load hits all scripts alike.
# Needs: node 20, hyperfine; for the Apache part apache2 and ab (apache2-utils).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
RUNS=${RUNS:-60}
WARMUP=${WARMUP:-5}
AB_REQUESTS=${AB_REQUESTS:-200}
AB_ROUNDS=${AB_ROUNDS:-3}
AB_CONCURRENCY=${AB_CONCURRENCY:-2}
node_bin=$(command -v node)

for tool in node hyperfine; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed (Debian: apt-get install $tool)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/tsgi-cgi-bench-XXXXXX)
chmod 755 "$work"
apache_pid=""
cleanup() {
  if [ -n "$apache_pid" ]; then kill "$apache_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cgi="$work/cgi-bin"
mkdir -m 755 "$cgi"

echo "== building (tsgi-cgi wrap)"
(cd "$repo" && npx --no-install tsc -b packages/adapters >/dev/null 2>&1) || true
cli="$repo/packages/adapters/dist/cgi/bin.js"
[ -f "$cli" ] || { echo "run.sh: $cli is missing; build the workspace first (pnpm build)" >&2; exit 2; }
node "$cli" wrap "$here/hello.ts" --out "$cgi" --name tsgi-hello.cgi
node "$cli" wrap "$here/hello.ts" --out "$cgi" --name tsgi-hello-snap.cgi --snapshot
# A heavy start (hello inside validate(), which builds zod schemas at import): what --snapshot is for.
node "$cli" wrap "$here/heavy.ts" --out "$cgi" --name tsgi-heavy.cgi
node "$cli" wrap "$here/heavy.ts" --out "$cgi" --name tsgi-heavy-snap.cgi --snapshot
sed "1s|.*|#!$node_bin|" "$here/plain-hello.js" > "$cgi/node-hello.cgi"
# The same plain script with the V8 flag tsgi-cgi wrap puts in its shebang (--v8-pool-size=1).
sed "1s|.*|#!$node_bin --v8-pool-size=1|" "$here/plain-hello.js" > "$cgi/node-hello-pool1.cgi"
cp "$here/hello.sh" "$cgi/sh-hello.cgi"
cp "$here/hello.py" "$cgi/py-hello.cgi"
chmod 755 "$cgi"/*.cgi

# The scripts run with the environment a CGI host gives: the meta-variables and PATH, nothing
# of this shell (NODE_EXTRA_CA_CERTS alone adds about 30 ms to every Node start).
cgi_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/hello.cgi PATH_INFO= QUERY_STRING=
  REQUEST_URI=/cgi-bin/hello.cgi SERVER_NAME=127.0.0.1 SERVER_PORT=80 SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=127.0.0.1
  GATEWAY_INTERFACE=CGI/1.1 SERVER_SOFTWARE=Apache)
scripts="node-hello node-hello-pool1 tsgi-hello tsgi-hello-snap tsgi-heavy tsgi-heavy-snap sh-hello py-hello"
for s in $scripts; do
  out=$("${cgi_env[@]}" "$cgi/$s.cgi")
  case "$out" in *"Hello, world!"*) ;; *) echo "run.sh: $s.cgi answered: $out" >&2; exit 1 ;; esac
done
ls -l "$cgi" | grep -v '\.snapshot\.cjs$'

echo
echo "== start-up: hyperfine, $RUNS runs after $WARMUP warm-up runs, CGI environment only (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
"${cgi_env[@]}" "$(command -v hyperfine)" -N --warmup "$WARMUP" --runs "$RUNS" --output=pipe --style=basic --export-json "$work/startup.json" \
  -n 'node -e 0' "$node_bin -e 0" \
  -n node-hello "$cgi/node-hello.cgi" \
  -n node-hello-pool1 "$cgi/node-hello-pool1.cgi" \
  -n tsgi-hello "$cgi/tsgi-hello.cgi" \
  -n tsgi-hello-snap "$cgi/tsgi-hello-snap.cgi" \
  -n tsgi-heavy "$cgi/tsgi-heavy.cgi" \
  -n tsgi-heavy-snap "$cgi/tsgi-heavy-snap.cgi" \
  -n sh-hello "$cgi/sh-hello.cgi" \
  -n py-hello "$cgi/py-hello.cgi" >/dev/null

node - "$work/startup.json" <<'EOF'
const { results } = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const ms = (s) => (s * 1000).toFixed(1);
const base = results.find((r) => r.command === 'node-hello');
const cpu = (r) => r.user + r.system;
console.log('| script | wall mean ± σ (ms) | wall median (ms) | CPU user+sys (ms) | CPU vs node-hello | wall median vs node-hello |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  console.log(`| ${r.command} | ${ms(r.mean)} ± ${ms(r.stddev)} | ${ms(r.median)} | ${ms(cpu(r))} | ${(cpu(r) / cpu(base)).toFixed(2)}× | ${(r.median / base.median).toFixed(2)}× |`);
}
EOF

if ! command -v apache2 >/dev/null || ! command -v ab >/dev/null; then
  echo; echo "== Apache part skipped: apache2 and ab (apache2-utils) are needed"; exit 0
fi

echo
echo "== through Apache (mpm_event + mod_cgid): ab -n $AB_REQUESTS -c $AB_CONCURRENCY per script, $AB_ROUNDS interleaved rounds"
port=$(node -e "const s=require('node:net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
user_lines=""
if [ "$(id -u)" = 0 ]; then user_lines=$'User www-data\nGroup www-data'; fi
mods=/usr/lib/apache2/modules
cat > "$work/apache.conf" <<EOF
ServerRoot "$work"
ServerName 127.0.0.1
Listen 127.0.0.1:$port
PidFile "$work/apache.pid"
ErrorLog "$work/apache-error.log"
LogLevel warn
$user_lines
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule alias_module $mods/mod_alias.so
LoadModule cgid_module $mods/mod_cgid.so
ScriptSock "$work/cgid.sock"
ScriptAlias /cgi-bin/ "$cgi/"
<Directory "$cgi">
    Options +ExecCGI
    Require all granted
</Directory>
EOF
apache2 -f "$work/apache.conf" -DFOREGROUND &
apache_pid=$!
for _ in $(seq 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
  sleep 0.1
done
declare -A rps bad
for s in $scripts; do ab -q -n 20 -c "$AB_CONCURRENCY" "http://127.0.0.1:$port/cgi-bin/$s.cgi" >/dev/null 2>&1 || true; done
for _ in $(seq "$AB_ROUNDS"); do
  for s in $scripts; do
    report=$(ab -q -n "$AB_REQUESTS" -c "$AB_CONCURRENCY" "http://127.0.0.1:$port/cgi-bin/$s.cgi" 2>&1)
    rps[$s]="${rps[$s]:-} $(awk '/^Requests per second/ {print $4}' <<<"$report")"
    failed=$(awk '/^Failed requests/ {print $3}' <<<"$report")
    non2xx=$(awk '/^Non-2xx responses/ {print $3}' <<<"$report")
    bad[$s]=$(( ${bad[$s]:-0} + ${failed:-0} + ${non2xx:-0} ))
  done
done
echo '| script | requests/s (median round) | rounds | failed or non-2xx |'
echo '| --- | ---: | --- | ---: |'
for s in $scripts; do
  median=$(tr ' ' '\n' <<<"${rps[$s]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "| $s | $median |${rps[$s]} | ${bad[$s]} |"
done
