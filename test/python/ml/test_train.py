from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
import xgboost as xgb

from testkit import ML_DIR, PROBLEM_TYPES, TrainedModel, ml_module, run_training

sample_data = ml_module("sample_data")
preprocess = ml_module("preprocess")
train = ml_module("train")


def metric_values(log: str, regex: str) -> list[float]:
    """Every value a SageMaker MetricDefinition regex finds in the log, in order."""
    return [float(match.group(1)) for match in re.finditer(regex, log)]


@pytest.mark.parametrize("problem_type", PROBLEM_TYPES)
def test_last_metric_line_reports_the_best_iteration(
    problem_type: str, problem_types: dict[str, Any], trained: Callable[[str], TrainedModel]
) -> None:
    model = trained(problem_type)
    config = problem_types[problem_type]
    summary = model.summary
    best_iteration = summary["best_iteration"]
    metric = config["evalMetric"]

    # xgboost-style lines, one per round, then the best round repeated last
    lines = [line for line in model.stdout.splitlines() if line.startswith("[")]
    assert re.fullmatch(rf"\[0\]\ttrain-{metric}:[0-9.]+\tvalidation-{metric}:[0-9.]+", lines[0])
    assert lines[-1].startswith(f"[{best_iteration}]\t")
    assert len(lines) > best_iteration + 2  # early stopping ran past the best round

    for definition in config["metricDefinitions"]:
        values = metric_values(model.stdout, definition["Regex"])
        assert len(values) == len(lines), definition["Name"]
        channel = definition["Name"].split(":")[0]
        assert values[-1] == pytest.approx(summary["best_metrics"][f"{channel}-{metric}"], rel=1e-12)

    # The tuning objective's last value is the best validation score of the run, in the objective's direction.
    objective = config["tuningObjective"]
    objective_regex = next(d["Regex"] for d in config["metricDefinitions"] if d["Name"] == objective["MetricName"])
    validation = metric_values(model.stdout, objective_regex)
    best = min(validation) if objective["Type"] == "Minimize" else max(validation)
    assert validation[-1] == pytest.approx(best, abs=1e-5)


@pytest.mark.parametrize("problem_type", PROBLEM_TYPES)
def test_model_is_saved_trimmed_to_the_best_iteration_with_its_schema(
    problem_type: str, problem_types: dict[str, Any], trained: Callable[[str], TrainedModel]
) -> None:
    model = trained(problem_type)
    booster = xgb.Booster()
    booster.load_model(str(model.model_dir / "xgboost-model"))

    assert booster.num_boosted_rounds() == model.summary["best_iteration"] + 1
    assert booster.num_features() == len(sample_data.FEATURE_COLUMNS)
    objective = json.loads(booster.save_config())["learner"]["objective"]["name"]
    assert objective == problem_types[problem_type]["xgboostObjective"]  # derived from schema.json
    assert (model.model_dir / "schema.json").read_bytes() == (model.train_dir / "schema.json").read_bytes()
    # the serving hooks travel inside model.tar.gz (SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code)
    for module in ("inference.py", "inference_payload.py"):
        assert (model.model_dir / "code" / module).read_bytes() == (ML_DIR / module).read_bytes()
    predictions = booster.predict(xgb.DMatrix(np.zeros((2, booster.num_features()))))
    assert predictions.shape == (2,)


@pytest.fixture()
def small_split(tmp_path: Path) -> Path:
    data = sample_data.generate(120, 2, "regression")
    split = preprocess.split(data, "regression", "target")
    preprocess.write_split(
        split, "regression", "target", str(tmp_path / "train"), str(tmp_path / "validation"), str(tmp_path / "test")
    )
    return tmp_path


def train_in_process(split_dir: Path, capsys: pytest.CaptureFixture[str], *hyperparameters: str) -> tuple[int, str]:
    """Runs train.main in this process (faster than a subprocess) and returns (exit code, stderr)."""
    exit_code = train.main(
        [
            "--train", str(split_dir / "train"),
            "--validation", str(split_dir / "validation"),
            "--model-dir", str(split_dir / "model"),
            *hyperparameters,
        ]
    )
    return exit_code, capsys.readouterr().err


def test_hyperparameters_as_sagemaker_passes_them(small_split: Path) -> None:
    completed = run_training(
        small_split / "train", small_split / "validation", small_split / "model", small_split / "output",
        "--objective", '"reg:squarederror"', "--max_depth", "3.0", "--num_round", "12",
        "--early_stopping_rounds", "0", "--sagemaker_program", '"train.py"', "--eta", "0.3",
    )
    assert completed.returncode == 0, completed.stderr
    summary = json.loads((small_split / "output" / "training_summary.json").read_text())
    assert summary["params"]["max_depth"] == 3
    assert summary["params"]["objective"] == "reg:squarederror"
    assert summary["best_iteration"] == 11  # without early stopping every round is kept
    assert "ignoring arguments this script does not use: --sagemaker_program" in completed.stderr


@pytest.mark.parametrize(
    ("hyperparameters", "message"),
    [
        (("--eta", "0"), "hyperparameter eta=0.0 is invalid: it must be in (0, 1]"),
        (("--subsample", "1.5"), "hyperparameter subsample=1.5 is invalid"),
        (("--num_round", "0"), "hyperparameter num_round=0 is invalid: it must be at least 1"),
    ],
)
def test_invalid_hyperparameters_are_named(
    small_split: Path, capsys: pytest.CaptureFixture[str], hyperparameters: tuple[str, ...], message: str
) -> None:
    exit_code, stderr = train_in_process(small_split, capsys, *hyperparameters)
    assert exit_code == 1
    assert message in stderr
    assert not (small_split / "model" / "xgboost-model").exists()


def test_non_integer_value_for_an_integer_hyperparameter(small_split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        train_in_process(small_split, capsys, "--max_depth", "3.5")
    assert exit_info.value.code == 2
    assert "expected an integer, got '3.5'" in capsys.readouterr().err


def test_binary_objective_rejects_labels_other_than_0_1(small_split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    exit_code, stderr = train_in_process(small_split, capsys, "--objective", "binary:logistic")
    assert exit_code == 1
    assert "objective binary:logistic needs 0/1 labels, but the train channel has" in stderr


def test_missing_validation_channel(
    small_split: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(small_split / "validation")
    (small_split / "sm-output").mkdir()
    monkeypatch.setenv("SM_OUTPUT_DIR", str(small_split / "sm-output"))

    exit_code, stderr = train_in_process(small_split, capsys)

    assert exit_code == 1
    message = f"the validation channel directory '{small_split / 'validation'}' does not exist"
    assert message in stderr
    # SageMaker reports this file as the job's FailureReason.
    assert message in (small_split / "sm-output" / "failure").read_text()


def test_channel_with_a_header_row_is_rejected(small_split: Path, capsys: pytest.CaptureFixture[str]) -> None:
    train_csv = small_split / "train" / "train.csv"
    train_csv.write_text("target,a,b,c,d,e,f,g,h\n" + train_csv.read_text())
    exit_code, stderr = train_in_process(small_split, capsys)
    assert exit_code == 1
    assert "column 1 is not numeric (e.g. 'target' on line 1)" in stderr
