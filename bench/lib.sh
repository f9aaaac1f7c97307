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
