#!/usr/bin/env bash
# Prototype of the chosen snapshot-wake path (ARCHITECTURE.md, "Snapshot wake"): an OCI runtime that
# dockerd knows as `spaceport-restore` (dockerd --add-runtime, or "runtimes" in daemon.json). It is runc,
# except that `create` of a container that has a snapshot under $SNAPSHOT_ROOT/<container id>/ restores
# it (runc restore --detach) instead of creating it, and the `start` that follows is then a no-op.
# Docker keeps managing the container: its state, events, logs (the shim's stdio pipes are handed to
# the restored process: runc maps them through descriptors.json), stop, inspect.
set -euo pipefail
RUNC="${SPACEPORT_RUNC:-runc}"
CRIU="${SPACEPORT_CRIU:?}"
SNAPSHOT_ROOT="${SPACEPORT_SNAPSHOT_ROOT:?}"
args=("$@")
global=()
i=0
# Global options come before the command (containerd-shim-runc-v2: --root, --log, --log-format, --systemd-cgroup).
while [ $i -lt ${#args[@]} ]; do
  a="${args[$i]}"
  case "$a" in
    --root | --log | --log-format | --criu | --rootless) global+=("$a" "${args[$((i + 1))]}"); i=$((i + 2)) ;;
    --*) global+=("$a"); i=$((i + 1)) ;;
    *) break ;;
  esac
done
cmd="${args[$i]:-}"
rest=("${args[@]:$((i + 1))}")
id="${rest[-1]:-}"
snap="$SNAPSHOT_ROOT/$id"
case "$cmd" in
  create)
    if [ -f "$snap/ready" ]; then
      # create's own options (--bundle, --pid-file, --console-socket, --no-pivot…) are restore's too.
      opts=("${rest[@]:0:${#rest[@]}-1}")
      mkdir -p "$snap/work"
      if "$RUNC" "${global[@]}" --criu "$CRIU" restore --detach "${opts[@]}" --image-path "$snap/images" --work-path "$snap/work" \
          --file-locks "$id"; then
        touch "$snap/restored"
        rm -f "$snap/ready"
        exit 0
      fi
      # Restore failed: say why in the run log (the shim's stderr), drop the snapshot, start cold.
      echo "spaceport: restore failed, cold start" >&2
      rm -f "$snap/ready"
    fi
    ;;
  start)
    if [ -f "$snap/restored" ]; then
      rm -f "$snap/restored"
      exit 0
    fi
    ;;
esac
exec "$RUNC" "$@"
