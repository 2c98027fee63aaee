#!/usr/bin/env bash
# Make sure an haproxy binary is there for the native data plane (SPACEPORT_DATA_PLANE=haproxy|auto).
# On Debian as root: install Debian's package (2.6 on bookworm). Spaceport runs it itself, with its own
# config and runtime socket in the data dir (the package's service is not used). Anywhere else: a note,
# and `auto` keeps the Node path. Never fails `make up`: HAProxy is an accelerator, not a requirement.
set -euo pipefail

BIN="${SPACEPORT_HAPROXY:-haproxy}"
if command -v "$BIN" >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; then
  echo "spaceport: installing haproxy (the native data plane for running public Spaces) ..." >&2
  if apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends haproxy >/dev/null; then
    # The package starts its own service where there is an init system: Spaceport runs its own instance.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet haproxy 2>/dev/null; then systemctl disable --now haproxy >/dev/null 2>&1 || true; fi
    exit 0
  fi
  echo "spaceport: note: installing haproxy failed; Spaceport's own proxy serves every request (SPACEPORT_DATA_PLANE=node)." >&2
  exit 0
fi
echo "spaceport: note: haproxy is not installed; Spaceport's own proxy serves every request. For the native data plane: apt-get install haproxy (or set SPACEPORT_HAPROXY to a binary)." >&2
