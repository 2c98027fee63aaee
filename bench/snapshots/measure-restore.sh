#!/usr/bin/env bash
# Measures the chosen snapshot-wake path on a Docker engine started with the restore runtime
# (scripts/criu/restore-runtime.sh registered as `spaceport-restore`): for a running container of
# that runtime, ROUNDS times: a cold wake (docker stop, docker start, first HTTP answer) and a snapshot
# wake (runc checkpoint, docker start, first HTTP answer), with dump time and image size.
#   DOCKER_HOST=unix://… RUNC_ROOT=<exec-root>/runtime-runc/moby SNAPSHOT_ROOT=… SPACEPORT_CRIU=… \
#     bench/snapshots/measure-restore.sh CONTAINER PORT [ROUNDS]
# A prototype's measuring script: ARCHITECTURE.md, "Snapshot wake", says what it showed.
set -euo pipefail
name="$1"; port="$2"; rounds="${3:-2}"
: "${RUNC_ROOT:?}" "${SNAPSHOT_ROOT:?}" "${SPACEPORT_CRIU:?}"
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
first_byte() { # seconds from $1 until the container answers HTTP on $port
  local ip; ip="$(docker inspect "$name" --format '{{.NetworkSettings.IPAddress}}')"
  for _ in $(seq 1 12000); do
    curl -s -o /dev/null -m 1 "http://$ip:$port/" && { since "$1"; return; }
    sleep 0.01
  done
  echo "no answer"; return 1
}
id="$(docker inspect "$name" --format '{{.Id}}')"
snap="$SNAPSHOT_ROOT/$id"
first_byte "$(now)" >/dev/null
for r in $(seq 1 "$rounds"); do
  docker stop -t 2 "$name" >/dev/null
  t=$(now); docker start "$name" >/dev/null; echo "round $r cold wake to first byte: $(first_byte "$t") s"
  rm -rf "$snap"; mkdir -p "$snap/images" "$snap/dump-work"; chmod 0700 "$snap"
  # Gradio's own outbound calls at start (version check, analytics) are connected TCP sockets that
  # CRIU refuses without --tcp-established: the dump is tried again until they are gone (up to 60 s).
  for _ in $(seq 1 30); do
    t=$(now)
    runc --root "$RUNC_ROOT" --criu "$SPACEPORT_CRIU" checkpoint --image-path "$snap/images" --work-path "$snap/dump-work" --file-locks "$id" 2>/dev/null && break
    grep -q "Connected TCP socket" "$snap/dump-work/dump.log" || { echo "dump failed: $(grep Error "$snap/dump-work/dump.log" | head -3)"; exit 1; }
    sleep 2
  done
  echo "round $r dump: $(since "$t") s, image $(du -sm "$snap/images" | cut -f1) MB"
  touch "$snap/ready"
  t=$(now); docker start "$name" >/dev/null; fb="$(first_byte "$t")"
  if [ -f "$snap/ready" ]; then echo "round $r: restore not attempted"; else
    grep -q "restore failed" <(docker logs --since 30s "$name" 2>&1) && echo "round $r: RESTORE FAILED (cold start)"
    echo "round $r snapshot wake to first byte: $fb s (criu restore $(grep -oE '^\([0-9.]+\)' "$snap/work/restore.log" | tail -1))"
  fi
done
