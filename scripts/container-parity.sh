#!/usr/bin/env bash
# Runs the ML scripts' tests under the Python and library versions of the SageMaker images that run them, which are
# older than the project's .venv (Python 3.11, pandas 1.5.3, numpy 1.26.4):
#   .venv-xgboost-1.7-1  Python 3.8 + requirements-container-xgboost-1.7-1.txt  train / evaluate / inference tests
#   .venv-sklearn-1.2-1  Python 3.9 + requirements-container-sklearn-1.2-1.txt  preprocess / sample-data / baseline tests
# Each venv is (re)built only when it is missing or its requirements file changed (hash in <venv>/.requirements.sha256,
# as scripts/ensure-venv.sh does), so a second run only costs the tests.
#
#   bash scripts/container-parity.sh                 both images
#   bash scripts/container-parity.sh xgboost         one image (xgboost or sklearn)
#   PYTHON38=/path/to/python3.8 PYTHON39=/path/to/python3.9 bash scripts/container-parity.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# find_python VERSION OVERRIDE_VARIABLE: prints a working interpreter of that minor version, or fails saying how to
# get one. Order: the override variable, pythonX.Y on PATH, pyenv's versions folder.
find_python() {
  local version="$1" variable="$2" override="${!2:-}" candidate
  local -a candidates=()
  if [[ -n "$override" ]]; then
    candidates=("$override")
  else
    candidates+=("python$version")
    local pyenv_root="${PYENV_ROOT:-$HOME/.pyenv}"
    # Highest patch release first.
    while IFS= read -r candidate; do candidates+=("$candidate"); done < <(
      ls -d "$pyenv_root/versions/$version".*/bin/"python$version" 2>/dev/null | sort -t. -k3,3nr
    )
  fi
  for candidate in "${candidates[@]}"; do
    # A pyenv shim exists even when it cannot run: ask the interpreter itself.
    if "$candidate" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$version' else 1)" \
      >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  if [[ -n "$override" ]]; then
    echo "error: $variable=$override is not a working Python $version interpreter." >&2
  else
    echo "error: no Python $version interpreter found (tried python$version on PATH and" \
      "${PYENV_ROOT:-$HOME/.pyenv}/versions/$version.*)." >&2
  fi
  echo "  Install Python $version (e.g. 'pyenv install $version') or set $variable=/path/to/python$version." >&2
  return 1
}

# ensure_venv DIR PYTHON REQUIREMENTS_FILE
ensure_venv() {
  local venv="$1" python="$2" requirements="$3"
  local stamp="$venv/.requirements.sha256" want
  want="$( (cat "$requirements"; "$python" -c 'import sys; print(sys.version)') | sha256sum | cut -d' ' -f1)"
  if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "$venv is up to date"
    return 0
  fi
  echo "Creating $venv from $requirements with $python (first run or requirements changed)..."
  rm -rf "$venv"
  "$python" -m venv "$venv"
  # --only-binary for the compiled libraries: building numpy/pandas/scipy from source on a CI machine takes far
  # longer than the tests; fail instead, so the requirements file gets a version that has a wheel.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile --use-pep517 \
    --only-binary numpy,pandas,scipy,scikit-learn,xgboost -r "$requirements"
  echo "$want" > "$stamp"
}

# prepare_image NAME PYTHON_VERSION OVERRIDE_VARIABLE: the image's venv, created or refreshed (exits on failure).
prepare_image() {
  local name="$1" version="$2" variable="$3" python
  echo "== $name image parity (Python $version)"
  python="$(find_python "$version" "$variable")"
  ensure_venv "$root/.venv-$name" "$python" "$root/requirements-container-$name.txt"
}

# test_image NAME TEST_PATH...
test_image() {
  local name="$1"
  shift
  # CONTAINER_PARITY_IMAGE tells test/python/containers which requirements file this venv must match.
  CONTAINER_PARITY_IMAGE="$name" "$root/.venv-$name/bin/python" -m pytest -q -p no:cacheprovider "$@"
}

(( $# > 0 )) || set -- xgboost sklearn
status=0
for image in "$@"; do
  case "$image" in
    xgboost)
      prepare_image xgboost-1.7-1 3.8 PYTHON38
      test_image xgboost-1.7-1 \
        test/python/containers \
        test/python/ml/test_train.py test/python/ml/test_evaluate.py \
        test/python/ml/test_inference.py test/python/ml/test_inference_toolkit.py || status=1
      ;;
    sklearn)
      prepare_image sklearn-1.2-1 3.9 PYTHON39
      test_image sklearn-1.2-1 \
        test/python/containers \
        test/python/ml/test_preprocess.py test/python/ml/test_sample_data.py test/python/ml/test_baseline.py || status=1
      ;;
    *)
      echo "error: unknown image '$image': use xgboost or sklearn" >&2
      exit 2
      ;;
  esac
done
exit "$status"
