#!/usr/bin/env bash
# Benchmark: what the sidecar's authentication costs. In one run, alternating, against the same upstream:
#   direct      wrk -> upstream
#   plain       wrk -> plain vertx-http-proxy (no auth) -> upstream
#   jwt         wrk -> sidecar (Authorization: Bearer <Keycloak JWT>) -> upstream
#   headers     wrk -> sidecar (KC-Access-Client-Id/-Secret, exchanged once, then cache hits) -> upstream
#   nginx       wrk -> nginx as a plain reverse proxy (no auth) -> upstream
#   apache      wrk -> Apache httpd + mod_auth_openidc validating the same JWT -> upstream
# Appends method, raw numbers and ratios to BENCHMARKS.md.
#
# usage: bench/sidecar.sh [rounds=3] [seconds-per-run=15]
#   (needs: wrk, curl, unzip, mvn, java, and Debian's nginx, apache2, libapache2-mod-auth-openidc, openssl)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source "$ROOT/bench/lib.sh"
source "$ROOT/bench/proxies.sh"
require_proxies

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-15}
UPSTREAM_PORT=18081
PLAIN_PORT=18082
SIDECAR_PORT=18000
SIDECAR_MGMT_PORT=19091
NGINX_PORT=18083
APACHE_PORT=18084
JWKS_HTTPS_PORT=18085
JAR=sidecar/target/sidecar.jar

if [ ! -f "$JAR" ] || [ ! -f keycloak-service-token-spi/target/keycloak-service-token-spi-0.1.0.jar ]; then
  mvn -B -q -DskipTests package
fi
start_bench_keycloak $UPSTREAM_PORT $PLAIN_PORT $SIDECAR_PORT $SIDECAR_MGMT_PORT $NGINX_PORT $APACHE_PORT $JWKS_HTTPS_PORT

TOKEN=$(admin_token $KC_BASE)
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
# JWTs that outlive the run, so the JWT path never needs a new one mid-measurement.
api -X PUT -d '{"accessTokenLifespan":3600}' $KC_BASE/admin/realms/demo >/dev/null
CREATED=$(api -d '{"name":"bench bot","applications":["demo-app"]}' $KC_BASE/admin/realms/demo/service-tokens)
ST_ID=$(printf '%s' "$CREATED" | sed -n 's/.*"clientId":"\([^"]*\)".*/\1/p')
ST_SECRET=$(printf '%s' "$CREATED" | sed -n 's/.*"clientSecret":"\([^"]*\)".*/\1/p')
JWT=$(curl -fsS -u "$ST_ID:$ST_SECRET" -d grant_type=client_credentials \
  $KC_BASE/realms/demo/protocol/openid-connect/token | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')

java -cp "$JAR" bench/BenchUpstream.java $UPSTREAM_PORT >"$BENCH_WORK/logs/upstream.log" 2>&1 &
BENCH_PIDS+=($!)
java -cp "$JAR" bench/PlainProxy.java $PLAIN_PORT $UPSTREAM_PORT >"$BENCH_WORK/logs/plain-proxy.log" 2>&1 &
BENCH_PIDS+=($!)
# shellcheck disable=SC2086 # SIDECAR_JAVA_OPTS may hold several options: split on purpose.
SIDECAR_KEYCLOAK_ISSUER=$KC_BASE/realms/demo SIDECAR_UPSTREAM_URL=http://127.0.0.1:$UPSTREAM_PORT \
SIDECAR_LISTEN_HOST=127.0.0.1 SIDECAR_LISTEN_PORT=$SIDECAR_PORT SIDECAR_MANAGEMENT_PORT=$SIDECAR_MGMT_PORT \
SIDECAR_APP_CLIENT_ID=demo-app SIDECAR_ACCESS_LOG_ENABLED=false \
  java ${SIDECAR_JAVA_OPTS:-} -jar "$JAR" >"$BENCH_WORK/logs/sidecar.log" 2>&1 &
BENCH_PIDS+=($!)
wait_for http://127.0.0.1:$UPSTREAM_PORT/ 60 "the upstream"
start_nginx $NGINX_PORT $UPSTREAM_PORT
start_jwks_https $JWKS_HTTPS_PORT $KC_BASE/realms/demo
start_apache $APACHE_PORT $UPSTREAM_PORT $KC_BASE/realms/demo demo-app "$JWKS_HTTPS_URL"
wait_for http://127.0.0.1:$SIDECAR_MGMT_PORT/ready 60 "the sidecar"
[ "$(curl -fsS -H "Authorization: Bearer $JWT" http://127.0.0.1:$NGINX_PORT/)" = '{"ok":true}' ] \
  || { echo "nginx does not pass requests to the upstream" >&2; exit 1; }
check_apache_validates http://127.0.0.1:$APACHE_PORT/ "$JWT"
sleep 2

declare -A RPS SUM
PATHS=(direct plain nginx jwt headers apache)
run_path() { # name seconds
  case $1 in
    # direct and plain get the same Authorization header as the JWT path, so every path moves the same bytes and
    # "JWT / plain" is the cost of authentication, not of a 1 KB header the baseline never had to parse or forward.
    direct)  wrk_run direct "$2" http://127.0.0.1:$UPSTREAM_PORT/ -H "Authorization: Bearer $JWT" ;;
    plain)   wrk_run plain "$2" http://127.0.0.1:$PLAIN_PORT/ -H "Authorization: Bearer $JWT" ;;
    nginx)   wrk_run nginx "$2" http://127.0.0.1:$NGINX_PORT/ -H "Authorization: Bearer $JWT" ;;
    apache)  wrk_run apache "$2" http://127.0.0.1:$APACHE_PORT/ -H "Authorization: Bearer $JWT" ;;
    jwt)     wrk_run jwt "$2" http://127.0.0.1:$SIDECAR_PORT/ -H "Authorization: Bearer $JWT" ;;
    headers) wrk_run headers "$2" http://127.0.0.1:$SIDECAR_PORT/ -H "KC-Access-Client-Id: $ST_ID" -H "KC-Access-Client-Secret: $ST_SECRET" ;;
  esac
}

echo "warming up every path (15 s each: the JIT needs it)..."
for p in "${PATHS[@]}"; do run_path "$p" 15 >/dev/null; done
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)

ROWS=""
for r in $(seq 1 "$ROUNDS"); do
  line="| $r |"
  for p in "${PATHS[@]}"; do
    read -r rps p50 p99 non2xx < <(run_path "$p" "$SECONDS_PER_RUN")
    [ "${non2xx:-0}" = "0" ] || { echo "path $p answered $non2xx non-2xx responses" >&2; exit 1; }
    RPS[$p]=$rps
    SUM[$p]=$(awk -v a="${SUM[$p]:-0}" -v b="$rps" 'BEGIN {print a+b}')
    line="$line $rps (p50 $p50, p99 $p99) |"
  done
  line="$line $(ratio "${RPS[jwt]}" "${RPS[plain]}") | $(ratio "${RPS[headers]}" "${RPS[jwt]}") |"
  echo "round $r: direct ${RPS[direct]}, plain ${RPS[plain]}, nginx ${RPS[nginx]}, jwt ${RPS[jwt]}, headers ${RPS[headers]}, apache ${RPS[apache]} req/s"
  ROWS="$ROWS$line
"
done

mean() { awk -v s="${SUM[$1]}" -v n="$ROUNDS" 'BEGIN {printf "%.1f", s/n}'; }
JWT_VS_PLAIN=$(ratio "$(mean jwt)" "$(mean plain)")
HEADERS_VS_JWT=$(ratio "$(mean headers)" "$(mean jwt)")
PLAIN_VS_DIRECT=$(ratio "$(mean plain)" "$(mean direct)")
NGINX_VS_PLAIN=$(ratio "$(mean nginx)" "$(mean plain)")
JWT_VS_NGINX=$(ratio "$(mean jwt)" "$(mean nginx)")
JWT_VS_APACHE=$(ratio "$(mean jwt)" "$(mean apache)")
EXCHANGES=$(curl -fsS http://127.0.0.1:$SIDECAR_MGMT_PORT/metrics | awk '/^sidecar_exchange_calls_total/ {s+=$2} END {print s+0}')
echo "jwt/plain $JWT_VS_PLAIN (target >= 0.90), headers/jwt $HEADERS_VS_JWT (target >= 0.95), token requests at Keycloak: $EXCHANGES"
echo "nginx/plain $NGINX_VS_PLAIN, jwt/nginx $JWT_VS_NGINX, jwt/apache $JWT_VS_APACHE"

{
  echo
  echo "## Sidecar: direct vs plain proxy vs nginx vs sidecar JWT path vs sidecar service-token path vs Apache mod_auth_openidc ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Method: \`bench/sidecar.sh $ROUNDS $SECONDS_PER_RUN\`. All on one $(nproc)-core machine, loopback only: a one-event-loop Vert.x"
  echo "upstream answering a small JSON body; a plain \`vertx-http-proxy\` (no auth, one instance per core, pool 64); the"
  echo "sidecar jar with default settings (one verticle per core, verified-token cache on, access log off); Keycloak $KC_VERSION"
  echo "(demo realm, token lifespan 1 h) for the JWT and the one exchange. \`wrk -t2 -c${WRK_CONNECTIONS:-32} --latency\`, ${SECONDS_PER_RUN}-second"
  echo "runs, the six paths alternating in each round after a 15-second warm-up of each. wrk shares the cores with"
  echo "the servers, so absolute numbers are low; compare the ratios. Every response was 2xx (the script fails otherwise)."
  echo "Every path is sent the same \`Authorization: Bearer <JWT>\` header (the plain proxies and the upstream ignore it), so"
  echo "all move the same request bytes; the headers path sends the two KC-Access-* headers instead."
  echo
  echo "The two off-the-shelf proxies are Debian's packages ($(proxy_versions)), configs generated by \`bench/proxies.sh\`:"
  echo "nginx as a plain reverse proxy (no auth), \`worker_processes $(nproc)\`, upstream keep-alive (\`keepalive 64\`, HTTP/1.1,"
  echo "\`Connection \"\"\`), no limit on requests per connection, access log off. Apache with mpm_event ($(nproc) processes × 32"
  echo "threads, all started up front, unlimited keep-alive requests, no access log), \`mod_auth_openidc\` as an OAuth 2.0"
  echo "resource server (\`AuthType oauth20\`, \`OIDCOAuthVerifyJwksUri\`: local RS256 check against the realm's JWKS, no"
  echo "introspection call) plus \`Require valid-user\`, \`Require claim iss:…\` and \`aud\`/\`azp\` = demo-app so it checks what"
  echo "the sidecar checks, then \`ProxyPass\` with reused upstream connections and claims passed as headers. The module"
  echo "accepts only an https JWKS URI, so the script serves a copy of the realm's JWKS over loopback TLS. The module"
  echo "fetches the JWKS once into its shm cache, but reads and parses it from there and verifies the RS256 signature on"
  echo "every request (it caches introspection results, not locally validated JWTs); the sidecar caches verified tokens."
  echo "Before measuring, the script checks that Apache answers 401 without a token and to a JWT with a tampered"
  echo "signature, and passes the valid JWT to the upstream."
  echo
  echo "| round | direct req/s | plain proxy req/s | nginx req/s | sidecar JWT req/s | sidecar headers req/s | Apache mod_auth_openidc req/s | JWT / plain | headers / JWT |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$ROWS"
  echo
  echo "Means over the rounds: plain / direct **$PLAIN_VS_DIRECT**; sidecar JWT / plain proxy **$JWT_VS_PLAIN** (target ≥ 0.90);"
  echo "sidecar headers / sidecar JWT **$HEADERS_VS_JWT** (target ≥ 0.95); nginx / plain proxy **$NGINX_VS_PLAIN**; sidecar JWT /"
  echo "nginx **$JWT_VS_NGINX**; sidecar JWT / Apache mod_auth_openidc **$JWT_VS_APACHE** (the like-for-like one: an auth proxy"
  echo "validating the same JWT). Token requests the sidecar made to Keycloak during"
  echo "the whole run (warm-up included): $EXCHANGES. Load average before / after the measured rounds: $LOAD_BEFORE /"
  echo "$(cut -d" " -f1-3 /proc/loadavg) (anything far above the core count means other work shared the machine)."
} >>BENCHMARKS.md
echo "appended to BENCHMARKS.md"
