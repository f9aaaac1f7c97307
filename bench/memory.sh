#!/usr/bin/env bash
# Benchmark: the sidecar's memory per cached entry and its start-up time, with the JVM options its image ships.
#   (a) heap (after System.gc) and RSS before/after filling N verified access tokens, and separately N browser
#       sessions, N cached client-credentials grants, and N grant refusals + in-flight markers, through the
#       sidecar's own classes (bench/MemoryPerEntry.java against sidecar/target/sidecar.jar)
#   (b) time from process start to 200 on /ready (Keycloak up), RUNS times without and with an AppCDS archive
#       (alternating), and RSS at /ready
# Appends method and raw numbers to BENCHMARKS.md.
#
# usage: bench/memory.sh [ready-runs=5] [entries=100000]     (needs: curl, unzip, mvn, java)
#   env: MEMORY_LIMIT (384m): the container memory limit the JVM is told of (-XX:MaxRAM); empty = this machine's RAM
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source "$ROOT/bench/lib.sh"

RUNS=${1:-5}
ENTRIES=${2:-100000}
SIDECAR_PORT=18000
SIDECAR_MGMT_PORT=19091
UPSTREAM_PORT=18081
JAR=sidecar/target/sidecar.jar

if [ ! -f "$JAR" ] || [ ! -f keycloak-service-token-spi/target/keycloak-service-token-spi-0.1.0.jar ]; then
  mvn -B -q -DskipTests -Dadmin-ui.skip package
fi
mkdir -p "$BENCH_WORK/logs" "$BENCH_WORK/memory-classes"

# The JVM options the image runs the sidecar with: ENTRYPOINT's arguments between "java" and "-jar", without the
# image's own -XX:SharedArchiveFile (this script makes and names the archive itself). The percentages of RAM those
# options may hold apply to the container's memory limit; -XX:MaxRAM stands in for it (MEMORY_LIMIT, default the
# 384 MiB deploy/kubernetes sets; empty = this machine's RAM).
java_args() { # Containerfile instruction (ENTRYPOINT or RUN) -> its java options, one line
  sed -n "s/^$1 \[\(\"java\".*\)\]/\1/p" sidecar/Containerfile | head -1 | tr -d '",' \
    | awk '{for (i = 2; i <= NF && $i != "-jar"; i++) if ($i !~ /^-XX:(SharedArchiveFile|ArchiveClassesAtExit)=/) printf "%s ", $i; print ""}'
}
MEMORY_LIMIT=${MEMORY_LIMIT-384m}
read -r -a IMAGE_OPTS < <(java_args ENTRYPOINT)
[ ${#IMAGE_OPTS[@]} -gt 0 ] || { echo "no JVM options found in sidecar/Containerfile's ENTRYPOINT" >&2; exit 1; }
JVM_OPTS=("${IMAGE_OPTS[@]}")
[ -z "$MEMORY_LIMIT" ] || JVM_OPTS+=(-XX:MaxRAM="$MEMORY_LIMIT")
echo "JVM options: ${JVM_OPTS[*]}"
mib() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1048576}'; }
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# ---- (a) bytes per entry ----
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)
javac -cp "$JAR" -d "$BENCH_WORK/memory-classes" bench/MemoryPerEntry.java
declare -A FILL FILL_NOTE
for kind in tokens sessions grants grant-failures; do
  # A store that does not fit the heap the limit leaves exits (ExitOnOutOfMemoryError): say so, and measure it again
  # with this machine's RAM as the limit, so the bytes per entry are still known.
  if ! FILL[$kind]=$(java "${JVM_OPTS[@]}" -cp "$JAR:$BENCH_WORK/memory-classes" MemoryPerEntry "$kind" "$ENTRIES" \
    2>"$BENCH_WORK/logs/memory-$kind.log" | grep '^kind='); then
    FILL_NOTE[$kind]="did not fit in the heap at MaxRAM=$MEMORY_LIMIT (OutOfMemoryError); figures without -XX:MaxRAM"
    FILL[$kind]=$(java "${IMAGE_OPTS[@]}" -cp "$JAR:$BENCH_WORK/memory-classes" MemoryPerEntry "$kind" "$ENTRIES" \
      2>>"$BENCH_WORK/logs/memory-$kind.log" | grep '^kind=')
  fi
  echo "${FILL[$kind]} ${FILL_NOTE[$kind]:-}"
done

# ---- (b) start to /ready ----
start_bench_keycloak $SIDECAR_PORT $SIDECAR_MGMT_PORT
CDS=$BENCH_WORK/sidecar-app.jsa
SIDECAR_PID=""
start_sidecar() { # extra JVM options...
  SIDECAR_KEYCLOAK_ISSUER=$KC_BASE/realms/demo SIDECAR_UPSTREAM_URL=http://127.0.0.1:$UPSTREAM_PORT \
  SIDECAR_LISTEN_HOST=127.0.0.1 SIDECAR_LISTEN_PORT=$SIDECAR_PORT SIDECAR_MANAGEMENT_PORT=$SIDECAR_MGMT_PORT \
  SIDECAR_APP_CLIENT_ID=demo-app \
    java "${JVM_OPTS[@]}" "$@" -jar "$ROOT/$JAR" >>"$BENCH_WORK/logs/sidecar.log" 2>&1 &
  SIDECAR_PID=$!
}
stop_sidecar() {
  kill "$SIDECAR_PID" 2>/dev/null || true
  wait "$SIDECAR_PID" 2>/dev/null || true
  until ! port_in_use $SIDECAR_MGMT_PORT && ! port_in_use $SIDECAR_PORT; do sleep 0.1; done
}
# One start: prints "milliseconds-to-ready rss-bytes-at-ready" (/ready polled every 20 ms).
timed_start() {
  local t0 t1 rss
  t0=$(date +%s%N)
  start_sidecar "$@"
  until curl -fsS -o /dev/null "http://127.0.0.1:$SIDECAR_MGMT_PORT/ready" 2>/dev/null; do
    kill -0 "$SIDECAR_PID" 2>/dev/null || { echo "the sidecar exited; see $BENCH_WORK/logs/sidecar.log" >&2; exit 1; }
    [ $(( ($(date +%s%N) - t0) / 1000000000 )) -lt 60 ] || { echo "the sidecar was not ready within 60 s" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  rss=$(awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$SIDECAR_PID/status")
  stop_sidecar
  echo "$(( (t1 - t0) / 1000000 )) $rss"
}

# The archive: the way the image makes it when its Containerfile has a training run (RUN java ... --cds-training),
# with the same options; otherwise from a normal run to /ready, stopped there.
rm -f "$CDS"
read -r -a TRAIN_OPTS < <(java_args RUN) || true
if grep -q '^RUN \["java".*--cds-training' sidecar/Containerfile; then
  CDS_HOW="the image's training run (\`java ${TRAIN_OPTS[*]} -XX:ArchiveClassesAtExit=… -jar … --cds-training\`, as sidecar/Containerfile runs it)"
  [ -z "$MEMORY_LIMIT" ] || TRAIN_OPTS+=(-XX:MaxRAM="$MEMORY_LIMIT")
  java "${TRAIN_OPTS[@]}" -XX:ArchiveClassesAtExit="$CDS" -jar "$ROOT/$JAR" --cds-training >"$BENCH_WORK/logs/cds-training.log" 2>&1
else
  CDS_HOW="\`-XX:ArchiveClassesAtExit\` on one run to /ready, stopped there (the Containerfile has no training run)"
  timed_start -XX:ArchiveClassesAtExit="$CDS" >/dev/null
fi
[ -s "$CDS" ] || { echo "no AppCDS archive was written ($CDS)" >&2; exit 1; }
# Check the archive is used (a mismatched class path silently falls back to no archive).
start_sidecar -XX:SharedArchiveFile="$CDS" -Xlog:class+load=info:file="$BENCH_WORK/logs/cds-class-load.txt"
wait_for "http://127.0.0.1:$SIDECAR_MGMT_PORT/ready" 60 "the sidecar"
stop_sidecar
FROM_ARCHIVE=$(grep -c 'source: shared objects file (top)' "$BENCH_WORK/logs/cds-class-load.txt" || true)
LOADED=$(grep -c 'source:' "$BENCH_WORK/logs/cds-class-load.txt" || true)
echo "with the archive: $FROM_ARCHIVE of $LOADED classes loaded from it"

declare -A MS RSS
for r in $(seq 1 "$RUNS"); do
  read -r ms rss < <(timed_start)
  MS[plain]="${MS[plain]:-} $ms"; RSS[plain]="${RSS[plain]:-} $rss"
  read -r cms crss < <(timed_start -XX:SharedArchiveFile="$CDS")
  MS[cds]="${MS[cds]:-} $cms"; RSS[cds]="${RSS[cds]:-} $crss"
  echo "run $r: ${ms} ms to ready, RSS $(mib "$rss") MiB; with AppCDS ${cms} ms, RSS $(mib "$crss") MiB"
done
LOAD_AFTER=$(cut -d" " -f1-3 /proc/loadavg)
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
maximum() { tr ' ' '\n' | grep . | sort -n | tail -1; }
declare -A MED_MS MAX_MS MED_RSS
for v in plain cds; do
  MED_MS[$v]=$(median <<<"${MS[$v]}")
  MAX_MS[$v]=$(maximum <<<"${MS[$v]}")
  MED_RSS[$v]=$(median <<<"${RSS[$v]}")
  echo "$v: ready median ${MED_MS[$v]} ms, max ${MAX_MS[$v]} ms (target <= 2000); RSS at ready median $(mib "${MED_RSS[$v]}") MiB"
done
TOKENS_RSS_GROWTH=$(( $(field rss_after "${FILL[tokens]}") - $(field rss_before "${FILL[tokens]}") ))
TOKENS_HEAP_GROWTH=$(( $(field heap_after "${FILL[tokens]}") - $(field heap_before "${FILL[tokens]}") ))
# A replica holding that many verified tokens: the sidecar at /ready plus what the tokens retain on the heap (low: the
# heap it already has takes them), or plus all the RSS the filling process grew by (high: the collector let the heap
# grow with garbage while they were made, as load does).
EST_LOW=$(( ${MED_RSS[plain]%.*} + TOKENS_HEAP_GROWTH ))
EST_HIGH=$(( ${MED_RSS[plain]%.*} + TOKENS_RSS_GROWTH ))
echo "estimated sidecar RSS with $ENTRIES cached tokens: $(mib $EST_LOW) to $(mib $EST_HIGH) MiB (target <= 256)"

fill_row() { # kind
  local f=${FILL[$1]}
  echo "| $1 | $(field entries "$f") | $(field token_chars_per_entry "$f") | $(mib "$(field heap_before "$f")") | $(mib "$(field heap_after "$f")") | $(field heap_per_entry "$f") | $(mib "$(field rss_before "$f")") | $(mib "$(field rss_after "$f")") | $(field rss_per_entry "$f") |"
}
{
  echo
  echo "## Sidecar memory per entry and start to /ready ($(date -u +%Y-%m-%dT%H:%MZ))"
  echo
  echo "Method: \`bench/memory.sh $RUNS $ENTRIES\` on $(nproc) cores, $(java -version 2>&1 | head -1 | tr -d '"'). JVM options:"
  echo "\`sidecar/Containerfile\`'s ENTRYPOINT (its archive option aside) plus \`-XX:MaxRAM\` standing for the container's memory"
  echo "limit (MEMORY_LIMIT=${MEMORY_LIMIT:-none}): \`${JVM_OPTS[*]}\`, a max heap of $(mib "$(field heap_max "${FILL[tokens]}")") MiB."
  echo
  echo "Bytes per entry: \`bench/MemoryPerEntry.java\`, one JVM per store, fills $ENTRIES entries through the sidecar's own"
  echo "classes and compares heap used after \`System.gc()\` and VmRSS before and after. **tokens**: the JWT path's"
  echo "verified-token cache (one per process, sized to hold them all), keyed by the token's SHA-256, each value the identity"
  echo "the sidecar's claims mapping makes from a Keycloak-26-shaped user access token (RS256, random signature bytes),"
  echo "with its identity-header block built as the first proxied request builds it. **sessions**: \`SessionStore.create\` into"
  echo "the Infinispan caches \`SidecarCaches\` builds with the default configuration (sealed record + per-subject index,"
  echo "one subject per session), access, refresh (HS512) and ID tokens shaped like Keycloak 26's. **grants**: cached"
  echo "client-credentials grants as a success leaves them (a ~1.4 KB service-account access token under the credential's"
  echo "key, plus its known-good admission entry). **grant-failures**: a remembered refusal plus an in-flight marker per"
  echo "entry (the other two caches \`exchange.max-entries\` bounds). Heap: what the entries"
  echo "retain. RSS: also the heap the collector grew into while they were made (garbage included), as a busy replica's"
  echo "would."
  echo
  echo "| store | entries | token chars/entry | heap before MiB | heap after MiB | heap bytes/entry | RSS before MiB | RSS after MiB | RSS bytes/entry |"
  echo "|---|---|---|---|---|---|---|---|---|"
  fill_row tokens
  fill_row sessions
  fill_row grants
  fill_row grant-failures
  for kind in tokens sessions grants grant-failures; do
    [ -z "${FILL_NOTE[$kind]:-}" ] || echo "- $kind: ${FILL_NOTE[$kind]}"
  done
  echo
  echo "Start to /ready: the jar with those options, Keycloak $KC_VERSION up (demo realm), sidecar default settings; time"
  echo "from launching \`java\` to the first 200 from \`/ready\` (polled every 20 ms), RSS at that moment; $RUNS runs each,"
  echo "without and with an AppCDS archive (alternating; without one the JDK's default CDS archive still serves the JDK's"
  echo "classes). The archive: $CDS_HOW, used with \`-XX:SharedArchiveFile\`; $FROM_ARCHIVE of $LOADED loaded"
  echo "classes came from it."
  echo
  echo "| variant | ms to ready (each run) | median ms | max ms | RSS at ready MiB (each run) |"
  echo "|---|---|---|---|---|"
  for v in plain cds; do
    rss_list=$(for b in ${RSS[$v]}; do printf '%s ' "$(mib "$b")"; done)
    echo "| $([ $v = plain ] && echo 'no archive' || echo 'AppCDS') |${MS[$v]} | ${MED_MS[$v]} | ${MAX_MS[$v]} | ${rss_list% } |"
  done
  echo
  echo "Targets: ready ≤ 2000 ms after start: median ${MED_MS[plain]} ms without an archive, ${MED_MS[cds]} ms with one."
  echo "RSS ≤ 256 MB with $ENTRIES cached tokens (an estimate: the tokens were not sent through the running sidecar):"
  echo "RSS at /ready (median $(mib "${MED_RSS[plain]}") MiB) plus the heap the tokens retain ($(mib $TOKENS_HEAP_GROWTH) MiB) up to plus the"
  echo "RSS the filling process grew by ($(mib $TOKENS_RSS_GROWTH) MiB): **$(mib $EST_LOW) to $(mib $EST_HIGH) MiB**. Load average before / after:"
  echo "$LOAD_BEFORE / $LOAD_AFTER."
} >>BENCHMARKS.md
echo "appended to BENCHMARKS.md"
