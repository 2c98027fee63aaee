#!/usr/bin/env bash
# The snapshot-wake runtime (ARCHITECTURE.md, "Snapshot wake"): an OCI runtime that dockerd knows as
# `spaceport-restore` ("runtimes" in daemon.json, or dockerd --add-runtime). It is runc, except that:
# - `create` of a container that has a ready snapshot under $SPACEPORT_SNAPSHOT_ROOT/<container id>/
#   restores it (runc restore --detach) instead of creating it, and the `start` that follows is then a
#   no-op. Docker keeps managing the container: its state, events, logs (the shim's stdio pipes are
#   handed to the restored process: runc maps them through descriptors.json), stop, inspect.
# - every `create` names our CRIU configuration in the bundle (annotation `org.criu.config`, which runc
#   passes to CRIU on checkpoint and restore): `tcp-close`, so a connection the app holds at the
#   dump (Gradio's own outbound calls, a visitor's keep-alive) is dumped closed instead of refusing
#   the dump (runc 1.1 has no --tcp-close flag); and `skip-in-flight`, so a connection still in the
#   app's listen queue (a probe or a visitor arriving at the dump) is dropped instead of refusing the
#   dump ("In-flight connection", seen in docs/benchmarks.md s30; that client is reset either way).
# - lazy pages: when Spaceport asked for them (<snapshot>/lazy holds the page server's deadline in
#   seconds: it does for a large snapshot), the restore starts `criu lazy-pages` (lazy-pages-daemon.sh)
#   and runs `runc restore --lazy-pages`: the app runs at once and its memory comes in on demand
#   (userfaultfd). When the daemon does not come up or the lazy restore fails, the restore is eager,
#   and <snapshot>/lazy-fallback says why.
# The outcome is left in <snapshot>/outcome (`restored` or `failed`), <snapshot>/pages (`lazy` or
# `eager`) and <snapshot>/timings (when this runtime was called, how long the restore took) for
# Spaceport, which reads them after the start, and said in the run log (the shim's stderr is the
# container's).
set -euo pipefail
called_at="$EPOCHREALTIME"
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

# The bundle directory of create's --bundle/-b (default: the current directory).
bundle_of() {
  local b=. j
  for ((j = 0; j < ${#rest[@]}; j++)); do
    case "${rest[$j]}" in
      --bundle | -b) b="${rest[$((j + 1))]}" ;;
      --bundle=*) b="${rest[$j]#--bundle=}" ;;
    esac
  done
  echo "$b"
}

# The container's CRIU configuration (<root>/<id>.criu.conf, named in its bundle): tcp-close and skip-in-flight for the dump
# and the restore; while a restore runs, also mntns-compat-mode (CRIU's newer mount engine cannot restore
# Docker's file bind mounts, docker-init and /etc/resolv.conf; the option is refused on dump).
criu_conf="$SNAPSHOT_ROOT/$id.criu.conf"
write_criu_conf() { printf '%s\n' tcp-close skip-in-flight "$@" > "$criu_conf"; }
name_criu_config() {
  local config
  write_criu_conf
  config="$(bundle_of)/config.json"
  command -v jq > /dev/null && [ -f "$config" ] || return 0
  jq --arg f "$criu_conf" '.annotations["org.criu.config"] = $f' "$config" > "$config.spaceport" && mv "$config.spaceport" "$config"
}

# Starts the lazy-pages daemon for this restore in a session of its own (its process group is ended if
# it is not used); true once its socket is there. Its output goes to its log in the work directory,
# never to the container's stdio.
lazy_pgid=
start_lazy_pages() {
  local deadline k
  deadline="$(cat "$snap/lazy" 2> /dev/null || true)"
  if ! [[ "$deadline" =~ ^[1-9][0-9]{0,4}$ ]]; then echo "no valid deadline in $snap/lazy" > "$snap/lazy-fallback"; return 1; fi
  rm -f "$snap/work/lazy-pages.socket" 2> /dev/null || true
  setsid "$(dirname "$0")/lazy-pages-daemon.sh" "$CRIU" "$snap" "$deadline" "$id" "$RUNC" "${global[@]}" < /dev/null > /dev/null 2>&1 &
  lazy_pgid=$!
  for ((k = 0; k < 400; k++)); do
    [ -S "$snap/work/lazy-pages.socket" ] && return 0
    if ! kill -0 "$lazy_pgid" 2> /dev/null; then
      echo "the lazy-pages daemon exited: $(grep -m1 Error "$snap/work/lazy-pages.log" 2> /dev/null || echo 'no log')" > "$snap/lazy-fallback"
      lazy_pgid=
      return 1
    fi
    sleep 0.005
  done
  echo "the lazy-pages daemon did not listen within 2 s" > "$snap/lazy-fallback"
  stop_lazy_pages
  return 1
}
stop_lazy_pages() {
  [ -n "$lazy_pgid" ] && kill -KILL -- "-$lazy_pgid" 2> /dev/null
  lazy_pgid=
  return 0
}

# A container that joins a kept network namespace (a network sandbox's: netns-sandbox.ts) finds there the
# network lock CRIU's dump left (iptables chain CRIU dropping all but CRIU's own packets; a restore
# removes it, a cold start would get no traffic): removed before a cold create. No-op without the chain.
unlock_kept_netns() {
  local ns
  command -v jq > /dev/null || return 0
  ns="$(jq -r '.linux.namespaces[]? | select(.type == "network") | .path // empty' "$(bundle_of)/config.json" 2> /dev/null)" || return 0
  [ -n "$ns" ] || return 0
  nsenter --net="$ns" iptables -w -n -L CRIU > /dev/null 2>&1 || return 0
  nsenter --net="$ns" sh -c 'iptables -w -D INPUT -j CRIU; iptables -w -D OUTPUT -j CRIU; iptables -w -F CRIU; iptables -w -X CRIU' > /dev/null 2>&1 || true
}

# CRIU's kernel probe cache (seed-kdat.sh), when another CRIU on the host dropped it as stale: seeded
# again in the background, after this create's own work, so that the next dump and restore find it.
reseed_kdat() { [ -s /run/criu.kdat ] || setsid "$(dirname "$0")/seed-kdat.sh" "$CRIU" < /dev/null > /dev/null 2>&1 & }

case "$cmd" in
  create)
    name_criu_config || true
    if [ -f "$snap/ready" ]; then
      # create's own options (--bundle, --pid-file, --console-socket, --no-pivot…) are restore's too.
      opts=("${rest[@]:0:${#rest[@]}-1}")
      rm -f "$snap/ready" "$snap/outcome" "$snap/pages" "$snap/lazy-fallback"
      mkdir -p "$snap/work"
      write_criu_conf mntns-compat-mode
      trap write_criu_conf EXIT
      restore() { "$RUNC" "${global[@]}" --criu "$CRIU" restore --detach "${opts[@]}" --image-path "$snap/images" --work-path "$snap/work" --file-locks "$@" "$id"; }
      pages=eager
      restore_at="$EPOCHREALTIME"
      if [ -f "$snap/lazy" ] && start_lazy_pages; then
        if restore --lazy-pages; then
          pages=lazy
        else
          stop_lazy_pages
          echo "the lazy restore failed: $(grep -m1 Error "$snap/work/restore.log" 2> /dev/null || echo 'no log')" > "$snap/lazy-fallback"
        fi
      fi
      if [ "$pages" = lazy ] || restore; then
        printf '%s %s %s\n' "$called_at" "$restore_at" "$EPOCHREALTIME" > "$snap/timings"
        echo "$pages" > "$snap/pages"
        touch "$snap/restored"
        echo restored > "$snap/outcome"
        echo "spaceport: restored from snapshot (taken $(cat "$snap/taken" 2> /dev/null || echo '?'))" >&2
        reseed_kdat
        exit 0
      fi
      # (runc's stderr stays the shim's: the restored app's stdio is mapped onto this process's.)
      # Restore failed: say so in the run log, leave the outcome for Spaceport, start cold.
      echo failed > "$snap/outcome"
      write_criu_conf
      echo "spaceport: restore failed, cold start" >&2
    fi
    unlock_kept_netns
    reseed_kdat
    ;;
  start)
    if [ -f "$snap/restored" ]; then
      rm -f "$snap/restored"
      exit 0
    fi
    ;;
esac
exec "$RUNC" "$@"
