#!/usr/bin/env bash
# Runs the rendered plain-container overlay under `podman kube play` with two replicas and drives it:
#   a bot gets 200 through either replica; Keycloak pushes a revocation to replica a only, and replica b refuses the
#   token within 5 s (the replicated revocations cache); the sidecar's memory under a small load is printed.
#
# What podman 4.3 cannot do, and what this script does instead (the rest of the rendered manifests runs as is):
#   - Deployment replicas (podman runs one pod per Deployment): the Deployment is played twice, as demo-app-a and -b;
#   - Services (ignored by podman, so no cluster DNS): static members (SIDECAR_CLUSTER_MEMBERS) instead of DNS_PING;
#   - Secrets: created with `podman secret create`; probes, PodDisruptionBudget, NetworkPolicy: not played;
#   - ports: podman publishes every declared containerPort on the host, so only http and management are declared,
#     on host ports of their own per replica;
#   - Keycloak (not part of the manifests): started with `podman run` on the same network, realm demo imported,
#     issuer http://keycloak:8080/realms/demo, the app client's back-channel logout URL pointing at replica a.
# Host ports: Keycloak KUBE_KEYCLOAK_PORT (28180), replicas a/b 28201/28202, management 28211/28212.
set -euo pipefail
source "$(dirname "$0")/../images/podman-env.sh"
source "$SHIP_ROOT/deploy/test-lib.sh"
cd "$SHIP_ROOT"

NET=service-tokens-kube
KC_PORT=${KUBE_KEYCLOAK_PORT:-28180}
KC=http://localhost:$KC_PORT
work=$SHIP_TARGET/kube-play
rm -rf "$work" && mkdir -p "$work/import"
if [ "${SHIP_IMAGES_BUILT:-0}" != 1 ]; then
  args=()
  [ "${LOCAL_BASES:-}" = 1 ] && args+=(--local-bases)
  deploy/images/build-images.sh "${args[@]}"
fi

if command -v kubectl >/dev/null; then kubectl kustomize deploy/kubernetes/overlays/plain-container; else kustomize build deploy/kubernetes/overlays/plain-container; fi >"$work/rendered.yaml"
python3 - "$work" "$SHIP_VERSION" <<'PY'
import base64, copy, json, sys, yaml
work, version = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(f"{work}/rendered.yaml")) if d]
play, secrets = [], []
for d in docs:
    if d["kind"] == "ConfigMap":
        play.append(d)
    elif d["kind"] == "Secret":
        data = {k: v for k, v in d.get("data", {}).items()}
        json.dump(data, open(f"{work}/secret-{d['metadata']['name']}.json", "w"))
        secrets.append(d["metadata"]["name"])
deployment = next(d for d in docs if d["kind"] == "Deployment")
replicas = ["a", "b"]
for i, r in enumerate(replicas):
    dep = copy.deepcopy(deployment)
    name = f"demo-app-{r}"
    dep["metadata"]["name"] = name
    dep["spec"]["replicas"] = 1
    for c in dep["spec"]["template"]["spec"]["containers"]:
        c["image"] = "localhost/" + c["image"]
        if c["name"] != "sidecar":
            continue
        env = [e for e in c["env"] if e["name"] not in ("SIDECAR_CLUSTER_DNS_QUERY", "POD_NAMESPACE")]
        env += [
            {"name": "SIDECAR_CLUSTER_MEMBERS", "value": ",".join(f"demo-app-{x}-pod-0:7800" for x in replicas)},
            {"name": "SIDECAR_KEYCLOAK_ISSUER", "value": "http://keycloak:8080/realms/demo"},
            {"name": "SIDECAR_LISTEN_PUBLIC_URL", "value": f"http://localhost:{28201 + i}"},
            {"name": "SIDECAR_COOKIES_SECURE", "value": "false"},
        ]
        c["env"] = env
        # podman publishes every declared containerPort on the host (the same number when no hostPort is given):
        # two replicas would collide on 7800, so only the two ports the test calls are declared, on ports of their own.
        # Replicas reach each other's cluster ports over the podman network, declared or not.
        c["ports"] = [dict(p, hostPort=(28201 if p["name"] == "http" else 28211) + i)
                      for p in c["ports"] if p["name"] in ("http", "management")]
        # Probes become podman health checks, which need systemd: not played (they are tested nowhere here).
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            c.pop(probe, None)
    play.append(dep)
yaml.safe_dump_all(play, open(f"{work}/play.yaml", "w"), sort_keys=False)
open(f"{work}/secrets.txt", "w").write("\n".join(secrets) + "\n")
PY

cleanup() {
  for c in sidecar app; do
    for r in a b; do podman logs "demo-app-$r-pod-0-$c" >"$work/$r-$c.log" 2>&1 || true; done
  done
  podman logs service-tokens-kube-keycloak >"$work/keycloak.log" 2>&1 || true
  podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
  podman rm -f -t 2 service-tokens-kube-keycloak >/dev/null 2>&1 || true
  while read -r s; do [ -n "$s" ] && podman secret rm "$s" >/dev/null 2>&1; done <"$work/secrets.txt" || true
  podman network rm -f "$NET" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
podman network create "$NET" >/dev/null
while read -r s; do [ -n "$s" ] && podman secret create "$s" "$work/secret-$s.json" >/dev/null; done <"$work/secrets.txt"

start=$SECONDS
sed -e 's#"http://localhost:8000/.sidecar/backchannel-logout"#"http://demo-app-a-pod-0:8000/.sidecar/backchannel-logout"#' \
  realm-config/demo-realm.json >"$work/import/demo-realm.json"
chmod -R a+rX "$work/import"
ship_say "Keycloak on $KC (network $NET, name keycloak)"
podman run -d --name service-tokens-kube-keycloak --network "$NET" --network-alias keycloak -p "$KC_PORT:8080" \
  -e KC_BOOTSTRAP_ADMIN_USERNAME=admin -e KC_BOOTSTRAP_ADMIN_PASSWORD=admin -e KC_HOSTNAME=http://keycloak:8080 \
  -e KC_HTTP_ENABLED=true -v "$work/import:/opt/keycloak/data/import:ro,z" \
  "service-tokens-keycloak:$SHIP_VERSION" start --optimized --import-realm >/dev/null
ship_say "podman kube play: the plain-container Deployment as demo-app-a and demo-app-b"
podman kube play --network "$NET" "$work/play.yaml" >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; exit 1; }
for r in 1 2; do wait_http "http://localhost:2821$r/ready" 300 "replica $r"; done
ready=$((SECONDS - start))
# Both replicas start at once, as a Deployment starts them: one may give up joining the other while both are busy
# starting (JGroups then makes it a singleton) and the two views merge later (MERGE3, every 5 to 15 s).
members() { curl -fsS "http://localhost:$1/ready" | sed -n 's/.*"clusterMembers":\([0-9]*\).*/\1/p'; }
until [ "$(members 28211)" = 2 ] && [ "$(members 28212)" = 2 ]; do
  [ $((SECONDS - start)) -lt $((ready + 90)) ] || break
  sleep 1
done
expect "cluster members seen by replica a" 2 "$(members 28211)"
expect "cluster members seen by replica b" 2 "$(members 28212)"
joined=$((SECONDS - start))

create_token "$KC" "kube bot"
expect "bot through replica a" 200 "$(bot_status http://localhost:28201/)"
expect "bot through replica b" 200 "$(bot_status http://localhost:28202/)"

rss=""
if command -v wrk >/dev/null; then
  wrk -t1 -c8 -d15s -H "KC-Access-Client-Id: $CLIENT_ID" -H "KC-Access-Client-Secret: $CLIENT_SECRET" \
    http://localhost:28201/ >"$work/wrk.txt" 2>&1 || true
  pid=$(podman inspect -f '{{.State.Pid}}' demo-app-a-pod-0-sidecar)
  rss="$(awk '/VmRSS/ {printf "%d MiB", $2 / 1024}' "/proc/$pid/status") after $(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt") req/s for 15 s"
  echo "ok: sidecar a resident memory $rss" >&2
fi

delete_token "$KC" "$TOKEN_ID"
ms=$(until_refused http://localhost:28202/ 5)
echo "ok: revocation pushed to replica a honoured by replica b after $ms ms" >&2
expect "bot through replica a after the revocation" 401 "$(bot_status http://localhost:28201/)"
curl -fsS http://localhost:28211/metrics >"$work/a-metrics.txt"
curl -fsS http://localhost:28212/metrics >"$work/b-metrics.txt"
pushed() { grep -cE '^sidecar_revocations_total\{[^}]*outcome="accepted"[^}]*\} [1-9]' "$1" || true; }
expect "replica a received the push from Keycloak" 1 "$(pushed "$work/a-metrics.txt")"
expect "replica b did not (it learnt it from a)" 0 "$(pushed "$work/b-metrics.txt")"
expect "replica b received revocation records from a" 1 \
  "$(grep -cE '^sidecar_cluster_revocations_received_total(\{[^}]*\})? [1-9]' "$work/b-metrics.txt" || true)"

cleanup
trap - EXIT
left=$(podman ps -a -q --filter name=demo-app- --filter name=service-tokens-kube)
[ -z "$left" ] || { echo "FAIL: containers left: $left" >&2; exit 1; }
echo "KUBE PLAY RESULT: 2 replicas ready after ${ready} s, one cluster of 2 after ${joined} s; revocation via a honoured by b after ${ms} ms; ${rss:-no wrk, RSS not measured}"
