# shellcheck shell=bash
# Sourced by the scripts under deploy/: makes rootful podman 4.3 (Debian 12) start containers on hosts where
# the kernel limits and a hybrid cgroup layout stop its defaults (crun fails on `setrlimit RLIMIT_NOFILE`, then
# on "cgroups in hybrid mode"). Writes a containers.conf under target/ and exports CONTAINERS_CONF, unless the
# caller set one. Harmless where podman works as it is.

SHIP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SHIP_TARGET=${SHIP_TARGET:-$SHIP_ROOT/target/ship}
mkdir -p "$SHIP_TARGET"
if [ -z "${CONTAINERS_CONF:-}" ]; then
  cat >"$SHIP_TARGET/containers.conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]

[engine]
runtime = "runc"
CONF
  export CONTAINERS_CONF=$SHIP_TARGET/containers.conf
fi

ship_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
ship_fail() { printf '\033[31m%s\033[0m\n' "$*" >&2; exit 1; }

# The versions the images are built for, from the parent pom.
SHIP_VERSION=$(sed -n '0,/<version>/s:.*<version>\(.*\)</version>.*:\1:p' "$SHIP_ROOT/pom.xml")
KC_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' "$SHIP_ROOT/pom.xml")
