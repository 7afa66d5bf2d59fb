from __future__ import annotations

import io
import json
import logging
import math
import re
import tarfile
from pathlib import Path
from typing import Any, Callable

import pytest

from testkit import PROBLEM_TYPES, TrainedModel, ml_module

evaluate = ml_module("evaluate")


def run_evaluate(model: TrainedModel, output_dir: Path, problem_type: str | None = None) -> int:
    return evaluate.main(
        [
            "--problem-type", problem_type or model.problem_type,
            "--model-dir", str(model.archive_dir),
            "--test-dir", str(model.test_dir),
            "--output-dir", str(output_dir),
        ]
    )


@pytest.mark.parametrize("problem_type", PROBLEM_TYPES)
def test_evaluation_json_has_the_model_registry_format(
    problem_type: str, problem_types: dict[str, Any], trained: Callable[[str], TrainedModel], tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    model = trained(problem_type)
    config = problem_types[problem_type]
    caplog.set_level(logging.INFO, logger="evaluate")

    assert run_evaluate(model, tmp_path) == 0

    report = json.loads((tmp_path / "evaluation.json").read_text())
    assert set(report) == {config["reportKey"], "baseline"}
    metrics = report[config["reportKey"]]
    for name in config["metrics"]:
        entry = metrics[name]
        assert isinstance(entry["value"], float) and math.isfinite(entry["value"]), name
        assert set(entry) <= {"value", "standard_deviation"}
    # What the pipeline's JsonGet reads for the quality gate: "<reportKey>.<metric>.value"
    gate = report
    for key in (config["reportKey"], config["defaultGateMetric"], "value"):
        gate = gate[key]
    assert isinstance(gate, float)
    # The metrics are also in the job log.
    assert re.search(rf"test metrics: .*\b{config['defaultGateMetric']}=[0-9.]+", caplog.text)


def test_regression_report_has_standard_deviations_of_the_errors(
    trained: Callable[[str], TrainedModel], tmp_path: Path
) -> None:
    assert run_evaluate(trained("regression"), tmp_path) == 0
    metrics = json.loads((tmp_path / "evaluation.json").read_text())["regression_metrics"]
    assert metrics["mse"]["standard_deviation"] > 0
    assert metrics["mae"]["standard_deviation"] > 0
    assert metrics["rmse"]["value"] == pytest.approx(math.sqrt(metrics["mse"]["value"]))


def test_classification_report_has_a_consistent_confusion_matrix(
    trained: Callable[[str], TrainedModel], tmp_path: Path
) -> None:
    model = trained("binary_classification")
    assert run_evaluate(model, tmp_path) == 0
    metrics = json.loads((tmp_path / "evaluation.json").read_text())["binary_classification_metrics"]
    matrix = metrics["confusion_matrix"]
    total = sum(matrix[actual][predicted] for actual in "01" for predicted in "01")
    test_rows = len((model.test_dir / "test.csv").read_text().splitlines()) - 1
    assert total == test_rows
    assert metrics["accuracy"]["value"] == pytest.approx((matrix["0"]["0"] + matrix["1"]["1"]) / total)


def test_regression_model_beats_the_mean_baseline_clearly(
    trained: Callable[[str], TrainedModel], tmp_path: Path
) -> None:
    model = trained("regression")
    report = evaluate.evaluate("regression", str(model.archive_dir), str(model.test_dir), str(tmp_path))
    metrics, baseline = report["regression_metrics"], report["baseline"]["metrics"]
    assert metrics["rmse"]["value"] <= 0.6 * baseline["rmse"]
    assert metrics["r2"]["value"] >= 0.6
    assert baseline["r2"] == pytest.approx(0.0, abs=1e-9)


def test_classification_model_beats_the_majority_baseline_clearly(
    trained: Callable[[str], TrainedModel], tmp_path: Path
) -> None:
    model = trained("binary_classification")
    report = evaluate.evaluate("binary_classification", str(model.archive_dir), str(model.test_dir), str(tmp_path))
    metrics, baseline = report["binary_classification_metrics"], report["baseline"]["metrics"]
    assert baseline["auc"] == 0.5
    assert metrics["auc"]["value"] >= 0.8
    assert metrics["accuracy"]["value"] >= baseline["accuracy"] + 0.15


def test_problem_type_must_match_the_model(
    trained: Callable[[str], TrainedModel], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_evaluate(trained("regression"), tmp_path, "binary_classification") == 1
    assert "the model was trained for 'regression'" in capsys.readouterr().err
    assert not (tmp_path / "evaluation.json").exists()


def test_missing_model_archive_is_reported(trained: Callable[[str], TrainedModel], tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(evaluate.EvaluationError, match="no model.tar.gz in model directory .*it is empty"):
        evaluate.evaluate("regression", str(tmp_path / "empty"), str(trained("regression").test_dir), str(tmp_path))


@pytest.mark.parametrize("name", ["../escape.txt", "/tmp/absolute.txt"])
def test_unsafe_archive_paths_are_refused(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    (tmp_path / "work").mkdir()
    with pytest.raises(evaluate.EvaluationError, match="unsafe path"):
        evaluate.safe_extract(str(archive), str(tmp_path / "work"))
    assert not (tmp_path / "escape.txt").exists()


def test_symlinks_in_the_archive_are_refused(tmp_path: Path) -> None:
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        info = tarfile.TarInfo("xgboost-model")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(evaluate.EvaluationError, match="not a regular file"):
        evaluate.safe_extract(str(archive), str(tmp_path))


def test_test_data_with_the_wrong_features_is_reported(
    trained: Callable[[str], TrainedModel], tmp_path: Path
) -> None:
    model = trained("regression")
    test = (model.test_dir / "test.csv").read_text().splitlines()
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "test.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in test) + "\n")
    expected = r"lacks the model's feature column\(s\) \['days_since_last_order'\]"
    with pytest.raises(evaluate.EvaluationError, match=expected):
        evaluate.evaluate("regression", str(model.archive_dir), str(tmp_path / "test"), str(tmp_path / "work"))
