#!/usr/bin/env bash
# Registers the snapshot-wake runtime (scripts/criu/restore-runtime.sh) in the Docker engine as
# `spaceport-restore`: writes a small launcher next to the snapshots (it names the CRIU and the
# snapshot root, which dockerd cannot pass), adds it under "runtimes" in daemon.json, and has a
# running dockerd reload it (SIGHUP: no restart, the Spaces keep running).
# Usage: register-runtime.sh <criu binary> <snapshot root>   (root, since it edits daemon.json)
# Env: SPACEPORT_DAEMON_JSON (default /etc/docker/daemon.json), SPACEPORT_DOCKERD_PID (default: dockerd's pid file).
set -euo pipefail
criu="${1:?criu binary}"
root="${2:?snapshot root}"
here="$(cd "$(dirname "$0")" && pwd)"
daemon_json="${SPACEPORT_DAEMON_JSON:-/etc/docker/daemon.json}"
command -v jq > /dev/null || { echo "register-runtime: jq is needed (apt-get install jq)" >&2; exit 1; }
mkdir -p "$root"
chmod 700 "$root"
launcher="$(dirname "$root")/spaceport-restore"
cat > "$launcher.tmp" <<LAUNCHER
#!/bin/sh
SPACEPORT_CRIU=$criu
SPACEPORT_SNAPSHOT_ROOT=$root
export SPACEPORT_CRIU SPACEPORT_SNAPSHOT_ROOT
exec "$here/restore-runtime.sh" "\$@"
LAUNCHER
chmod 755 "$launcher.tmp"
mv "$launcher.tmp" "$launcher"
mkdir -p "$(dirname "$daemon_json")"
[ -s "$daemon_json" ] || echo '{}' > "$daemon_json"
jq --arg p "$launcher" '.runtimes["spaceport-restore"] = {path: $p}' "$daemon_json" > "$daemon_json.tmp"
mv "$daemon_json.tmp" "$daemon_json"
pidfile="${SPACEPORT_DOCKERD_PID:-/var/run/docker.pid}"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2> /dev/null; then kill -HUP "$(cat "$pidfile")"; fi
echo "$launcher"
