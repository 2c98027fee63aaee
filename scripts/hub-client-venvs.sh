#!/usr/bin/env bash
# The Python suite's two client versions, each in its own venv, cached outside the repo by version:
#   $SPACEPORT_TOOLS_CACHE/venvs/hf-1.33.0      huggingface_hub 1.33.0 (no hf_xet)
#   $SPACEPORT_TOOLS_CACHE/venvs/hf-2.4.0-xet   huggingface_hub 2.4.0 with hf_xet (as `pip install huggingface_hub` gives)
#   $SPACEPORT_TOOLS_CACHE/venvs/gradio-client-2.7.2   gradio_client 2.7.2 (runs the "Use via API" snippets)
# Each has pytest. Idempotent: a venv whose stamp matches is left alone. Prints the venv paths.
set -euo pipefail

CACHE="${SPACEPORT_TOOLS_CACHE:-$HOME/.cache/spaceport-tools}/venvs"
PY="${PYTHON:-python3}"
PYTEST_VERSION=8.4.2

mkdir -p "$CACHE"
# One maker at a time (make test and the suite may both ask).
exec 9>"$CACHE/.hub-client-venvs.lock"
flock 9

make_venv() {
  local name="$1"; shift
  local dir="$CACHE/$name"
  local want="$* pytest==$PYTEST_VERSION"
  if [ -x "$dir/bin/python" ] && [ "$(cat "$dir/.spaceport-stamp" 2>/dev/null)" = "$want" ]; then
    echo "$dir"
    return
  fi
  echo "hub-client-venvs: creating $dir ($want) ..." >&2
  # Made in place; the stamp is written last, so an interrupted install is made again next time.
  rm -rf "$dir"
  mkdir -p "$CACHE"
  "$PY" -m venv "$dir"
  # shellcheck disable=SC2086
  "$dir/bin/python" -m pip install -q --disable-pip-version-check $want >&2
  echo "$want" > "$dir/.spaceport-stamp"
  echo "$dir"
}

make_venv hf-1.33.0 'huggingface_hub==1.33.0'
make_venv hf-2.4.0-xet 'huggingface_hub==2.4.0' 'hf_xet'
make_venv gradio-client-2.7.2 'gradio_client==2.7.2'
