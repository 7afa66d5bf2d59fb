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


def test_upload_format_looks_like_a_real_upload() -> None:
    lines = sample_data.generate_upload(5000, 4, "regression")
    assert lines == sample_data.generate_upload(5000, 4, "regression")
    header = lines[0].split(",")
    assert header == [*sample_data.FEATURE_COLUMNS, "plan", "region", "target"]
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == 5000
    regular = [r for r in rows if len(r) == len(header)]
    ragged = len(rows) - len(regular)
    assert 2 <= ragged <= 30  # about 0.2% rows with an extra field
    column = {name: [r[i] for r in regular] for i, name in enumerate(header)}
    assert 0.02 < column["income_k"].count("") / len(regular) < 0.04
    assert 0.01 < column["plan"].count("") / len(regular) < 0.03
    assert {v.strip() for v in column["region"]} == set(sample_data.REGIONS)
    assert any(v != v.strip() for v in column["region"])  # stray spaces
    assert {v for v in column["plan"] if v} == set(sample_data.PLANS)
    assert 5 <= column["age"].count("unknown") <= 40
    assert 5 <= column["target"].count("") <= 30
    assert len(lines) - len(set(lines)) >= 5  # exact duplicates


def test_upload_categories_carry_signal() -> None:
    lines = sample_data.generate_upload(4000, 2, "regression")
    header = lines[0].split(",")
    plan, target = header.index("plan"), header.index("target")
    spend: dict[str, list[float]] = {}
    for line in lines[1:]:
        cells = line.split(",")
        if len(cells) == len(header) and cells[target] and cells[plan]:
            spend.setdefault(cells[plan], []).append(float(cells[target]))
    means = {name: sum(v) / len(v) for name, v in spend.items()}
    assert means["pro"] > means["plus"] > means["basic"]
