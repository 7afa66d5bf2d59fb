#!/usr/bin/env bash
# Creates or refreshes the project's Python virtualenv (.venv).
#
#   bash scripts/ensure-venv.sh [--quiet] [--runtime]
#
# --runtime installs only requirements.txt (what the ML scripts and local mode run on: seconds), so that
# `npm run local` on a fresh machine does not wait for the test and template-check tools; without it
# requirements-dev.txt is installed on top. Each layer is reinstalled only when its files change (hashes in
# .venv/.requirements.sha256 and .venv/.requirements-dev.sha256), so calling this before every command costs a few
# milliseconds once the venv exists. A change to requirements.txt rebuilds the venv from scratch.
set -euo pipefail

quiet=false
runtime_only=false
for arg in "$@"; do
  case "$arg" in
    --quiet) quiet=true ;;
    --runtime) runtime_only=true ;;
    *) echo "error: unknown option '$arg' (use --quiet and/or --runtime)" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
runtime_stamp="$venv/.requirements.sha256"
dev_stamp="$venv/.requirements-dev.sha256"
python="${PYTHON:-python3}"

runtime_hash="$(sha256sum < "$root/requirements.txt" | cut -d' ' -f1)"
dev_hash="$(cat "$root/requirements.txt" "$root/requirements-dev.txt" | sha256sum | cut -d' ' -f1)"

pip_install() {
  # --no-compile: byte-compiling every installed module up front costs ~20 s; Python compiles what it imports.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$1" >&2
}

if [[ ! -x "$venv/bin/python" || ! -f "$runtime_stamp" || "$(cat "$runtime_stamp")" != "$runtime_hash" ]]; then
  if ! command -v "$python" >/dev/null 2>&1; then
    echo "error: '$python' was not found. Install Python 3.11 (the Glue 5.0 runtime's version; the pinned libraries have wheels for it) or set PYTHON=/path/to/python3.11." >&2
    exit 1
  fi
  version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  if [[ "$version" != "3.11" ]]; then
    echo "warning: $python is Python $version; the pinned libraries are chosen for Python 3.11. Set PYTHON=/path/to/python3.11 if installation fails." >&2
  fi
  echo "Creating Python venv in $venv with the ML libraries (first run or requirements.txt changed)..." >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  pip_install "$root/requirements.txt"
  echo "$runtime_hash" > "$runtime_stamp"
fi

if ! $runtime_only && [[ ! -f "$dev_stamp" || "$(cat "$dev_stamp")" != "$dev_hash" ]]; then
  echo "Installing the test and template-check tools into $venv (requirements-dev.txt; a minute or so, once)..." >&2
  pip_install "$root/requirements-dev.txt"
  echo "$dev_hash" > "$dev_stamp"
fi

$quiet || echo "Python venv is up to date: $venv"
