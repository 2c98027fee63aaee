# NetworkPolicy on the test cluster's real node: the plain `bridge` CNI enforces none, so kube-router's
# firewall (a host process, see start_kube_router in cluster.sh) keeps iptables chains and ipsets for
# the node's pods. Same-bridge pod traffic passes iptables' FORWARD chain through br_netfilter
# (net.bridge.bridge-nf-call-iptables=1), where kube-router's chain comes first.
# shellcheck shell=bash

# The comment that marks our own rule (so `down` removes exactly it).
FORWARD_MARK="spaceport-k8s pod bridge"

# Docker sets FORWARD's policy to DROP. kube-router ACCEPTs what it allows of its node's pods (what no
# policy selects included), but pod-to-pod traffic must not depend on it: without kube-router (before
# it syncs, or stopped) pods still reach each other, so a refused connection is NetworkPolicy's doing.
# Appended, so kube-router's chain (inserted first) still decides for the pods that policies select.
allow_pod_bridge_forwarding() {
  sysctl -n net.bridge.bridge-nf-call-iptables 2>/dev/null | grep -qx 1 ||
    die "net.bridge.bridge-nf-call-iptables is not 1: bridged pod traffic would bypass iptables and NetworkPolicy. Fix: modprobe br_netfilter && sysctl -w net.bridge.bridge-nf-call-iptables=1"
  iptables -w -C FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$FORWARD_MARK" -j ACCEPT 2>/dev/null ||
    iptables -w -A FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$FORWARD_MARK" -j ACCEPT
}

remove_pod_bridge_forwarding() {
  while iptables -w -D FORWARD -i "$BRIDGE" -o "$BRIDGE" -m comment --comment "$FORWARD_MARK" -j ACCEPT 2>/dev/null; do :; done
}

# What kube-router leaves behind when stopped: the jumps from INPUT/FORWARD/OUTPUT into its chains,
# its chains (KUBE-ROUTER-*, KUBE-POD-FW-*, KUBE-NWPLCY-*) and its ipsets (KUBE-SRC-*, KUBE-DST-*).
# Nothing else on the machine uses these names (kubelet's are KUBE-FIREWALL and KUBE-KUBELET-CANARY).
clean_kube_router_rules() {
  local t c n chains name
  for t in iptables ip6tables; do
    command -v "$t" >/dev/null || continue
    for c in INPUT FORWARD OUTPUT; do
      while n="$("$t" -w -L "$c" --line-numbers -n 2>/dev/null | awk '$2 ~ /^KUBE-ROUTER-/ { print $1; exit }')" && [ -n "$n" ]; do
        "$t" -w -D "$c" "$n" || break
      done
    done
    mapfile -t chains < <("$t" -w -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^KUBE-(ROUTER-|POD-FW-|NWPLCY-)/ { print $2 }')
    for name in "${chains[@]}"; do "$t" -w -F "$name" 2>/dev/null || true; done
    for name in "${chains[@]}"; do "$t" -w -X "$name" 2>/dev/null || true; done
  done
  command -v ipset >/dev/null || return 0
  for name in $(ipset list -n 2>/dev/null | grep -E '^(inet6:)?KUBE-(SRC|DST)-'); do
    ipset destroy "$name" 2>/dev/null || true
  done
}
