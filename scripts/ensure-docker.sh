#!/usr/bin/env bash
# Make sure a Docker engine answers. If none does: on Debian as root, install docker.io and start
# dockerd (there is no systemd here); anywhere else, stop with a message naming the fix.
set -euo pipefail

# The engine's socket and log (tests point them elsewhere, with a stand-in dockerd on PATH).
SOCKET="${SPACEPORT_DOCKER_SOCKET:-/var/run/docker.sock}"
LOG="${SPACEPORT_DOCKERD_LOG:-/var/log/dockerd.log}"

docker_ok() {
  if [ -n "${DOCKER_HOST:-}" ]; then
    curl -fsS --max-time 3 "${DOCKER_HOST/tcp:/http:}/_ping" >/dev/null 2>&1 && return 0
  fi
  curl -fsS --max-time 3 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1
}

is_debian_root() { [ "$(id -u)" = 0 ] && [ -f /etc/debian_version ] && command -v apt-get >/dev/null; }

# Base images are made from Debian packages with debootstrap (no registry needed).
if ! command -v debootstrap >/dev/null 2>&1; then
  if is_debian_root; then
    echo "spaceport: installing debootstrap (builds the base images without a registry) ..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  else
    echo "spaceport: note: debootstrap is missing; base images cannot be built here. Fix: apt-get install debootstrap (or load spaceport/python:3.11 from another host with docker save/load)." >&2
  fi
fi

if docker_ok; then exit 0; fi

if ! command -v dockerd >/dev/null 2>&1; then
  if is_debian_root; then
    echo "spaceport: no Docker engine found; installing docker.io (Debian) ..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
  else
    cat >&2 <<'MSG'
spaceport: no Docker engine is reachable (tried DOCKER_HOST and /var/run/docker.sock).
Fix: install and start Docker, e.g. on Debian/Ubuntu as root:
    apt-get install -y docker.io && dockerd > /var/log/dockerd.log 2>&1 &
or point DOCKER_HOST at a running engine (DOCKER_HOST=unix:///path/to/docker.sock).
MSG
    exit 1
  fi
fi

if [ "$(id -u)" != 0 ]; then
  echo "spaceport: dockerd is installed but not running, and starting it needs root. Fix: sudo dockerd &  (or start the docker service)" >&2
  exit 1
fi

echo "spaceport: starting dockerd (log: $LOG) ..." >&2
# In its own session: Ctrl-C on `make up` (or a `timeout` that kills its process group) must not stop
# the engine, and every Space with it (test/faults/ensure-docker-session.test.ts).
host_args=()
[ "$SOCKET" != /var/run/docker.sock ] && host_args=(-H "unix://$SOCKET")
setsid -f dockerd "${host_args[@]}" > "$LOG" 2>&1 < /dev/null
for _ in $(seq 1 60); do
  if docker_ok; then exit 0; fi
  sleep 0.5
done
echo "spaceport: dockerd did not answer within 30 s; see $LOG" >&2
exit 1
