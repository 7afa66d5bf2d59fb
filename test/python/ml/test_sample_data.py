from __future__ import annotations

import subprocess

import numpy as np
import pandas as pd
import pytest

from testkit import ML_DIR, PYTHON, ml_module

sample_data = ml_module("sample_data")


@pytest.mark.parametrize("problem_type", ["regression", "binary_classification"])
def test_generate_is_deterministic_numeric_and_has_the_label_first(problem_type: str) -> None:
    first = sample_data.generate(300, 5, problem_type)
    again = sample_data.generate(300, 5, problem_type)
    other_seed = sample_data.generate(300, 6, problem_type)

    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other_seed)
    assert len(first) == 300
    assert list(first.columns) == ["target", *sample_data.FEATURE_COLUMNS]
    assert 6 <= len(sample_data.FEATURE_COLUMNS) <= 10
    assert all(pd.api.types.is_numeric_dtype(first[c]) for c in first.columns)
    assert not first.isna().any().any()


def test_classification_labels_are_0_1_and_roughly_balanced() -> None:
    data = sample_data.generate(4000, 3, "binary_classification")
    assert set(data["target"].unique()) == {0, 1}
    assert 0.4 <= data["target"].mean() <= 0.6


def test_regression_target_depends_on_the_features() -> None:
    data = sample_data.generate(4000, 3, "regression")
    correlations = data.corr()["target"].drop("target").abs()
    assert data["target"].std() > 0
    assert correlations.max() > 0.3  # real signal, not noise


@pytest.mark.parametrize(
    ("rows", "seed", "problem_type", "message"),
    [
        (9, 1, "regression", "rows must be at least 10"),
        (100, -1, "regression", "seed must be a non-negative integer, got -1"),
        (100, 1, "multiclass", "unknown problem type 'multiclass'"),
    ],
)
def test_generate_rejects_bad_arguments(rows: int, seed: int, problem_type: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sample_data.generate(rows, seed, problem_type)


def test_cli_writes_a_csv_with_a_header(tmp_path) -> None:
    output = tmp_path / "nested" / "data.csv"
    completed = subprocess.run(
        [PYTHON, str(ML_DIR / "sample_data.py"), "--rows", "25", "--seed", "1",
         "--problem-type", "binary_classification", "--output", str(output)],
        capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    written = pd.read_csv(output)
    pd.testing.assert_frame_equal(written, sample_data.generate(25, 1, "binary_classification"), check_dtype=False)
    assert np.isin(written["target"], [0, 1]).all()


def test_cli_reports_too_few_rows(tmp_path) -> None:
    completed = subprocess.run(
        [PYTHON, str(ML_DIR / "sample_data.py"), "--rows", "3", "--problem-type", "regression",
         "--output", str(tmp_path / "x.csv")],
        capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 2
    assert "rows must be at least 10" in completed.stderr
    assert not (tmp_path / "x.csv").exists()
