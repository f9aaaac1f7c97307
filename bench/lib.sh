# shellcheck shell=bash source-path=SCRIPTDIR
# Shared by the benchmark scripts.
# Starts Keycloak (with the provider and realm-config/) on its own ports, so benchmarks never meet the demo or
# the integration tests' server on 8080. Sets KC_BASE and KC_PID; stops it on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../demo/keycloak-lib.sh"

BENCH_WORK=${BENCH_WORK:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.bench}
KC_PORT=8180
KC_MGMT_PORT=9180
# shellcheck disable=SC2034 # for the scripts that source this
KC_BASE=http://localhost:$KC_PORT
# Extra kc.sh options for one script (e.g. an https listener); JAVA_OPTS_APPEND passes through to Keycloak's JVM.
KC_EXTRA_ARGS=()

start_bench_keycloak() {
  local home=$BENCH_WORK/keycloak-$KC_VERSION
  command -v wrk >/dev/null || { echo "wrk is required: apt-get install wrk" >&2; exit 1; }
  for port in $KC_PORT $KC_MGMT_PORT "$@"; do
    if port_in_use "$port"; then echo "port $port is in use" >&2; exit 1; fi
  done
  mkdir -p "$BENCH_WORK/logs"
  unpack_keycloak "$BENCH_WORK" "$BENCH_WORK/logs"
  fresh_keycloak_home "$home"
  KC_BOOTSTRAP_ADMIN_USERNAME=admin KC_BOOTSTRAP_ADMIN_PASSWORD=admin \
    "$home/bin/kc.sh" start-dev --import-realm --http-host=127.0.0.1 --http-port=$KC_PORT \
    --http-management-port=$KC_MGMT_PORT --health-enabled=true --log-level=WARN "${KC_EXTRA_ARGS[@]}" >"$BENCH_WORK/logs/keycloak.log" 2>&1 &
  KC_PID=$!
  BENCH_PIDS+=("$KC_PID")
  wait_for "http://localhost:$KC_MGMT_PORT/health/ready" 300 Keycloak
}

BENCH_PIDS=()
stop_bench() {
  for pid in "${BENCH_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${BENCH_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop_bench EXIT

# wrk_run LABEL SECONDS URL [wrk args...] -> prints "rps p50 p99 non2xx"
wrk_run() {
  local label=$1 seconds=$2 url=$3 out
  shift 3
  out=$(wrk -t2 -c"${WRK_CONNECTIONS:-32}" -d"${seconds}s" --latency "$@" "$url")
  printf '%s\n' "$out" >"$BENCH_WORK/logs/wrk-$label-$(date +%s%N).txt"
  local rps p50 p99 non2xx
  rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(printf '%s\n' "$out" | awk '$1=="50%" {print $2}')
  p99=$(printf '%s\n' "$out" | awk '$1=="99%" {print $2}')
  non2xx=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $5}')
  echo "$rps $p50 $p99 ${non2xx:-0}"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a/b}'; }

# require_tools CMD:PACKAGE...: exits with one line naming the apt-get install to run for every missing command.
require_tools() {
  local pair missing=""
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing="$missing ${pair#*:}"
  done
  if [ -n "$missing" ]; then echo "missing tools: apt-get install$missing" >&2; exit 1; fi
}

load_average() { cut -d" " -f1-3 /proc/loadavg; }

# run_rounds ROUNDS SECONDS PATH...: ROUNDS times, each PATH in turn through the caller's `run_path NAME SECONDS`
# (which prints wrk_run's "rps p50 p99 non2xx"), so drift in the machine's load hits every path alike. Fails on
# any non-2xx answer. Leaves SUM[path] (the sum of req/s over the rounds), RPS[path] (the last round's) and ROWS
# (one Markdown table row per round: "| r | rps (p50 …, p99 …) | … |", plus the cells the caller's optional
# `round_cells` prints, e.g. that round's ratios).
declare -A SUM RPS
ROWS=""
run_rounds() {
  local rounds=$1 seconds=$2 r p line summary rps p50 p99 non2xx
  shift 2
  SUM=()
  RPS=()
  ROWS=""
  for ((r = 1; r <= rounds; r++)); do
    line="| $r |"
    summary="round $r:"
    for p in "$@"; do
      read -r rps p50 p99 non2xx < <(run_path "$p" "$seconds")
      [ -n "$rps" ] || { echo "path $p: wrk gave no result (see $BENCH_WORK/logs)" >&2; exit 1; }
      [ "${non2xx:-0}" = "0" ] || { echo "path $p answered $non2xx non-2xx responses" >&2; exit 1; }
      # shellcheck disable=SC2034 # RPS is for the caller
      RPS[$p]=$rps
      SUM[$p]=$(awk -v a="${SUM[$p]:-0}" -v b="$rps" 'BEGIN {print a+b}')
      line="$line $rps (p50 $p50, p99 $p99) |"
      summary="$summary $p $rps,"
    done
    if declare -F round_cells >/dev/null; then line="$line $(round_cells)"; fi
    echo "${summary%,} req/s" >&2
    ROWS="$ROWS$line
"
  done
  ROUNDS_DONE=$rounds
}

# mean PATH: the mean req/s of PATH over the last run_rounds.
mean() { awk -v s="${SUM[$1]:-0}" -v n="${ROUNDS_DONE:-1}" 'BEGIN {printf "%.1f", s/n}'; }

# --- The sidecar as shipped -------------------------------------------------------------------------------------

# image_paths: maps the image's paths on stdin to this machine's: /opt/sidecar/sidecar.jar to the built jar, any
# other /opt/sidecar/<file> to $BENCH_WORK/image/<file>.
image_paths() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  sed -e "s:/opt/sidecar/sidecar.jar:$root/sidecar/target/sidecar.jar:g" -e "s:/opt/sidecar/:$BENCH_WORK/image/:g"
}

# shipped_jvm_options: the JVM options of sidecar/Containerfile's ENTRYPOINT (what sits between "java" and "-jar"),
# one per line, so the benchmark runs what the image runs, read from the file rather than copied. The image's
# exec-form `RUN ["java", ...]` steps (e.g. an AppCDS training run) run here first, with the image's paths mapped
# (image_paths), so the files they make exist; an option naming an image file that still does not exist here is
# left out, with a warning on stderr.
shipped_jvm_options() {
  local root containerfile step opt
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  containerfile=$root/sidecar/Containerfile
  rm -rf "$BENCH_WORK/image"
  mkdir -p "$BENCH_WORK/image" "$BENCH_WORK/logs"
  : >"$BENCH_WORK/logs/image-build.log"
  sed -n 's/^RUN[[:space:]]*\(\[[[:space:]]*"java".*\]\)[[:space:]]*$/\1/p' "$containerfile" | while IFS= read -r step; do
    local -a command
    mapfile -t command < <(jq -r '.[]' <<<"$step" | image_paths)
    echo "the image's build step, here: ${command[*]}" >&2
    (cd "$BENCH_WORK/image" && "${command[@]}") >>"$BENCH_WORK/logs/image-build.log" 2>&1 \
      || echo "warning: that step failed (see $BENCH_WORK/logs/image-build.log)" >&2
  done
  sed -n 's/^ENTRYPOINT[[:space:]]*//p' "$containerfile" | tail -1 \
    | jq -r 'if .[0] == "java" then .[1:(index("-jar"))][] else empty end' | image_paths \
    | while IFS= read -r opt; do
        if [[ $opt =~ =($BENCH_WORK/image/[^:,]*) ]] && [ ! -e "${BASH_REMATCH[1]}" ]; then
          echo "warning: $opt names a file of the image that was not made here; left out" >&2
        else
          printf '%s\n' "$opt"
        fi
      done
}

# shipped_memory_limit: the sidecar container's memory limit in deploy/kubernetes/base/deployment.yaml, as a JVM
# size ("384m" for 384Mi), or nothing. Outside a container the JVM sizes its heap from the machine's memory;
# -XX:MaxRAM=<limit> makes -XX:MaxRAMPercentage apply to the limit, as it does in the pod.
shipped_memory_limit() {
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  awk '/- name: sidecar$/ {in_sidecar = 1} in_sidecar && /limits:/ {in_limits = 1}
       in_limits && $1 == "memory:" {print $2; exit}' "$root/deploy/kubernetes/base/deployment.yaml" \
    | sed -e 's/Mi$/m/' -e 's/Gi$/g/'
}

# start_sidecar PORT MGMT_PORT ISSUER UPSTREAM_URL: the sidecar jar with its default settings (access log on) and
# the shipped JVM options (plus -XX:MaxRAM=<the pod's limit> and $SIDECAR_JAVA_OPTS), stdout and stderr into
# $BENCH_WORK/logs/sidecar.log as a container runtime keeps them; also to $BENCH_WORK/logs/access.log when this
# version of the sidecar has an access-log.file option (SIDECAR_ACCESS_LOG_FILE).
# Sets SIDECAR_PID, SIDECAR_JVM (the options used, for the report) and SIDECAR_ACCESS_LOG (where it logs).
start_sidecar() {
  local port=$1 mgmt=$2 issuer=$3 upstream=$4 root limit
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  local -a jvm file_env=()
  mapfile -t jvm < <(shipped_jvm_options)
  limit=$(shipped_memory_limit)
  [ -z "$limit" ] || jvm+=("-XX:MaxRAM=$limit")
  # shellcheck disable=SC2206 # SIDECAR_JAVA_OPTS may hold several options: split on purpose.
  jvm+=(${SIDECAR_JAVA_OPTS:-})
  # shellcheck disable=SC2034 # SIDECAR_JVM and SIDECAR_ACCESS_LOG are for the caller's report
  SIDECAR_JVM="${jvm[*]}"
  SIDECAR_ACCESS_LOG="stdout, redirected to a file"
  if grep -q 'SIDECAR_ACCESS_LOG_FILE' "$root/docs/sidecar-config.md" || sed -n '/class AccessLog /,/^    }/p' \
    "$root/sidecar/src/main/java/org/servicetokens/sidecar/config/SidecarConfig.java" | grep -q 'String file'; then
    file_env=("SIDECAR_ACCESS_LOG_FILE=$BENCH_WORK/logs/access.log")
    : >"$BENCH_WORK/logs/access.log"
    # shellcheck disable=SC2034
    SIDECAR_ACCESS_LOG="stdout, redirected to a file, and a file of its own (SIDECAR_ACCESS_LOG_FILE)"
  fi
  env "${file_env[@]}" SIDECAR_KEYCLOAK_ISSUER="$issuer" SIDECAR_UPSTREAM_URL="$upstream" \
    SIDECAR_LISTEN_HOST=127.0.0.1 SIDECAR_LISTEN_PORT="$port" SIDECAR_MANAGEMENT_PORT="$mgmt" \
    SIDECAR_APP_CLIENT_ID=demo-app \
    java "${jvm[@]}" -jar "$root/sidecar/target/sidecar.jar" >"$BENCH_WORK/logs/sidecar.log" 2>&1 &
  SIDECAR_PID=$!
  BENCH_PIDS+=("$SIDECAR_PID")
  wait_for "http://127.0.0.1:$mgmt/ready" 60 "the sidecar (see $BENCH_WORK/logs/sidecar.log)"
}

# start_metrics_scraper MGMT_PORT: GET /metrics every 5 s (as Prometheus would) into $BENCH_WORK/logs/metrics.txt,
# each scrape after a "# scrape <epoch>" line, until the script exits. Sets SCRAPES_FILE.
start_metrics_scraper() {
  SCRAPES_FILE=$BENCH_WORK/logs/metrics.txt
  : >"$SCRAPES_FILE"
  (
    while :; do
      echo "# scrape $(date +%s)"
      curl -fsS --max-time 4 "http://127.0.0.1:$1/metrics" || echo "# scrape failed"
      sleep 5
    done
  ) >>"$SCRAPES_FILE" 2>&1 &
  BENCH_PIDS+=($!)
}

# scrape_count: how many scrapes so far, and how many failed ("12 (0 failed)").
scrape_count() {
  echo "$(grep -c '^# scrape [0-9]' "$SCRAPES_FILE") ($(grep -c '^# scrape failed' "$SCRAPES_FILE") failed)"
}

# sidecar_memory PID: "rss_mb heap_used_mb heap_committed_mb" from /proc/PID/status and jcmd's GC.heap_info, whose
# "total <n>K, used <n>K" lines are the whole heap (G1) or one per generation (Serial, Parallel): summed.
sidecar_memory() {
  local rss heap
  rss=$(awk '/^VmRSS:/ {printf "%.0f", $2/1024}' "/proc/$1/status")
  heap=$(jcmd "$1" GC.heap_info 2>/dev/null | awk '/total [0-9]+K, used [0-9]+K/ {
           for (i = 1; i < NF; i++) { if ($i == "total") t += $(i+1); if ($i == "used") u += $(i+1) } found = 1 }
           END { if (found) printf "%.0f %.0f", u/1024, t/1024 }')
  echo "$rss ${heap:-? ?}"
}

# scraped_peak_heap: the largest heap use (MB, summed over the heap pools) any /metrics scrape saw so far.
scraped_peak_heap() {
  awk '/^# scrape [0-9]/ {if (s > m) m = s; s = 0} /^jvm_memory_used_bytes[{].*area="heap"/ {s += $NF}
       END {if (s > m) m = s; printf "%.0f", m / 1048576}' "$SCRAPES_FILE"
}

# start_compared_servers: the servers sidecar.sh and latency.sh compare, on the ports the caller set (UPSTREAM_PORT,
# PLAIN_PORT, SIDECAR_PORT, SIDECAR_MGMT_PORT, NGINX_PORT, JWKS_HTTPS_PORT, APACHE_PORT; JAR): the upstream, the plain
# Vert.x proxy, the sidecar as shipped with its /metrics scraper, nginx, and Apache + mod_auth_openidc (with the realm's
# JWKS as it is now, so import keys before). Needs bench/proxies.sh sourced.
start_compared_servers() {
  java -cp "$JAR" bench/BenchUpstream.java "$UPSTREAM_PORT" >"$BENCH_WORK/logs/upstream.log" 2>&1 &
  BENCH_PIDS+=($!)
  java -cp "$JAR" bench/PlainProxy.java "$PLAIN_PORT" "$UPSTREAM_PORT" >"$BENCH_WORK/logs/plain-proxy.log" 2>&1 &
  BENCH_PIDS+=($!)
  wait_for "http://127.0.0.1:$UPSTREAM_PORT/" 60 "the upstream"
  start_sidecar "$SIDECAR_PORT" "$SIDECAR_MGMT_PORT" "$KC_BASE/realms/demo" "http://127.0.0.1:$UPSTREAM_PORT"
  start_metrics_scraper "$SIDECAR_MGMT_PORT"
  start_nginx "$NGINX_PORT" "$UPSTREAM_PORT"
  start_jwks_https "$JWKS_HTTPS_PORT" "$KC_BASE/realms/demo"
  start_apache "$APACHE_PORT" "$UPSTREAM_PORT" "$KC_BASE/realms/demo" demo-app "$JWKS_HTTPS_URL"
  wait_for "http://127.0.0.1:$PLAIN_PORT/" 60 "the plain proxy"
}
