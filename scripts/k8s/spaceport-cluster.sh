#!/usr/bin/env bash
# Spaceport on the local test cluster, installed with its Helm chart (`make cluster-up` / `make cluster-down`).
#
# up:   the test cluster (scripts/k8s/cluster.sh up; left alone if it already runs), the controller image
#       built and pushed to its registry, Debian base images on the host engine, a hostPath volume for the
#       controller's data, `helm upgrade --install`; prints the hub URL and the admin token.
# preflight: what would stop `up` later (ports, root, disk, memory), checked before `make cluster-up`
#       installs or builds anything.
# down: helm uninstall, the volume, and the test cluster if `up` started it.
#
# On this machine the controller runs with hostNetwork: the test cluster has no kube-proxy and no cluster
# DNS, and its apiserver listens on loopback only. Sharing the node's network gives the controller the
# apiserver (controller.apiServer), the pod IPs of Spaces (through the CNI bridge), and makes its port a
# host port: the hub is at http://localhost:$PORT with nothing else to run (no port-forward to keep alive).
# Builds use the host's Docker engine through its socket (builder.mode external) and push to 127.0.0.1:5000.
#
# Env: SPACEPORT_CLUSTER_PORT (8080; the proxy, when the CLI has it, gets PORT+1),
#      SPACEPORT_CLUSTER_STATE (/tmp/spaceport-cluster), SPACEPORT_CLUSTER_SKIP_BASE_IMAGES=1,
#      and cluster.sh's (SPACEPORT_K8S_STATE, SPACEPORT_TOOLS_CACHE, ...).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

RELEASE=spaceport
NAMESPACE=spaceport
SPACES_NAMESPACE=spaceport-spaces
PORT="${SPACEPORT_CLUSTER_PORT:-8080}"
PROXY_PORT=$((PORT + 1))
STATE="${SPACEPORT_CLUSTER_STATE:-/tmp/spaceport-cluster}"
K8S_STATE="${SPACEPORT_K8S_STATE:-/tmp/spaceport-k8s}"
PV_NAME=spaceport-controller-data
# shellcheck source=lib/release-volume.sh
source "$here/lib/release-volume.sh"
STORAGE_CLASS=spaceport-local

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

env_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$K8S_STATE/env.json" "$1"; }
load_cluster() {
  KUBECONFIG_FILE="$(env_field kubeconfig)"
  SERVER="$(env_field server)"
  REGISTRY="$(env_field registry)"
  TOOLS_BIN="$(env_field toolsBin)"
}
kubectl_() { "$TOOLS_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
helm_() { "$TOOLS_BIN/helm" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

write_values() {
  local image="$1" proxy="$2" gid
  gid="$(stat -c %g /var/run/docker.sock)"
  cat >"$STATE/values.yaml" <<YAML
# Written by scripts/k8s/spaceport-cluster.sh for this machine.
domain: localhost
hub:
  publicUrl: http://localhost:$PORT
image:
  repository: ${image%:*}
  tag: ${image##*:}
registry:
  push: $REGISTRY/spaceport
spaces:
  namespace: $SPACES_NAMESPACE
  createNamespace: true
builder:
  mode: external
  hostSocket: true
  hostSocketGroup: $gid
controller:
  port: $PORT
  hostNetwork: true
  apiServer: $SERVER
  persistence:
    storageClass: $STORAGE_CLASS
    size: 10Gi
  resources:
    requests: { cpu: 100m, memory: 256Mi }
proxy:
  enabled: $proxy
  replicas: 1
  hostNetwork: true
  port: $PROXY_PORT
  controllerUrl: http://127.0.0.1:$PORT
  pdb: { enabled: false }
# No ingress controller here: the controller's host port serves the hub and every Space's subdomain.
ingress:
  enabled: false
hardware:
  # CPU Spaces run on the real node (untainted; small requests so they fit a 2-core machine);
  # T4 Spaces are scheduled onto the simulated kwok GPU nodes (they are placed, not run).
  offer: [cpu-basic, cpu-upgrade, t4-small, t4-medium]
  flavors:
    cpu-basic: { requests: { cpu: 100m, memory: 256Mi } }
    cpu-upgrade: { requests: { cpu: 200m, memory: 512Mi } }
  gpu:
    labelPreset: nvidia
    tolerations:
      - { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }
      - { key: spaceport.dev/simulated, operator: Equal, value: "true", effect: NoSchedule }
YAML
}

# Before anything is installed or built (the Makefile runs it first): what would stop `up` after
# minutes of work. Packages are not checked here: `make k8s-packages` installs the missing ones next.
cmd_preflight() {
  local problems=() p free_kb mem_kb
  [ "$(uname -s)" = Linux ] || problems+=("Linux is needed (the cluster's node runs containerd and the kubelet here)")
  [ "$(id -u)" = 0 ] || problems+=("run as root: the node's containerd, kubelet and bridge need it (sudo make cluster-up)")
  # A release already installed by an earlier `up` holds these ports itself.
  if [ ! -f "$STATE/values.yaml" ]; then
    for p in "$PORT" "$PROXY_PORT"; do
      port_free "$p" || problems+=("port $p is taken (is \`make up\` running?): stop what holds it, or SPACEPORT_CLUSTER_PORT=<free port> (uses it and the next one)")
    done
  fi
  for p in 5000; do
    if ! port_free "$p" && ! curl -fsS -m 2 "http://127.0.0.1:$p/v2/" >/dev/null 2>&1; then
      problems+=("port $p is taken by something that is not a registry: the cluster's registry (docker-registry) needs it")
    fi
  done
  mkdir -p "${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}"
  free_kb="$(df -Pk "${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}" | awk 'NR==2 {print $4}')"
  [ "${free_kb:-0}" -ge $((8 * 1024 * 1024)) ] || problems+=("less than 8 GB free for the tools cache (${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}): the Kubernetes build needs about 6 GB")
  mem_kb="$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo 2>/dev/null || echo 0)"
  [ "${mem_kb:-0}" -ge $((2 * 1024 * 1024)) ] || problems+=("less than 2 GB of memory available: the Kubernetes build peaks at 1.9 GB, the running cluster uses about 1 GB")
  for c in bash python3 ss curl; do command -v "$c" >/dev/null || problems+=("$c is missing (Debian: apt-get install $( [ "$c" = ss ] && echo iproute2 || echo "$c"))"); done
  if [ "${#problems[@]}" -gt 0 ]; then
    for p in "${problems[@]}"; do log "preflight: $p"; done
    die "nothing was installed or built: fix the above and run make cluster-up again"
  fi
  log "preflight: ports $PORT and $PROXY_PORT free, disk and memory enough"
}

cmd_up() {
  local t0=$SECONDS
  mkdir -p "$STATE/data"
  # Mark the cluster ours only when `cluster.sh up` really started it (a healthy one is left as it is,
  # and then cluster-down leaves it running for whoever started it).
  local up_log="$STATE/cluster-up.log"
  bash "$here/cluster.sh" up >/dev/null 2>"$up_log" || { cat "$up_log" >&2; die "the test cluster did not come up"; }
  grep -q 'already up and healthy' "$up_log" || : >"$STATE/started-cluster"
  load_cluster

  if ! helm_ status "$RELEASE" -n "$NAMESPACE" >/dev/null 2>&1; then
    port_free "$PORT" || die "port $PORT is taken (is \`make up\` running?). Fix: stop it, or SPACEPORT_CLUSTER_PORT=<free port>"
  fi

  log "controller image"
  local image proxy=false
  image="$(bash "$here/build-controller-image.sh" --push "$REGISTRY" | tail -1)"
  if docker run --rm "$image" --help 2>/dev/null | grep -q 'spaceport proxy'; then proxy=true; fi
  [ "$proxy" = true ] || log "this build has no \`spaceport proxy\` command: the controller serves Spaces itself"

  if [ "${SPACEPORT_CLUSTER_SKIP_BASE_IMAGES:-}" != 1 ]; then
    # The controller runs unprivileged and cannot debootstrap; the engine it builds on gets them here.
    log "base images on the host engine (first time: a few minutes)"
    ( cd "$repo" && npx tsx cli/spaceport.ts base-images >&2 ) || log "base images failed: builds of Python/Node Spaces will fail until \`make base-images\` succeeds"
  fi

  # No storage provisioner on this cluster: a hostPath volume bound to the controller's claim (made
  # Available again when a `helm uninstall` left it Released).
  chmod 0777 "$STATE/data"
  ensure_claimed_pv "$PV_NAME" "$STATE/data" "$NAMESPACE" "$RELEASE-controller" "$STORAGE_CLASS" 10Gi

  write_values "$image" "$proxy"
  log "helm upgrade --install $RELEASE (namespace $NAMESPACE, Spaces in $SPACES_NAMESPACE)"
  helm_ upgrade --install "$RELEASE" "$repo/helm/spaceport" -n "$NAMESPACE" --create-namespace \
    -f "$STATE/values.yaml" --wait --timeout 5m >/dev/null || {
    kubectl_ get pods -n "$NAMESPACE" -o wide >&2 || true
    explain_pending "$NAMESPACE" >&2
    kubectl_ logs -n "$NAMESPACE" "deploy/$RELEASE-controller" --tail=30 >&2 || true
    die "helm install failed (values: $STATE/values.yaml)"
  }

  local token
  token="$(kubectl_ get secret "$RELEASE" -n "$NAMESPACE" -o jsonpath='{.data.admin-token}' | base64 -d)"
  cat <<EOF

Spaceport is up on the test cluster ($((SECONDS - t0)) s).
  Hub (API, git):  http://localhost:$PORT
  Spaces:          http://{owner}-{name}.localhost:$PORT$([ "$proxy" = true ] && echo "  (also through the proxy: :$PROXY_PORT)")
  Admin token:     $token
  kubectl:         $TOOLS_BIN/kubectl --kubeconfig $KUBECONFIG_FILE -n $NAMESPACE get pods
  Try:             curl -s -H "Authorization: Bearer $token" http://localhost:$PORT/api/whoami-v2
Stop with: make cluster-down
EOF
}

cmd_down() {
  if [ -f "$K8S_STATE/env.json" ] && bash "$here/cluster.sh" status >/dev/null 2>&1; then
    load_cluster
    if helm_ status "$RELEASE" -n "$NAMESPACE" >/dev/null 2>&1; then
      log "helm uninstall $RELEASE"
      helm_ uninstall "$RELEASE" -n "$NAMESPACE" --wait --timeout 2m >/dev/null || true
    fi
    # The chart keeps the Spaces namespace on uninstall (helm.sh/resource-policy: keep); up made it.
    kubectl_ delete namespace "$SPACES_NAMESPACE" "$NAMESPACE" --ignore-not-found --wait=false >/dev/null || true
    kubectl_ delete pv "$PV_NAME" --ignore-not-found --wait=false >/dev/null || true
  fi
  if [ -f "$STATE/started-cluster" ]; then
    bash "$here/cluster.sh" down || log "cluster.sh down failed: see scripts/k8s/cluster.sh status"
  else
    log "the test cluster was running before cluster-up: left running (scripts/k8s/cluster.sh down stops it)"
  fi
  rm -rf --one-file-system "$STATE"
  log "down"
}

case "${1:-}" in
  preflight) cmd_preflight ;;
  up) cmd_up ;;
  down) cmd_down ;;
  *) echo "usage: $0 preflight|up|down" >&2; exit 2 ;;
esac
