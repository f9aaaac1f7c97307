#!/usr/bin/env bash
# Benchmark: what a forward-auth decision costs, beside the sidecar's own proxy path, in one run, alternating,
# every path with the same service token (exchanged once, then cache hits):
#   decision    wrk -> sidecar /.sidecar/auth-request (X-Original-Method/-URI + KC-Access-* headers): decisions/s
#   proxy       wrk -> sidecar as reverse proxy -> upstream
#   nginx-auth  wrk -> nginx with the shipped auth_request config -> (sidecar decision, then upstream)
#   nginx       wrk -> nginx as a plain reverse proxy (no auth) -> upstream, for reference
# Appends method, raw numbers and ratios to BENCHMARKS.md.
#
# usage: bench/forward-auth.sh [rounds=3] [seconds-per-run=15]   (needs wrk, curl, unzip, mvn, java, Debian's nginx)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source "$ROOT/bench/lib.sh"
source "$ROOT/bench/proxies.sh"

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-15}
UPSTREAM_PORT=18081
SIDECAR_PORT=18000
SIDECAR_MGMT_PORT=19091
NGINX_PORT=18083
NGINX_AUTH_PORT=18086
JAR=sidecar/target/sidecar.jar

if [ ! -f "$JAR" ] || [ ! -f keycloak-service-token-spi/target/keycloak-service-token-spi-0.1.0.jar ]; then
  mvn -B -q -DskipTests package
fi
start_bench_keycloak $UPSTREAM_PORT $SIDECAR_PORT $SIDECAR_MGMT_PORT $NGINX_PORT $NGINX_AUTH_PORT

TOKEN=$(admin_token $KC_BASE)
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
CREATED=$(api -d '{"name":"bench bot","applications":["demo-app"]}' $KC_BASE/admin/realms/demo/service-tokens)
ST_ID=$(printf '%s' "$CREATED" | sed -n 's/.*"clientId":"\([^"]*\)".*/\1/p')
ST_SECRET=$(printf '%s' "$CREATED" | sed -n 's/.*"clientSecret":"\([^"]*\)".*/\1/p')

java -cp "$JAR" bench/BenchUpstream.java $UPSTREAM_PORT >"$BENCH_WORK/logs/upstream.log" 2>&1 &
BENCH_PIDS+=($!)
# shellcheck disable=SC2086 # SIDECAR_JAVA_OPTS may hold several options: split on purpose.
SIDECAR_KEYCLOAK_ISSUER=$KC_BASE/realms/demo SIDECAR_UPSTREAM_URL=http://127.0.0.1:$UPSTREAM_PORT \
SIDECAR_LISTEN_HOST=127.0.0.1 SIDECAR_LISTEN_PORT=$SIDECAR_PORT SIDECAR_MANAGEMENT_PORT=$SIDECAR_MGMT_PORT \
SIDECAR_APP_CLIENT_ID=demo-app SIDECAR_ACCESS_LOG_ENABLED=false SIDECAR_FORWARD_AUTH_TRUSTED_PROXIES=127.0.0.1/32 \
  java ${SIDECAR_JAVA_OPTS:-} -jar "$JAR" >"$BENCH_WORK/logs/sidecar.log" 2>&1 &
BENCH_PIDS+=($!)
wait_for http://127.0.0.1:$UPSTREAM_PORT/ 60 "the upstream"
start_nginx $NGINX_PORT $UPSTREAM_PORT

# nginx with the shipped forward-auth config, the marked lines pointed at the bench ports.
AUTH_DIR=$BENCH_WORK/nginx-auth
mkdir -p "$AUTH_DIR/tmp"
sed -e "s/server 127.0.0.1:8000;/server 127.0.0.1:$SIDECAR_PORT;/" -e "s/server 127.0.0.1:8081;/server 127.0.0.1:$UPSTREAM_PORT;/" \
    -e "s/listen 80;/listen 127.0.0.1:$NGINX_AUTH_PORT;/" deploy/proxies/nginx/sidecar-forward-auth.conf >"$AUTH_DIR/site.conf"
{
  run_as_root && echo "user www-data;"
  cat <<CONF
worker_processes $(nproc);
pid $AUTH_DIR/nginx.pid;
error_log $BENCH_WORK/logs/nginx-auth-error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $AUTH_DIR/tmp/body;
    proxy_temp_path $AUTH_DIR/tmp/proxy;
    fastcgi_temp_path $AUTH_DIR/tmp/fastcgi;
    uwsgi_temp_path $AUTH_DIR/tmp/uwsgi;
    scgi_temp_path $AUTH_DIR/tmp/scgi;
    keepalive_requests 10000000;
    include $AUTH_DIR/site.conf;
}
CONF
} >"$AUTH_DIR/nginx.conf"
"$NGINX_BIN" -p "$AUTH_DIR" -c nginx.conf -e "$BENCH_WORK/logs/nginx-auth-error.log" -g 'daemon off;' \
  >"$BENCH_WORK/logs/nginx-auth.log" 2>&1 &
BENCH_PIDS+=($!)
wait_for_port $NGINX_AUTH_PORT 30 "nginx (auth_request)" "${BENCH_PIDS[-1]}" "$BENCH_WORK/logs/nginx-auth-error.log"
wait_for http://127.0.0.1:$SIDECAR_MGMT_PORT/ready 60 "the sidecar"
CRED=(-H "KC-Access-Client-Id: $ST_ID" -H "KC-Access-Client-Secret: $ST_SECRET")
[ "$(curl -fsS "${CRED[@]}" http://127.0.0.1:$NGINX_AUTH_PORT/)" = '{"ok":true}' ] \
  || { echo "nginx auth_request does not pass an allowed request" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$NGINX_AUTH_PORT/)" = 401 ] \
  || { echo "nginx auth_request does not refuse a request without credentials" >&2; exit 1; }
sleep 2

PATHS=(decision proxy nginx-auth nginx)
run_path() { # name seconds
  case $1 in
    decision)   wrk_run decision "$2" http://127.0.0.1:$SIDECAR_PORT/.sidecar/auth-request "${CRED[@]}" \
                  -H "X-Original-Method: GET" -H "X-Original-URI: /" ;;
    proxy)      wrk_run proxy "$2" http://127.0.0.1:$SIDECAR_PORT/ "${CRED[@]}" ;;
    nginx-auth) wrk_run nginx-auth "$2" http://127.0.0.1:$NGINX_AUTH_PORT/ "${CRED[@]}" ;;
    nginx)      wrk_run nginx "$2" http://127.0.0.1:$NGINX_PORT/ "${CRED[@]}" ;;
  esac
}

echo "warming up every path (15 s each)..."
for p in "${PATHS[@]}"; do run_path "$p" 15 >/dev/null; done
LOAD_BEFORE=$(load_average)
run_rounds "$ROUNDS" "$SECONDS_PER_RUN" "${PATHS[@]}"
EXCHANGES=$(curl -fsS http://127.0.0.1:$SIDECAR_MGMT_PORT/metrics | awk '/^sidecar_exchange_calls_total/ {s+=$2} END {print s+0}')
{
  echo
  echo "## Forward-auth: decisions/s vs the sidecar's proxy path vs nginx auth_request ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Method: \`bench/forward-auth.sh $ROUNDS $SECONDS_PER_RUN\`. One $(nproc)-core machine, loopback only, the same service"
  echo "token on every path (exchanged once, then cache hits; token requests at Keycloak over the whole run: $EXCHANGES)."
  echo "\`decision\`: wrk straight at \`/.sidecar/auth-request\` (200 + identity headers, nothing forwarded); \`proxy\`: the"
  echo "sidecar as reverse proxy to the one-event-loop Vert.x upstream; \`nginx-auth\`: Debian nginx with"
  echo "\`deploy/proxies/nginx/sidecar-forward-auth.conf\` (\`worker_processes $(nproc)\`), one auth subrequest per request;"
  echo "\`nginx\`: nginx as a plain proxy (no auth). \`wrk -t2 -c${WRK_CONNECTIONS:-32} --latency\`, ${SECONDS_PER_RUN}-second runs"
  echo "alternating after a 15-second warm-up each; wrk shares the cores with the servers. Every response was 2xx."
  echo
  echo "| round | decision req/s | sidecar proxy req/s | nginx auth_request req/s | nginx plain req/s |"
  echo "|---|---|---|---|---|"
  printf '%s' "$ROWS"
  echo
  echo "Means: decision **$(mean decision)**/s, sidecar proxy **$(mean proxy)**/s, nginx auth_request **$(mean nginx-auth)**/s,"
  echo "nginx plain **$(mean nginx)**/s; decision / proxy **$(ratio "$(mean decision)" "$(mean proxy)")**, nginx auth_request /"
  echo "sidecar proxy **$(ratio "$(mean nginx-auth)" "$(mean proxy)")**. Load average before / after the measured rounds:"
  echo "$LOAD_BEFORE / $(load_average)${BENCH_NOTE:+. $BENCH_NOTE}"
} >>BENCHMARKS.md
echo "appended to BENCHMARKS.md"
