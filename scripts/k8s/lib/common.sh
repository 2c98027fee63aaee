# Shared by scripts/k8s/cluster.sh and its helpers: paths, logging, ports and the processes it owns.
# shellcheck shell=bash

log() { echo "k8s-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Milliseconds since the epoch (for timings).
now_ms() { date +%s%3N; }

# Print N distinct free TCP ports on 127.0.0.1, one a line (all held open at once, so they differ).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
}

port_in_use() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

# start_proc NAME CMD...: start CMD in its own session (it outlives this script and the caller's
# Ctrl-C), log to $STATE/logs/NAME.log, record "PID EXE" in $STATE/pids/NAME.
start_proc() {
  local name=$1; shift
  local exe; exe="$(command -v "$1")" || die "$1 not found"
  # 9>&-: the daemon must not inherit cluster.sh's lock (it would hold it for its whole life).
  setsid "$@" >"$STATE/logs/$name.log" 2>&1 </dev/null 9>&- &
  local pid=$!
  echo "$pid $(readlink -f "$exe")" >"$STATE/pids/$name"
}

# Is the process recorded for NAME alive and still the program we started (not a reused PID)?
proc_alive() {
  local file="$STATE/pids/$1" pid exe
  [ -f "$file" ] || return 1
  read -r pid exe <"$file"
  [ -n "$pid" ] && [ "$(readlink -f "/proc/$pid/exe" 2>/dev/null)" = "$exe" ]
}

proc_pid() { local pid _; read -r pid _ <"$STATE/pids/$1"; echo "$pid"; }

# stop_proc NAME [GRACE_S]: TERM, wait up to GRACE_S (default 10), then KILL. Only our recorded PID.
stop_proc() {
  local name=$1 grace=${2:-10}
  if proc_alive "$name"; then
    local pid; pid="$(proc_pid "$name")"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < grace * 10; i++)); do
      proc_alive "$name" || break
      sleep 0.1
    done
    if proc_alive "$name"; then
      log "$name (pid $pid) ignored TERM for ${grace}s: KILL"
      kill -KILL "$pid" 2>/dev/null || true
      for ((i = 0; i < 50; i++)); do proc_alive "$name" || break; sleep 0.1; done
    fi
  fi
  rm -f "$STATE/pids/$name"
}

# wait_until TIMEOUT_S WHAT CMD...: poll CMD every 0.1 s until it succeeds; die naming WHAT and its log.
wait_until() {
  local timeout=$1 what=$2; shift 2
  local deadline=$(($(now_ms) + timeout * 1000))
  until "$@" >/dev/null 2>&1; do
    if [ "$(now_ms)" -ge "$deadline" ]; then
      die "$what not ready after ${timeout}s (logs: $STATE/logs/)"
    fi
    sleep 0.1
  done
}
