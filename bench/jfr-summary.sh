#!/usr/bin/env bash
# Where a JFR recording's CPU samples went: the share of execution samples with a frame in PACKAGE anywhere on the
# stack, those samples by their innermost PACKAGE frame (the provider method that was running or waiting on what it
# called), and the hottest top frames overall.
#
# usage: bench/jfr-summary.sh RECORDING.jfr [package-prefix=org.servicetokens.] [rows=12]     (needs: jfr from the JDK)
set -euo pipefail
FILE=$1
PREFIX=${2:-org.servicetokens.}
ROWS=${3:-12}
jfr print --events jdk.ExecutionSample --stack-depth 128 "$FILE" | awk -v prefix="$PREFIX" -v rows="$ROWS" '
  function frame(line) { sub(/^[ \t]+/, "", line); sub(/[ \t]+line:.*$/, "", line); return line }
  /jdk.ExecutionSample \{/ { total++; depth = 0; mine = ""; next }
  /stackTrace = \[/ { inside = 1; next }
  inside && /^[ \t]*\]/ { inside = 0; if (mine != "") { ours++; by_ours[mine]++ } ; next }
  inside && /^[ \t]*\.\.\./ { next }
  inside {
    f = frame($0)
    if (depth == 0) top[f]++
    if (mine == "" && index(f, prefix) == 1) mine = f
    depth++
  }
  END {
    if (total == 0) { print "no execution samples"; exit }
    printf "%d execution samples; %d (%.1f %%) with a %s* frame on the stack\n", total, ours, 100 * ours / total, prefix
    print "innermost " prefix "* frame of those samples:"
    n = 0; for (k in by_ours) keys[++n] = k
    for (i = 1; i <= n && i <= rows; i++) for (j = i + 1; j <= n; j++) if (by_ours[keys[j]] > by_ours[keys[i]]) { t = keys[i]; keys[i] = keys[j]; keys[j] = t }
    for (i = 1; i <= n && i <= rows; i++) printf "  %6d  %5.1f %%  %s\n", by_ours[keys[i]], 100 * by_ours[keys[i]] / total, keys[i]
    print "top frames overall:"
    m = 0; for (k in top) tk[++m] = k
    for (i = 1; i <= m && i <= rows; i++) for (j = i + 1; j <= m; j++) if (top[tk[j]] > top[tk[i]]) { t = tk[i]; tk[i] = tk[j]; tk[j] = t }
    for (i = 1; i <= m && i <= rows; i++) printf "  %6d  %5.1f %%  %s\n", top[tk[i]], 100 * top[tk[i]] / total, tk[i]
  }'
