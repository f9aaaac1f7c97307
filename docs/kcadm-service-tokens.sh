#!/usr/bin/env bash
# Every service-token operation with Keycloak's own admin CLI (bin/kcadm.sh of the Keycloak distribution), which
# reaches the provider's REST API like any other admin endpoint. Run against the demo:
#   KCADM=/path/to/keycloak/bin/kcadm.sh ./docs/kcadm-service-tokens.sh
# Settings: KCADM (default kcadm.sh on PATH), SERVER (http://localhost:8080), REALM (demo), KC_USER/KC_PASSWORD
# (admin/admin, a master-realm admin), KCADM_CONFIG (where kcadm keeps its login; default a temporary file).
# The provider's integration tests run this very script against a real Keycloak (KcadmIT).
#
# Two things to know about kcadm and this API:
# - `kcadm.sh update` first GETs the resource and PUTs it back merged; our API refuses fields it does not take
#   (id, status, ...), so every update here uses --no-merge and sends only what changes.
# - `kcadm.sh create` prints only the new id (or, with -o, reads the resource again), never the 201 body: the secret
#   in POST's answer cannot be seen through kcadm. Issue the token's first secret by rotating it right after creating
#   it: a rotation answers 200 with its body, which `create ... -o` prints.
set -euo pipefail

KCADM=${KCADM:-kcadm.sh}
SERVER=${SERVER:-http://localhost:8080}
REALM=${REALM:-demo}
CONFIG=${KCADM_CONFIG:-$(mktemp)}
T=realms/$REALM/service-tokens

kc() { "$KCADM" "$@" --config "$CONFIG"; }

echo "== log in"
kc config credentials --server "$SERVER" --realm master --user "${KC_USER:-admin}" --password "${KC_PASSWORD:-admin}"

echo "== create"
ID=$(kc create "$T" -i -s name="CI deployer" -s duration=P90D -s 'applications=["demo-app"]' \
  -s 'networks=["127.0.0.0/8","::1"]' -s 'owners=["team-ci@example.com"]')
echo "id $ID"

echo "== first secret (rotate without grace; the answer is the one place the secret appears)"
kc create "$T/$ID/rotate" -o -b '{}'

echo "== list (search by name, client ID or description)"
kc get "$T" -q search=deployer -q max=10

echo "== get (with each secret's use and the networks)"
kc get "$T/$ID"

echo "== update (networks, owners, the token's own inactivity rule)"
kc update "$T/$ID" --no-merge -o -s 'networks=["127.0.0.0/8","::1/128","2001:db8::/32"]' \
  -s 'owners=["team-ci@example.com","oncall@example.com"]' -s inactivityDays=60 -s inactivityAction=disable

echo "== rotate with a grace period"
kc create "$T/$ID/rotate" -o -s gracePeriod=PT24H

echo "== end the grace period now"
kc update "$T/$ID/previous-secret" --no-merge -o -s expiresAt="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

echo "== extend"
kc create "$T/$ID/extend" -o -s duration=P365D

echo "== disable, enable"
kc update "$T/$ID" --no-merge -s enabled=false
kc update "$T/$ID" --no-merge -s enabled=true

echo "== repair (fixes what was changed outside this API; nothing to do here)"
kc create "$T/$ID/repair" -o -b '{}'

echo "== realm settings (manage-realm to change)"
kc get "$T/settings"
kc update "$T/settings" --no-merge -o -s 'expiryWarningDays=[30,7,1]'

echo "== delete (revoke)"
kc delete "$T/$ID"
echo "== done"
