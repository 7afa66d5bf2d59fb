"""Session fixtures: problem_types.json and small models trained once per problem type."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from testkit import ML_DIR, TrainedModel, ml_module, run_training, write_model_archive


@pytest.fixture(scope="session")
def problem_types() -> dict[str, Any]:
    with open(ML_DIR / "problem_types.json", encoding="utf-8") as handle:
        return json.load(handle)


@pytest.fixture(scope="session")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], TrainedModel]:
    """Factory: generated data -> preprocess.py -> train.py (as SageMaker runs it) -> model.tar.gz, once per type."""
    cache: dict[str, TrainedModel] = {}

    def build(problem_type: str) -> TrainedModel:
        if problem_type in cache:
            return cache[problem_type]
        root = tmp_path_factory.mktemp(f"trained-{problem_type}")
        data = ml_module("sample_data").generate(1500, 11, problem_type)
        (root / "input").mkdir()
        data.to_csv(root / "input" / "data.csv", index=False)
        preprocess = ml_module("preprocess")
        exit_code = preprocess.main(
            [
                "--problem-type", problem_type,
                "--label-column", "target",
                "--input-dir", str(root / "input"),
                "--train-dir", str(root / "train"),
                "--validation-dir", str(root / "validation"),
                "--test-dir", str(root / "test"),
            ]
        )
        assert exit_code == 0
        completed = run_training(
            root / "train", root / "validation", root / "model", root / "output",
            "--num_round", "150", "--eta", "0.15", "--max_depth", "4", "--early_stopping_rounds", "15",
        )
        assert completed.returncode == 0, completed.stderr
        archive_dir = root / "artifact"
        write_model_archive(root / "model", archive_dir)
        model = TrainedModel(
            problem_type=problem_type,
            data=data,
            train_dir=root / "train",
            validation_dir=root / "validation",
            test_dir=root / "test",
            model_dir=root / "model",
            archive_dir=archive_dir,
            output_data_dir=root / "output",
            stdout=completed.stdout,
        )
        cache[problem_type] = model
        return model

    return build
