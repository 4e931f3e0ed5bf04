#!/usr/bin/env bash
# Runs the interop matrix against every TensorFlow version the configured package index offers
# (issue 5 §5, the compatibility table). 2.21 runs from .venv-tf; each other version that
# installs gets its own venv under .tmp/ (.venv-tf is never touched). Prints the Markdown tables
# (scripts/tf/interop-table.mjs) at the end.
#
# Usage (repo root): bash scripts/tf/try-tf-versions.sh [VERSION ...]   (default: all offered)
set -uo pipefail
cd "$(dirname "$0")/../.."
PIP=(.venv-tf/bin/python -m pip)
PKG=tensorflow-cpu

if [ $# -gt 0 ]; then
  versions=("$@")
else
  line=$("${PIP[@]}" index versions "$PKG" --retries 0 2>/dev/null | sed -n 's/^Available versions: //p')
  IFS=', ' read -r -a versions <<<"$line"
fi
echo "== $PKG versions offered by the index: ${versions[*]:-none}"

run_matrix() {  # $1 = python with TensorFlow
  TFDATA_TF_PYTHON="$1" node --import tsx node_modules/uvu/bin.js test 'interop/matrix' --no-color |
    grep -E "Total|Passed|Duration" || true
}

for v in "${versions[@]}"; do
  [ -n "$v" ] || continue
  if [ "$v" = "2.21.0" ]; then
    echo "== $v: .venv-tf"
    run_matrix "$PWD/.venv-tf/bin/python"
    continue
  fi
  venv=".tmp/venv-tf-$v"
  echo "== $v: installing into $venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import tensorflow" >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv" &&
      "$venv/bin/pip" install -q --retries 0 "$PKG==$v" || { echo "== $v: does not install; skipped"; continue; }
  fi
  run_matrix "$PWD/$venv/bin/python"
done
node scripts/tf/interop-table.mjs
