#!/usr/bin/env bash
# Runs the whole system on this machine: Keycloak 26.7.3 with the provider and the demo realm, the sample
# app, and the sidecar in front of it. Creates a service token and prints what to try. Ctrl-C stops it all.
set -euo pipefail

cd "$(dirname "$0")"
ROOT=$(pwd)
DEMO=$ROOT/.demo
# shellcheck source=demo/keycloak-lib.sh
source "$ROOT/demo/keycloak-lib.sh"
KC_HOME=$DEMO/keycloak-$KC_VERSION
ADMIN_USER=admin
ADMIN_PASSWORD=admin
PIDS=()

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
fail() { printf '\033[31mdemo: %s\033[0m\n' "$*" >&2; exit 1; }

stop_all() {
  trap - INT TERM EXIT
  if [ ${#PIDS[@]} -gt 0 ]; then
    say "Stopping the demo"
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

up() { wait_for "$@" || fail "see the logs in $DEMO/logs"; }

for tool in java mvn curl unzip; do command -v $tool >/dev/null || fail "$tool is required (see README.md, Prerequisites)"; done
if [ "${DEMO_SKIP_BUILD:-}" != "1" ]; then
  # The admin-console page is built with the system Node; its first build fetches packages from the npm registry.
  command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm (Node 20+) are required to build the admin-console page (see README.md)"
  node_major=$(node -p 'process.versions.node.split(".")[0]')
  [ "$node_major" -ge 20 ] || fail "Node 20 or newer is required (found $(node --version))"
fi
for port in 8080 9000 8000 9091 8081; do
  if port_in_use $port; then
    fail "port $port is already in use. Stop whatever listens there (e.g. a previous demo or a Keycloak: 'ss -ltnp | grep :$port') and run again."
  fi
done

mkdir -p "$DEMO/logs"
# Keycloak is unpacked while the build runs (both need only the local Maven repository, filled on first use).
say "Preparing Keycloak $KC_VERSION (keycloak-quarkus-dist from the local Maven repository) in the background"
unpack_keycloak "$DEMO" "$DEMO/logs" &
UNPACK=$!
if [ "${DEMO_SKIP_BUILD:-}" != "1" ]; then
  say "Building the provider and the sidecar (mvn package, tests skipped; about 1 min, longer the first time: Maven"
  say "  and npm download what they have not cached). Full log: $DEMO/logs/build.log"
  build_start=$SECONDS
  # One line per step, so a long build shows where it is.
  mvn -B -DskipTests package 2>&1 | tee "$DEMO/logs/build.log" | while IFS= read -r line; do
    case $line in
      *"Building Service tokens"*) printf '    %3ds  %s\n' $((SECONDS - build_start)) "${line#*Building }" ;;
      *"admin-ui-install"*) printf '    %3ds  admin console: npm packages (npm ci on first build)\n' $((SECONDS - build_start)) ;;
      *"admin-ui-build"*) printf '    %3ds  admin console: type check and bundle (vite)\n' $((SECONDS - build_start)) ;;
      *":shade ("*) printf '    %3ds  sidecar: one runnable jar\n' $((SECONDS - build_start)) ;;
    esac
  done || true
  grep -q 'BUILD SUCCESS' "$DEMO/logs/build.log" || fail "the build failed; see $DEMO/logs/build.log"
  say "Built in $((SECONDS - build_start)) s"
fi
wait "$UNPACK" || fail "could not fetch keycloak-quarkus-dist; see $DEMO/logs/unpack.log"
# A clean start every run: fresh database, the current provider jar, the realm from realm-config/.
fresh_keycloak_home "$KC_HOME"

say "Starting Keycloak $KC_VERSION on http://localhost:8080 (first start builds the provider in, ~1 min)"
KC_BOOTSTRAP_ADMIN_USERNAME=$ADMIN_USER KC_BOOTSTRAP_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  "$KC_HOME/bin/kc.sh" start-dev --import-realm --http-host=127.0.0.1 --health-enabled=true \
  >"$DEMO/logs/keycloak.log" 2>&1 &
PIDS+=($!)
up http://localhost:9000/health/ready 240 Keycloak
# The master console shows the Service tokens page too (the demo realm's theme comes from realm-config/).
curl -fsS -X PUT -H "Authorization: Bearer $(admin_token http://localhost:8080)" -H 'Content-Type: application/json' \
  -d '{"adminTheme":"service-tokens"}' http://localhost:8080/admin/realms/master >/dev/null \
  || fail "could not set the master realm's admin theme to service-tokens"

say "Starting the sample app on http://localhost:8081"
java "$ROOT/demo/SampleApp.java" 8081 >"$DEMO/logs/sample-app.log" 2>&1 &
PIDS+=($!)

say "Starting the sidecar on http://localhost:8000 (management on :9091)"
SIDECAR_KEYCLOAK_ISSUER=http://localhost:8080/realms/demo \
SIDECAR_UPSTREAM_URL=http://localhost:8081 \
SIDECAR_APP_CLIENT_ID=demo-app \
SIDECAR_APP_CLIENT_SECRET=demo-app-secret \
SIDECAR_COOKIES_SECURE=false \
  java -jar sidecar/target/sidecar.jar >"$DEMO/logs/sidecar.log" 2>&1 &
PIDS+=($!)
up http://localhost:8081/ 60 "the sample app"
up http://localhost:9091/ready 60 "the sidecar"

say "Creating a service token through the REST API"
ADMIN_TOKEN=$(admin_token http://localhost:8080)
CREATED=$(curl -fsS -H "Authorization: Bearer $ADMIN_TOKEN" -H 'Content-Type: application/json' \
  -d '{"name":"demo bot","description":"Created by demo.sh","duration":"P30D","applications":["demo-app"]}' \
  http://localhost:8080/admin/realms/demo/service-tokens)
CLIENT_ID=$(printf '%s' "$CREATED" | sed -n 's/.*"clientId":"\([^"]*\)".*/\1/p')
CLIENT_SECRET=$(printf '%s' "$CREATED" | sed -n 's/.*"clientSecret":"\([^"]*\)".*/\1/p')
[ -n "$CLIENT_ID" ] && [ -n "$CLIENT_SECRET" ] || fail "could not create the demo service token"

cat <<NEXT

  Everything is up. Logs: $DEMO/logs/

  Admin console   http://localhost:8080/admin/master/console/#/demo    ($ADMIN_USER / $ADMIN_PASSWORD)
  The app, human  http://localhost:8000/                               (log in as demo / demo)
                  Use localhost, not 127.0.0.1: the demo-app client registers only http://localhost:8000 URLs.

  The app, as a bot with the service token just created (its secret is shown only here):

    curl -H 'KC-Access-Client-Id: $CLIENT_ID' \\
         -H 'KC-Access-Client-Secret: $CLIENT_SECRET' http://localhost:8000/

    curl -u '$CLIENT_ID:$CLIENT_SECRET' http://localhost:8000/.sidecar/identity

  The same bot with a JWT it gets from Keycloak itself (client_credentials):

    JWT=\$(curl -s -u '$CLIENT_ID:$CLIENT_SECRET' -d grant_type=client_credentials \\
          http://localhost:8080/realms/demo/protocol/openid-connect/token | sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')
    curl -H "Authorization: Bearer \$JWT" http://localhost:8000/

  Without credentials (401 for a bot):   curl -i http://localhost:8000/
  Sidecar metrics:                       curl http://localhost:9091/metrics

  Manage tokens with the REST API: first an admin access token (valid 60 s), then the calls:

    ADMIN_TOKEN=\$(curl -s -d grant_type=password -d client_id=admin-cli -d username=$ADMIN_USER -d password=$ADMIN_PASSWORD \\
          http://localhost:8080/realms/master/protocol/openid-connect/token | sed -n 's/.*"access_token":"\\([^"]*\\)".*/\\1/p')
    curl -H "Authorization: Bearer \$ADMIN_TOKEN" http://localhost:8080/admin/realms/demo/service-tokens

  Press Ctrl-C to stop everything.
NEXT

wait -n "${PIDS[@]}" || true
say "A demo process exited unexpectedly; see $DEMO/logs/"
