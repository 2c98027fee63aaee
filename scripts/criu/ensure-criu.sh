#!/usr/bin/env bash
# A CRIU that works on this host, for snapshot wake (ARCHITECTURE.md, "Snapshot wake"). Debian 12's
# criu 3.17 fails at start on our kernels, trixie's 4.1.1 binary needs a newer glibc, so this builds
# CRIU 4.1.1 from trixie's source package with our two patches (scripts/criu/patches/), once, cached
# outside the repo keyed by version and patch hash:
#   $SPACEPORT_TOOLS_CACHE/criu-$CRIU_VERSION-p<hash>/bin/criu
# Prints the binary's path on stdout; everything else goes to stderr. ~35 s on 2 cores cold, then instant.
#
#   scripts/criu/ensure-criu.sh            # build when missing (installs the build packages as root on Debian)
#   scripts/criu/ensure-criu.sh --path     # print where the binary would be, build nothing
#
# The source comes through apt from a private configuration (its own sources.list with only
# `deb-src … trixie main`, its own lists and cache under the tools cache): the machine's apt setup is
# not touched. Only the upstream tarball exists there for this version (the .dsc answers 404), so the
# tarball's sha256 is pinned here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
CRIU_VERSION=4.1.1
CRIU_ORIG_SHA256=f80a66cb3726bb2116266d4759ce3bcbfab7abdb6b6d430bf20dd41911717afe
CRIU_SUITE="${SPACEPORT_CRIU_SUITE:-trixie}"
MIRROR="${SPACEPORT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
CACHE="${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}"
BUILD_PACKAGES=(gcc make pkgconf libbsd-dev libcap-dev libnet1-dev libnl-3-dev libprotobuf-c-dev libprotobuf-dev
  protobuf-c-compiler protobuf-compiler uuid-dev libgnutls28-dev libnftables-dev python3-protobuf libaio-dev)

log() { echo "criu: $*" >&2; }

patch_hash="$(cat "$here"/patches/*.patch | sha256sum | cut -c1-12)"
out="$CACHE/criu-$CRIU_VERSION-p$patch_hash"
if [ "${1:-}" = --path ]; then
  echo "$out/bin/criu"
  exit 0
fi
# CRIU's kernel probe cache, where CRIU cannot keep it itself (scripts/criu/seed-kdat.sh).
seed_kdat() { bash "$here/seed-kdat.sh" "$1" >&2 || true; }
[ -x "$out/bin/criu" ] && { seed_kdat "$out/bin/criu"; echo "$out/bin/criu"; exit 0; }

mkdir -p "$CACHE"
# One build at a time per cache: a second caller waits, then finds the binary.
exec 8>"$CACHE/.criu-build.lock"
flock 8
[ -x "$out/bin/criu" ] && { echo "$out/bin/criu"; exit 0; }

missing=()
for p in "${BUILD_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "missing build packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})"
    exit 1
  fi
  log "installing build packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
apt_dir="$CACHE/criu-apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/etc/sources.list.d" "$apt_dir/etc/preferences.d"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $CRIU_SUITE main" > "$apt_dir/etc/sources.list"
apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/etc/sources.list" -o "Dir::Etc::sourceparts=$apt_dir/etc/sources.list.d"
  -o "Dir::Etc::preferencesparts=$apt_dir/etc/preferences.d" -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache" -o "APT::Get::List-Cleanup=0" -o "APT::Sandbox::User=root")
tarball="criu_$CRIU_VERSION.orig.tar.xz"
if ! { [ -f "$apt_dir/$tarball" ] && echo "$CRIU_ORIG_SHA256  $apt_dir/$tarball" | sha256sum -c --quiet - >/dev/null 2>&1; }; then
  log "fetching the source of CRIU $CRIU_VERSION ($CRIU_SUITE, private apt configuration)"
  apt-get "${apt_opts[@]}" update >&2
  # The .dsc and Debian tarball may answer 404 (only the upstream tarball is published for this
  # version): apt then exits non-zero although the tarball came down, so the checksum decides.
  (cd "$work" && apt-get "${apt_opts[@]}" source --download-only "criu=$CRIU_VERSION-1" >&2) || true
  [ -f "$work/$tarball" ] || { log "the source tarball $tarball did not come down"; exit 1; }
  mv "$work/$tarball" "$apt_dir/$tarball"
fi
echo "$CRIU_ORIG_SHA256  $apt_dir/$tarball" | sha256sum -c --quiet - >&2 || { log "$tarball: wrong sha256"; rm -f "$apt_dir/$tarball"; exit 1; }

tar -C "$work" -xf "$apt_dir/$tarball"
src="$work/criu-$CRIU_VERSION"
for p in "$here"/patches/*.patch; do
  log "applying $(basename "$p")"
  patch -d "$src" -p1 --forward --quiet < "$p" >&2
done
log "building CRIU $CRIU_VERSION (~35 s on 2 cores)"
make -C "$src" -j"$(nproc)" criu >"$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; log "build failed"; exit 1; }
mkdir -p "$out.tmp/bin"
install -m 0755 "$src/criu/criu" "$out.tmp/bin/criu"
cp "$here"/patches/*.patch "$out.tmp/"
rm -rf "$out" && mv "$out.tmp" "$out"
log "built $out/bin/criu"
seed_kdat "$out/bin/criu"
echo "$out/bin/criu"
