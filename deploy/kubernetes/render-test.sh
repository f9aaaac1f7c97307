#!/usr/bin/env bash
# Renders every overlay under deploy/kubernetes/overlays with `kubectl kustomize` (offline: no cluster needed) and
# checks what each must contain. Output: target/ship/kubernetes/<overlay>.yaml
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/target/ship/kubernetes
mkdir -p "$out"
# kubectl carries kustomize; a standalone kustomize v5 does as well.
if command -v kubectl >/dev/null; then
  render() { kubectl kustomize "$1"; }
  tool="kubectl kustomize ($(kubectl version --client 2>/dev/null | grep -i kustomize | tr -d '\n'))"
elif command -v kustomize >/dev/null; then
  render() { kustomize build "$1"; }
  tool="kustomize build ($(kustomize version))"
else
  echo "FAIL: kubectl (or kustomize v5) is required" >&2; exit 1
fi

check() { # FILE WHAT PATTERN
  grep -qE -- "$3" "$1" || { echo "FAIL: $(basename "$1"): no $2" >&2; exit 1; }
}
count=0
for dir in "$root"/deploy/kubernetes/overlays/*/; do
  name=$(basename "$dir")
  render "$dir" >"$out/$name.yaml"
  for kind in Deployment Service ConfigMap Secret PodDisruptionBudget NetworkPolicy; do
    check "$out/$name.yaml" "kind: $kind" "^kind: $kind$"
  done
  check "$out/$name.yaml" "headless Service publishing not-ready addresses" "publishNotReadyAddresses: true"
  for probe in startupProbe readinessProbe livenessProbe; do check "$out/$name.yaml" "$probe" "$probe:"; done
  echo "ok: $name renders ($(grep -c '^kind:' "$out/$name.yaml") objects)" >&2
  count=$((count + 1))
done
# The two ways to place the sidecar.
check "$out/native-sidecar.yaml" "native sidecar" "^      initContainers:"
check "$out/native-sidecar.yaml" "restartPolicy: Always on the sidecar" "^        restartPolicy: Always"
if grep -q initContainers "$out/plain-container.yaml"; then echo "FAIL: plain-container still has initContainers" >&2; exit 1; fi
[ "$(grep -c '^      - .*image: service-tokens-\|^        image: service-tokens-' "$out/plain-container.yaml")" -ge 2 ] \
  || { echo "FAIL: plain-container does not run both containers" >&2; exit 1; }
echo "ok: native-sidecar has the sidecar as an init container with restartPolicy Always; plain-container as a container" >&2
echo "KUSTOMIZE RESULT: $count overlays rendered with $tool"
