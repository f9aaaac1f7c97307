#!/usr/bin/env bash
# Benchmark: latency at a steady request rate, what each proxy adds over the upstream reached directly. First wrk
# finds the plain Vert.x proxy's maximum; then, at 50 % and 80 % of it, h2load (HTTP/1.1, --rps per connection)
# offers the same rate to each path in turn and logs every request's latency; p50, p99 and p99.9 are computed here
# from those logs. Paths: direct (upstream), plain (vertx-http-proxy, no auth), nginx (plain proxy), jwt (the sidecar
# as shipped: default settings, access log on, Containerfile's JVM options; one Keycloak JWT) and apache (httpd +
# mod_auth_openidc validating the same JWT). Appends method, raw figures and "added over direct" to BENCHMARKS.md.
#
# usage: bench/latency.sh [seconds-per-run=20] [loads="50 80"] [connections=16]
#   (16 paced connections: 64 h2load processes on 2 cores compete with the servers and inflate every tail;
#   see the two runs of 2026-11-30 in BENCHMARKS.md)
#   environment: BENCH_WARMUP (seconds of wrk per path before measuring, 15), SIDECAR_JAVA_OPTS (added options).
#   The defaults take about 6 minutes after Keycloak's start.
#   needs: h2load (nghttp2-client), wrk, curl, unzip, mvn, java, jq, openssl, Debian's nginx, apache2,
#   libapache2-mod-auth-openidc
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source "$ROOT/bench/lib.sh"
source "$ROOT/bench/proxies.sh"
require_proxies
require_tools h2load:nghttp2-client wrk:wrk curl:curl unzip:unzip mvn:maven java:openjdk-17-jdk-headless jq:jq

SECONDS_PER_RUN=${1:-20}
read -r -a LOADS <<<"${2:-50 80}"
CONNECTIONS=${3:-16}
WARMUP=${BENCH_WARMUP:-15}
UPSTREAM_PORT=18081
PLAIN_PORT=18082
SIDECAR_PORT=18000
SIDECAR_MGMT_PORT=19091
NGINX_PORT=18083
APACHE_PORT=18084
JWKS_HTTPS_PORT=18085
JAR=sidecar/target/sidecar.jar
PATHS=(direct plain nginx jwt apache)

if [ ! -f "$JAR" ] || [ ! -f keycloak-service-token-spi/target/keycloak-service-token-spi-0.1.0.jar ]; then
  mvn -B -q -DskipTests package
fi
start_bench_keycloak $UPSTREAM_PORT $PLAIN_PORT $SIDECAR_PORT $SIDECAR_MGMT_PORT $NGINX_PORT $APACHE_PORT $JWKS_HTTPS_PORT
TOKEN=$(admin_token $KC_BASE)
api() { curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$@"; }
api -X PUT -d '{"accessTokenLifespan":3600}' $KC_BASE/admin/realms/demo >/dev/null
CREATED=$(api -d '{"name":"bench bot","applications":["demo-app"]}' $KC_BASE/admin/realms/demo/service-tokens)
JWT=$(curl -fsS -u "$(jq -r .clientId <<<"$CREATED"):$(jq -r .clientSecret <<<"$CREATED")" \
  -d grant_type=client_credentials $KC_BASE/realms/demo/protocol/openid-connect/token | jq -r .access_token)

start_compared_servers
check_apache_validates http://127.0.0.1:$APACHE_PORT/ "$JWT"
[ "$(curl -fsS -H "Authorization: Bearer $JWT" http://127.0.0.1:$SIDECAR_PORT/)" = '{"ok":true}' ] \
  || { echo "the sidecar refuses the JWT" >&2; exit 1; }

url() {
  case $1 in
    direct) echo http://127.0.0.1:$UPSTREAM_PORT/ ;;
    plain) echo http://127.0.0.1:$PLAIN_PORT/ ;;
    nginx) echo http://127.0.0.1:$NGINX_PORT/ ;;
    jwt) echo http://127.0.0.1:$SIDECAR_PORT/ ;;
    apache) echo http://127.0.0.1:$APACHE_PORT/ ;;
  esac
}
AUTH="Authorization: Bearer $JWT" # every path gets it (direct, plain and nginx ignore it): the same bytes everywhere

echo "warming up every path ($WARMUP s of wrk each)..."
for p in "${PATHS[@]}"; do wrk_run "warm-$p" "$WARMUP" "$(url "$p")" -H "$AUTH" >/dev/null; done
LOAD_BEFORE=$(load_average)
read -r MAX _ _ non2xx < <(wrk_run max-plain "$SECONDS_PER_RUN" "$(url plain)" -H "$AUTH")
[ "$non2xx" = 0 ] || { echo "the plain proxy answered $non2xx non-2xx responses" >&2; exit 1; }
echo "plain proxy maximum (wrk -t2 -c${WRK_CONNECTIONS:-32}): $MAX req/s"

# h2load_paced PATH LOAD RATE: CONNECTIONS h2load processes of one HTTP/1.1 connection each, together offering RATE
# req/s for SECONDS_PER_RUN after a 3-second warm-up, each logging every request into $dir/<k>.tsv. One process per
# connection, each paced at a rate a hair off the mean (±0.05 % per step, symmetric, so the total is RATE), so the
# connections' sending instants drift apart instead of staying in step: h2load starts all clients of a process
# together and paces each the same, which sends its -c requests in one burst per interval.
h2load_paced() {
  local p=$1 load=$2 rate=$3 k r
  local dir=$BENCH_WORK/logs/h2load-$p-$load
  local -a pids=()
  rm -rf "$dir"
  mkdir -p "$dir"
  for ((k = 0; k < CONNECTIONS; k++)); do
    r=$(awk -v t="$rate" -v k="$k" -v n="$CONNECTIONS" 'BEGIN {printf "%.3f", t / n * (1 + 0.0005 * (k - (n - 1) / 2))}')
    h2load --h1 -t1 -c1 --rps="$r" -D"$SECONDS_PER_RUN" --warm-up-time=3 --log-file="$dir/$k.tsv" -H "$AUTH" \
      "$(url "$p")" >"$dir/$k.txt" 2>&1 &
    pids+=($!)
  done
  for k in "${!pids[@]}"; do
    wait "${pids[$k]}" || { echo "h2load failed on $p (see $dir/$k.txt)" >&2; exit 1; }
  done
}

# percentiles DIR: "count seconds non2xx silent failed p50 p99 p99.9" (latencies in ms) over the requests in h2load's logs
# (start µs since the epoch, status, µs to the end of the response) that started while every process was measuring
# (they start a few ms apart); nearest-rank percentiles. silent: connections that logged no request at all (a
# saturated server that never accepted or answered them).
percentiles() {
  local f from to silent=0 non2xx failed seconds
  for f in "$1"/*.tsv; do [ -s "$f" ] || silent=$((silent + 1)); done
  read -r from to < <(for f in "$1"/*.tsv; do
    if [ -s "$f" ]; then cut -f1 "$f" | sort -n | sed -n '1p;$p' | paste -sd' '; fi
  done | awk 'NR == 1 || $1 > a {a = $1} NR == 1 || $2 < b {b = $2} END {if (NR) print a, b; else print 0, 0}')
  cat "$1"/*.tsv | awk -F'\t' -v a="$from" -v b="$to" '$1 >= a && $1 <= b' >"$1.window"
  # h2load logs -1 for a request that got no response (the connection failed): counted apart, as "failed".
  non2xx=$(awk -F'\t' '$2 >= 100 && ($2 < 200 || $2 > 299) {n++} END {print n+0}' "$1.window")
  failed=$(awk -F'\t' '$2 < 100 {n++} END {print n+0}' "$1.window")
  seconds=$(awk -v a="$from" -v b="$to" 'BEGIN {printf "%.2f", (b > a ? (b - a) / 1e6 : 0)}')
  cut -f3 "$1.window" | sort -n | awk -v bad="$non2xx" -v s="$seconds" -v silent="$silent" -v failed="$failed" '{v[NR] = $1}
    function at(q,  i) { if (NR == 0) return 0; i = int(q * NR); if (i < q * NR) i++; if (i < 1) i = 1; return v[i] / 1000 }
    END {printf "%d %s %d %d %d %.3f %.3f %.3f\n", NR, s, bad, silent, failed, at(0.5), at(0.99), at(0.999)}'
}
# added PATH_MS DIRECT_MS: the difference, or n/a when the path answered nothing in the measured window.
added() { if [ "$1" = n/a ]; then echo n/a; else awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.3f", a - b}'; fi; }

declare -A P50 P99 P999
ROWS=""
VERDICT=""
for load in "${LOADS[@]}"; do
  offered=$(awk -v m="$MAX" -v l="$load" 'BEGIN {printf "%.0f", m * l / 100}')
  echo "load $load %: $offered req/s offered over $CONNECTIONS connections"
  for p in "${PATHS[@]}"; do
    h2load_paced "$p" "$load" "$offered"
    read -r count seconds non2xx silent failed p50 p99 p999 < <(percentiles "$BENCH_WORK/logs/h2load-$p-$load")
    [ "$non2xx" = 0 ] || { echo "path $p answered $non2xx non-2xx responses at $load %" >&2; exit 1; }
    achieved=$(awk -v n="$count" -v s="$seconds" 'BEGIN {printf "%.0f", (s > 0 ? n / s : 0)}')
    # No request completed in the window: there are no percentiles to report, not zeros.
    if [ "$count" = 0 ]; then p50=n/a p99=n/a p999=n/a; fi
    # Off the offered rate (either way: requests that waited in h2load go out late, in catch-up bursts), or
    # connections never answered: the server did not keep pace and the percentiles flatter it.
    off=$(awk -v a="$achieved" -v o="$offered" -v q="$silent" -v f="$failed" \
      'BEGIN {if (a < 0.97 * o || a > 1.03 * o || q + f > 0) print "yes"}')
    if [ -n "$off" ]; then
      achieved="$achieved (off pace$([ "$silent" = 0 ] || echo ", $silent of $CONNECTIONS connections never answered")$([ "$failed" = 0 ] || echo ", $failed requests failed"))"
    fi
    P50[$p]=$p50
    P99[$p]=$p99
    P999[$p]=$p999
    echo "  $p: $achieved req/s achieved, p50 $p50 ms, p99 $p99 ms, p99.9 $p999 ms"
    ROWS="$ROWS| $load % | $p | $offered | $achieved | $p50 | $p99 | $p999 | $(added "$p50" "${P50[direct]}") | $(added "$p99" "${P99[direct]}") | $(added "$p999" "${P999[direct]}") |
"
  done
  jwt_added=$(added "${P99[jwt]}" "${P99[direct]}")
  VERDICT="$VERDICT At $load %: the sidecar adds **$jwt_added ms** at p99 over direct$([ "$load" != 50 ] || awk -v a="$jwt_added" 'BEGIN {print (a <= 1 ? " (target ≤ 1 ms at 50 %: met)" : " (target ≤ 1 ms at 50 %: **missed**)")}'), nginx $(added "${P99[nginx]}" "${P99[direct]}") ms, the plain proxy $(added "${P99[plain]}" "${P99[direct]}") ms, Apache $(added "${P99[apache]}" "${P99[direct]}") ms."
done

{
  echo
  echo "## Latency at a steady rate: what each proxy adds over direct ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Method: \`bench/latency.sh $SECONDS_PER_RUN \"${LOADS[*]}\" $CONNECTIONS\`. One $(nproc)-core machine, loopback only, the servers of"
  echo "\`bench/sidecar.sh\` (one-event-loop Vert.x upstream, plain \`vertx-http-proxy\`, nginx, Apache + mod_auth_openidc; $(proxy_versions));"
  echo "the sidecar as shipped: default settings, access log on ($SIDECAR_ACCESS_LOG), JVM options \`$SIDECAR_JVM\`,"
  echo "\`/metrics\` scraped every 5 s ($(scrape_count) scrapes). After a ${WARMUP}-second wrk warm-up of every path,"
  echo "\`wrk -t2 -c${WRK_CONNECTIONS:-32}\` measured the plain proxy's maximum over ${SECONDS_PER_RUN} s: **$MAX req/s**. Then for each load, each"
  echo "path in turn: $CONNECTIONS h2load processes (nghttp2 $(h2load --version | sed -n 's:.*nghttp2/::p')), each \`h2load --h1 -t1 -c1 --rps=<r> -D $SECONDS_PER_RUN --warm-up-time=3 --log-file=…\`,"
  echo "the r summing to load × max (each a hair off the mean so the connections' sending instants drift apart: one"
  echo "h2load with -c N paces its clients in step and sends N requests in a burst per interval). One JWT on every request"
  echo "(h2load sends fixed headers and cannot vary the token, so the sidecar serves it from its verified-token cache;"
  echo "\`bench/sidecar.sh\` covers many tokens). p50/p99/p99.9 are nearest-rank percentiles over every request logged while"
  echo "all processes were measuring (time from sending the request to the end of its response); \"added\" is the path's"
  echo "percentile minus direct's at the same load. Every response was 2xx."
  echo
  echo "How open the load model is: h2load's \`--rps\` paces request *starts* per connection (a timer adds the requests due"
  echo "since its last tick); with HTTP/1.1 a connection has one request outstanding, so a request due while the previous"
  echo "one is in flight waits, and that wait is not in its latency (coordinated omission). It is an open model only while"
  echo "responses come back within a connection's interval ($CONNECTIONS connections: at 80 % each sends one request every"
  echo "$(awk -v m="$MAX" -v c="$CONNECTIONS" 'BEGIN {printf "%.1f", 1000 * c / (0.8 * m)}') ms, against sub-millisecond responses), and the \"achieved\" column checks it: a path marked"
  echo "\"off pace\" got a rate more than 3 % off the offered one in the measured window (requests that waited in h2load go"
  echo "out late, in catch-up bursts) or left connections unanswered: it did not keep up, and its percentiles understate"
  echo "its tail."
  echo
  echo "| load | path | offered req/s | achieved req/s | p50 ms | p99 ms | p99.9 ms | added p50 | added p99 | added p99.9 |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$ROWS"
  echo
  echo "${VERDICT# } Load average before / after: $LOAD_BEFORE / $(load_average)."
} >>BENCHMARKS.md
echo "appended to BENCHMARKS.md"
