"""Training script for SageMaker's XGBoost 1.7-1 framework container (script mode).

SageMaker runs ``python train.py --key value ...`` with one ``--key value`` pair per hyperparameter and the data
channels / model directory in ``SM_*`` environment variables. The same command runs anywhere once those point at
local folders.

Channels (CSV, no header, label in the first column, as written by preprocess.py):
  train       SM_CHANNEL_TRAIN       (default /opt/ml/input/data/train); may also hold schema.json
  validation  SM_CHANNEL_VALIDATION  (default /opt/ml/input/data/validation)

Output: ``<SM_MODEL_DIR>/xgboost-model`` (Booster.save_model, trimmed to the best iteration), a copy of
schema.json, the serving hooks at ``code/inference.py``, and a ``training_summary.json`` in SM_OUTPUT_DATA_DIR
when that is set.

The log has XGBoost's ``[i]\\ttrain-<metric>:v\\tvalidation-<metric>:v`` lines; the LAST such line repeats the best
iteration's values, so SageMaker's metric regexes (which keep the last match) report the kept model's score.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd
import xgboost as xgb

LOGGER = logging.getLogger("train")

MODEL_FILE_NAME = "xgboost-model"
SCHEMA_FILE_NAME = "schema.json"
SUMMARY_FILE_NAME = "training_summary.json"
# Serving hooks shipped inside the model artifact, at <model dir>/code/inference.py, with the module it imports.
INFERENCE_PROGRAM = "inference.py"
INFERENCE_MODULES = (INFERENCE_PROGRAM, "inference_payload.py")
CODE_DIR_NAME = "code"

# Objectives this platform knows, and the evaluation metric each uses when --eval_metric is not given.
DEFAULT_EVAL_METRIC = {"reg:squarederror": "rmse", "binary:logistic": "auc"}
OBJECTIVE_BY_PROBLEM_TYPE = {"regression": "reg:squarederror", "binary_classification": "binary:logistic"}


class TrainingError(ValueError):
    """Bad input data or hyperparameters; the message names the value and what to do."""


@dataclass(frozen=True)
class TrainingResult:
    booster: xgb.Booster
    best_iteration: int
    # metric values of the best iteration, keyed like the log: "train-rmse", "validation-rmse"
    best_metrics: dict[str, float]
    history: dict[str, dict[str, list[float]]]


def _int_value(text: str) -> int:
    """Integer hyperparameter; tuning jobs may send integral values like "5.0"."""
    try:
        number = float(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from error
    if not number.is_integer():
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}")
    return int(number)


def _float_value(text: str) -> float:
    try:
        return float(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from error


def _text_value(text: str) -> str:
    # SageMaker JSON-encodes some string hyperparameters ("\"reg:squarederror\""); accept both forms.
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1]
    return stripped


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Train an XGBoost model on CSV channels (label first, no header).")

    def option(name: str, **kwargs: Any) -> None:
        dashed = name.replace("_", "-")
        flags = [f"--{name}"] + ([f"--{dashed}"] if dashed != name else [])
        parser.add_argument(*flags, dest=name, **kwargs)

    option("objective", type=_text_value, default=None, help="default: from schema.json's problem_type")
    option("eval_metric", type=_text_value, default=None, help="default: rmse (regression) / auc (binary)")
    option("num_round", type=_int_value, default=200)
    option("early_stopping_rounds", type=_int_value, default=10, help="0 disables early stopping")
    option("max_depth", type=_int_value, default=5)
    option("eta", type=_float_value, default=0.2)
    option("gamma", type=_float_value, default=0.0)
    option("min_child_weight", type=_float_value, default=1.0)
    option("subsample", type=_float_value, default=1.0)
    option("colsample_bytree", type=_float_value, default=1.0)
    option("lambda", type=_float_value, default=1.0)
    option("alpha", type=_float_value, default=0.0)
    option("seed", type=_int_value, default=42)
    option("nthread", type=_int_value, default=0, help="0 uses every core")
    option("train", default=os.environ.get("SM_CHANNEL_TRAIN", "/opt/ml/input/data/train"))
    option("validation", default=os.environ.get("SM_CHANNEL_VALIDATION", "/opt/ml/input/data/validation"))
    option("model_dir", default=os.environ.get("SM_MODEL_DIR", "/opt/ml/model"))
    option("output_data_dir", default=os.environ.get("SM_OUTPUT_DATA_DIR"))
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        LOGGER.info("ignoring arguments this script does not use: %s", " ".join(unknown))
    return args


def validate_hyperparameters(args: argparse.Namespace) -> None:
    checks = [
        ("num_round", args.num_round >= 1, "at least 1"),
        ("early_stopping_rounds", args.early_stopping_rounds >= 0, "0 (off) or more"),
        ("max_depth", args.max_depth >= 0, "0 or more"),
        ("eta", 0.0 < args.eta <= 1.0, "in (0, 1]"),
        ("gamma", args.gamma >= 0.0, "0 or more"),
        ("min_child_weight", args.min_child_weight >= 0.0, "0 or more"),
        ("subsample", 0.0 < args.subsample <= 1.0, "in (0, 1]"),
        ("colsample_bytree", 0.0 < args.colsample_bytree <= 1.0, "in (0, 1]"),
        ("lambda", getattr(args, "lambda") >= 0.0, "0 or more"),
        ("alpha", args.alpha >= 0.0, "0 or more"),
        ("nthread", args.nthread >= 0, "0 (all cores) or more"),
    ]
    for name, ok, expected in checks:
        if not ok:
            raise TrainingError(f"hyperparameter {name}={getattr(args, name)!r} is invalid: it must be {expected}")


def read_schema(channel_dir: str) -> dict[str, Any] | None:
    path = os.path.join(channel_dir, SCHEMA_FILE_NAME)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        try:
            schema = json.load(handle)
        except json.JSONDecodeError as error:
            raise TrainingError(f"{path} is not valid JSON ({error}): re-run preprocessing") from error
    if not isinstance(schema, dict):
        raise TrainingError(f"{path} must hold a JSON object, got {type(schema).__name__}: re-run preprocessing")
    return schema


def read_channel(name: str, channel_dir: str) -> tuple[np.ndarray, np.ndarray]:
    """Read every *.csv file of a channel: label in column 0, features after it, no header."""
    if not os.path.isdir(channel_dir):
        raise TrainingError(
            f"the {name} channel directory {channel_dir!r} does not exist: give the training job a '{name}' input "
            f"channel (or set SM_CHANNEL_{name.upper()})"
        )
    files = sorted(
        os.path.join(root, file)
        for root, _, names in os.walk(channel_dir)
        for file in names
        if file.lower().endswith(".csv")
    )
    if not files:
        raise TrainingError(
            f"no *.csv files in the {name} channel {channel_dir!r} (it holds: "
            f"{', '.join(sorted(os.listdir(channel_dir))) or 'nothing'}): run preprocessing first"
        )
    frames = []
    for path in files:
        try:
            frame = pd.read_csv(path, header=None)
        except pd.errors.EmptyDataError:
            continue
        non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
        if non_numeric:
            column = non_numeric[0]
            sample = frame[column][pd.to_numeric(frame[column], errors="coerce").isna() & frame[column].notna()]
            raise TrainingError(
                f"{path}: column {column + 1} is not numeric (e.g. {sample.iloc[0]!r} on line {sample.index[0] + 1}). "
                "Training CSVs have no header and only numbers, label first: use preprocess.py's output"
            )
        frames.append(frame)
    if not frames:
        raise TrainingError(f"the {name} channel {channel_dir!r} has only empty files: run preprocessing first")
    widths = {frame.shape[1] for frame in frames}
    if len(widths) > 1:
        raise TrainingError(f"the files in the {name} channel have different column counts {sorted(widths)}")
    table = pd.concat(frames, ignore_index=True)
    if table.shape[1] < 2:
        raise TrainingError(f"the {name} channel needs a label column and at least one feature column")
    labels = table.iloc[:, 0].to_numpy(dtype=float)
    if np.isnan(labels).any():
        raise TrainingError(f"the {name} channel has rows without a label (first column empty): drop those rows")
    return table.iloc[:, 1:].to_numpy(dtype=float), labels


def resolve_objective(args: argparse.Namespace, schema: dict[str, Any] | None) -> tuple[str, str]:
    objective = args.objective
    if not objective:
        problem_type = (schema or {}).get("problem_type", "regression")
        if problem_type not in OBJECTIVE_BY_PROBLEM_TYPE:
            raise TrainingError(
                f"schema.json has unknown problem_type {problem_type!r}: use one of "
                f"{', '.join(OBJECTIVE_BY_PROBLEM_TYPE)} or pass --objective"
            )
        objective = OBJECTIVE_BY_PROBLEM_TYPE[problem_type]
    eval_metric = args.eval_metric or DEFAULT_EVAL_METRIC.get(objective)
    if not eval_metric:
        raise TrainingError(f"no default eval_metric for objective {objective!r}: pass --eval_metric")
    return objective, eval_metric


def check_labels(objective: str, name: str, labels: np.ndarray) -> None:
    if objective.startswith("binary:"):
        bad = sorted({float(v) for v in labels if v not in (0.0, 1.0)})
        if bad:
            raise TrainingError(
                f"objective {objective} needs 0/1 labels, but the {name} channel has {bad[:5]}: map the classes "
                "to 0 and 1 (preprocess.py --problem-type binary_classification checks this)"
            )


def train(
    params: dict[str, Any],
    train_data: tuple[np.ndarray, np.ndarray],
    validation_data: tuple[np.ndarray, np.ndarray],
    num_round: int,
    early_stopping_rounds: int,
) -> TrainingResult:
    """Train with train/validation evaluation, print the best iteration's metrics last, trim to it."""
    (x_train, y_train), (x_validation, y_validation) = train_data, validation_data
    if x_train.shape[1] != x_validation.shape[1]:
        raise TrainingError(
            f"train has {x_train.shape[1]} features but validation has {x_validation.shape[1]}: both must come "
            "from the same preprocessing run"
        )
    dtrain = xgb.DMatrix(x_train, label=y_train)
    dvalidation = xgb.DMatrix(x_validation, label=y_validation)
    history: dict[str, dict[str, list[float]]] = {}
    booster = xgb.train(
        params,
        dtrain,
        num_boost_round=num_round,
        evals=[(dtrain, "train"), (dvalidation, "validation")],
        evals_result=history,
        early_stopping_rounds=early_stopping_rounds or None,
        verbose_eval=True,
    )
    if early_stopping_rounds:
        best_iteration = int(booster.best_iteration)
    else:
        best_iteration = booster.num_boosted_rounds() - 1
    best_metrics = {
        f"{data}-{metric}": float(values[best_iteration])
        for data, metrics in history.items()
        for metric, values in metrics.items()
    }
    # Repeat the best iteration's values as the last metric line: SageMaker keeps the last regex match.
    line = f"[{best_iteration}]" + "".join(f"\t{key}:{value!r}" for key, value in best_metrics.items())
    print(line, flush=True)
    trimmed = booster[: best_iteration + 1]
    return TrainingResult(booster=trimmed, best_iteration=best_iteration, best_metrics=best_metrics, history=history)


def package_inference_code(model_dir: str, source_dir: str = os.path.dirname(os.path.abspath(__file__))) -> str | None:
    """Copy the serving hooks into ``<model_dir>/code/`` so that model.tar.gz is self-contained.

    Model packages point their container at ``SAGEMAKER_SUBMIT_DIRECTORY=/opt/ml/model/code``: the registered
    model then needs no other S3 object, whichever account or stage serves it.
    """
    missing = [name for name in INFERENCE_MODULES if not os.path.isfile(os.path.join(source_dir, name))]
    if missing:
        LOGGER.warning("%s not found next to train.py; the model is saved without serving code", ", ".join(missing))
        return None
    code_dir = os.path.join(model_dir, CODE_DIR_NAME)
    os.makedirs(code_dir, exist_ok=True)
    for name in INFERENCE_MODULES:
        shutil.copyfile(os.path.join(source_dir, name), os.path.join(code_dir, name))
    return os.path.join(code_dir, INFERENCE_PROGRAM)


def save(result: TrainingResult, model_dir: str, train_dir: str) -> str:
    os.makedirs(model_dir, exist_ok=True)
    model_path = os.path.join(model_dir, MODEL_FILE_NAME)
    result.booster.save_model(model_path)
    schema_path = os.path.join(train_dir, SCHEMA_FILE_NAME)
    if os.path.isfile(schema_path):
        shutil.copyfile(schema_path, os.path.join(model_dir, SCHEMA_FILE_NAME))
    package_inference_code(model_dir)
    return model_path


def run(args: argparse.Namespace) -> TrainingResult:
    validate_hyperparameters(args)
    schema = read_schema(args.train)
    objective, eval_metric = resolve_objective(args, schema)
    train_data = read_channel("train", args.train)
    validation_data = read_channel("validation", args.validation)
    check_labels(objective, "train", train_data[1])
    check_labels(objective, "validation", validation_data[1])
    if schema and isinstance(schema.get("feature_columns"), list):
        expected = len(schema["feature_columns"])
        if train_data[0].shape[1] != expected:
            raise TrainingError(
                f"schema.json lists {expected} feature columns but train.csv has {train_data[0].shape[1]}: "
                "both must come from the same preprocessing run"
            )
    params: dict[str, Any] = {
        "objective": objective,
        "eval_metric": eval_metric,
        "max_depth": args.max_depth,
        "eta": args.eta,
        "gamma": args.gamma,
        "min_child_weight": args.min_child_weight,
        "subsample": args.subsample,
        "colsample_bytree": args.colsample_bytree,
        "lambda": getattr(args, "lambda"),
        "alpha": args.alpha,
        "seed": args.seed,
    }
    if args.nthread:
        params["nthread"] = args.nthread
    LOGGER.info(
        "training on %d rows (validation %d rows, %d features) with %s",
        len(train_data[1]),
        len(validation_data[1]),
        train_data[0].shape[1],
        json.dumps(params, sort_keys=True),
    )
    result = train(params, train_data, validation_data, args.num_round, args.early_stopping_rounds)
    model_path = save(result, args.model_dir, args.train)
    LOGGER.info("best iteration %d %s; model saved to %s", result.best_iteration, result.best_metrics, model_path)
    if args.output_data_dir:
        os.makedirs(args.output_data_dir, exist_ok=True)
        summary = {
            "params": params,
            "best_iteration": result.best_iteration,
            "best_metrics": result.best_metrics,
            "history": result.history,
        }
        with open(os.path.join(args.output_data_dir, SUMMARY_FILE_NAME), "w", encoding="utf-8") as handle:
            json.dump(summary, handle, indent=2)
    return result


def write_failure_reason(message: str) -> None:
    """SageMaker shows the text of <SM_OUTPUT_DIR>/failure as the training job's FailureReason."""
    output_dir = os.environ.get("SM_OUTPUT_DIR")
    if output_dir and os.path.isdir(output_dir):
        with open(os.path.join(output_dir, "failure"), "w", encoding="utf-8") as handle:
            handle.write(message[:1024])


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)
    try:
        run(args)
    except TrainingError as error:
        print(f"error: {error}", file=sys.stderr)
        write_failure_reason(str(error))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
