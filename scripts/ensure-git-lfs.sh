#!/usr/bin/env bash
# Stock git LFS (Debian's git-lfs), for the git LFS end-to-end suite. Idempotent: on Debian as root it is
# installed when missing; anywhere else a missing git-lfs stops with the fix.
set -euo pipefail
if git lfs version >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "spaceport: installing git-lfs (the git LFS suite uses stock git lfs) ..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git-lfs >/dev/null
  exit 0
fi
echo "spaceport: git-lfs is missing. Fix: apt-get install git-lfs (or your platform's git-lfs package)." >&2
exit 1
