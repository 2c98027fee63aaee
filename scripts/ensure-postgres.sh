#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests (the store contract against PostgreSQL, test/store/).
#   ensure-postgres.sh start   install Debian's `postgresql` if missing, create the cluster if missing,
#                              start it if stopped; print its URL (postgres://…) on stdout
#   ensure-postgres.sh stop    stop the cluster and delete it
#   ensure-postgres.sh install install Debian's `postgresql` if missing, nothing more (a test that runs a
#                              server of its own: test/support/postgres-server.ts)
# The cluster listens on a Unix socket only (no TCP port to collide with), in its own directory
# (mode 0700: only its owner and root reach it), with trust authentication inside that boundary.
# fsync is off: it holds test data only. Safe to call from several test files at once (flock; the
# server is started without the lock's descriptor, or it would hold the lock for its whole life).
# As root the server runs as the `postgres` user the package creates (initdb refuses root).
set -euo pipefail

DIR="${SPACEPORT_TEST_PGDIR:-${TMPDIR:-/tmp}/spaceport-test-postgres-$(id -u)}"
ACTION="${1:-start}"

pg_bin() {
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$bin" ] && [ -x "$bin/initdb" ] && echo "$bin"
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

install_postgres() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "spaceport: installing postgresql (Debian's package) for the store tests ..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    # Debian's package starts its own cluster where there is an init system: the tests use their own.
    if command -v systemctl >/dev/null 2>&1; then systemctl disable --now postgresql >/dev/null 2>&1 || true; fi
  else
    echo "spaceport: PostgreSQL is not installed and this is not Debian as root: apt-get install postgresql" >&2
    exit 1
  fi
}

BIN="$(pg_bin || true)"

case "$ACTION" in
  start)
    [ -n "$BIN" ] || { install_postgres; BIN="$(pg_bin)"; }
    mkdir -p "$(dirname "$DIR")"
    exec 9>"$DIR.lock"
    flock 9
    if [ ! -f "$DIR/data/PG_VERSION" ]; then
      rm -rf "$DIR"
      mkdir -p "$DIR/data"
      chmod 0700 "$DIR" "$DIR/data"
      if [ "$(id -u)" = 0 ]; then chown -R postgres: "$DIR"; fi
      as_owner "$BIN/initdb" -D "$DIR/data" -U spaceport --auth=trust --encoding=UTF8 --locale=C --no-sync >"$DIR.initdb.log" 2>&1 9>&- \
        || { cat "$DIR.initdb.log" >&2; exit 1; }
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2 9>&- \
        || { cat "$DIR/server.log" >&2; exit 1; }
    fi
    # The socket directory, percent-encoded as the URL's host (node-postgres reads it as a socket path).
    host="$(printf '%s' "$DIR" | sed 's|/|%2F|g')"
    echo "postgres://spaceport@${host}/postgres"
    ;;
  install)
    [ -n "$BIN" ] || install_postgres
    ;;
  stop)
    if [ -n "$BIN" ] && [ -f "$DIR/data/PG_VERSION" ]; then
      as_owner "$BIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    rm -rf "$DIR" "$DIR.lock" "$DIR.initdb.log"
    ;;
  *)
    echo "usage: $0 start|stop|install" >&2
    exit 2
    ;;
esac
