#!/usr/bin/env bash
# Benchmark: the sidecar as shipped, with many distinct tokens, beside the peers, in one run. For each token set
# (1, 1 000 and 100 000 distinct valid JWTs signed by the realm), alternating rounds, the same upstream:
#   direct   wrk -> upstream
#   plain    wrk -> plain vertx-http-proxy (no auth) -> upstream
#   nginx    wrk -> nginx as a plain reverse proxy (no auth) -> upstream
#   jwt      wrk -> sidecar (Authorization: Bearer <one of the set's JWTs>) -> upstream
#   apache   wrk -> Apache httpd + mod_auth_openidc validating the same JWTs -> upstream
#   headers  wrk -> sidecar (KC-Access-Client-Id/-Secret of 1 000 distinct service tokens) -> upstream
#            (with the 1 000-JWT set)
# then a run where tokens expire and are replaced while it lasts (the sidecar must answer every request 2xx).
# Every path gets the same wrk Lua script (bench/tokens.lua) picking a token at random per request, so every path
# moves the same bytes. The sidecar runs with its default settings (access log on, stdout into a file as a
# container runtime keeps it) and sidecar/Containerfile's JVM options, /metrics scraped every 5 s; its RSS and heap
# are read after each set. Appends method, raw numbers and ratios to BENCHMARKS.md.
#
# usage: bench/sidecar.sh [rounds=2] [seconds-per-run=10] [cardinalities="1 1000 100000"] [expiry-seconds=40]
#   environment: BENCH_WARMUP (seconds per path of the first warm-up, 15), BENCH_SERVICE_TOKENS (1000),
#   BENCH_EXPIRY_TOKENS (distinct tokens per generation in the expiry run, 200), SIDECAR_JAVA_OPTS (added options),
#   WRK_CONNECTIONS (32). The defaults take about 13 minutes on two cores, 2 of them creating tokens.
#   needs: wrk, curl, unzip, mvn, java (JDK: jcmd), jq, openssl, and Debian's nginx, apache2, libapache2-mod-auth-openidc
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source "$ROOT/bench/lib.sh"
source "$ROOT/bench/proxies.sh"
require_proxies
require_tools wrk:wrk curl:curl unzip:unzip mvn:maven java:openjdk-17-jdk-headless jcmd:openjdk-17-jdk-headless \
  jq:jq openssl:openssl

ROUNDS=${1:-2}
SECONDS_PER_RUN=${2:-10}
read -r -a CARDINALITIES <<<"${3:-1 1000 100000}"
EXPIRY_SECONDS=${4:-40}
WARMUP=${BENCH_WARMUP:-15}
SERVICE_TOKENS=${BENCH_SERVICE_TOKENS:-1000}
EXPIRY_TOKENS=${BENCH_EXPIRY_TOKENS:-200}
EXPIRY_LIFETIME=20
EXPIRY_STEP=10
UPSTREAM_PORT=18081
PLAIN_PORT=18082
SIDECAR_PORT=18000
SIDECAR_MGMT_PORT=19091
NGINX_PORT=18083
APACHE_PORT=18084
JWKS_HTTPS_PORT=18085
JAR=sidecar/target/sidecar.jar
SET_WARMUP=$((SECONDS_PER_RUN < 5 ? SECONDS_PER_RUN : 5))

if [ ! -f "$JAR" ] || [ ! -f keycloak-service-token-spi/target/keycloak-service-token-spi-0.1.0.jar ]; then
  mvn -B -q -DskipTests package
fi
start_bench_keycloak $UPSTREAM_PORT $PLAIN_PORT $SIDECAR_PORT $SIDECAR_MGMT_PORT $NGINX_PORT $APACHE_PORT $JWKS_HTTPS_PORT
STARTED=$SECONDS
TOK=$BENCH_WORK/tokens
rm -rf "$TOK"
mkdir -p "$TOK"

TOKEN=$(admin_token $KC_BASE)
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
# Exchanged JWTs outlive the run, so the headers path asks Keycloak once per service token.
api -X PUT -d '{"accessTokenLifespan":3600}' $KC_BASE/admin/realms/demo >/dev/null

# 1. The shape to copy: a real client_credentials token of a demo-app service token.
CREATED=$(api -d '{"name":"bench bot","applications":["demo-app"]}' $KC_BASE/admin/realms/demo/service-tokens)
TEMPLATE_JWT=$(curl -fsS -u "$(jq -r .clientId <<<"$CREATED"):$(jq -r .clientSecret <<<"$CREATED")" \
  -d grant_type=client_credentials $KC_BASE/realms/demo/protocol/openid-connect/token | jq -r .access_token)
printf '%s\n' "$TEMPLATE_JWT" >"$TOK/template.jwt"

# 2. A signing key of the realm's own: an "rsa" key provider with the highest priority, so the realm's JWKS (what
#    the sidecar and Apache trust) carries it. Its kid comes back from the realm's key list.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TOK/key.pem" 2>/dev/null
openssl req -new -x509 -key "$TOK/key.pem" -subj /CN=demo -days 2 -out "$TOK/cert.pem" 2>/dev/null
REALM_ID=$(api $KC_BASE/admin/realms/demo | jq -r .id)
jq -n --arg parent "$REALM_ID" --rawfile key "$TOK/key.pem" --rawfile cert "$TOK/cert.pem" '{
    name: "bench-rsa", providerId: "rsa", providerType: "org.keycloak.keys.KeyProvider", parentId: $parent,
    config: {privateKey: [$key], certificate: [$cert], priority: ["1000000"], active: ["true"], enabled: ["true"],
             algorithm: ["RS256"]}}' \
  | api -D "$TOK/component.headers" -o /dev/null -d @- $KC_BASE/admin/realms/demo/components
COMPONENT_ID=$(sed -n 's:^[Ll]ocation\:.*/components/\([^[:space:]]*\).*:\1:p' "$TOK/component.headers")
KID=$(api $KC_BASE/admin/realms/demo/keys \
  | jq -r --arg id "$COMPONENT_ID" '.keys[] | select(.providerId == $id and .algorithm == "RS256") | .kid')
[ -n "$KID" ] || { echo "the imported key is not among the realm's keys" >&2; exit 1; }

# 3. The token sets, minted locally with that key.
mint() { # count out [lifetime generations step] -> prints the first generation's start (epoch seconds)
  java -cp "$JAR" bench/MintTokens.java "$TOK/template.jwt" "$TOK/key.pem" "$KID" "$@"
}
declare -A MINT_SECONDS
for n in "${CARDINALITIES[@]}"; do
  t=$SECONDS
  echo "minting $n JWTs..."
  mint "$n" "$TOK/jwt-$n.txt" >/dev/null
  MINT_SECONDS[$n]=$((SECONDS - t))
done

# 4. Distinct service tokens for the headers path ("<client id> <secret>" per line). The admin token lives 60 s:
#    a fresh one every 100 creations.
t=$SECONDS
echo "creating $SERVICE_TOKENS service tokens..."
for ((i = 1; i <= SERVICE_TOKENS; i++)); do
  if ((i % 100 == 0)); then TOKEN=$(admin_token $KC_BASE); fi
  api -d "{\"name\":\"bench $i\",\"applications\":[\"demo-app\"]}" $KC_BASE/admin/realms/demo/service-tokens \
    | jq -r '.clientId + " " + .clientSecret'
done >"$TOK/service-tokens.txt"
SERVICE_TOKEN_SECONDS=$((SECONDS - t))

# 5. The servers. The JWKS copy for Apache is taken now, with the imported key in it.
start_compared_servers

# 6. A minted token must be what Keycloak's is: accepted by the sidecar and by Apache, a tampered one refused.
MINTED=$(head -1 "$TOK/jwt-${CARDINALITIES[0]}.txt")
[ "$(curl -fsS -H "Authorization: Bearer $MINTED" http://127.0.0.1:$SIDECAR_PORT/)" = '{"ok":true}' ] \
  || { echo "the sidecar refuses a minted JWT (see $BENCH_WORK/logs/sidecar.log)" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${MINTED%?????}AAAAA" http://127.0.0.1:$SIDECAR_PORT/)" = 401 ] \
  || { echo "the sidecar does not refuse a minted JWT with a changed signature" >&2; exit 1; }
check_apache_validates http://127.0.0.1:$APACHE_PORT/ "$MINTED"
read -r ST_ID ST_SECRET <"$TOK/service-tokens.txt"
[ "$(curl -fsS -H "KC-Access-Client-Id: $ST_ID" -H "KC-Access-Client-Secret: $ST_SECRET" http://127.0.0.1:$SIDECAR_PORT/)" = '{"ok":true}' ] \
  || { echo "the sidecar refuses a service token's headers" >&2; exit 1; }
[ "$(curl -fsS -H "Authorization: Bearer $MINTED" http://127.0.0.1:$NGINX_PORT/)" = '{"ok":true}' ] \
  || { echo "nginx does not pass requests to the upstream" >&2; exit 1; }

TOKEN_FILE=""
run_path() { # name seconds: wrk with bench/tokens.lua over $TOKEN_FILE (or the service tokens for "headers")
  local port
  case $1 in
    direct) port=$UPSTREAM_PORT ;;
    plain) port=$PLAIN_PORT ;;
    nginx) port=$NGINX_PORT ;;
    jwt | headers) port=$SIDECAR_PORT ;;
    apache) port=$APACHE_PORT ;;
  esac
  if [ "$1" = headers ]; then
    BENCH_TOKEN_FILE=$TOK/service-tokens.txt BENCH_TOKEN_MODE=headers \
      wrk_run "$1" "$2" http://127.0.0.1:$port/ -s bench/tokens.lua
  else
    BENCH_TOKEN_FILE=$TOKEN_FILE BENCH_TOKEN_MODE=bearer wrk_run "$1" "$2" http://127.0.0.1:$port/ -s bench/tokens.lua
  fi
}
round_cells() { # that round's ratios, when the round had the baselines
  [ -z "${RPS[plain]:-}" ] || echo "$(ratio "${RPS[jwt]}" "${RPS[plain]}") | $(ratio "${RPS[jwt]}" "${RPS[nginx]}") |"
}
verdict() { awk -v r="$1" -v t="$2" 'BEGIN {print (r >= t ? "met" : "**missed**")}'; }

# The headers path is to measure the sidecar, not Keycloak's token endpoint: every service token is exchanged once
# (the sidecar keeps the JWT it gets until it expires) before anything is measured.
exchanges() {
  curl -fsS http://127.0.0.1:$SIDECAR_MGMT_PORT/metrics \
    | awk '/^sidecar_exchange_calls_total\{outcome="success"\}/ {s += $2} END {printf "%d", s}'
}
HEADERS_RUN=false
for n in "${CARDINALITIES[@]}"; do [ "$n" != "$SERVICE_TOKENS" ] || HEADERS_RUN=true; done
if $HEADERS_RUN; then
  t=$SECONDS
  echo "exchanging each of the $SERVICE_TOKENS service tokens once..."
  until [ "$(exchanges)" -ge "$SERVICE_TOKENS" ]; do
    [ $((SECONDS - t)) -lt 600 ] || { echo "the sidecar exchanged only $(exchanges) service tokens in 10 min" >&2; exit 1; }
    run_path headers 5 >/dev/null
  done
  PRIME_SECONDS=$((SECONDS - t))
fi

TOKEN_FILE=$TOK/jwt-${CARDINALITIES[0]}.txt
echo "warming up every path ($WARMUP s each: the JIT needs it)..."
WARM_PATHS=(direct plain nginx jwt apache)
! $HEADERS_RUN || WARM_PATHS+=(headers)
for p in "${WARM_PATHS[@]}"; do run_path "$p" "$WARMUP" >/dev/null; done

REPORT=""
SUMMARY=""
for n in "${CARDINALITIES[@]}"; do
  TOKEN_FILE=$TOK/jwt-$n.txt
  paths=(direct plain nginx jwt apache)
  [ "$n" != "$SERVICE_TOKENS" ] || paths+=(headers)
  echo "cardinality $n: ${paths[*]}"
  for p in "${paths[@]}"; do run_path "$p" "$SET_WARMUP" >/dev/null; done
  load_before=$(load_average)
  run_rounds "$ROUNDS" "$SECONDS_PER_RUN" "${paths[@]}"
  read -r rss heap_used heap_committed < <(sidecar_memory "$SIDECAR_PID")
  jwt_plain=$(ratio "$(mean jwt)" "$(mean plain)")
  jwt_nginx=$(ratio "$(mean jwt)" "$(mean nginx)")
  header="| round | direct | plain proxy | nginx | sidecar JWT | Apache mod_auth_openidc |"
  [ "$n" != "$SERVICE_TOKENS" ] || header="${header% |} | sidecar headers |"
  means="Means: direct $(mean direct), plain $(mean plain), nginx $(mean nginx), sidecar JWT $(mean jwt), Apache $(mean apache)"
  if [ "$n" = "$SERVICE_TOKENS" ]; then
    HEADERS_VS_JWT=$(ratio "$(mean headers)" "$(mean jwt)")
    means="$means, sidecar headers $(mean headers) (headers / JWT **$HEADERS_VS_JWT**)"
  fi
  REPORT="$REPORT
### $n distinct JWT$([ "$n" = 1 ] || echo s)$([ "$n" != "$SERVICE_TOKENS" ] || echo ", and $SERVICE_TOKENS distinct service tokens")

$header JWT / plain | JWT / nginx |
|---$(printf -- '|---%.0s' "${paths[@]}")|---|---|
$ROWS
$means req/s.
Sidecar JWT / plain **$jwt_plain** (target ≥ 0.90: $(verdict "$jwt_plain" 0.90)), / nginx **$jwt_nginx** (target ≥ 0.85: $(verdict "$jwt_nginx" 0.85)),
/ Apache **$(ratio "$(mean jwt)" "$(mean apache)")**. Sidecar after this set: RSS **$rss MB**, heap used $heap_used MB of $heap_committed MB committed.
Load average before / after: $load_before / $(load_average).
"
  SUMMARY="$SUMMARY| $n | $jwt_plain | $jwt_nginx | $(ratio "$(mean jwt)" "$(mean apache)") | $rss | $heap_used / $heap_committed |
"
done

# 7. Tokens that expire and are replaced during the run: generations of $EXPIRY_TOKENS tokens, each issued
#    $EXPIRY_STEP s after the last and valid $EXPIRY_LIFETIME s; the Lua script sends the current generation's. Enough
#    generations to cover minting (a guess with room) and both runs.
GENERATIONS=$(((2 * EXPIRY_SECONDS + 2 * SET_WARMUP + 120) / EXPIRY_STEP + 1))
echo "minting $GENERATIONS generations of $EXPIRY_TOKENS JWTs for the expiry run..."
GEN_START=$(mint "$EXPIRY_TOKENS" "$TOK/jwt-expiring.txt" $EXPIRY_LIFETIME "$GENERATIONS" $EXPIRY_STEP)
export BENCH_GEN_SIZE=$EXPIRY_TOKENS BENCH_GEN_START=$GEN_START BENCH_GEN_STEP=$EXPIRY_STEP
TOKEN_FILE=$TOK/jwt-expiring.txt
load_before=$(load_average)
run_rounds 1 "$EXPIRY_SECONDS" jwt apache
GEN_END=$(($(date +%s) - GEN_START))
[ $GEN_END -lt $((GENERATIONS * EXPIRY_STEP)) ] || { echo "the expiry run outlasted its generations" >&2; exit 1; }
unset BENCH_GEN_SIZE BENCH_GEN_START BENCH_GEN_STEP
read -r rss heap_used heap_committed < <(sidecar_memory "$SIDECAR_PID")
EXPIRY_ROW=$ROWS

log_size() { echo "$(grep -c '"status"' "$1" || true) lines, $(du -h "$1" | cut -f1)"; }
ACCESS_SIZES="stdout: $(log_size "$BENCH_WORK/logs/sidecar.log")"
[ ! -s "$BENCH_WORK/logs/access.log" ] || ACCESS_SIZES="$ACCESS_SIZES; file: $(log_size "$BENCH_WORK/logs/access.log")"
EXCHANGES=$(exchanges)
{
  echo
  echo "## Sidecar as shipped, by token cardinality: direct vs plain proxy vs nginx vs sidecar JWT vs Apache mod_auth_openidc ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Method: \`bench/sidecar.sh $ROUNDS $SECONDS_PER_RUN \"${CARDINALITIES[*]}\" $EXPIRY_SECONDS\` ($(((SECONDS - STARTED) / 60)) min after Keycloak's start). One"
  echo "$(nproc)-core machine, loopback only: a one-event-loop Vert.x upstream answering a small JSON body; a plain"
  echo "\`vertx-http-proxy\` (no auth, one verticle per core, pool 64); Debian's nginx (plain proxy) and Apache +"
  echo "mod_auth_openidc (local RS256 check of every request against the realm's JWKS, iss and aud/azp required), configs"
  echo "from \`bench/proxies.sh\` ($(proxy_versions)); Keycloak $KC_VERSION (demo realm)."
  echo "The sidecar jar with its **default settings** (one verticle per core, verified-token cache, access log on: to"
  echo "$SIDECAR_ACCESS_LOG; $ACCESS_SIZES) and the JVM options of sidecar/Containerfile plus the pod's memory"
  echo "limit from deploy/kubernetes (\`$SIDECAR_JVM\`); \`/metrics\` scraped every 5 s throughout: $(scrape_count) scrapes; the"
  echo "largest heap use they saw: $(scraped_peak_heap) MB."
  echo
  echo "Tokens: a real client_credentials token of a demo-app service token was taken from Keycloak as the template;"
  echo "an RSA key generated here was imported into the demo realm as an \`rsa\` key provider with the highest priority"
  echo "(kid \`$KID\`), and \`bench/MintTokens.java\` minted each set with it: the template's header and claims, its own"
  echo "\`sub\` and \`jti\` per token (minting took $(for n in "${CARDINALITIES[@]}"; do printf '%s s for %s, ' "${MINT_SECONDS[$n]}" "$n"; done)on all cores). Before"
  echo "measuring, a minted token was accepted by the sidecar and by Apache and a tampered one refused by both. The"
  echo "$SERVICE_TOKENS service tokens were created through the admin API (${SERVICE_TOKEN_SECONDS} s) and sent as KC-Access-Client-Id/-Secret;"
  echo "before anything was measured the sidecar exchanged each once at Keycloak (${PRIME_SECONDS:-0} s; successful token"
  echo "requests at Keycloak over the whole run: $EXCHANGES)."
  echo "Every path is driven by \`wrk -t2 -c${WRK_CONNECTIONS:-32} --latency -s bench/tokens.lua\`, which sends each request a token"
  echo "picked uniformly at random from the set (requests prebuilt per thread, so the script costs every path the same;"
  echo "direct, plain and nginx get the same Authorization headers and ignore them). A ${WARMUP}-second warm-up of every path,"
  echo "then per set a ${SET_WARMUP}-second warm-up of each path and $ROUNDS alternating rounds of ${SECONDS_PER_RUN} s. req/s with wrk's p50 and p99;"
  echo "every response was 2xx (the script fails otherwise). wrk shares the cores with the servers: compare the ratios."
  echo "The sidecar is one process for the whole run, so its RSS and heap after each set include the sets before it."
  printf '%s' "$REPORT"
  echo
  echo "### Tokens expiring and replaced during the run"
  echo
  echo "Generations of $EXPIRY_TOKENS JWTs, a new one every $EXPIRY_STEP s, each valid $EXPIRY_LIFETIME s; the Lua script sends the generation"
  echo "current at \`os.time()\`, so every token the sidecar has cached expires while the run goes on and new ones arrive."
  echo "One ${EXPIRY_SECONDS}-second run per path; every response 2xx (no 401 from the sidecar or Apache)."
  echo
  echo "| run | sidecar JWT req/s | Apache req/s | JWT / Apache |"
  echo "|---|---|---|---|"
  printf '%s' "${EXPIRY_ROW%|*}| $(ratio "$(mean jwt)" "$(mean apache)") |"
  echo
  echo
  echo "Sidecar after it: RSS **$rss MB**, heap used $heap_used MB of $heap_committed MB. Load average before / after: $load_before / $(load_average)."
  echo
  echo "### Summary against the targets (sidecar JWT ≥ 0.90 × plain proxy and ≥ 0.85 × nginx at every cardinality)"
  echo
  echo "| distinct JWTs | JWT / plain | JWT / nginx | JWT / Apache | sidecar RSS MB | heap used / committed MB |"
  echo "|---|---|---|---|---|---|"
  printf '%s' "$SUMMARY"
  ! $HEADERS_RUN || echo "
With $SERVICE_TOKENS distinct service tokens through KC-Access-Client-Id/-Secret against $SERVICE_TOKENS distinct JWTs: sidecar headers / sidecar
JWT **$HEADERS_VS_JWT**."
} >>BENCHMARKS.md
echo "appended to BENCHMARKS.md"
