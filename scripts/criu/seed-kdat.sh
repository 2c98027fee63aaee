#!/usr/bin/env bash
# CRIU probes the kernel at every start (kerndat: dozens of checks, and `iptables -L` and
# `ip6tables -L`, which wait on the xtables lock while dockerd publishes ports) unless it finds its
# cache, /run/criu.kdat. It writes that cache only when /run is a tmpfs (so that it is gone at the
# next boot); on hosts whose /run is on disk, as our VMs', it never does, and every dump, restore and
# lazy-pages daemon pays the whole probe. This seeds the cache: one probe by this CRIU in a private
# mount namespace whose /run is a fresh tmpfs, its cache copied out to /run/criu.kdat. Redone when the
# cache is missing, older than this boot or than the binary (CRIU stamps it with its build time and
# drops a cache of another build). Root only; a no-op where /run is a tmpfs (CRIU keeps its own).
# Usage: seed-kdat.sh <criu>        (SPACEPORT_CRIU_KDAT_SEED=off: leave /run alone)
set -euo pipefail
criu="${1:?criu binary}"
kdat=/run/criu.kdat
[ "${SPACEPORT_CRIU_KDAT_SEED:-on}" != off ] || exit 0
[ "$(id -u)" = 0 ] || exit 0
[ "$(stat -f -c %T /run)" != tmpfs ] || exit 0
boot="$(awk '/^btime/ {print $2}' /proc/stat)"
if [ -s "$kdat" ] && [ "$(stat -c %Y "$kdat")" -ge "$boot" ] && [ "$kdat" -nt "$criu" ]; then exit 0; fi
tmp="$(mktemp /run/criu.kdat.spaceport.XXXXXX)"
trap 'rm -f "$tmp"' EXIT
# (The redirection is opened here, outside the namespace; inside, /run is the new tmpfs.)
unshare --mount --propagation private bash -c 'mount -t tmpfs -o mode=0700 spaceport-kdat /run && "$1" check > /dev/null 2>&1; cat /run/criu.kdat' seed "$criu" > "$tmp" 2> /dev/null || true
if [ -s "$tmp" ]; then
  chmod 0600 "$tmp"
  mv -f "$tmp" "$kdat"
  echo "criu: seeded its kernel probe cache ($kdat; /run is not a tmpfs here)" >&2
else
  echo "criu: could not seed its kernel probe cache (every CRIU run probes the kernel again)" >&2
fi
