"""Preprocessing step: validate a numeric tabular dataset and split it into train / validation / test.

Runs as a SageMaker Processing job in the scikit-learn 1.2-1 image, which uploads this file on its own: it must
stay self-contained (stdlib, numpy, pandas and scikit-learn only; no imports of sibling modules).

Reads every ``*.csv`` (with a header) under ``--input-dir``, recursively, skipping hidden files and folders and the
``_``-prefixed markers Spark and Hadoop write (``_SUCCESS``, ``_temporary``; checksum ``.crc`` files are hidden).
The input may be an ETL run's curated prefix (``data/`` part files, ``schema.json``, ``report.json``): its
``schema.json`` (at the input root) then fixes the label, the problem type and the feature order, and is carried
into this step's schema.json as ``encoding``, which train.py packages with the model so that inference.py can
encode raw rows exactly as the ETL job did. Writes
  <train-dir>/train.csv            label first, then the features; no header (what XGBoost's CSV reader expects)
  <train-dir>/schema.json          {"problem_type", "label_column", "feature_columns"[, "encoding"]}
  <validation-dir>/validation.csv  same layout as train.csv
  <test-dir>/test.csv              WITH a header: label column first, then the features in order
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

LOGGER = logging.getLogger("preprocess")

PROBLEM_TYPES = ("regression", "binary_classification")

INPUT_DIR = "/opt/ml/processing/input/data"
TRAIN_DIR = "/opt/ml/processing/train"
VALIDATION_DIR = "/opt/ml/processing/validation"
TEST_DIR = "/opt/ml/processing/test"

# A hidden column that remembers where each row came from, so errors can name the file and line.
_ORIGIN = "__origin__"
# The ETL job's schema.json at the root of a curated run prefix (glue-scripts/curation/schema.py).
ETL_SCHEMA_FILE = "schema.json"


class DataError(ValueError):
    """The input data or the arguments cannot produce a valid split; the message says what to fix."""


@dataclass(frozen=True)
class Split:
    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    feature_columns: list[str]


def find_csv_files(input_dir: str) -> list[str]:
    """Every *.csv file under input_dir (recursively), sorted for a deterministic row order."""
    if not os.path.isdir(input_dir):
        raise DataError(f"input directory {input_dir!r} does not exist: pass --input-dir with the folder of CSV files")
    found: list[str] = []
    for root, dirs, files in os.walk(input_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        found.extend(
            os.path.join(root, name)
            for name in sorted(files)
            if name.lower().endswith(".csv") and not name.startswith((".", "_"))
        )
    if not found:
        others = sorted(os.listdir(input_dir))[:5]
        hint = f" (it holds: {', '.join(others)})" if others else " (it is empty)"
        raise DataError(
            f"no *.csv files under input directory {input_dir!r}{hint}: upload CSV files with a header row there"
        )
    return found


def read_csv_files(input_dir: str) -> pd.DataFrame:
    """Concatenate all CSV files under input_dir; every file must have the same columns as the first one."""
    frames: list[pd.DataFrame] = []
    expected: list[str] | None = None
    first_file = ""
    for path in find_csv_files(input_dir):
        relative = os.path.relpath(path, input_dir)
        try:
            # round_trip: the exact doubles the ETL job wrote (pandas' default parser can be one unit in the last
            # place off), so training sees the values inference computes.
            frame = pd.read_csv(path, skipinitialspace=True, float_precision="round_trip")
        except pd.errors.EmptyDataError:
            LOGGER.warning("skipping empty file %s", relative)
            continue
        except (pd.errors.ParserError, UnicodeDecodeError) as error:
            raise DataError(f"cannot parse CSV file {relative!r}: {error}. Fix the file or remove it") from error
        frame.columns = [str(column).strip() for column in frame.columns]
        duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
        if duplicated:
            raise DataError(f"file {relative!r} has duplicate column names {duplicated}: make column names unique")
        if expected is None:
            expected, first_file = list(frame.columns), relative
        elif sorted(frame.columns) != sorted(expected):
            missing = [c for c in expected if c not in frame.columns]
            extra = [c for c in frame.columns if c not in expected]
            raise DataError(
                f"file {relative!r} has different columns than {first_file!r} (missing {missing}, extra {extra}): "
                "all input files must share the same header"
            )
        else:
            frame = frame[expected].copy()
        # Line numbers as a text editor shows them: the header is line 1.
        frame[_ORIGIN] = [f"{relative}:{line}" for line in range(2, len(frame) + 2)]
        frames.append(frame)
    if not frames or sum(len(f) for f in frames) == 0:
        raise DataError(f"the CSV files under {input_dir!r} hold no data rows: upload files with rows after the header")
    return pd.concat(frames, ignore_index=True)


def read_etl_schema(input_dir: str) -> dict[str, Any] | None:
    """The ETL schema.json at the root of ``input_dir`` (a curated run prefix), or None when there is none."""
    path = os.path.join(input_dir, ETL_SCHEMA_FILE)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            schema = json.load(handle)
    except (OSError, ValueError) as error:
        raise DataError(f"{path} is not readable JSON ({error}): use the schema.json the ETL run wrote") from error
    required = {"schemaVersion": int, "label": str, "problemType": str, "featureColumns": list, "columns": list}
    if not isinstance(schema, dict):
        schema = {}
    wrong = [key for key, kind in required.items() if not isinstance(schema.get(key), kind)]
    if wrong or schema.get("schemaVersion") != 1:
        raise DataError(
            f"{path} is not an ETL schema (version 1; missing or malformed: {', '.join(wrong) or 'schemaVersion'}): "
            "point the input at an ETL run's curated prefix, or remove the file"
        )
    return schema


def check_etl_schema(
    schema: dict[str, Any], problem_type: str, label_column: str, feature_columns: Sequence[str]
) -> None:
    """The split must be of the data the ETL schema describes: same label and problem type, features it encodes."""
    if schema["label"] != label_column:
        raise DataError(
            f"the curated data's schema.json names label {schema['label']!r} but --label-column is {label_column!r}: "
            "pass the stage's label column, or curate the data again with it"
        )
    if schema["problemType"] != problem_type:
        raise DataError(
            f"the curated data was prepared for {schema['problemType']} but --problem-type is {problem_type}: "
            "curate the data again with this stage's contract"
        )
    unknown = [column for column in feature_columns if column not in schema["featureColumns"]]
    if unknown:
        raise DataError(
            f"feature column(s) {unknown} are not encoded features of the curated data's schema.json "
            f"({', '.join(schema['featureColumns'])}): fix --feature-columns"
        )


def _first_bad(values: pd.Series, bad: pd.Series, origins: pd.Series) -> str:
    index = bad[bad].index[0]
    return f"{values[index]!r} at {origins[index]}"


def _to_numeric(data: pd.DataFrame, column: str, role: str) -> pd.Series:
    values = data[column]
    if pd.api.types.is_bool_dtype(values):
        return values.astype(int)
    converted = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & converted.isna()
    if bad.any():
        if role == "label":
            advice = (
                "The label must be a number: for binary_classification map the two classes to 0 and 1, for "
                "regression use the numeric target (the ETL step can encode it), or pass the right column with "
                "--label-column"
            )
        else:
            advice = "Encode it as numbers (the ETL step does this) or leave it out with --feature-columns"
        raise DataError(
            f"{role} column {column!r} is not numeric: {int(bad.sum())} value(s) cannot be read as numbers, e.g. "
            f"{_first_bad(values, bad, data[_ORIGIN])}. {advice}"
        )
    infinite = pd.Series(np.isinf(converted.to_numpy(dtype=float)), index=converted.index)
    if infinite.any():
        raise DataError(
            f"{role} column {column!r} holds infinite values, e.g. {_first_bad(values, infinite, data[_ORIGIN])}: "
            "replace them with finite numbers or leave the cells empty (missing)"
        )
    return converted.astype(float)


def select_columns(data: pd.DataFrame, label_column: str, feature_columns: Sequence[str] | None) -> list[str]:
    """Check the label and feature columns exist and return the feature columns in order."""
    available = [c for c in data.columns if c != _ORIGIN]
    if label_column not in available:
        raise DataError(
            f"label column {label_column!r} is not in the data; available columns: {', '.join(available)}. "
            "Pass the right name with --label-column"
        )
    if feature_columns:
        features = list(feature_columns)
        missing = [c for c in features if c not in available]
        if missing:
            raise DataError(
                f"feature column(s) {missing} are not in the data; available columns: {', '.join(available)}. "
                "Fix --feature-columns"
            )
        if label_column in features:
            raise DataError(f"label column {label_column!r} is also listed in --feature-columns: remove it from there")
        duplicated = sorted({c for c in features if features.count(c) > 1})
        if duplicated:
            raise DataError(f"--feature-columns names {duplicated} more than once: list each column once")
    else:
        features = [c for c in available if c != label_column]
    if not features:
        raise DataError(f"no feature columns: the data has only the label column {label_column!r}")
    return features


def clean(data: pd.DataFrame, problem_type: str, label_column: str, feature_columns: Sequence[str]) -> pd.DataFrame:
    """Return label + features as numbers, checking the label for the problem type.

    Missing feature values stay missing (XGBoost handles them); missing labels are an error.
    """
    result = pd.DataFrame(index=data.index)
    label = _to_numeric(data, label_column, "label")
    missing_label = label.isna()
    if missing_label.any():
        raise DataError(
            f"label column {label_column!r} is empty in {int(missing_label.sum())} row(s), e.g. at "
            f"{data[_ORIGIN][missing_label[missing_label].index[0]]}: drop those rows or fill in the label"
        )
    if problem_type == "binary_classification":
        not_binary = ~label.isin([0.0, 1.0])
        if not_binary.any():
            examples = sorted({repr(v) for v in data[label_column][not_binary]})[:5]
            raise DataError(
                f"label column {label_column!r} must hold only 0 and 1 for binary_classification, but it holds "
                f"{', '.join(examples)} (first at {data[_ORIGIN][not_binary[not_binary].index[0]]}). "
                "Map the two classes to 0 and 1, or use --problem-type regression for a continuous label"
            )
        label = label.astype(int)
    result[label_column] = label
    for column in feature_columns:
        result[column] = _to_numeric(data, column, "feature")
    return result


def split_sizes(rows: int, validation_fraction: float, test_fraction: float) -> tuple[int, int, int]:
    """Row counts (train, validation, test); validation and test are rounded up so neither is ever empty."""
    for name, value in (("--validation-fraction", validation_fraction), ("--test-fraction", test_fraction)):
        if not 0.0 < value < 1.0:
            raise DataError(f"{name} must be between 0 and 1 (exclusive), got {value}")
    if validation_fraction + test_fraction >= 0.9:
        raise DataError(
            f"--validation-fraction + --test-fraction = {validation_fraction + test_fraction:g} leaves less than "
            "10% of the rows for training: lower them (0.15 each is typical)"
        )
    n_validation = math.ceil(rows * validation_fraction)
    n_test = math.ceil(rows * test_fraction)
    return rows - n_validation - n_test, n_validation, n_test


def split(
    data: pd.DataFrame,
    problem_type: str,
    label_column: str,
    feature_columns: Sequence[str] | None = None,
    validation_fraction: float = 0.15,
    test_fraction: float = 0.15,
    seed: int = 42,
) -> Split:
    """Validate ``data`` and split it deterministically (stratified on the label for classification)."""
    if problem_type not in PROBLEM_TYPES:
        raise DataError(f"unknown problem type {problem_type!r}: use one of {', '.join(PROBLEM_TYPES)}")
    if _ORIGIN not in data.columns:
        data = data.assign(**{_ORIGIN: [f"row {i + 1}" for i in range(len(data))]})
    features = select_columns(data, label_column, feature_columns)
    table = clean(data, problem_type, label_column, features)
    rows = len(table)
    n_train, n_validation, n_test = split_sizes(rows, validation_fraction, test_fraction)
    stratify: pd.Series | None = None
    if problem_type == "binary_classification":
        counts = table[label_column].value_counts()
        if len(counts) < 2:
            raise DataError(
                f"label column {label_column!r} holds only class {int(counts.index[0])}: binary_classification "
                "needs rows of both classes 0 and 1"
            )
        smallest = int(counts.min())
        if smallest < 3:
            raise DataError(
                f"class {int(counts.idxmin())} of label column {label_column!r} has only {smallest} row(s): each "
                "class needs at least 3 rows so train, validation and test can all hold it; add more data"
            )
        stratify = table[label_column]
    minimum_train = 2
    if n_train < minimum_train or (stratify is not None and min(n_validation, n_test) < 2):
        raise DataError(
            f"too few rows for the split: {rows} row(s) give train={n_train}, validation={n_validation}, "
            f"test={n_test}. Provide more rows (at least 10 is sensible) or lower --validation-fraction / "
            "--test-fraction"
        )
    rest, test = train_test_split(table, test_size=n_test, random_state=seed, shuffle=True, stratify=stratify)
    rest_stratify = rest[label_column] if stratify is not None else None
    train, validation = train_test_split(
        rest, test_size=n_validation, random_state=seed, shuffle=True, stratify=rest_stratify
    )
    return Split(
        train=train.reset_index(drop=True),
        validation=validation.reset_index(drop=True),
        test=test.reset_index(drop=True),
        feature_columns=features,
    )


def write_split(
    result: Split,
    problem_type: str,
    label_column: str,
    train_dir: str,
    validation_dir: str,
    test_dir: str,
    encoding: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Write the split files and schema.json; returns the written paths by name."""
    paths = {
        "train": os.path.join(train_dir, "train.csv"),
        "validation": os.path.join(validation_dir, "validation.csv"),
        "test": os.path.join(test_dir, "test.csv"),
        "schema": os.path.join(train_dir, "schema.json"),
    }
    for directory in (train_dir, validation_dir, test_dir):
        os.makedirs(directory, exist_ok=True)
    result.train.to_csv(paths["train"], header=False, index=False)
    result.validation.to_csv(paths["validation"], header=False, index=False)
    result.test.to_csv(paths["test"], header=True, index=False)
    schema: dict[str, Any] = {
        "problem_type": problem_type, "label_column": label_column, "feature_columns": result.feature_columns
    }
    if encoding is not None:
        schema["encoding"] = encoding
    with open(paths["schema"], "w", encoding="utf-8") as handle:
        json.dump(schema, handle, indent=2)
        handle.write("\n")
    return paths


def parse_feature_columns(value: str | None) -> list[str] | None:
    if value is None or not value.strip():
        return None
    names = [name.strip() for name in value.split(",")]
    if any(not name for name in names):
        raise DataError(f"--feature-columns {value!r} has an empty name: give a comma-separated list like a,b,c")
    return names


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Validate numeric tabular CSV data and split it for training.")
    parser.add_argument("--problem-type", required=True, choices=PROBLEM_TYPES)
    parser.add_argument("--label-column", required=True)
    parser.add_argument("--feature-columns", default=None, help="comma-separated; default: every other column")
    parser.add_argument("--validation-fraction", type=float, default=0.15)
    parser.add_argument("--test-fraction", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--input-dir", default=INPUT_DIR)
    parser.add_argument("--train-dir", default=TRAIN_DIR)
    parser.add_argument("--validation-dir", default=VALIDATION_DIR)
    parser.add_argument("--test-dir", default=TEST_DIR)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        LOGGER.warning("ignoring unknown arguments: %s", " ".join(unknown))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)
    try:
        encoding = read_etl_schema(args.input_dir)
        feature_columns = parse_feature_columns(args.feature_columns)
        if encoding is not None:
            feature_columns = feature_columns or list(encoding["featureColumns"])
            check_etl_schema(encoding, args.problem_type, args.label_column, feature_columns)
        data = read_csv_files(args.input_dir)
        result = split(
            data,
            problem_type=args.problem_type,
            label_column=args.label_column,
            feature_columns=feature_columns,
            validation_fraction=args.validation_fraction,
            test_fraction=args.test_fraction,
            seed=args.seed,
        )
        paths = write_split(
            result, args.problem_type, args.label_column, args.train_dir, args.validation_dir, args.test_dir, encoding
        )
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    LOGGER.info(
        "read %d rows; wrote train=%d validation=%d test=%d rows with %d features (%s)",
        len(data),
        len(result.train),
        len(result.validation),
        len(result.test),
        len(result.feature_columns),
        ", ".join(result.feature_columns),
    )
    for name, path in paths.items():
        LOGGER.info("%s: %s", name, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
