# The test cluster's one real node, `localhost`: its own containerd (CRI) and a kubelet.
# shellcheck shell=bash

PAUSE_IMAGE="spaceport.local/pause:1"

# A one-layer image tarball (docker-archive layout, what `ctr images import` reads) holding a static
# pause binary built from lib/pause.c: no registry is needed for pod sandboxes.
build_pause_image() {
  local dir="$STATE/pause"
  mkdir -p "$dir/rootfs"
  gcc -static -Os -s -o "$dir/rootfs/pause" "$here/lib/pause.c"
  tar --owner=0 --group=0 --numeric-owner --mtime=@0 -C "$dir/rootfs" -cf "$dir/layer.tar" pause
  local layer_sha; layer_sha="$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)"
  local arch; arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
  printf '{"architecture":"%s","os":"linux","config":{"Entrypoint":["/pause"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$arch" "$layer_sha" >"$dir/config.json"
  local config_sha; config_sha="$(sha256sum "$dir/config.json" | cut -d' ' -f1)"
  mkdir -p "$dir/image/$layer_sha"
  mv "$dir/layer.tar" "$dir/image/$layer_sha/layer.tar"
  mv "$dir/config.json" "$dir/image/$config_sha.json"
  printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' \
    "$config_sha" "$PAUSE_IMAGE" "$layer_sha" >"$dir/image/manifest.json"
  tar -C "$dir/image" -cf "$dir/pause.tar" .
}

write_containerd_config() {
  local d="$STATE/containerd"
  mkdir -p "$d/root" "$d/state" "$d/opt" "$d/runc" "$STATE/cni/net.d"
  cat >"$d/config.toml" <<TOML
version = 2
root = "$d/root"
state = "$d/state"

[grpc]
  address = "$CONTAINERD_SOCK"

[debug]
  level = "warn"

[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Root here lacks CAP_SYS_RESOURCE: without this every sandbox fails ("can't get final child's PID from pipe").
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "$(command -v runc)"
        Root = "$d/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$STATE/cni/net.d"
  # The cluster's image registry speaks plain HTTP on loopback.
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$REGISTRY"]
    endpoint = ["http://$REGISTRY"]
TOML
  cat >"$STATE/cni/net.d/10-spaceport-k8s.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "spaceport-k8s",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_SUBNET" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE/cni/ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
}

write_kubelet_config() {
  local d="$STATE/kubelet"
  mkdir -p "$d/root" "$d/pki" "$d/pod-logs"
  cat >"$d/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $PKI/node.crt
tlsPrivateKeyFile: $PKI/node.key
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: $PKI/ca.crt
authorization:
  mode: Webhook
cgroupDriver: cgroupfs
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
podLogsDir: $d/pod-logs
maxPods: 110
serializeImagePulls: false
# The disk is shared with everything else on the machine: evict and collect images only when it is full.
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
YAML
}
