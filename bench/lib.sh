# Shared by the benchmark scripts. shellcheck shell=bash
# Starts Keycloak (with the provider and realm-config/) on its own ports, so benchmarks never meet the demo or
# the integration tests' server on 8080. Sets KC_BASE and KC_PID; stops it on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../demo/keycloak-lib.sh"

BENCH_WORK=${BENCH_WORK:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.bench}
KC_PORT=8180
KC_MGMT_PORT=9180
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
