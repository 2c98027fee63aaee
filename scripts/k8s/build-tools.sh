#!/usr/bin/env bash
# Build the Kubernetes test-cluster binaries from the Go module proxy (no other download is reachable),
# cached outside the repo keyed by version:
#   $SPACEPORT_TOOLS_CACHE/k8s-$K8S_VERSION/bin/{kube-apiserver,kube-controller-manager,kube-scheduler,kubelet,kubectl}
#   $SPACEPORT_TOOLS_CACHE/etcd-$ETCD_VERSION/bin/etcd
#   $SPACEPORT_TOOLS_CACHE/kwok-$KWOK_VERSION/bin/kwok   (+ stages.yaml)
#   $SPACEPORT_TOOLS_CACHE/helm-$HELM_VERSION-b$HELM_BUILD/bin/helm
#   $SPACEPORT_TOOLS_CACHE/kube-router-$KUBE_ROUTER_VERSION/bin/kube-router   (the NetworkPolicy enforcer of the real node)
# Prints the cache root. A fresh machine takes about 7–9 minutes on 2 cores; afterwards it is instant.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/versions.env"
export PATH="/usr/local/go/bin:$PATH"
CACHE="${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}"
mkdir -p "$CACHE"
export GOFLAGS="-mod=mod"
export CGO_ENABLED=0

log() { echo "k8s-tools: $*" >&2; }

# One build at a time per cache (`make test` and `make k8s-tools` may start together): the second waits.
exec 8>"$CACHE/.build.lock"
flock 8

build_k8s() {
  local out="$CACHE/k8s-$K8S_VERSION"
  [ -x "$out/bin/kubectl" ] && [ -x "$out/bin/kubelet" ] && [ -x "$out/bin/kube-apiserver" ] && return 0
  log "building Kubernetes $K8S_VERSION (kube-apiserver, controller-manager, scheduler, kubelet, kubectl; ~6 min cold)"
  local work; work="$(mktemp -d)"
  cp "$here/k8s-wrapper/go.mod" "$here/k8s-wrapper/tools.go" "$work/"
  [ -f "$here/k8s-wrapper/go.sum" ] && cp "$here/k8s-wrapper/go.sum" "$work/"
  local minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  ( cd "$work" && go mod download && go build -trimpath \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
      -o "$work/bin/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
      k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kubectl )
  mkdir -p "$out.tmp" && rm -rf "$out.tmp/bin" && mv "$work/bin" "$out.tmp/bin" && rm -rf "$out" && mv "$out.tmp" "$out"
  rm -rf "$work"
}

build_etcd() {
  local out="$CACHE/etcd-$ETCD_VERSION"
  [ -x "$out/bin/etcd" ] && return 0
  log "building etcd $ETCD_VERSION"
  local work; work="$(mktemp -d)"
  cp "$here/etcd-wrapper/go.mod" "$here/etcd-wrapper/tools.go" "$work/"
  [ -f "$here/etcd-wrapper/go.sum" ] && cp "$here/etcd-wrapper/go.sum" "$work/"
  ( cd "$work" && go mod download && go build -trimpath -ldflags "-s -w" -o "$work/bin/etcd" go.etcd.io/etcd/server/v3 )
  mkdir -p "$out" && mv "$work/bin" "$out/bin.new" && rm -rf "$out/bin" && mv "$out/bin.new" "$out/bin"
  rm -rf "$work"
}

build_kwok() {
  local out="$CACHE/kwok-$KWOK_VERSION"
  # stages.kind records which stage set stages.yaml holds (an older cache had the slow "general" pod stages).
  [ -x "$out/bin/kwok" ] && [ -f "$out/stages.yaml" ] && [ "$(cat "$out/stages.kind" 2>/dev/null)" = fast ] && return 0
  log "building kwok $KWOK_VERSION"
  mkdir -p "$out/bin"
  [ -x "$out/bin/kwok" ] || GOBIN="$out/bin" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  local src; src="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
  [ -d "$src" ] || go mod download "sigs.k8s.io/kwok@$KWOK_VERSION"
  : > "$out/stages.yaml.new"
  # The "fast" stages: nodes Ready at once, pods Ready as soon as they are scheduled (no init
  # condition to wait for), completed and deleted at once; plus node heartbeats through leases.
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    [ -f "$src/$f.yaml" ] || { log "stage $f not found under $src"; exit 1; }
    { echo "---"; cat "$src/$f.yaml"; } >> "$out/stages.yaml.new"
  done
  mv "$out/stages.yaml.new" "$out/stages.yaml"
  echo fast > "$out/stages.kind"
}

# helm's own Makefile sets, besides its version, the Kubernetes version `helm template` assumes without
# a cluster (Capabilities.KubeVersion, default v1.20 otherwise: the chart's kubeVersion refuses it):
# major = client-go's major + 1, minor = client-go's minor, read from helm's go.mod. The cache folder
# carries HELM_BUILD (versions.env) so a change of these flags builds afresh next to the old binary.
build_helm() {
  local out="$CACHE/helm-$HELM_VERSION-b$HELM_BUILD"
  [ -x "$out/bin/helm" ] && return 0
  log "building helm $HELM_VERSION (~3 min cold)"
  local gomod client_go major minor
  gomod="$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  client_go="$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$gomod")"
  [[ "$client_go" =~ ^v0\.([0-9]+)\. ]] || { log "no k8s.io/client-go version in $gomod"; exit 1; }
  major=1 minor="${BASH_REMATCH[1]}"
  local v=helm.sh/helm/v3
  mkdir -p "$out/bin.new"
  GOBIN="$out/bin.new" go install -trimpath -ldflags "-s -w \
    -X $v/internal/version.version=$HELM_VERSION -X $v/internal/version.gitTreeState=clean \
    -X $v/pkg/lint/rules.k8sVersionMajor=$major -X $v/pkg/lint/rules.k8sVersionMinor=$minor \
    -X $v/pkg/chartutil.k8sVersionMajor=$major -X $v/pkg/chartutil.k8sVersionMinor=$minor" \
    "$v/cmd/helm@$HELM_VERSION"
  rm -rf "$out/bin" && mv "$out/bin.new" "$out/bin"
}

# kube-router, its firewall only (cluster.sh runs it with --run-firewall alone): it enforces NetworkPolicy
# with iptables + ipset on the real node, whose plain `bridge` CNI enforces nothing. Its go.mod has no
# replace directives, so `go install` pins every dependency through the module's own go.sum.
build_kube_router() {
  local out="$CACHE/kube-router-$KUBE_ROUTER_VERSION"
  [ -x "$out/bin/kube-router" ] && return 0
  log "building kube-router $KUBE_ROUTER_VERSION (~2 min cold)"
  mkdir -p "$out/bin.new"
  GOBIN="$out/bin.new" go install -trimpath \
    -ldflags "-s -w -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION" \
    "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router@$KUBE_ROUTER_VERSION"
  rm -rf "$out/bin" && mv "$out/bin.new" "$out/bin"
}

case "${1:-all}" in
  all) build_etcd; build_kwok; build_helm; build_k8s; build_kube_router ;;
  k8s) build_k8s ;; etcd) build_etcd ;; kwok) build_kwok ;; helm) build_helm ;; kube-router) build_kube_router ;;
  *) echo "usage: $0 [all|k8s|etcd|kwok|helm|kube-router]" >&2; exit 2 ;;
esac
echo "$CACHE"
