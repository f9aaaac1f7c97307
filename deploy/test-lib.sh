# shellcheck shell=bash
# Helpers the deployment tests under deploy/ share: Keycloak's admin API with curl and sed only (no jq).

# wait_http URL SECONDS WHAT: until URL answers 2xx; prints how long it took.
wait_http() {
  local url=$1 limit=$2 what=$3 start=$SECONDS
  until curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if [ $((SECONDS - start)) -ge "$limit" ]; then echo "FAIL: $what not up within $limit s ($url)" >&2; return 1; fi
    sleep 1
  done
  echo "$what up after $((SECONDS - start)) s" >&2
}

# admin_token KEYCLOAK_URL: a master-realm admin access token (admin/admin).
admin_token() {
  curl -fsS -d grant_type=password -d client_id=admin-cli -d username=admin -d password=admin \
    "$1/realms/master/protocol/openid-connect/token" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p'
}

# create_token KEYCLOAK_URL NAME: creates a service token for demo-app in realm demo; sets TOKEN_ID, CLIENT_ID and
# CLIENT_SECRET (the secret stays in this shell: never echo it).
create_token() {
  local created
  created=$(curl -fsS -H "Authorization: Bearer $(admin_token "$1")" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$2\",\"duration\":\"P1D\",\"applications\":[\"demo-app\"]}" "$1/admin/realms/demo/service-tokens")
  TOKEN_ID=$(printf '%s' "$created" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
  CLIENT_ID=$(printf '%s' "$created" | sed -n 's/.*"clientId":"\([^"]*\)".*/\1/p')
  CLIENT_SECRET=$(printf '%s' "$created" | sed -n 's/.*"clientSecret":"\([^"]*\)".*/\1/p')
  [ -n "$TOKEN_ID" ] && [ -n "$CLIENT_ID" ] && [ -n "$CLIENT_SECRET" ] || { echo "FAIL: could not create a service token" >&2; return 1; }
}

# delete_token KEYCLOAK_URL ID
delete_token() {
  curl -fsS -X DELETE -H "Authorization: Bearer $(admin_token "$1")" "$1/admin/realms/demo/service-tokens/$2"
}

# bot_status URL: the status a bot with the service-token headers gets.
bot_status() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
    -H "KC-Access-Client-Id: $CLIENT_ID" -H "KC-Access-Client-Secret: $CLIENT_SECRET" "$1"
}

# expect WHAT EXPECTED ACTUAL
expect() {
  if [ "$2" = "$3" ]; then echo "ok: $1 ($3)" >&2; else echo "FAIL: $1: expected $2, got $3" >&2; return 1; fi
}

# until_refused URL SECONDS: polls as the bot until it gets 401; prints the milliseconds it took.
until_refused() {
  local start now status
  start=$(date +%s%3N)
  while :; do
    status=$(bot_status "$1")
    now=$(date +%s%3N)
    [ "$status" = 401 ] && { echo $((now - start)); return 0; }
    [ $((now - start)) -ge $(($2 * 1000)) ] && { echo "FAIL: still $status after $2 s" >&2; return 1; }
    sleep 0.1
  done
}
