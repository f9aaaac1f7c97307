#!/usr/bin/env bash
# Starts or stops podman's Docker-compatible API on a socket of our own, for Testcontainers:
#   deploy/images/podman-service.sh start DIR   -> DIR/podman.sock (DOCKER_HOST=unix://DIR/podman.sock)
#   deploy/images/podman-service.sh stop DIR
# The service gets the containers.conf of podman-env.sh, so the containers it starts run here too.
set -euo pipefail
source "$(dirname "$0")/podman-env.sh"
cmd=${1:?start or stop} dir=${2:?directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
case $cmd in
  start)
    if [ -f "$dir/podman.pid" ] && kill -0 "$(cat "$dir/podman.pid")" 2>/dev/null; then
      echo "podman API already running on $dir/podman.sock" >&2; exit 0
    fi
    rm -f "$dir/podman.sock"
    nohup podman system service --time=0 "unix://$dir/podman.sock" >"$dir/podman-service.log" 2>&1 &
    echo $! >"$dir/podman.pid"
    for _ in $(seq 1 100); do
      [ -S "$dir/podman.sock" ] && curl -fsS --unix-socket "$dir/podman.sock" http://d/_ping >/dev/null 2>&1 \
        && { echo "podman API on unix://$dir/podman.sock (pid $(cat "$dir/podman.pid"))" >&2; exit 0; }
      sleep 0.1
    done
    ship_fail "podman system service did not answer within 10 s; see $dir/podman-service.log"
    ;;
  stop)
    if [ -f "$dir/podman.pid" ]; then
      kill "$(cat "$dir/podman.pid")" 2>/dev/null || true
      rm -f "$dir/podman.pid" "$dir/podman.sock"
    fi
    ;;
  *) ship_fail "usage: $0 start|stop DIR" ;;
esac
