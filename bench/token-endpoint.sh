#!/usr/bin/env bash
# Benchmark: client_credentials throughput at Keycloak's token endpoint over TLS, a service token (our
# authenticator) against an ordinary confidential client (Keycloak's stock client-secret authenticator), measured
# side by side on one server in alternating rounds, in two connection modes:
#   keepalive   one TLS connection per wrk connection, reused for every request
#   newconn     a new TCP connection and a FULL TLS handshake per request (Connection: close, no session
#               resumption), as clients that send a single request do: the way Keycloak's sizing guide measures
# Appends method and raw numbers to BENCHMARKS.md.
#
# usage: bench/token-endpoint.sh [rounds=3] [seconds-per-run=15]     (needs: wrk, curl, unzip, mvn, java, openssl, cc)
#   env: WARMUP_SECONDS (30, per client and mode), MODES ("keepalive newconn"),
#        JFR=1 records Keycloak with JFR during the measured rounds and prints where our provider's time goes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source "$ROOT/bench/lib.sh"

ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-15}
WARMUP_SECONDS=${WARMUP_SECONDS:-30}
read -r -a MODES <<<"${MODES:-keepalive newconn}"
CONNECTIONS=16
KC_HTTPS_PORT=8543
PROBE_PORT=8544

if [ ! -f keycloak-service-token-spi/target/keycloak-service-token-spi-0.1.0.jar ]; then
  mvn -B -q -DskipTests -Dadmin-ui.skip -pl keycloak-service-token-spi package
fi
command -v openssl >/dev/null && command -v cc >/dev/null || { echo "openssl and cc are required" >&2; exit 1; }
TLS=$BENCH_WORK/tls
mkdir -p "$TLS" "$BENCH_WORK/logs"
# A self-signed RSA 2048 certificate (what most deployments present); new each run.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$TLS/key.pem" -out "$TLS/cert.pem" 2>/dev/null
cc -shared -fPIC -o "$TLS/tls-no-resume.so" bench/tls-no-resume.c -ldl -lssl
KC_EXTRA_ARGS=(--https-port=$KC_HTTPS_PORT --https-certificate-file="$TLS/cert.pem"
  --https-certificate-key-file="$TLS/key.pem" --http-management-scheme=http)
start_bench_keycloak $KC_HTTPS_PORT $PROBE_PORT

TOKEN=$(admin_token $KC_BASE)
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
# A realm of its own with events off: a stored event per request would measure the database, not the authenticators.
api -d '{"realm":"bench","enabled":true,"eventsEnabled":false}' $KC_BASE/admin/realms >/dev/null
api -d '{"clientId":"stock-bot","publicClient":false,"serviceAccountsEnabled":true,"standardFlowEnabled":false,"secret":"stock-bot-secret-0123456789"}' \
  $KC_BASE/admin/realms/bench/clients >/dev/null
TOKEN=$(admin_token $KC_BASE)
CREATED=$(api -d '{"name":"bench bot"}' $KC_BASE/admin/realms/bench/service-tokens)
ST_ID=$(printf '%s' "$CREATED" | sed -n 's/.*"clientId":"\([^"]*\)".*/\1/p')
ST_SECRET=$(printf '%s' "$CREATED" | sed -n 's/.*"clientSecret":"\([^"]*\)".*/\1/p')
TOKEN_PATH=/realms/bench/protocol/openid-connect/token
URL=https://localhost:$KC_HTTPS_PORT$TOKEN_PATH
for pair in "stock-bot:stock-bot-secret-0123456789" "$ST_ID:$ST_SECRET"; do
  curl -fsS -k -o /dev/null -u "$pair" -d grant_type=client_credentials "$URL" \
    || { echo "client_credentials over TLS failed for ${pair%%:*}" >&2; exit 1; }
done

# What wrk and Keycloak negotiate (wrk uses the same OpenSSL defaults as s_client).
TLS_INFO=$(openssl s_client -connect 127.0.0.1:$KC_HTTPS_PORT -servername localhost </dev/null 2>/dev/null \
  | awk '/^New, / {p=$2; c=$NF} /^Server Temp Key/ {sub(/^Server Temp Key: /, ""); k=$0}
         /^Peer signature type/ {s=$NF} END {printf "%s %s, key exchange %s, server signature %s", p, c, k, s}')
echo "TLS: $TLS_INFO"

# wrk in each mode; newconn sends Connection: close (wrk reconnects after every response) and preloads the shim
# that stops wrk from resuming the TLS session on its next connection.
wrk_mode() { # mode label id secret seconds url [extra wrk args]
  local mode=$1 label=$2 id=$3 secret=$4 seconds=$5 url=$6
  shift 6
  if [ "$mode" = newconn ]; then
    LD_PRELOAD=$TLS/tls-no-resume.so BENCH_CLIENT_ID=$id BENCH_CLIENT_SECRET=$secret WRK_CONNECTIONS=$CONNECTIONS \
      wrk_run "$label" "$seconds" "$url" -s bench/client-credentials.lua -H 'Connection: close' "$@"
  else
    BENCH_CLIENT_ID=$id BENCH_CLIENT_SECRET=$secret WRK_CONNECTIONS=$CONNECTIONS \
      wrk_run "$label" "$seconds" "$url" -s bench/client-credentials.lua "$@"
  fi
}
tcp_opens() { awk '$1=="Tcp:" && $2 ~ /^[0-9]+$/ {print $6}' /proc/net/snmp; }

# Handshakes per request, checked through a relay that reads every ClientHello/ServerHello: each mode as measured,
# and wrk without the shim (which resumes sessions) for comparison.
probe() { # label mode [shim]
  local out wrk_out
  java bench/TlsHelloProbe.java $PROBE_PORT $KC_HTTPS_PORT 6 >"$BENCH_WORK/logs/probe.txt" 2>&1 &
  local probe_pid=$!
  until port_in_use $PROBE_PORT; do sleep 0.2; done
  local -a extra=()
  [ "$2" = newconn ] && extra=(-H 'Connection: close')
  wrk_out=$(env ${3:+LD_PRELOAD=$TLS/tls-no-resume.so} BENCH_CLIENT_ID=stock-bot BENCH_CLIENT_SECRET=stock-bot-secret-0123456789 \
    wrk -t1 -c2 -d2s -s bench/client-credentials.lua "${extra[@]}" "https://localhost:$PROBE_PORT$TOKEN_PATH")
  wait $probe_pid || true
  out=$(cat "$BENCH_WORK/logs/probe.txt")
  echo "$1: $(printf '%s\n' "$wrk_out" | awk '/requests in/ {print $1}') requests, $out"
}
PROBES=$(
  probe "keepalive" keepalive
  probe "newconn (as measured)" newconn shim
  probe "newconn, wrk without the shim" newconn
)
printf '%s\n' "$PROBES"

echo "warming up both clients in every mode ($WARMUP_SECONDS s each: throughput climbs while the JIT compiles)..."
for mode in "${MODES[@]}"; do
  wrk_mode "$mode" "warm-$mode-stock" stock-bot stock-bot-secret-0123456789 "$WARMUP_SECONDS" "$URL" >/dev/null
  wrk_mode "$mode" "warm-$mode-token" "$ST_ID" "$ST_SECRET" "$WARMUP_SECONDS" "$URL" >/dev/null
done

KC_JVM=$KC_PID
[ "$(cat /proc/$KC_PID/comm)" = java ] || KC_JVM=$(pgrep -P "$KC_PID" -x java | head -1)
if [ "${JFR:-0}" = 1 ]; then
  jcmd "$KC_JVM" JFR.start name=bench settings=profile >/dev/null
fi
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)

declare -A SUM_RATIO ROWS
for mode in "${MODES[@]}"; do SUM_RATIO[$mode]=0; ROWS[$mode]=""; done
for r in $(seq 1 "$ROUNDS"); do
  for mode in "${MODES[@]}"; do
    # Alternate which client goes first, so a drift within the round does not always favour the same one.
    order=(stock token)
    [ $((r % 2)) = 0 ] && order=(token stock)
    for who in "${order[@]}"; do
      opens=$(tcp_opens)
      if [ "$who" = stock ]; then
        read -r s_rps s_p50 s_p99 s_err < <(wrk_mode "$mode" "$mode-stock" stock-bot stock-bot-secret-0123456789 "$SECONDS_PER_RUN" "$URL")
        s_opens=$(awk -v o="$(tcp_opens)" -v b="$opens" -v r="$s_rps" -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%.2f", (o-b)/(r*s)}')
      else
        read -r t_rps t_p50 t_p99 t_err < <(wrk_mode "$mode" "$mode-token" "$ST_ID" "$ST_SECRET" "$SECONDS_PER_RUN" "$URL")
        t_opens=$(awk -v o="$(tcp_opens)" -v b="$opens" -v r="$t_rps" -v s="$SECONDS_PER_RUN" 'BEGIN {printf "%.2f", (o-b)/(r*s)}')
      fi
    done
    ratio=$(ratio "$t_rps" "$s_rps")
    SUM_RATIO[$mode]=$(awk -v a="${SUM_RATIO[$mode]}" -v b="$ratio" 'BEGIN {print a+b}')
    echo "round $r $mode: stock $s_rps req/s (p50 $s_p50, p99 $s_p99, non-200 $s_err), service-token $t_rps req/s (p50 $t_p50, p99 $t_p99, non-200 $t_err), ratio $ratio"
    ROWS[$mode]="${ROWS[$mode]}| $r | $mode | $s_rps | $s_p50 | $s_p99 | $s_err | $s_opens | $t_rps | $t_p50 | $t_p99 | $t_err | $t_opens | $ratio |
"
  done
done
LOAD_AFTER=$(cut -d" " -f1-3 /proc/loadavg)

declare -A MEAN
for mode in "${MODES[@]}"; do
  MEAN[$mode]=$(awk -v s="${SUM_RATIO[$mode]}" -v n="$ROUNDS" 'BEGIN {printf "%.3f", s/n}')
  echo "$mode: mean ratio service-token / stock ${MEAN[$mode]} (target >= 0.95)"
done

PROFILE=""
if [ "${JFR:-0}" = 1 ]; then
  jcmd "$KC_JVM" JFR.dump name=bench filename="$BENCH_WORK/logs/keycloak-token-endpoint.jfr" >/dev/null
  PROFILE=$(bench/jfr-summary.sh "$BENCH_WORK/logs/keycloak-token-endpoint.jfr" org.servicetokens.)
  printf '%s\n' "$PROFILE"
fi

{
  echo
  echo "## Token endpoint over TLS: service-token vs stock client-secret, keep-alive and new connection per request ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Method: \`bench/token-endpoint.sh $ROUNDS $SECONDS_PER_RUN\` (warm-up ${WARMUP_SECONDS} s per client and mode). One Keycloak"
  echo "$KC_VERSION (start-dev, H2, provider installed, realm \`bench\` with events off) with an https listener (self-signed"
  echo "RSA 2048 certificate) on $(nproc) cores shared with wrk. Negotiated: $TLS_INFO. \`wrk -t2 -c$CONNECTIONS --latency\` POSTs"
  echo "\`grant_type=client_credentials\` with \`client_secret_basic\` for a stock confidential client and for a service token,"
  echo "alternating ${SECONDS_PER_RUN}-second runs (which client goes first flips every round). Both go through the same"
  echo "client-authentication flow (the stock client also passes our authenticator, which returns at once). Modes:"
  echo "**keepalive** reuses each TLS connection; **newconn** sends \`Connection: close\`, so Keycloak closes after every"
  echo "response and wrk opens a new TCP connection with a full TLS handshake for the next request (wrk by itself would"
  echo "resume the TLS session: \`bench/tls-no-resume.c\`, preloaded, drops it), as clients sending a single request do,"
  echo "which is how Keycloak's sizing guide measures client credentials grants. \"opens/req\" is the kernel's TCP"
  echo "ActiveOpens during the run divided by the requests. Handshakes seen by a relay reading every"
  echo "ClientHello/ServerHello (\`bench/TlsHelloProbe.java\`, wrk -c2 for 2 s):"
  echo
  printf '%s\n' "$PROBES" | sed 's/^/    /'
  echo
  echo "| round | mode | stock req/s | stock p50 | stock p99 | stock non-200 | stock opens/req | token req/s | token p50 | token p99 | token non-200 | token opens/req | ratio |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  for mode in "${MODES[@]}"; do printf '%s' "${ROWS[$mode]}"; done
  echo
  for mode in "${MODES[@]}"; do
    echo "- $mode: mean ratio (service-token / stock) **${MEAN[$mode]}** (target ≥ 0.95)"
  done
  echo
  echo "Load average before / after the measured rounds: $LOAD_BEFORE / $LOAD_AFTER (anything far above the core count"
  echo "means other work shared the machine)."
  if [ -n "$PROFILE" ]; then
    echo
    echo "JFR (\`JFR=1\`, settings=profile, measured rounds only): execution samples, and where those inside our provider"
    echo "(org.servicetokens.*) were, by innermost provider frame:"
    echo
    printf '%s\n' "$PROFILE" | sed 's/^/    /'
  fi
} >>BENCHMARKS.md
echo "appended to BENCHMARKS.md"
