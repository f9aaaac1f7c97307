#!/usr/bin/env bash
# Builds local stand-ins for the three public base images our Containerfiles start from, out of what this
# machine has, and tags them with the official names so the same Containerfiles build on them without a registry:
#
#   eclipse-temurin:17-jre            a jlink runtime of the local JDK (the JRE's modules), FROM scratch
#   eclipse-temurin:17-jdk            the same plus javac (only the sample app's build stage needs it)
#   quay.io/keycloak/keycloak:<ver>   the Keycloak dist zip from the local Maven repository, laid out like the
#                                     official image: /opt/keycloak (with an empty data/) owned by uid 1000
#                                     (group 0, group-writable), USER 1000,
#                                     ENTRYPOINT kc.sh, ports 8080/8443/9000, KC_RUN_IN_CONTAINER=true
#
# The stand-ins carry the glibc libraries `ldd` lists and busybox (for kc.sh's sh, dirname, grep, readlink, sed,
# uname, which), nothing else. An image that already exists under the official name is left alone (pass
# --force to rebuild): on a machine with a registry, `podman pull` the real ones instead and skip this script.
#
# Usage: deploy/images/build-local-bases.sh [--force]
set -euo pipefail
source "$(dirname "$0")/podman-env.sh"

force=false
[ "${1:-}" = "--force" ] && force=true

JRE_IMAGE=${JRE_IMAGE:-eclipse-temurin:17-jre}
JDK_IMAGE=${JDK_IMAGE:-eclipse-temurin:17-jdk}
KEYCLOAK_IMAGE=${KEYCLOAK_IMAGE:-quay.io/keycloak/keycloak:$KC_VERSION}
work=$SHIP_TARGET/bases
command -v busybox >/dev/null || ship_fail "busybox is required (Debian: apt-get install busybox-static)"
file -L "$(command -v busybox)" 2>/dev/null | grep -q 'statically linked' \
  || ship_fail "busybox must be statically linked (Debian: apt-get install busybox-static)"
JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
[ -x "$JAVA_HOME/bin/jlink" ] || ship_fail "no jlink in $JAVA_HOME (a full JDK 17 is required)"

exists() { podman image exists "$1"; }

# The fully qualified name Docker and podman's Docker API give a short name (eclipse-temurin:17-jre is
# docker.io/library/eclipse-temurin:17-jre): tagged so, the stand-in is what `FROM eclipse-temurin:17-jre`,
# `docker run` and Testcontainers all find.
qualified() {
  case ${1%%/*} in
    *.*|*:*|localhost) [ "${1#*/}" != "$1" ] && { echo "$1"; return; } ;;
  esac
  case $1 in */*) echo "docker.io/$1" ;; *) echo "docker.io/library/$1" ;; esac
}

# A JRE's module set: everything in the JDK but the development tools.
jre_modules() {
  "$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//' \
    | grep -vE '^jdk\.(compiler|javadoc|jshell|jdeps|jlink|jartool|jconsole|jdi|jdwp\.agent|jstatd|jcmd|hotspot\.agent|editpad|internal\.ed|internal\.le|internal\.opt|internal\.jvmstat|jpackage|random|incubator\..*)$' \
    | paste -sd, -
}

# rootfs DIR MODULES: a jlink runtime in DIR/usr/lib/jvm/java, /usr/bin/java, and the shared libraries it loads.
rootfs() {
  local dir=$1 modules=$2 lib
  rm -rf "$dir"
  mkdir -p "$dir/usr/lib/jvm" "$dir/usr/bin" "$dir/etc" "$dir/tmp"
  chmod 1777 "$dir/tmp"
  # --generate-cds-archive: the default CDS archive the official JRE images ship (lib/server/classes.jsa); the sidecar
  # image's AppCDS archive builds on it.
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --generate-cds-archive \
    --compress=2 --output "$dir/usr/lib/jvm/java"
  for b in "$dir"/usr/lib/jvm/java/bin/*; do ln -s "../lib/jvm/java/bin/$(basename "$b")" "$dir/usr/bin/"; done
  # Every library the launcher and the runtime's own .so files link against (glibc, zlib, libstdc++, ...).
  find "$dir/usr/lib/jvm/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec ldd {} + 2>/dev/null \
    | awk '/^[ \t]/ { for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u | while read -r lib; do cp -L --parents "$lib" "$dir"; done
  printf 'hosts: files dns\n' >"$dir/etc/nsswitch.conf"
}

build_jre() { # NAME MODULES
  local name=$1 modules=$2 dir=$work/$3
  rootfs "$dir" "$modules"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$dir/etc/group"
  cat >"$work/$3.Containerfile" <<CF
FROM scratch
COPY rootfs/ /
ENV JAVA_HOME=/usr/lib/jvm/java PATH=/usr/lib/jvm/java/bin:/usr/bin:/bin LANG=C.UTF-8
CMD ["java", "-version"]
CF
  mv "$dir" "$work/rootfs" && podman build -q -t "$name" -f "$work/$3.Containerfile" "$work" >/dev/null
  rm -rf "$work/rootfs"
}

build_keycloak() {
  local dir=$work/keycloak zip
  zip=$HOME/.m2/repository/org/keycloak/keycloak-quarkus-dist/$KC_VERSION/keycloak-quarkus-dist-$KC_VERSION.zip
  if [ ! -f "$zip" ]; then
    ship_say "Fetching org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip into the local Maven repository"
    (cd "$SHIP_ROOT" && mvn -B -q dependency:get -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" -Dtransitive=false) \
      || ship_fail "could not fetch the Keycloak distribution"
  fi
  rootfs "$dir" "$(jre_modules)"
  mkdir -p "$dir/opt" "$dir/bin"
  unzip -q "$zip" -d "$dir/opt"
  mv "$dir/opt/keycloak-$KC_VERSION" "$dir/opt/keycloak"
  mkdir -p "$dir/opt/keycloak/data"
  cp "$(command -v busybox)" "$dir/bin/busybox"
  for tool in sh bash dirname grep readlink sed uname which cat ls mkdir rm env sleep; do ln -s busybox "$dir/bin/$tool"; done
  ln -s ../../bin/busybox "$dir/usr/bin/env"
  # As the official image: user keycloak (1000) in group root (0); the server's files group-writable (OpenShift).
  printf 'root:x:0:0:root:/root:/bin/sh\nkeycloak:x:1000:0:keycloak user:/opt/keycloak:/sbin/nologin\n' >"$dir/etc/passwd"
  printf 'root:x:0:root\nkeycloak:x:0:root\n' >"$dir/etc/group"
  mv "$dir" "$work/rootfs"
  cat >"$work/keycloak.Containerfile" <<'CF'
FROM scratch
COPY --chown=1000:0 rootfs/ /
ENV JAVA_HOME=/usr/lib/jvm/java PATH=/usr/lib/jvm/java/bin:/usr/bin:/bin LANG=en_US.UTF-8 KC_RUN_IN_CONTAINER=true
USER 1000
EXPOSE 8080 8443 9000
ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]
CF
  chmod -R g+rwX "$work/rootfs/opt/keycloak"
  podman build -q -t "$KEYCLOAK_IMAGE" -f "$work/keycloak.Containerfile" "$work" >/dev/null
  rm -rf "$work/rootfs"
}

mkdir -p "$work"
for spec in "jre|$JRE_IMAGE" "jdk|$JDK_IMAGE" "keycloak|$KEYCLOAK_IMAGE"; do
  kind=${spec%%|*} name=$(qualified "${spec#*|}")
  if ! $force && exists "$name"; then
    ship_say "$name: present, kept (--force rebuilds it)"
    continue
  fi
  ship_say "$name: building a local stand-in ($kind)"
  start=$SECONDS
  case $kind in
    jre) build_jre "$name" "$(jre_modules)" jre ;;
    jdk) build_jre "$name" "$(jre_modules),jdk.compiler" jdk ;;
    keycloak) build_keycloak ;;
  esac
  ship_say "$name: built in $((SECONDS - start)) s"
done
for name in "$JRE_IMAGE" "$JDK_IMAGE" "$KEYCLOAK_IMAGE"; do
  podman image inspect --format "$(qualified "$name")  {{.Size}} bytes" "$(qualified "$name")" >&2
done
