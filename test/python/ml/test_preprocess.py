from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from testkit import ml_module

preprocess = ml_module("preprocess")
sample_data = ml_module("sample_data")


def run(tmp_path: Path, *extra: str, problem_type: str = "regression", label: str = "target") -> int:
    return preprocess.main(
        [
            "--problem-type", problem_type,
            "--label-column", label,
            "--input-dir", str(tmp_path / "input"),
            "--train-dir", str(tmp_path / "train"),
            "--validation-dir", str(tmp_path / "validation"),
            "--test-dir", str(tmp_path / "test"),
            *extra,
        ]
    )


def write_input(tmp_path: Path, data: pd.DataFrame, name: str = "data.csv") -> Path:
    path = tmp_path / "input" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data.to_csv(path, index=False)
    return path


def read_outputs(tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    train = pd.read_csv(tmp_path / "train" / "train.csv", header=None)
    validation = pd.read_csv(tmp_path / "validation" / "validation.csv", header=None)
    test = pd.read_csv(tmp_path / "test" / "test.csv")
    return train, validation, test


def test_split_sizes_and_no_row_is_lost_or_duplicated(tmp_path: Path) -> None:
    data = sample_data.generate(101, 1, "regression")
    write_input(tmp_path, data)

    assert run(tmp_path) == 0

    train, validation, test = read_outputs(tmp_path)
    # validation and test are rounded up: ceil(101 * 0.15) = 16 each
    assert (len(train), len(validation), len(test)) == (69, 16, 16)
    test.columns = range(test.shape[1])
    combined = pd.concat([train, validation, test]).sort_values(list(range(9))).reset_index(drop=True)
    original = data.copy()
    original.columns = range(9)
    expected = original.astype(float).sort_values(list(range(9))).reset_index(drop=True)
    pd.testing.assert_frame_equal(combined.astype(float), expected)


def test_custom_fractions(tmp_path: Path) -> None:
    write_input(tmp_path, sample_data.generate(200, 1, "regression"))
    assert run(tmp_path, "--validation-fraction", "0.1", "--test-fraction", "0.25") == 0
    train, validation, test = read_outputs(tmp_path)
    assert (len(train), len(validation), len(test)) == (130, 20, 50)


def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    write_input(tmp_path / "a", sample_data.generate(120, 2, "binary_classification"))
    write_input(tmp_path / "b", sample_data.generate(120, 2, "binary_classification"))
    write_input(tmp_path / "c", sample_data.generate(120, 2, "binary_classification"))

    assert run(tmp_path / "a", "--seed", "7", problem_type="binary_classification") == 0
    assert run(tmp_path / "b", "--seed", "7", problem_type="binary_classification") == 0
    assert run(tmp_path / "c", "--seed", "8", problem_type="binary_classification") == 0

    for relative in ("train/train.csv", "validation/validation.csv", "test/test.csv", "train/schema.json"):
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()
    assert (tmp_path / "a" / "train/train.csv").read_bytes() != (tmp_path / "c" / "train/train.csv").read_bytes()


def test_classification_split_is_stratified(tmp_path: Path) -> None:
    data = sample_data.generate(600, 4, "binary_classification")
    # Make the classes clearly unbalanced (25% positives) so stratification is visible.
    positives = data[data["target"] == 1].head(75)
    negatives = data[data["target"] == 0].head(225)
    assert (len(positives), len(negatives)) == (75, 225)
    write_input(tmp_path, pd.concat([positives, negatives]))

    assert run(tmp_path, problem_type="binary_classification") == 0

    train, validation, test = read_outputs(tmp_path)
    for labels in (train[0], validation[0], test["target"]):
        assert labels.mean() == pytest.approx(0.25, abs=0.03)
    assert set(train[0].unique()) == {0, 1}


def test_outputs_put_the_label_first_and_only_test_csv_has_a_header(tmp_path: Path) -> None:
    data = sample_data.generate(60, 3, "binary_classification")
    # Label in the middle of the input and a column that is left out.
    data = data[["age", "income_k", "target", "tenure_months", "discount_pct"]].copy()
    data["customer_id"] = np.arange(len(data))
    write_input(tmp_path, data)

    exit_code = run(
        tmp_path, "--feature-columns", "tenure_months, age,income_k", problem_type="binary_classification"
    )

    assert exit_code == 0
    train, validation, test = read_outputs(tmp_path)
    assert list(test.columns) == ["target", "tenure_months", "age", "income_k"]
    for headerless in (train, validation):
        assert headerless.shape[1] == 4
        assert all(pd.api.types.is_numeric_dtype(headerless[c]) for c in headerless.columns)
        assert set(headerless[0].unique()) <= {0, 1}
    first_line = (tmp_path / "train" / "train.csv").read_text().splitlines()[0]
    assert first_line.split(",")[0] in ("0", "1")  # a label, not a header
    # The rows keep their values: look up the test rows in the input by every selected column.
    merged = test.merge(data, on=["target", "tenure_months", "age", "income_k"], how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    schema = json.loads((tmp_path / "train" / "schema.json").read_text())
    assert schema == {
        "problem_type": "binary_classification",
        "label_column": "target",
        "feature_columns": ["tenure_months", "age", "income_k"],
    }


def test_default_features_are_every_other_column_in_input_order(tmp_path: Path) -> None:
    write_input(tmp_path, sample_data.generate(40, 3, "regression"))
    assert run(tmp_path) == 0
    schema = json.loads((tmp_path / "train" / "schema.json").read_text())
    assert schema["feature_columns"] == list(sample_data.FEATURE_COLUMNS)
    assert schema["problem_type"] == "regression"


def test_reads_every_csv_file_under_the_input_dir(tmp_path: Path) -> None:
    data = sample_data.generate(90, 3, "regression")
    write_input(tmp_path, data.iloc[:30], "part-1.csv")
    write_input(tmp_path, data.iloc[30:60][list(reversed(data.columns))], "nested/part-2.csv")
    write_input(tmp_path, data.iloc[60:], "nested/deeper/part-3.csv")
    (tmp_path / "input" / "README.txt").write_text("not data")

    assert run(tmp_path) == 0

    train, validation, test = read_outputs(tmp_path)
    assert len(train) + len(validation) + len(test) == 90


def test_missing_feature_values_stay_missing(tmp_path: Path) -> None:
    data = sample_data.generate(40, 3, "regression")
    data.loc[5, "age"] = np.nan
    write_input(tmp_path, data)
    assert run(tmp_path) == 0
    train, validation, test = read_outputs(tmp_path)
    assert int(train.isna().sum().sum() + validation.isna().sum().sum() + test.isna().sum().sum()) == 1


# --- validation errors: each names the bad value and what to do -------------------------------------------------


def error_of(tmp_path: Path, capsys: pytest.CaptureFixture[str], *extra: str, **kwargs: str) -> str:
    assert run(tmp_path, *extra, **kwargs) == 1
    assert not (tmp_path / "train" / "train.csv").exists()
    return capsys.readouterr().err


def test_missing_label_column_lists_the_available_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_input(tmp_path, sample_data.generate(40, 3, "regression"))
    message = error_of(tmp_path, capsys, label="price")
    assert "label column 'price' is not in the data" in message
    assert "available columns: target, age, income_k" in message
    assert "--label-column" in message


def test_unknown_feature_column_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_input(tmp_path, sample_data.generate(40, 3, "regression"))
    message = error_of(tmp_path, capsys, "--feature-columns", "age,height")
    assert "['height']" in message and "--feature-columns" in message


def test_non_numeric_feature_names_the_column_value_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = sample_data.generate(40, 3, "regression")
    data["region"] = "north"
    data.loc[3, "region"] = "south"
    write_input(tmp_path, data)
    message = error_of(tmp_path, capsys)
    assert "feature column 'region' is not numeric" in message
    assert "'north' at data.csv:2" in message
    assert "Encode it as numbers (the ETL step does this) or leave it out with --feature-columns" in message
    assert "--label-column" not in message and "0 and 1" not in message


def test_non_numeric_label_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_data.generate(40, 3, "regression").astype({"target": object})
    data.loc[7, "target"] = "unknown"
    write_input(tmp_path, data)
    message = error_of(tmp_path, capsys)
    assert "label column 'target' is not numeric" in message and "'unknown' at data.csv:9" in message
    # The label cannot be left out: the advice is to encode it, not to drop it with --feature-columns.
    assert "The label must be a number: for binary_classification map the two classes to 0 and 1" in message
    assert "or pass the right column with --label-column" in message
    assert "--feature-columns" not in message


def test_text_classes_as_label_get_the_0_1_advice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_data.generate(40, 3, "binary_classification")
    data["target"] = data["target"].map({0: "stayed", 1: "churned"})
    write_input(tmp_path, data)
    message = error_of(tmp_path, capsys, problem_type="binary_classification")
    assert "label column 'target' is not numeric: 40 value(s) cannot be read as numbers" in message
    assert "map the two classes to 0 and 1" in message and "--feature-columns" not in message


def test_empty_input_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "input").mkdir()
    message = error_of(tmp_path, capsys)
    assert f"no *.csv files under input directory '{tmp_path / 'input'}' (it is empty)" in message


def test_missing_input_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    message = error_of(tmp_path, capsys)
    assert "does not exist" in message and "--input-dir" in message


def test_header_only_files_have_no_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_input(tmp_path, sample_data.generate(40, 3, "regression").iloc[:0])
    assert "hold no data rows" in error_of(tmp_path, capsys)


def test_too_few_rows_for_the_split(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_input(tmp_path, sample_data.generate(10, 3, "regression").iloc[:3])
    message = error_of(tmp_path, capsys)
    assert "too few rows for the split: 3 row(s) give train=1, validation=1, test=1" in message


def test_labels_must_be_0_or_1_for_binary_classification(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_data.generate(40, 3, "binary_classification")
    data.loc[4, "target"] = 2
    write_input(tmp_path, data)
    message = error_of(tmp_path, capsys, problem_type="binary_classification")
    assert "must hold only 0 and 1 for binary_classification" in message
    assert "2" in message and "data.csv:6" in message


def test_binary_classification_needs_both_classes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_data.generate(40, 3, "binary_classification")
    data["target"] = 1
    write_input(tmp_path, data)
    assert "holds only class 1" in error_of(tmp_path, capsys, problem_type="binary_classification")


def test_missing_labels_are_reported_with_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_data.generate(40, 3, "regression")
    data.loc[10, "target"] = np.nan
    write_input(tmp_path, data)
    assert "is empty in 1 row(s), e.g. at data.csv:12" in error_of(tmp_path, capsys)


def test_files_with_different_headers_are_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = sample_data.generate(40, 3, "regression")
    write_input(tmp_path, data, "a.csv")
    write_input(tmp_path, data.drop(columns=["age"]), "b.csv")
    message = error_of(tmp_path, capsys)
    assert "file 'b.csv' has different columns than 'a.csv' (missing ['age']" in message


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("--validation-fraction", "0"), "--validation-fraction must be between 0 and 1 (exclusive), got 0.0"),
        (("--test-fraction", "1.5"), "--test-fraction must be between 0 and 1 (exclusive), got 1.5"),
        (("--validation-fraction", "0.5", "--test-fraction", "0.45"), "leaves less than 10% of the rows"),
    ],
)
def test_bad_fractions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], message: str
) -> None:
    write_input(tmp_path, sample_data.generate(40, 3, "regression"))
    assert message in error_of(tmp_path, capsys, *flags)


def test_unknown_problem_type(tmp_path: Path) -> None:
    data = sample_data.generate(40, 3, "regression")
    with pytest.raises(preprocess.DataError, match="unknown problem type 'multiclass': use one of regression"):
        preprocess.split(data, "multiclass", "target")


def test_cli_rejects_unknown_problem_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(tmp_path, problem_type="multiclass")
    assert exit_info.value.code == 2
    assert "invalid choice: 'multiclass'" in capsys.readouterr().err


# --- an ETL run's curated prefix as input ------------------------------------------------------------------------

ETL_SCHEMA = {
    "schemaVersion": 1,
    "label": "target",
    "problemType": "regression",
    "sourceColumns": ["id", "size", "color", "target"],
    "dropColumns": ["id"],
    "columns": [
        {"name": "target", "role": "label", "type": "numeric", "nulls": "quarantine", "imputeValue": None},
        {"name": "size", "role": "feature", "type": "numeric", "nulls": "impute-median", "imputeValue": 3.0},
        {"name": "color", "role": "feature", "type": "categorical", "nulls": {"impute": "missing"},
         "imputeValue": "missing", "categories": ["blue", "missing", "red"]},
    ],
    "featureColumns": ["size", "color=blue", "color=missing", "color=red"],
}


def write_curated_prefix(root: Path, rows: int = 40) -> Path:
    """What the ETL job writes: data/ part files with headers, Spark's markers and checksums, schema and report."""
    data = root / "data"
    data.mkdir(parents=True)
    header = "target,size,color=blue,color=missing,color=red\n"
    lines = [f"{i * 1.5},{i % 5}.0,{int(i % 3 == 0)},{int(i % 3 == 1)},{int(i % 3 == 2)}\n" for i in range(rows)]
    half = rows // 2
    (data / "part-00000-abc-c000.csv").write_text(header + "".join(lines[:half]))
    (data / "part-00001-abc-c000.csv").write_text(header + "".join(lines[half:]))
    (data / "_SUCCESS").write_text("")
    (data / ".part-00000-abc-c000.csv.crc").write_bytes(b"\x00crc")
    (root / "_temporary" / "0").mkdir(parents=True)
    (root / "_temporary" / "0" / "part-99999-stale.csv").write_text("not,a,part\n")
    (root / "schema.json").write_text(json.dumps(ETL_SCHEMA))
    (root / "report.json").write_text(json.dumps({"reportVersion": 1}))
    return root


def test_a_curated_prefix_is_read_and_its_encoding_carried_into_schema_json(tmp_path: Path) -> None:
    write_curated_prefix(tmp_path / "input")

    assert run(tmp_path) == 0

    schema = json.loads((tmp_path / "train" / "schema.json").read_text())
    assert schema["feature_columns"] == ETL_SCHEMA["featureColumns"]
    assert schema["encoding"] == ETL_SCHEMA
    train, validation, test = read_outputs(tmp_path)
    assert len(train) + len(validation) + len(test) == 40  # the stale _temporary part and the markers are skipped
    assert list(test.columns) == ["target", *ETL_SCHEMA["featureColumns"]]


def test_a_curated_prefix_with_another_label_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_curated_prefix(tmp_path / "input")

    assert run(tmp_path, label="price") == 1
    error = capsys.readouterr().err
    assert "the curated data's schema.json names label 'target' but --label-column is 'price'" in error
    assert run(tmp_path, problem_type="binary_classification") == 1
    assert "prepared for regression but --problem-type is binary_classification" in capsys.readouterr().err


def test_feature_columns_must_be_encoded_features(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_curated_prefix(tmp_path / "input")

    assert run(tmp_path, "--feature-columns", "size,color") == 1
    assert "feature column(s) ['color'] are not encoded features" in capsys.readouterr().err
    assert run(tmp_path, "--feature-columns", "color=red,size") == 0
    schema = json.loads((tmp_path / "train" / "schema.json").read_text())
    assert schema["feature_columns"] == ["color=red", "size"] and schema["encoding"]["label"] == "target"


def test_a_schema_json_that_is_not_an_etl_schema_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_input(tmp_path, sample_data.generate(40, 1, "regression"))
    (tmp_path / "input" / "schema.json").write_text('{"problem_type": "regression"}')

    assert run(tmp_path) == 1
    assert "is not an ETL schema (version 1; missing or malformed: schemaVersion, label" in capsys.readouterr().err


def test_hidden_files_are_skipped(tmp_path: Path) -> None:
    data = sample_data.generate(50, 1, "regression")
    write_input(tmp_path, data)
    (tmp_path / "input" / ".~lock.data.csv").write_text("garbage")
    (tmp_path / "input" / ".hidden.csv").write_text("x\n1\n")

    assert run(tmp_path) == 0
    train, validation, test = read_outputs(tmp_path)
    assert len(train) + len(validation) + len(test) == 50
