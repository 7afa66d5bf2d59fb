"""Test utilities: paths, the ML scripts loaded as modules, and training runs as SageMaker starts them.

The scripts under ml/ are single files meant to run on their own, so they are imported by file path.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

REPO_ROOT = Path(__file__).resolve().parents[2]
ML_DIR = REPO_ROOT / "ml"
RUNTIME_DIR = REPO_ROOT / "local" / "runtime"
PYTHON = sys.executable
PROBLEM_TYPES = ("regression", "binary_classification")

_modules: dict[str, ModuleType] = {}


def load_script(path: Path, name: str) -> ModuleType:
    """Import a standalone script by path under a unique module name (loaded once per session)."""
    if name not in _modules:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _modules[name] = module
    return _modules[name]


def ml_module(script: str) -> ModuleType:
    return load_script(ML_DIR / f"{script}.py", f"ml_{script}")


def write_model_archive(model_dir: Path, archive_dir: Path) -> Path:
    """model.tar.gz with xgboost-model (and schema.json) at its root, as SageMaker packs /opt/ml/model."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    archive = archive_dir / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name in sorted(os.listdir(model_dir)):
            tar.add(model_dir / name, arcname=name)
    return archive


@dataclass(frozen=True)
class TrainedModel:
    problem_type: str
    data: pd.DataFrame  # the generated input data
    train_dir: Path
    validation_dir: Path
    test_dir: Path
    model_dir: Path  # extracted artifact: xgboost-model + schema.json
    archive_dir: Path  # holds model.tar.gz
    output_data_dir: Path
    stdout: str  # training log

    @property
    def summary(self) -> dict[str, Any]:
        with open(self.output_data_dir / "training_summary.json", encoding="utf-8") as handle:
            return json.load(handle)


def run_training(
    train_dir: Path, validation_dir: Path, model_dir: Path, output_data_dir: Path, *hyperparameters: str
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SM_CHANNEL_TRAIN": str(train_dir),
        "SM_CHANNEL_VALIDATION": str(validation_dir),
        "SM_MODEL_DIR": str(model_dir),
        "SM_OUTPUT_DATA_DIR": str(output_data_dir),
    }
    return subprocess.run(
        [PYTHON, str(ML_DIR / "train.py"), "--nthread", "1", *hyperparameters],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
