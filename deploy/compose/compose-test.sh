#!/usr/bin/env bash
# Runs compose.yaml with podman-compose and drives it as a user would:
#   a bot with service-token headers gets 200 through the sidecar; a browser navigation gets 302 to Keycloak;
#   the deleted token is refused within 5 s (Keycloak pushes the revocation to the sidecar); `down` leaves no
#   container of the project (and this script removes its network).
# Images: deploy/images/build-images.sh first (cached layers make it quick; LOCAL_BASES=1 builds the local base
# stand-ins; SHIP_IMAGES_BUILT=1 skips it). Host ports from KEYCLOAK_PORT / SIDECAR_PORT / SIDECAR_MANAGEMENT_PORT (28080 / 28000 / 28091 here,
# so the test never meets a developer's demo). Hold /tmp/keycloak.lock around it on shared machines.
set -euo pipefail
source "$(dirname "$0")/../images/podman-env.sh"
source "$SHIP_ROOT/deploy/test-lib.sh"
cd "$SHIP_ROOT"

export KEYCLOAK_PORT=${KEYCLOAK_PORT:-28080} SIDECAR_PORT=${SIDECAR_PORT:-28000} SIDECAR_MANAGEMENT_PORT=${SIDECAR_MANAGEMENT_PORT:-28091}
PROJECT=${COMPOSE_PROJECT:-service-tokens-test}
KC=http://localhost:$KEYCLOAK_PORT APP=http://localhost:$SIDECAR_PORT
logs=$SHIP_TARGET/compose-logs
mkdir -p "$logs"

if [ "${SHIP_IMAGES_BUILT:-0}" != 1 ]; then
  args=()
  [ "${LOCAL_BASES:-}" = 1 ] && args+=(--local-bases)
  deploy/images/build-images.sh "${args[@]}"
fi

compose() { podman-compose -p "$PROJECT" -f compose.yaml "$@"; }
leftovers() { podman ps -a -q --filter "label=io.podman.compose.project=$PROJECT"; }
down() {
  compose down >"$logs/down.log" 2>&1 || true
  podman network rm "${PROJECT}_default" >/dev/null 2>&1 || true
}
save_logs() { for c in keycloak sidecar sample-app; do podman logs "${PROJECT}_${c}_1" >"$logs/$c.log" 2>&1 || true; done; }
trap 'save_logs; down' EXIT
[ -z "$(leftovers)" ] || { echo "FAIL: containers of $PROJECT already exist; run: podman-compose -p $PROJECT down" >&2; exit 1; }

start=$SECONDS
ship_say "podman-compose up (Keycloak on $KC, the app through the sidecar on $APP)"
compose up -d >"$logs/up.log" 2>&1 || { cat "$logs/up.log" >&2; exit 1; }
wait_http "http://localhost:$SIDECAR_MANAGEMENT_PORT/ready" 240 "the sidecar (ready: realm keys loaded from Keycloak)"
ready=$((SECONDS - start))

create_token "$KC" "compose bot"
expect "bot with service-token headers through the sidecar" 200 "$(bot_status "$APP/")"
expect "request without credentials" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$APP/")"
nav=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Accept: text/html' "$APP/some/page")
expect "browser navigation redirected" 302 "${nav%% *}"
case ${nav#* } in
  "$KC/realms/demo/protocol/openid-connect/auth?"*) echo "ok: ... to Keycloak's login ($KC/realms/demo/...)" >&2 ;;
  *) echo "FAIL: redirect to ${nav#* }" >&2; exit 1 ;;
esac
delete_token "$KC" "$TOKEN_ID"
ms=$(until_refused "$APP/" 5)
echo "ok: deleted token refused after $ms ms" >&2

save_logs
trap - EXIT
compose down >"$logs/down.log" 2>&1
left=$(leftovers)
podman network rm "${PROJECT}_default" >/dev/null 2>&1 || true
[ -z "$left" ] || { echo "FAIL: containers left after down: $left" >&2; exit 1; }
echo "ok: down left no container" >&2
echo "COMPOSE RESULT: ready after ${ready} s, revocation honoured after ${ms} ms, whole run $((SECONDS - start)) s"
