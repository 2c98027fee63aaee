#!/usr/bin/env bash
# `make up`'s CRIU step: prints the criu binary Spaceport should use (for SPACEPORT_CRIU), or nothing.
# Never fails: when snapshots are off, SPACEPORT_CRIU is already set, or the build fails, `make up` goes
# on without it (the controller then says in its log that snapshots are off and why).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ "${SPACEPORT_SNAPSHOTS:-auto}" = off ]; then exit 0; fi
if [ -n "${SPACEPORT_CRIU:-}" ]; then echo "$SPACEPORT_CRIU"; exit 0; fi
if ! criu="$(bash "$here/ensure-criu.sh")"; then
  echo "criu: could not build CRIU (above); Spaceport starts with snapshots off" >&2
  exit 0
fi
# The engine runs Spaces through the restoring runtime (daemon.json "runtimes"; reloaded, not restarted).
data="$(realpath -m "${SPACEPORT_DATA_DIR:-.data}")"
if ! bash "$here/register-runtime.sh" "$criu" "$data/snapshots" > /dev/null; then
  echo "criu: could not register the spaceport-restore runtime in the Docker engine (above); snapshots stay off" >&2
fi
echo "$criu"
