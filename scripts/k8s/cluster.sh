#!/usr/bin/env bash
# A real Kubernetes cluster for the test suites, on this machine, from the tools build-tools.sh caches:
#   etcd, kube-apiserver, kube-controller-manager, kube-scheduler (all on loopback);
#   kwok with four simulated nodes (kwok-cpu-{0,1}, kwok-gpu-t4-{0,1}; tainted spaceport.dev/simulated);
#   one real node `localhost` (its own containerd + kubelet, pods on a CNI bridge the host can reach),
#   whose NetworkPolicies kube-router's firewall enforces (a host process; the bridge CNI enforces none);
#   an image registry (Debian's docker-registry) on 127.0.0.1:$SPACEPORT_K8S_REGISTRY_PORT (5000).
#
# usage: cluster.sh up | down | status
#   up      start it (idempotent: a healthy cluster is left as it is); prints $STATE/env.json
#   down    stop only the processes it started, unmount, delete the bridge and $STATE (tools stay cached)
#   status  what runs
# Environment: SPACEPORT_K8S_STATE (/tmp/spaceport-k8s), SPACEPORT_TOOLS_CACHE (~/.cache/spaceport-tools),
#   SPACEPORT_K8S_REGISTRY_PORT (5000), SPACEPORT_K8S_POD_SUBNET (10.89.0.0/16), SPACEPORT_K8S_BRIDGE (spk8s0),
#   SPACEPORT_K8S_<NAME>_PORT for NAME in APISERVER ETCD ETCD_PEER CONTROLLER_MANAGER SCHEDULER KWOK
#   KUBELET KUBELET_HEALTHZ KUBE_ROUTER_HEALTH (default: free ports). Needs root (containerd, kubelet, the bridge).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
source "$here/lib/common.sh"
source "$here/lib/certs.sh"
source "$here/lib/real-node.sh"
source "$here/lib/netpol.sh"

STATE="${SPACEPORT_K8S_STATE:-/tmp/spaceport-k8s}"
STATE="${STATE%/}"
CACHE="${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}"
K8S_BIN="$CACHE/k8s-$K8S_VERSION/bin"
ETCD_BIN="$CACHE/etcd-$ETCD_VERSION/bin"
KWOK_DIR="$CACHE/kwok-$KWOK_VERSION"
HELM_BIN="$CACHE/helm-$HELM_VERSION-b$HELM_BUILD/bin"
KUBE_ROUTER_BIN="$CACHE/kube-router-$KUBE_ROUTER_VERSION/bin"
REGISTRY_PORT="${SPACEPORT_K8S_REGISTRY_PORT:-5000}"
REGISTRY="127.0.0.1:$REGISTRY_PORT"
POD_SUBNET="${SPACEPORT_K8S_POD_SUBNET:-10.89.0.0/16}"
BRIDGE="${SPACEPORT_K8S_BRIDGE:-spk8s0}"
CNI_BIN_DIR="${SPACEPORT_K8S_CNI_BIN:-/usr/lib/cni}"
PKI="$STATE/pki"
CONTAINERD_SOCK="$STATE/containerd/containerd.sock"
KUBECONFIG_FILE="$STATE/kubeconfig"
REAL_NODE=localhost
KWOK_NODES=(kwok-cpu-0 kwok-cpu-1 kwok-gpu-t4-0 kwok-gpu-t4-1)
PORT_NAMES=(APISERVER ETCD ETCD_PEER CONTROLLER_MANAGER SCHEDULER KWOK KUBELET KUBELET_HEALTHZ KUBE_ROUTER_HEALTH)
# Start order; `down` stops them in reverse.
PROCS=(registry etcd containerd kube-apiserver kube-controller-manager kube-scheduler kwok kubelet kube-router)

kubectl_() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }
ctr_() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }
load_ports() { [ -f "$STATE/ports.env" ] && source "$STATE/ports.env"; return 0; }

apiserver_ready() {
  curl -fsS --max-time 2 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$APISERVER_PORT/readyz" >/dev/null
}

healthy() {
  [ -f "$STATE/env.json" ] || return 1
  load_ports
  local p
  for p in "${PROCS[@]}"; do proc_alive "$p" || return 1; done
  apiserver_ready
}

ensure_tools() {
  if [ ! -x "$K8S_BIN/kubelet" ] || [ ! -x "$ETCD_BIN/etcd" ] || [ ! -x "$KWOK_DIR/bin/kwok" ] || [ ! -x "$HELM_BIN/helm" ] ||
    [ ! -x "$KUBE_ROUTER_BIN/kube-router" ]; then
    log "tools not cached under $CACHE: building them (7-9 min on a fresh machine; \`make k8s-tools\` does this ahead)"
    bash "$here/build-tools.sh" all >/dev/null
  fi
}

check_prerequisites() {
  [ "$(id -u)" = 0 ] || die "the real node (containerd, kubelet, a bridge) needs root"
  local cmd
  for cmd in openssl gcc containerd containerd-shim-runc-v2 runc ctr docker-registry python3 ip curl ss setsid ipset iptables iptables-save iptables-restore; do
    command -v "$cmd" >/dev/null || die "$cmd is missing. Fix: apt-get install -y containerd runc containernetworking-plugins docker-registry gcc libc6-dev python3 iproute2 curl ipset iptables"
  done
  [ -x "$CNI_BIN_DIR/bridge" ] && [ -x "$CNI_BIN_DIR/host-local" ] && [ -x "$CNI_BIN_DIR/portmap" ] && [ -x "$CNI_BIN_DIR/loopback" ] ||
    die "CNI plugins missing under $CNI_BIN_DIR. Fix: apt-get install -y containernetworking-plugins"
  if port_in_use "$REGISTRY_PORT"; then
    die "port $REGISTRY_PORT (the registry's) is taken by another program. Fix: SPACEPORT_K8S_REGISTRY_PORT=<a free port>"
  fi
  if ip link show "$BRIDGE" >/dev/null 2>&1; then
    die "bridge $BRIDGE exists but no cluster state is in $STATE. Fix: ip link delete $BRIDGE (or SPACEPORT_K8S_BRIDGE=<other name>)"
  fi
}

assign_ports() {
  local free; mapfile -t free < <(free_ports "${#PORT_NAMES[@]}")
  local i name var
  : >"$STATE/ports.env"
  for i in "${!PORT_NAMES[@]}"; do
    name=${PORT_NAMES[$i]}
    var="SPACEPORT_K8S_${name}_PORT"
    printf '%s_PORT=%s\n' "$name" "${!var:-${free[$i]}}" >>"$STATE/ports.env"
  done
  load_ports
}

link_tools() {
  local f
  for f in kubectl kube-apiserver kube-controller-manager kube-scheduler kubelet; do ln -sf "$K8S_BIN/$f" "$STATE/bin/$f"; done
  ln -sf "$ETCD_BIN/etcd" "$STATE/bin/etcd"
  ln -sf "$KWOK_DIR/bin/kwok" "$STATE/bin/kwok"
  ln -sf "$HELM_BIN/helm" "$STATE/bin/helm"
  ln -sf "$KUBE_ROUTER_BIN/kube-router" "$STATE/bin/kube-router"
}

start_registry() {
  mkdir -p "$STATE/registry/data"
  cat >"$STATE/registry/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $STATE/registry/data
  delete:
    enabled: true
http:
  addr: $REGISTRY
YAML
  start_proc registry docker-registry serve "$STATE/registry/config.yml"
}

start_etcd() {
  start_proc etcd "$ETCD_BIN/etcd" --name local --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --log-level warn
}

start_apiserver() {
  start_proc kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" --bind-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --advertise-address 127.0.0.1 --endpoint-reconciler-type none \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
    --kubelet-client-certificate "$PKI/kubelet-client.crt" --kubelet-client-key "$PKI/kubelet-client.key" \
    --service-cluster-ip-range 10.0.0.0/24 --allow-privileged=true --authorization-mode Node,RBAC \
    --service-account-issuer "https://127.0.0.1:$APISERVER_PORT" \
    --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" --profiling=false
}

start_controllers() {
  start_proc kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$KUBECONFIG_FILE" --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --bind-address 127.0.0.1 --secure-port "$CONTROLLER_MANAGER_PORT" --leader-elect=false \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" --controllers '*' --profiling=false
  start_proc kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$KUBECONFIG_FILE" --authentication-kubeconfig "$KUBECONFIG_FILE" --authorization-kubeconfig "$KUBECONFIG_FILE" \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --leader-elect=false --profiling=false
  start_proc kwok "$KWOK_DIR/bin/kwok" --kubeconfig "$KUBECONFIG_FILE" --config "$KWOK_DIR/stages.yaml" \
    --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
    --node-lease-duration-seconds 40 --node-ip 127.0.0.1 --cidr 10.244.0.1/16 --server-address "127.0.0.1:$KWOK_PORT" --v WARN
}

start_kubelet() {
  write_kubelet_config
  write_kubeconfig "$STATE/kubelet/kubeconfig" node "system:node:$REAL_NODE"
  start_proc kubelet "$K8S_BIN/kubelet" --config "$STATE/kubelet/config.yaml" --kubeconfig "$STATE/kubelet/kubeconfig" \
    --hostname-override "$REAL_NODE" --root-dir "$STATE/kubelet/root" --cert-dir "$STATE/kubelet/pki" \
    --node-labels spaceport.dev/pool=real
}

# kube-router's network policy controller alone (no routing, no service proxy, no CNI config): it
# watches pods, namespaces and NetworkPolicies and keeps iptables chains and ipsets for the pods of
# this node. Same-bridge pod traffic reaches iptables through br_netfilter (bridge-nf-call-iptables=1).
start_kube_router() {
  start_proc kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig "$KUBECONFIG_FILE" --hostname-override "$REAL_NODE" \
    --run-firewall=true --run-router=false --run-service-proxy=false --run-loadbalancer=false --enable-cni=false \
    --service-cluster-ip-range 10.0.0.0/24 --health-port "$KUBE_ROUTER_HEALTH_PORT" --metrics-port 0 --v 1
}

write_env_json() {
  cat >"$STATE/env.json" <<JSON
{
  "kubeconfig": "$KUBECONFIG_FILE",
  "server": "https://127.0.0.1:$APISERVER_PORT",
  "registry": "$REGISTRY",
  "realNode": "$REAL_NODE",
  "toolsBin": "$STATE/bin",
  "kwokNodes": { "cpu": ["kwok-cpu-0", "kwok-cpu-1"], "gpu": ["kwok-gpu-t4-0", "kwok-gpu-t4-1"] },
  "podSubnet": "$POD_SUBNET",
  "stateDir": "$STATE"
}
JSON
}

url_ok() { curl -fsS --max-time 2 "$@" >/dev/null; }
node_exists() { kubectl_ get node "$1" -o name; }

cmd_up() {
  local t0; t0="$(now_ms)"
  if healthy; then
    log "already up and healthy ($STATE)"
    cat "$STATE/env.json"
    return 0
  fi
  if [ -d "$STATE" ]; then
    log "a partial or stale cluster is in $STATE: taking it down first"
    cmd_down
  fi
  ensure_tools
  check_prerequisites
  mkdir -p "$STATE/logs" "$STATE/pids" "$STATE/bin"
  assign_ports
  link_tools
  make_certs
  write_kubeconfig "$KUBECONFIG_FILE" admin spaceport-admin

  start_registry
  start_etcd
  write_containerd_config
  start_proc containerd containerd --config "$STATE/containerd/config.toml"
  build_pause_image
  wait_until 30 etcd url_ok "http://127.0.0.1:$ETCD_PORT/health"
  start_apiserver
  wait_until 30 containerd ctr_ version
  ctr_ images import "$STATE/pause/pause.tar" >/dev/null
  wait_until 60 kube-apiserver apiserver_ready
  start_controllers
  kubectl_ apply -f "$here/kwok-nodes.yaml" >/dev/null
  # The Node authorizer learns a new pod's ConfigMaps and Secrets a moment after the kubelet first asks
  # for them (CreateContainerConfigError "failed to sync configmap cache", then a retry with back-off):
  # RBAC's system:node role, granted to all nodes, answers in that moment.
  kubectl_ create clusterrolebinding spaceport-test-nodes --clusterrole system:node --group system:nodes >/dev/null
  start_kubelet
  wait_until 30 registry url_ok "http://$REGISTRY/v2/"
  wait_until 30 kube-controller-manager url_ok -k "https://127.0.0.1:$CONTROLLER_MANAGER_PORT/healthz"
  wait_until 30 kube-scheduler url_ok -k "https://127.0.0.1:$SCHEDULER_PORT/healthz"
  wait_until 60 "node $REAL_NODE registered" node_exists "$REAL_NODE"
  local nodes=("node/$REAL_NODE") n
  for n in "${KWOK_NODES[@]}"; do nodes+=("node/$n"); done
  kubectl_ wait --for=condition=Ready --timeout=90s "${nodes[@]}" >/dev/null ||
    die "nodes not Ready after 90 s (logs: $STATE/logs/)"
  allow_pod_bridge_forwarding
  start_kube_router
  wait_until 60 kube-router url_ok "http://127.0.0.1:$KUBE_ROUTER_HEALTH_PORT/healthz"
  write_env_json
  cat "$STATE/env.json"
  log "up in $(awk -v ms="$(( $(now_ms) - t0 ))" 'BEGIN { printf "%.1f", ms / 1000 }') s"
}

# Stop the real node's pods through kubelet (so CNI tears their network down), then whatever remains.
drain_real_node() {
  if proc_alive kubelet && proc_alive kube-apiserver && apiserver_ready 2>/dev/null; then
    kubectl_ delete pods --all-namespaces --field-selector "spec.nodeName=$REAL_NODE" --grace-period=1 --wait=false >/dev/null 2>&1 || true
    local i
    for ((i = 0; i < 300; i++)); do
      [ -z "$(kubectl_ get pods --all-namespaces --field-selector "spec.nodeName=$REAL_NODE" -o name 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
  stop_proc kubelet 5
  if proc_alive containerd; then
    local id
    for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill --signal SIGKILL "$id" >/dev/null 2>&1 || true; done
    for id in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks delete --force "$id" >/dev/null 2>&1 || true; done
  fi
}

# PIDs of the live test runs that registered in $STATE/test-runs (test/k8s/global-setup.ts).
live_test_runs() {
  local f pid out=()
  for f in "$STATE"/test-runs/*; do
    [ -e "$f" ] || continue
    pid="$(basename "$f")"
    kill -0 "$pid" 2>/dev/null && out+=("$pid")
  done
  echo "${out[*]}"
}

# Shims that outlived containerd: exactly those serving our containerd socket.
kill_our_shims() {
  local p cmdline
  for p in /proc/[0-9]*; do
    [ "$(basename "$(readlink "$p/exe" 2>/dev/null)")" = containerd-shim-runc-v2 ] || continue
    cmdline="$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)" || continue
    case "$cmdline" in *" -address $CONTAINERD_SOCK "*) kill -KILL "${p#/proc/}" 2>/dev/null || true ;; esac
  done
}

# Pod processes still in the kubepods cgroups our kubelet made, then the (empty) cgroups themselves.
clean_pod_cgroups() {
  local root=/sys/fs/cgroup/pids/kubepods pid
  if [ -d "$root" ]; then
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done < <(find "$root" -name cgroup.procs -exec cat {} + 2>/dev/null)
  fi
  local hier
  for hier in /sys/fs/cgroup/*/kubepods; do
    [ -d "$hier" ] && find "$hier" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
}

unmount_state() {
  local pass mp
  for pass in 1 2 3; do
    mapfile -t mps < <(awk -v root="$STATE/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts | sort -r)
    [ "${#mps[@]}" -eq 0 ] && return 0
    for mp in "${mps[@]}"; do umount "$mp" 2>/dev/null || umount -l "$mp" 2>/dev/null || true; done
  done
  mapfile -t mps < <(awk -v root="$STATE/" 'index($2, root) == 1 { print $2 }' /proc/self/mounts)
  [ "${#mps[@]}" -eq 0 ] || log "still mounted: ${mps[*]}"
}

cmd_down() {
  local t0; t0="$(now_ms)"
  if [ ! -d "$STATE" ]; then
    log "nothing to take down ($STATE does not exist)"
    return 0
  fi
  load_ports
  local users; users="$(live_test_runs)"
  [ -z "$users" ] || log "warning: test runs $users still use this cluster"
  # Controllers first, so that no ReplicaSet replaces the pods the drain deletes.
  stop_proc kube-controller-manager 5
  stop_proc kube-scheduler 5
  stop_proc kwok 5
  drain_real_node
  local i
  for ((i = ${#PROCS[@]} - 1; i >= 0; i--)); do stop_proc "${PROCS[$i]}" 5; done
  clean_kube_router_rules
  remove_pod_bridge_forwarding
  kill_our_shims
  clean_pod_cgroups
  unmount_state
  ip link delete "$BRIDGE" 2>/dev/null || true
  rm -rf --one-file-system "$STATE"
  log "down in $(awk -v ms="$(( $(now_ms) - t0 ))" 'BEGIN { printf "%.1f", ms / 1000 }') s"
}

cmd_status() {
  if [ ! -d "$STATE" ]; then
    echo "down ($STATE does not exist)"
    return 3
  fi
  load_ports
  local p rc=0
  for p in "${PROCS[@]}"; do
    if proc_alive "$p"; then
      printf '%-24s running (pid %s)\n' "$p" "$(proc_pid "$p")"
    else
      printf '%-24s not running\n' "$p"
      rc=1
    fi
  done
  if [ -n "${APISERVER_PORT:-}" ] && apiserver_ready 2>/dev/null; then
    echo "apiserver https://127.0.0.1:$APISERVER_PORT ready; registry $REGISTRY; state $STATE"
    kubectl_ get nodes -L spaceport.dev/pool 2>/dev/null || true
  else
    echo "apiserver not ready"
    rc=1
  fi
  return "$rc"
}

# One `up`/`down` at a time per state dir (test runs may start together); `status` and an `up` that
# finds a healthy cluster need no lock.
lock() {
  exec 9>"$STATE.cluster.lock"
  flock 9
}
case "${1:-}" in
  up) if healthy; then cmd_up; else lock; cmd_up; fi ;;
  down) lock; cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
