"""The container parity venvs really hold the SageMaker images' versions (see scripts/container-parity.sh).

scripts/container-parity.sh runs these tests inside each parity venv with CONTAINER_PARITY_IMAGE set, so a parity run
proves which Python and libraries the ML tests beside them ran under. In the project's own .venv (no variable) they
check that venv against requirements*.txt instead.
"""

from __future__ import annotations

import os
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Dict, Tuple

import pytest

from testkit import REPO_ROOT

# Image -> the Python minor version it runs (docker/<version>/base/Dockerfile.cpu of the image's repository).
IMAGE_PYTHON = {"xgboost-1.7-1": (3, 8), "sklearn-1.2-1": (3, 9)}
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;#]+)")


def pins(path: Path) -> Dict[str, str]:
    """name -> version of every `name==version` line, following `-r other.txt` includes."""
    found: Dict[str, str] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found.update(pins(path.parent / line[3:].strip()))
            continue
        match = PIN.match(line)
        if match:
            found[match.group(1).lower()] = match.group(2)
    return found


def expected_environment() -> Tuple[str, Dict[str, str]]:
    image = os.environ.get("CONTAINER_PARITY_IMAGE")
    if not image:
        return "the project's .venv", pins(REPO_ROOT / "requirements-dev.txt")
    requirements = REPO_ROOT / f"requirements-container-{image}.txt"
    if image not in IMAGE_PYTHON or not requirements.is_file():
        pytest.fail(f"CONTAINER_PARITY_IMAGE={image!r} names no image; use one of {', '.join(IMAGE_PYTHON)}")
    return f"the {image} parity venv", pins(requirements)


def test_images_run_the_model_libraries_the_project_pins() -> None:
    main = pins(REPO_ROOT / "requirements.txt")
    xgboost_image = pins(REPO_ROOT / "requirements-container-xgboost-1.7-1.txt")
    sklearn_image = pins(REPO_ROOT / "requirements-container-sklearn-1.2-1.txt")
    # Models trained in one venv and served in another must be the same xgboost; preprocessing the same sklearn.
    assert main["xgboost"] == xgboost_image["xgboost"]
    assert main["scikit-learn"] == sklearn_image["scikit-learn"]
    dev = pins(REPO_ROOT / "requirements-dev.txt")
    assert xgboost_image["pytest"] == sklearn_image["pytest"] == dev["pytest"]


def test_this_python_has_the_pinned_versions() -> None:
    where, expected = expected_environment()
    image = os.environ.get("CONTAINER_PARITY_IMAGE")
    if image:
        assert sys.version_info[:2] == IMAGE_PYTHON[image], f"{where} must run Python {IMAGE_PYTHON[image]}"
    wrong = {}
    for name, version in sorted(expected.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            wrong[name] = f"{installed} (pinned {version})"
    assert not wrong, (
        f"{where} does not match its requirements: {wrong}. Rebuild it: delete it and run "
        "`bash scripts/container-parity.sh` (parity venvs) or `bash scripts/ensure-venv.sh` (.venv)"
    )
