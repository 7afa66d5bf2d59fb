#!/usr/bin/env bash
# Creates or refreshes the project's Python virtualenv (.venv) from requirements*.txt.
# The venv is rebuilt only when the requirement files change (their hash is kept in .venv/.requirements.sha256),
# so calling this before every `npm test` / `npm run local` costs a few milliseconds once it exists.
set -euo pipefail

quiet=false
[[ "${1:-}" == "--quiet" ]] && quiet=true

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(cat "$root/requirements.txt" "$root/requirements-dev.txt" | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  $quiet || echo "Python venv is up to date: $venv"
  exit 0
fi

if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: '$python' was not found. Install Python 3.11 (the Glue 5.0 runtime's version; the pinned libraries have wheels for it) or set PYTHON=/path/to/python3.11." >&2
  exit 1
fi
version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
if [[ "$version" != "3.11" ]]; then
  echo "warning: $python is Python $version; the pinned libraries are chosen for Python 3.11. Set PYTHON=/path/to/python3.11 if installation fails." >&2
fi

echo "Creating Python venv in $venv (first run or requirements changed; this takes a minute or two)..." >&2
rm -rf "$venv"
"$python" -m venv "$venv"
# --no-compile: byte-compiling every installed module up front costs ~20 s; Python compiles what it imports.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$root/requirements-dev.txt" >&2
echo "$want" > "$stamp"
echo "Python venv ready: $venv" >&2
