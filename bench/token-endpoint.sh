#!/usr/bin/env bash
# Benchmark: client_credentials throughput at Keycloak's token endpoint, a service token (our authenticator)
# against an ordinary confidential client (Keycloak's stock client-secret authenticator), measured side by
# side on one server in alternating rounds. Appends method and raw numbers to BENCHMARKS.md.
#
# usage: bench/token-endpoint.sh [rounds=3] [seconds-per-run=15]     (needs: wrk, curl, unzip, mvn, java)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source "$ROOT/bench/lib.sh"

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-15}
BASE=$KC_BASE
CONNECTIONS=16

if [ ! -f keycloak-service-token-spi/target/keycloak-service-token-spi-0.1.0.jar ]; then
  mvn -B -q -DskipTests -pl keycloak-service-token-spi package
fi
start_bench_keycloak

TOKEN=$(admin_token $BASE)
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
# A realm of its own with events off: a stored event per request would measure the database, not the authenticators.
api -d '{"realm":"bench","enabled":true,"eventsEnabled":false}' $BASE/admin/realms >/dev/null
api -d '{"clientId":"stock-bot","publicClient":false,"serviceAccountsEnabled":true,"standardFlowEnabled":false,"secret":"stock-bot-secret-0123456789"}' \
  $BASE/admin/realms/bench/clients >/dev/null
TOKEN=$(admin_token $BASE)
CREATED=$(api -d '{"name":"bench bot"}' $BASE/admin/realms/bench/service-tokens)
ST_ID=$(printf '%s' "$CREATED" | sed -n 's/.*"clientId":"\([^"]*\)".*/\1/p')
ST_SECRET=$(printf '%s' "$CREATED" | sed -n 's/.*"clientSecret":"\([^"]*\)".*/\1/p')

URL=$BASE/realms/bench/protocol/openid-connect/token
run() { # label id secret seconds
  BENCH_CLIENT_ID=$2 BENCH_CLIENT_SECRET=$3 WRK_CONNECTIONS=$CONNECTIONS wrk_run "$1" "$4" "$URL" -s bench/client-credentials.lua
}

echo "warming up both clients (30 s each: throughput climbs while the JIT compiles)..."
run warm-stock stock-bot stock-bot-secret-0123456789 30 >/dev/null
run warm-token "$ST_ID" "$ST_SECRET" 30 >/dev/null
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)

ROWS=""
SUM_RATIO=0
for r in $(seq 1 "$ROUNDS"); do
  read -r s_rps s_p50 s_p99 s_err < <(run stock stock-bot stock-bot-secret-0123456789 "$SECONDS_PER_RUN")
  read -r t_rps t_p50 t_p99 t_err < <(run token "$ST_ID" "$ST_SECRET" "$SECONDS_PER_RUN")
  ratio=$(ratio "$t_rps" "$s_rps")
  SUM_RATIO=$(awk -v a="$SUM_RATIO" -v b="$ratio" 'BEGIN {print a+b}')
  echo "round $r: stock $s_rps req/s (p99 $s_p99, non-200 $s_err), service-token $t_rps req/s (p99 $t_p99, non-200 $t_err), ratio $ratio"
  ROWS="$ROWS| $r | $s_rps | $s_p50 | $s_p99 | $s_err | $t_rps | $t_p50 | $t_p99 | $t_err | $ratio |
"
done
MEAN=$(awk -v s="$SUM_RATIO" -v n="$ROUNDS" 'BEGIN {printf "%.3f", s/n}')
echo "mean ratio service-token / stock: $MEAN (target >= 0.95)"

{
  echo
  echo "## Token endpoint: service-token vs stock client-secret ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Method: \`bench/token-endpoint.sh $ROUNDS $SECONDS_PER_RUN\`. One Keycloak $KC_VERSION (start-dev, H2, provider"
  echo "installed, realm \`bench\` with events off) on $(nproc) cores shared with wrk. \`wrk -t2 -c$CONNECTIONS --latency\`"
  echo "POSTs \`grant_type=client_credentials\` with \`client_secret_basic\` for a stock confidential client and for a"
  echo "service token, alternating ${SECONDS_PER_RUN}-second runs after a 30-second warm-up of each. Both go through the same"
  echo "client-authentication flow (the stock client also passes our authenticator, which returns at once)."
  echo
  echo "| round | stock req/s | stock p50 | stock p99 | stock non-200 | token req/s | token p50 | token p99 | token non-200 | ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$ROWS"
  echo
  echo "Mean ratio (service-token / stock): **$MEAN** (target ≥ 0.95). Load average before / after the measured rounds:"
  echo "$LOAD_BEFORE / $(cut -d" " -f1-3 /proc/loadavg) (anything far above the core count means other work shared the machine)."
} >>BENCHMARKS.md
echo "appended to BENCHMARKS.md"
