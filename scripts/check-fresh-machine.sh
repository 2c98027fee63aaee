#!/usr/bin/env bash
# Does the test setup work on a fresh Debian 12 machine? In a new container made from Debian packages
# (no image registry needed), with a fresh clone of a branch of this repo:
#   1. what scripts/ensure-test-packages.sh finds missing there;
#   2. `make test-packages k8s-packages` installs it (timed), and a second run installs nothing (timed);
#   3. every tool the tiers use answers (names and versions listed);
#   4. `make test-quick` passes (typecheck, then the quick tier; `npm ci` first, as on a fresh machine).
# Not covered: the main and k8s tiers themselves (they need a Docker engine and root on the host, which a
# plain container lacks), nor `make up`'s own Docker install.
#
#   scripts/check-fresh-machine.sh [BRANCH]      (default: the current branch; commit first: it clones)
#
# The "fresh machine" is debootstrap --variant=minbase bookworm plus what our machines come with
# (/work/.library/env/machines/polyglot.md): git, make, gcc, g++, python3, ca-certificates, and this host's
# Node.js 20 and npm, mounted read-only. It is kept as the image spaceport-check/fresh-bookworm:1 (remove
# it to make it again). Output: test-artifacts/fresh-machine/check.log. Needs root and a Docker engine.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
branch="${1:-$(git -C "$repo" rev-parse --abbrev-ref HEAD)}"
IMAGE=spaceport-check/fresh-bookworm:1
INCLUDE=ca-certificates,git,make,gcc,g++,python3,procps
out="$repo/test-artifacts/fresh-machine"
log() { echo "check-fresh-machine: $*" >&2; }
die() { log "$*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, docker)"
bash "$repo/scripts/ensure-docker.sh"
node_bin="$(readlink -f "$(command -v node)")" || die "no node on PATH"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)" || die "no npm on PATH"
[ "$("$node_bin" -p 'process.versions.node.split(".")[0]')" = 20 ] || log "note: this host's Node.js is $("$node_bin" --version), not 20"
mkdir -p "$out"
work="$(mktemp -d /var/tmp/spaceport-fresh-check.XXXXXX)"
container="spaceport-fresh-check-$$"
cleanup() {
  docker rm -f "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# The fresh machine's image, from Debian packages (as builder/base-images.ts makes base images).
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  command -v debootstrap >/dev/null || die "debootstrap is missing. Fix: apt-get install -y debootstrap"
  mirror="$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
  log "making $IMAGE: debootstrap --variant=minbase --include=$INCLUDE bookworm from $mirror (~1-2 min)"
  debootstrap --variant=minbase --include="$INCLUDE" bookworm "$work/rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $out/debootstrap.log"
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb %s bookworm-security main\n' \
    "$mirror" "$mirror" "${mirror%/debian}/debian-security" >"$work/rootfs/etc/apt/sources.list"
  # Our machines trust this host's CA bundle (the only way out to npm, PyPI and Debian here).
  cp /etc/ssl/certs/ca-certificates.crt "$work/rootfs/etc/ssl/certs/ca-certificates.crt"
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
  tar -C "$work/rootfs" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$IMAGE" >/dev/null
  rm -rf "$work/rootfs"
fi

# A fresh clone of the branch, as CI gets it.
git clone -q --no-local --bare --single-branch --branch "$branch" "$repo" "$work/spaceport.git"
commit="$(git -C "$work/spaceport.git" rev-parse HEAD)"
log "checking $branch ($commit) in a fresh container; log: $out/check.log"

node_mounts=(-v "$node_bin:/usr/bin/node:ro" -v "$npm_dir:/usr/lib/node_modules/npm:ro")
# node-gyp builds native modules against these headers when no prebuilt binary can be downloaded.
[ -d /usr/include/node ] && node_mounts+=(-v /usr/include/node:/usr/include/node:ro -e NPM_CONFIG_NODEDIR=/usr)

set +e
docker run --name "$container" --init \
  -v "$work/spaceport.git:/src.git:ro" "${node_mounts[@]}" \
  -e BRANCH="$branch" -e CI=true \
  -e NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt -e PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
  -e NPM_CONFIG_FUND=false -e NPM_CONFIG_AUDIT=false -e NPM_CONFIG_UPDATE_NOTIFIER=false \
  "$IMAGE" bash -c '
set -euo pipefail
step() { echo; echo "=== $*"; }
ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/bin/npm
ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/bin/npx
step "machine: Debian $(cat /etc/debian_version), node $(node --version), npm $(npm --version), $(python3 --version), $(git --version)"
git clone -q -b "$BRANCH" /src.git /root/spaceport
cd /root/spaceport
git log --oneline -1

step "missing before (scripts/ensure-test-packages.sh all --check)"
bash scripts/ensure-test-packages.sh all --check || true

step "make test-packages k8s-packages"
s=$(date +%s); make test-packages k8s-packages; echo "took $(( $(date +%s) - s )) s"
step "again: nothing to install"
s=$(date +%s); make test-packages k8s-packages; echo "took $(( $(date +%s) - s )) s"
bash scripts/ensure-test-packages.sh all --check && echo "ensure-test-packages all --check: nothing missing"

step "tools"
fail=0
tool() { local name="$1"; shift; if v="$("$@" 2>&1 | head -1)"; then printf "  %-28s %s\n" "$name" "$v"; else printf "  %-28s MISSING (%s)\n" "$name" "$v"; fail=1; fi; }
tool git git --version
tool git-lfs git lfs version
tool curl curl --version
tool debootstrap dpkg-query -W -f "\${Version}" debootstrap
tool chromium /usr/bin/chromium --version
tool wrk sh -c "wrk -v 2>&1 | grep -m1 wrk"
tool nginx sh -c "nginx -v 2>&1"
tool haproxy sh -c "haproxy -v | head -1"
tool "busybox (static)" sh -c "! ldd /bin/busybox >/dev/null 2>&1 && /bin/busybox | head -1"
tool dockerd dockerd --version
tool ip ip -V
tool containerd containerd --version
tool containerd-shim-runc-v2 sh -c "command -v containerd-shim-runc-v2"
tool runc runc --version
tool "CNI plugins" sh -c "ls /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/portmap /usr/lib/cni/loopback | tr \"\\n\" \" \""
tool docker-registry sh -c "docker-registry --version"
tool gcc gcc --version
tool "libc6-dev" sh -c "ls /usr/include/stdio.h"
tool openssl openssl version
tool python3-venv python3 -c "import venv, ensurepip; print(\"venv, ensurepip\")"
tool huggingface_hub python3 -c "import huggingface_hub; print(huggingface_hub.__version__)"
[ "$fail" = 0 ] || { echo "some tools are missing"; exit 1; }

step "make deps (npm ci, as make test-quick does first on a fresh clone)"
s=$(date +%s); make deps; echo "took $(( $(date +%s) - s )) s"
step "make test-quick"
s=$(date +%s); make test-quick; echo "make test-quick took $(( $(date +%s) - s )) s"
' 2>&1 | tee "$out/check.log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 0 ]; then log "PASSED ($branch $commit)"; else log "FAILED with $rc ($branch $commit); see $out/check.log"; fi
exit "$rc"
