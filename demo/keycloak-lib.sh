# Shared by demo.sh and the benchmarks: fetch the Keycloak distribution through Maven and prepare a home.
# shellcheck shell=bash

KC_VERSION=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' "$(dirname "${BASH_SOURCE[0]}")/../pom.xml")

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# unpack_keycloak DIR LOGDIR: leaves Keycloak $KC_VERSION in DIR/keycloak-$KC_VERSION (from the local Maven
# repository, which Maven fills from Central on first use).
unpack_keycloak() {
  local dir=$1 logs=$2
  if [ ! -x "$dir/keycloak-$KC_VERSION/bin/kc.sh" ]; then
    mkdir -p "$dir"
    mvn -B -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" -DoutputDirectory="$dir" \
      >"$logs/unpack.log" 2>&1 || return 1
    (cd "$dir" && unzip -q -o "keycloak-quarkus-dist-$KC_VERSION.zip" && rm "keycloak-quarkus-dist-$KC_VERSION.zip")
  fi
}

# fresh_keycloak_home HOME: a clean database, the current provider jar, the realms from realm-config/.
fresh_keycloak_home() {
  local home=$1 root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  rm -rf "$home/data" "$home/providers"/*.jar
  mkdir -p "$home/data/import"
  cp "$root"/keycloak-service-token-spi/target/keycloak-service-token-spi-*.jar "$home/providers/"
  cp "$root"/realm-config/*.json "$home/data/import/"
}

# wait_for URL SECONDS WHAT
wait_for() {
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then echo "$3 did not come up within $2 s" >&2; return 1; fi
    sleep 1
  done
}

# admin_token BASE_URL: a master-realm admin access token (admin/admin, as the demo and benchmarks start it).
admin_token() {
  curl -fsS -d grant_type=password -d client_id=admin-cli -d username=admin -d password=admin \
    "$1/realms/master/protocol/openid-connect/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}
