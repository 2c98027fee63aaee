#!/usr/bin/env bash
# Install schemathesis (PyPI) into a venv cached outside the repo, keyed by version, and print the
# path of its `st` command. Idempotent and fast once installed; safe to run from several processes.
# Environment: SPACEPORT_TOOLS_CACHE (~/.cache/spaceport-tools), SCHEMATHESIS_VERSION (pinned below).
set -euo pipefail

VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
CACHE="${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}"
VENV="$CACHE/venvs/schemathesis-$VERSION"
mkdir -p "$CACHE/venvs"

if [ ! -f "$VENV/.complete" ]; then
  exec 9>"$VENV.lock"
  flock 9
  if [ ! -f "$VENV/.complete" ]; then
    rm -rf "$VENV"
    echo "schemathesis: installing $VERSION into $VENV" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check "schemathesis==$VERSION" >&2
    "$VENV/bin/st" --version >/dev/null
    touch "$VENV/.complete"
  fi
fi
echo "$VENV/bin/st"
