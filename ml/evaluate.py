"""Evaluation step: score the trained model on the held-out test split and write a Model Registry report.

Runs as a SageMaker Processing job in the XGBoost 1.7-1 image, which uploads this file on its own: it must stay
self-contained (no imports of sibling modules).

Inputs:  <model-dir>/model.tar.gz   (the training job's artifact: xgboost-model and optionally schema.json)
         <test-dir>/*.csv            (test.csv from preprocess.py: header, label column first, then features)
Output:  <output-dir>/evaluation.json in the Model Registry's model-quality format, e.g.
         {"regression_metrics": {"mse": {"value": .., "standard_deviation": ..}, "rmse": .., "mae": .., "r2": ..},
          "baseline": {...}}
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys
import tarfile
import tempfile
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)

LOGGER = logging.getLogger("evaluate")

PROBLEM_TYPES = ("regression", "binary_classification")
REPORT_KEYS = {"regression": "regression_metrics", "binary_classification": "binary_classification_metrics"}
MODEL_ARCHIVE = "model.tar.gz"
MODEL_FILE_NAME = "xgboost-model"
SCHEMA_FILE_NAME = "schema.json"

MODEL_DIR = "/opt/ml/processing/model"
TEST_DIR = "/opt/ml/processing/test"
OUTPUT_DIR = "/opt/ml/processing/evaluation"


class EvaluationError(ValueError):
    """The model or the test data cannot be evaluated; the message says what to fix."""


def safe_extract(archive_path: str, destination: str) -> list[str]:
    """Extract a tar.gz, refusing absolute paths, '..' components, links and device files."""
    names: list[str] = []
    root = os.path.realpath(destination)
    with tarfile.open(archive_path, "r:*") as archive:
        members = archive.getmembers()
        for member in members:
            name = member.name
            target = os.path.realpath(os.path.join(root, name))
            if os.path.isabs(name) or ".." in name.replace("\\", "/").split("/") or not (
                target == root or target.startswith(root + os.sep)
            ):
                raise EvaluationError(f"{archive_path} holds the unsafe path {name!r}: refusing to extract it")
            if not (member.isfile() or member.isdir()):
                raise EvaluationError(
                    f"{archive_path} holds {name!r}, which is not a regular file or folder: refusing to extract it"
                )
        for member in members:
            archive.extract(member, root, set_attrs=False)
            if member.isfile():
                names.append(member.name)
    return names


def load_model(model_dir: str, work_dir: str) -> tuple[xgb.Booster, dict[str, Any] | None]:
    """Load the booster (and schema.json) from model.tar.gz in model_dir, or from an already extracted folder."""
    archive = os.path.join(model_dir, MODEL_ARCHIVE)
    if os.path.isfile(archive):
        safe_extract(archive, work_dir)
        source = work_dir
    elif os.path.isfile(os.path.join(model_dir, MODEL_FILE_NAME)):
        source = model_dir
    else:
        held = ", ".join(sorted(os.listdir(model_dir))) if os.path.isdir(model_dir) else "the folder does not exist"
        raise EvaluationError(
            f"no {MODEL_ARCHIVE} in model directory {model_dir!r} ({held or 'it is empty'}): pass the training "
            "job's model artifact as the model input"
        )
    model_path = os.path.join(source, MODEL_FILE_NAME)
    if not os.path.isfile(model_path):
        raise EvaluationError(
            f"the model artifact has no {MODEL_FILE_NAME!r} at its root (it holds: "
            f"{', '.join(sorted(os.listdir(source)))}): use an artifact written by train.py"
        )
    booster = xgb.Booster()
    booster.load_model(model_path)
    schema_path = os.path.join(source, SCHEMA_FILE_NAME)
    schema = None
    if os.path.isfile(schema_path):
        with open(schema_path, encoding="utf-8") as handle:
            schema = json.load(handle)
    return booster, schema


def read_test_data(test_dir: str) -> pd.DataFrame:
    if not os.path.isdir(test_dir):
        raise EvaluationError(f"test directory {test_dir!r} does not exist: pass --test-dir with test.csv")
    files = sorted(
        os.path.join(root, name) for root, _, names in os.walk(test_dir) for name in names if name.endswith(".csv")
    )
    if not files:
        raise EvaluationError(f"no *.csv file in test directory {test_dir!r}: pass preprocess.py's test output")
    table = pd.concat([pd.read_csv(path) for path in files], ignore_index=True)
    if table.empty:
        raise EvaluationError(f"the test data in {test_dir!r} has no rows: re-run preprocessing with more data")
    return table


def features_and_labels(
    table: pd.DataFrame, schema: dict[str, Any] | None, num_features: int
) -> tuple[np.ndarray, np.ndarray]:
    """Label = first column (or schema's label column); features in the schema's order when it is known."""
    if schema and schema.get("label_column") in table.columns and schema.get("feature_columns"):
        label_column = schema["label_column"]
        missing = [c for c in schema["feature_columns"] if c not in table.columns]
        if missing:
            raise EvaluationError(
                f"test data lacks the model's feature column(s) {missing}; it has {', '.join(table.columns)}"
            )
        features = table[schema["feature_columns"]]
    else:
        label_column = table.columns[0]
        features = table.iloc[:, 1:]
    if features.shape[1] != num_features:
        raise EvaluationError(
            f"the model expects {num_features} features but the test data has {features.shape[1]} "
            f"({', '.join(map(str, features.columns))}): evaluate with the test split of the same preprocessing run"
        )
    non_numeric = [c for c in [label_column, *features.columns] if not pd.api.types.is_numeric_dtype(table[c])]
    if non_numeric:
        raise EvaluationError(f"test data column(s) {non_numeric} are not numeric: use preprocess.py's test.csv")
    labels = table[label_column].to_numpy(dtype=float)
    if np.isnan(labels).any():
        raise EvaluationError(f"test label column {label_column!r} has empty values: use preprocess.py's test.csv")
    return features.to_numpy(dtype=float), labels


def _metric(value: float, standard_deviation: float | None = None) -> dict[str, float]:
    entry = {"value": float(value)}
    if standard_deviation is not None:
        entry["standard_deviation"] = float(standard_deviation)
    return entry


def regression_metrics(labels: np.ndarray, predictions: np.ndarray) -> dict[str, dict[str, float]]:
    errors = predictions - labels
    mse = mean_squared_error(labels, predictions)
    return {
        "mse": _metric(mse, np.std(errors**2)),
        "rmse": _metric(math.sqrt(mse)),
        "mae": _metric(mean_absolute_error(labels, predictions), np.std(np.abs(errors))),
        "r2": _metric(r2_score(labels, predictions) if len(labels) > 1 else 0.0),
    }


def classification_metrics(
    labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5
) -> dict[str, Any]:
    classes = set(np.unique(labels).tolist())
    if not classes <= {0.0, 1.0}:
        raise EvaluationError(f"binary_classification labels must be 0/1, the test data has {sorted(classes)[:5]}")
    if len(classes) < 2:
        raise EvaluationError(
            f"the test data holds only class {int(next(iter(classes)))}: AUC needs both classes; provide more data"
        )
    y_true = labels.astype(int)
    y_pred = (probabilities >= threshold).astype(int)
    correct = (y_true == y_pred).astype(float)
    matrix = confusion_matrix(y_true, y_pred, labels=[0, 1])
    return {
        "auc": _metric(roc_auc_score(y_true, probabilities)),
        "accuracy": _metric(accuracy_score(y_true, y_pred), np.std(correct)),
        "precision": _metric(precision_score(y_true, y_pred, zero_division=0)),
        "recall": _metric(recall_score(y_true, y_pred, zero_division=0)),
        "f1": _metric(f1_score(y_true, y_pred, zero_division=0)),
        # Model Registry layout: confusion_matrix[actual][predicted]
        "confusion_matrix": {
            str(actual): {str(predicted): int(matrix[actual][predicted]) for predicted in (0, 1)} for actual in (0, 1)
        },
    }


def baseline(problem_type: str, labels: np.ndarray) -> dict[str, Any]:
    """What a model without features scores on the same data, to read the real metrics against."""
    if problem_type == "regression":
        constant = np.full_like(labels, labels.mean())
        metrics = regression_metrics(labels, constant)
        return {"strategy": "predict the mean label", "metrics": {k: v["value"] for k, v in metrics.items()}}
    majority = 1 if labels.mean() >= 0.5 else 0
    return {
        "strategy": f"predict the majority class ({majority})",
        "metrics": {"auc": 0.5, "accuracy": float(np.mean(labels == majority))},
    }


def evaluate(
    problem_type: str, model_dir: str, test_dir: str, work_dir: str, threshold: float = 0.5
) -> dict[str, Any]:
    """Build the evaluation report (not yet written)."""
    if problem_type not in PROBLEM_TYPES:
        raise EvaluationError(f"unknown problem type {problem_type!r}: use one of {', '.join(PROBLEM_TYPES)}")
    if not 0.0 < threshold < 1.0:
        raise EvaluationError(f"--threshold must be between 0 and 1, got {threshold}")
    booster, schema = load_model(model_dir, work_dir)
    if schema and schema.get("problem_type") not in (None, problem_type):
        raise EvaluationError(
            f"--problem-type is {problem_type!r} but the model was trained for {schema['problem_type']!r}: "
            "pass the same problem type to both steps"
        )
    table = read_test_data(test_dir)
    features, labels = features_and_labels(table, schema, booster.num_features())
    predictions = booster.predict(xgb.DMatrix(features))
    if problem_type == "regression":
        metrics: dict[str, Any] = regression_metrics(labels, predictions)
    else:
        metrics = classification_metrics(labels, predictions, threshold)
    return {REPORT_KEYS[problem_type]: metrics, "baseline": baseline(problem_type, labels)}


def write_report(report: dict[str, Any], output_dir: str) -> str:
    os.makedirs(output_dir, exist_ok=True)
    path = os.path.join(output_dir, "evaluation.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)
        handle.write("\n")
    return path


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Evaluate an XGBoost model artifact on the test split.")
    parser.add_argument("--problem-type", required=True, choices=PROBLEM_TYPES)
    parser.add_argument("--model-dir", default=MODEL_DIR)
    parser.add_argument("--test-dir", default=TEST_DIR)
    parser.add_argument("--output-dir", default=OUTPUT_DIR)
    parser.add_argument("--threshold", type=float, default=0.5, help="class-1 probability cut-off (binary)")
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        LOGGER.warning("ignoring unknown arguments: %s", " ".join(unknown))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="model-") as work_dir:
            report = evaluate(args.problem_type, args.model_dir, args.test_dir, work_dir, args.threshold)
    except EvaluationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    path = write_report(report, args.output_dir)
    metrics = report[REPORT_KEYS[args.problem_type]]
    summary = " ".join(
        f"{name}={entry['value']:.6g}"
        for name, entry in metrics.items()
        if isinstance(entry, dict) and "value" in entry
    )
    LOGGER.info("test metrics: %s", summary)
    LOGGER.info("baseline (%s): %s", report["baseline"]["strategy"], report["baseline"]["metrics"])
    LOGGER.info("wrote %s", path)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
