#!/usr/bin/env bash
# Builds the project's three images from the jars under target/ and prints their sizes and build times:
#
#   service-tokens-keycloak:<version>    keycloak-service-token-spi/Containerfile (Keycloak + the provider, built)
#   service-tokens-sidecar:<version>     sidecar/Containerfile
#   service-tokens-sample-app:<version>  demo/Containerfile (the demo's upstream)
#
# Base images: the official ones (quay.io/keycloak/keycloak, eclipse-temurin) as the Containerfiles name them.
# With --local-bases, local stand-ins are built first under those names (deploy/images/build-local-bases.sh),
# for machines that reach no registry. Build the jars first: mvn -B -DskipTests package
#
# Usage: deploy/images/build-images.sh [--local-bases] [--if-missing]
#   --if-missing   keep an image that already exists (the tests build once per run with it)
# Environment: ENGINE (podman or docker; default podman if present), JRE_IMAGE, JDK_IMAGE, KEYCLOAK_IMAGE.
set -euo pipefail
source "$(dirname "$0")/podman-env.sh"
cd "$SHIP_ROOT"

local_bases=false if_missing=false
for arg in "$@"; do
  case $arg in
    --local-bases) local_bases=true ;;
    --if-missing) if_missing=true ;;
    *) ship_fail "unknown argument $arg (see the comment at the top of $0)" ;;
  esac
done
ENGINE=${ENGINE:-$(command -v podman >/dev/null && echo podman || echo docker)}

for jar in "keycloak-service-token-spi/target/keycloak-service-token-spi-$SHIP_VERSION.jar" sidecar/target/sidecar.jar; do
  [ -f "$jar" ] || ship_fail "$jar is missing: build the jars first (mvn -B -DskipTests package)"
done
$local_bases && "$SHIP_ROOT/deploy/images/build-local-bases.sh"

build_args=()
[ -n "${JRE_IMAGE:-}" ] && build_args+=(--build-arg "JRE_IMAGE=$JRE_IMAGE")
[ -n "${JDK_IMAGE:-}" ] && build_args+=(--build-arg "JDK_IMAGE=$JDK_IMAGE")
[ -n "${KEYCLOAK_IMAGE:-}" ] && build_args+=(--build-arg "KEYCLOAK_IMAGE=$KEYCLOAK_IMAGE")

report=()
for spec in keycloak:keycloak-service-token-spi sidecar:sidecar sample-app:demo; do
  name=service-tokens-${spec%%:*}:$SHIP_VERSION dir=${spec#*:}
  if $if_missing && $ENGINE image inspect "$name" >/dev/null 2>&1; then
    ship_say "$name: present, kept"
  else
    ship_say "$name: building from $dir/Containerfile"
    start=$SECONDS
    $ENGINE build -q "${build_args[@]}" -t "$name" -f "$dir/Containerfile" "$dir" >/dev/null
    report+=("$name built in $((SECONDS - start)) s")
  fi
done
for line in "${report[@]}"; do ship_say "$line"; done
# The sidecar and the app run as an unprivileged user whatever the base image says.
for spec in sidecar sample-app; do
  user=$($ENGINE image inspect -f '{{.Config.User}}' "service-tokens-$spec:$SHIP_VERSION")
  case ${user%%:*} in
    ''|0|root) ship_fail "service-tokens-$spec:$SHIP_VERSION would run as root (USER '$user')" ;;
    *) echo "ok: service-tokens-$spec:$SHIP_VERSION runs as user $user" >&2 ;;
  esac
done
for spec in keycloak sidecar sample-app; do
  name=service-tokens-$spec:$SHIP_VERSION
  printf '%-40s %6s MB\n' "$name" $(( $($ENGINE image inspect -f '{{.Size}}' "$name") / 1000000 ))
done
