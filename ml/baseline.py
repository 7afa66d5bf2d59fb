"""Baseline step: Model Monitor data-quality baseline (statistics.json, constraints.json) from the train split.

Runs as a SageMaker Processing job in the scikit-learn 1.2-1 image (Python 3.9): stdlib, numpy and pandas only, and
its sibling baseline_statistics.py (the column statistics), which the job gets as a second code input (see
``import_statistics_module``).

Input: what preprocess.py wrote to its train output
  <train-dir>/train.csv     no header; the label, then the encoded feature columns
  <train-dir>/schema.json   {"problem_type", "label_column", "feature_columns"[, "encoding"]}
Output (``--output-dir``)
  statistics.json   the train rows described in SageMaker Model Monitor's statistics format
  constraints.json  the constraints the data-quality monitoring schedule checks captured requests against
  columns.json      which source column each positional column describes (not read by Model Monitor: for people,
                    and for local/monitor/data_quality.py to map JSON requests keyed by column name)

What is described: the rows as the ENDPOINT receives them. Clients send headerless CSV rows, data capture records
them as they came, and the analyzer names such columns by position: ``_c0``, ``_c1``, ... . With an ETL
``encoding`` in schema.json the model reads RAW rows (ml/inference.py): the ETL schema's feature columns in order,
text categories as text. So each training row is decoded back to that form: a numeric column is its value, a one-hot
group (``<column>=<category>``) is the text of the category whose feature is 1. Without an encoding, clients send
the encoded numeric features in order, and those are described. The label is never described (requests have none).

Decoding cannot undo the ETL job's imputation: a gap that the job filled is, in the train split, the recorded
imputation value (a number, or a category such as ``missing``), so it is described as that value. The completeness
constraint allows for it (below).

statistics.json (``version`` 0): per feature its name, inferred type and numerical or string statistics (with a
KLL sketch), and dataset.item_count, the number of rows; baseline_statistics.py describes it field by field.

constraints.json (``version`` 0), per feature: name, inferred_type, completeness, and
  num_constraints.is_non_negative      numeric features: true when the baseline minimum is >= 0
  string_constraints.domains          String features: the ETL schema's categories for that column (every category
                                      the model knows, even one the train split happens to lack)
  completeness is a lower bound, not the observed share: the share of non-missing values minus 3 standard errors
  (binomial, over the baseline's rows), rounded down to 2 decimals; 1.0 when nothing is missing. For a column whose
  ETL null policy imputes, every value equal to the imputation value is counted as a possible gap, because it may
  be one: the endpoint will see those gaps, and the model accepts them. That bound is tight for a continuous column
  and loose for one with few distinct values (a count whose median is also its most common value), because the ETL
  job records no gap counts. A 'quarantine' column had no gaps, so any gap in a request violates its completeness
  of 1.0.
  monitoring_config: the analyzer's defaults (as the SageMaker Python SDK writes them): evaluate_constraints and
  emit_metrics Enabled; datatype_check_threshold and domain_content_threshold 1.0 (the share of present values that
  must have the baseline type, and lie in the domain); distribution_constraints: perform_comparison Enabled,
  comparison_threshold 0.1 (largest distance between the baseline's and the captured cumulative distributions),
  comparison_method Robust, categorical_comparison_threshold 0.1, categorical_drift_method LInfinity.

Errors (exit code 1, like preprocess.py) name the file, the value and what to do.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import math
import os
import sys
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
import pandas as pd

LOGGER = logging.getLogger("baseline")

TRAIN_DIR = "/opt/ml/processing/train"
OUTPUT_DIR = "/opt/ml/processing/baseline"
TRAIN_FILE = "train.csv"
SCHEMA_FILE = "schema.json"
STATISTICS_FILE = "statistics.json"
CONSTRAINTS_FILE = "constraints.json"
COLUMNS_FILE = "columns.json"

# Standard errors taken off the observed completeness: a lower bound that a same-sized sample rarely falls under.
COMPLETENESS_Z = 3.0

MONITORING_CONFIG: Dict[str, Any] = {
    "evaluate_constraints": "Enabled",
    "emit_metrics": "Enabled",
    "datatype_check_threshold": 1.0,
    "domain_content_threshold": 1.0,
    "distribution_constraints": {
        "perform_comparison": "Enabled",
        "comparison_threshold": 0.1,
        "comparison_method": "Robust",
        "categorical_comparison_threshold": 0.1,
        "categorical_drift_method": "LInfinity",
    },
}

# The ETL job's one-hot feature names: <column>=<category> (glue-scripts/curation/schema.py).
_ONE_HOT_SEPARATOR = "="


class BaselineError(ValueError):
    """The train split cannot be described; the message says what to fix."""


# --- the column statistics: baseline_statistics.py -------------------------------------------------------------------

STATISTICS_MODULE = "baseline_statistics"
# The variable naming the module's file, which the Baseline step sets (lib/sagemaker-pipelines/names.ts).
STATISTICS_MODULE_VARIABLE = "BASELINE_STATISTICS_MODULE"


def import_statistics_module() -> ModuleType:
    """baseline_statistics, loaded once and registered under that name (so ``from baseline_statistics import ...``
    finds it); local/monitor takes the column statistics from here too.

    In the repository (tests, local/monitor) the module is the file beside this one. In the Processing job, SageMaker
    names each downloaded object after its S3 key, which for a CDK asset is a content hash (``<hash>.py``): the
    Baseline step downloads the module with its own input (``code-lib``) and names its path in
    BASELINE_STATISTICS_MODULE.
    """
    loaded = sys.modules.get(STATISTICS_MODULE)
    if loaded is not None:
        return loaded
    configured = os.environ.get(STATISTICS_MODULE_VARIABLE)
    path = configured or os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{STATISTICS_MODULE}.py")
    spec = importlib.util.spec_from_file_location(STATISTICS_MODULE, path) if os.path.isfile(path) else None
    if spec is None or spec.loader is None:
        where = (
            f"{STATISTICS_MODULE_VARIABLE} names {path}, which is missing or not a .py file: check the job's "
            f"'code-lib' input, which downloads {STATISTICS_MODULE}.py (named after its S3 key) to that folder"
            if configured else
            f"{path} does not exist: ship {STATISTICS_MODULE}.py beside baseline.py, or set "
            f"{STATISTICS_MODULE_VARIABLE} to its path"
        )
        raise ImportError(f"baseline.py needs {STATISTICS_MODULE}.py, its column statistics; {where}",
                          name=STATISTICS_MODULE, path=path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[STATISTICS_MODULE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[STATISTICS_MODULE]
        raise
    return module


import_statistics_module()
from baseline_statistics import (  # noqa: E402
    FORMAT_VERSION,
    NUMERIC_TYPES,
    STRING,
    Cell,
    ColumnProfile,
    profile_column,
    statistics_document,
    undescribed_column,
)


# --- the train split and its encoding --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RawColumn:
    """One column of the rows the endpoint receives, and how to recover it from the encoded training features."""

    source: str  # its name in the upload (with an encoding) or the encoded feature name (without)
    numeric: bool
    categories: Tuple[str, ...] = ()
    impute_value: Any = None  # the ETL imputation value; None when the column's null policy is 'quarantine'
    decodable: bool = True  # False when preprocess left out one of its encoded features


def _schema_problem(path: str, problem: str) -> BaselineError:
    return BaselineError(f"{path}: {problem}. Point --train-dir at the train output of preprocess.py")


def read_train_schema(train_dir: str) -> Dict[str, Any]:
    path = os.path.join(train_dir, SCHEMA_FILE)
    if not os.path.isdir(train_dir):
        raise BaselineError(f"train directory {train_dir!r} does not exist: pass --train-dir with preprocess's train "
                            "output (train.csv and schema.json)")
    if not os.path.isfile(path):
        held = ", ".join(sorted(os.listdir(train_dir))[:5]) or "nothing"
        raise BaselineError(f"no {SCHEMA_FILE} in {train_dir!r} (it holds: {held}): pass --train-dir with the train "
                            "output of preprocess.py, which writes train.csv and schema.json")
    try:
        with open(path, encoding="utf-8") as handle:
            schema = json.load(handle)
    except (OSError, ValueError) as error:
        raise _schema_problem(path, f"not readable JSON ({error})") from error
    if not isinstance(schema, dict):
        raise _schema_problem(path, f"expected a JSON object, got {type(schema).__name__}")
    columns = schema.get("feature_columns")
    if not isinstance(columns, list) or not columns or not all(isinstance(c, str) and c for c in columns):
        raise _schema_problem(path, f"feature_columns must be a non-empty list of names, got {json.dumps(columns)}")
    if len(set(columns)) != len(columns):
        raise _schema_problem(path, "feature_columns lists a name twice")
    return schema


def raw_columns(schema: Dict[str, Any], origin: str) -> List[RawColumn]:
    """The columns a request row holds, in order, with what decodes each from the model's features."""
    features: List[str] = schema["feature_columns"]
    encoding = schema.get("encoding")
    if encoding is None:
        return [RawColumn(source=name, numeric=True) for name in features]

    def bad(problem: str) -> BaselineError:
        return BaselineError(
            f"{origin}: its encoding (the ETL job's schema.json) {problem}: run preprocess.py again on the ETL run's "
            "curated prefix, unchanged"
        )

    if not isinstance(encoding, dict) or encoding.get("schemaVersion") != 1 or not isinstance(
        encoding.get("columns"), list
    ) or len(encoding["columns"]) < 2:
        raise bad("is not a version 1 ETL schema with the label and at least one feature column")
    columns: List[RawColumn] = []
    encoded: List[str] = []
    for index, column in enumerate(encoding["columns"][1:], start=1):
        if not isinstance(column, dict) or not isinstance(column.get("name"), str):
            raise bad(f"has a malformed column at columns[{index}]: {json.dumps(column)[:80]}")
        name, kind = column["name"], column.get("type")
        if kind == "numeric":
            names = [name]
            categories: Tuple[str, ...] = ()
        elif kind == "categorical":
            listed = column.get("categories")
            if not isinstance(listed, list) or not listed or not all(isinstance(c, str) for c in listed):
                raise bad(f"lists no categories for categorical column {name!r}")
            categories = tuple(listed)
            names = [f"{name}{_ONE_HOT_SEPARATOR}{category}" for category in categories]
        else:
            raise bad(f"gives column {name!r} the type {kind!r} (expected 'numeric' or 'categorical')")
        encoded.extend(names)
        columns.append(RawColumn(
            source=name, numeric=kind == "numeric", categories=categories, impute_value=column.get("imputeValue"),
            decodable=all(n in features for n in names),
        ))
    if encoded != encoding.get("featureColumns"):
        raise bad("lists featureColumns that do not follow from its columns and categories")
    unknown = [name for name in features if name not in encoded]
    if unknown:
        raise bad(f"does not produce the feature(s) {unknown} that feature_columns lists")
    return columns


def read_train_features(train_dir: str, feature_count: int) -> np.ndarray:
    """train.csv without its label column, as floats (NaN where preprocess left a gap)."""
    path = os.path.join(train_dir, TRAIN_FILE)
    if not os.path.isfile(path):
        raise BaselineError(f"no {TRAIN_FILE} in {train_dir!r}: pass --train-dir with the train output of "
                            "preprocess.py")
    try:
        # round_trip: the exact doubles preprocess wrote, so an imputation value compares equal to itself.
        frame = pd.read_csv(path, header=None, float_precision="round_trip")
    except pd.errors.EmptyDataError:
        raise BaselineError(f"{path} holds no rows: the train split must not be empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise BaselineError(
            f"{path} is not a readable CSV file ({error}): use the train.csv preprocess.py wrote"
        ) from error
    if frame.shape[1] != feature_count + 1:
        raise BaselineError(
            f"{path} has {frame.shape[1]} columns but schema.json lists {feature_count} features (+ the label "
            f"first = {feature_count + 1}): use the train.csv and schema.json of the same preprocess run"
        )
    features = frame.iloc[:, 1:]
    for position in range(feature_count):
        values = features.iloc[:, position]
        if not pd.api.types.is_numeric_dtype(values):
            converted = pd.to_numeric(values, errors="coerce")
            bad = (values.notna() & converted.isna()).to_numpy()
            line = int(bad.nonzero()[0][0]) + 1 if bad.any() else 1
            raise BaselineError(
                f"{path} line {line}, feature column {position + 1}: {values.iloc[line - 1]!r} is not a number: "
                "preprocess.py writes numbers only; use its train output unchanged"
            )
    return features.to_numpy(dtype=float)


def decode_columns(
    features: np.ndarray, feature_columns: Sequence[str], columns: Sequence[RawColumn], origin: str
) -> List[List[Cell]]:
    """Each raw column's cells, recovered from the encoded training features (see the module docstring)."""
    position = {name: index for index, name in enumerate(feature_columns)}
    decoded: List[List[Cell]] = []
    for column in columns:
        if not column.decodable:
            decoded.append([])
            continue
        if column.numeric:
            values = features[:, position[column.source]]
            decoded.append([None if math.isnan(v) else float(v) for v in values])
            continue
        names = [f"{column.source}{_ONE_HOT_SEPARATOR}{c}" for c in column.categories]
        group = features[:, [position[name] for name in names]]
        valid = np.isnan(group) | (group == 0.0) | (group == 1.0)
        ones = np.nansum(group, axis=1)
        broken = np.flatnonzero(~valid.all(axis=1) | (ones > 1))
        if broken.size:
            line = int(broken[0]) + 1
            shown = ", ".join(f"{n}={v:g}" for n, v in zip(names, group[broken[0]]))
            raise BaselineError(
                f"{origin} line {line}: the one-hot features of column {column.source!r} ({shown}) do not name one "
                "category (each must be 0 or 1, at most one 1): use the train output of preprocess.py unchanged"
            )
        hot = np.argmax(np.nan_to_num(group, nan=0.0), axis=1)
        # No 1 in the group: no known category (the model reads it as all zeros too), i.e. missing.
        decoded.append([column.categories[h] if o == 1 else None for h, o in zip(hot, ones)])
    return decoded


# --- constraints ----------------------------------------------------------------------------------------------------


def completeness_bound(profile: ColumnProfile, possible_gaps: int = 0) -> float:
    """The completeness constraint: observed completeness (counting ``possible_gaps`` as gaps) minus 3 standard
    errors, rounded down to 2 decimals; 1.0 when nothing is (possibly) missing."""
    if profile.rows == 0:
        return 0.0
    share = (profile.present - possible_gaps) / profile.rows
    if share >= 1.0:
        return 1.0
    bound = share - COMPLETENESS_Z * math.sqrt(share * (1.0 - share) / profile.rows)
    return max(0.0, math.floor(bound * 100.0 + 1e-9) / 100.0)


def possible_gaps(profile: ColumnProfile, cells: Sequence[Cell], column: RawColumn) -> int:
    """Cells that hold the ETL imputation value: each may have been a gap the ETL job filled."""
    if column.impute_value is None or not cells:
        return 0
    if column.numeric:
        target = float(column.impute_value)
        return sum(1 for cell in cells if cell is not None and float(cell) == target)  # type: ignore[arg-type]
    return sum(1 for cell in cells if cell == column.impute_value)


def feature_constraints(profile: ColumnProfile, column: RawColumn, completeness: float) -> Dict[str, Any]:
    """One entry of constraints.json's ``features``."""
    kind = profile.inferred_type
    constraint: Dict[str, Any] = {"name": profile.name, "inferred_type": kind}
    if not profile.described:
        return constraint
    constraint["completeness"] = completeness
    if kind in NUMERIC_TYPES:
        constraint["num_constraints"] = {"is_non_negative": bool(profile.numbers.min() >= 0)}
    elif kind == STRING:
        # Every category the model knows: the ETL schema's list, or (without one) the values seen.
        domain = list(column.categories) if column.categories else sorted(profile.texts)
        constraint["string_constraints"] = {"domains": domain}
    return constraint


def constraints_document(features: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    return {"version": FORMAT_VERSION, "features": list(features), "monitoring_config": json.loads(
        json.dumps(MONITORING_CONFIG))}


# --- the step --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    statistics: Dict[str, Any]
    constraints: Dict[str, Any]
    columns: Dict[str, Any]


def positional_name(index: int) -> str:
    """How Model Monitor names the columns of headerless CSV."""
    return f"_c{index}"


def build_baseline(train_dir: str) -> Baseline:
    schema = read_train_schema(train_dir)
    schema_path = os.path.join(train_dir, SCHEMA_FILE)
    columns = raw_columns(schema, schema_path)
    feature_columns: List[str] = schema["feature_columns"]
    features = read_train_features(train_dir, len(feature_columns))
    cells_by_column = decode_columns(features, feature_columns, columns, os.path.join(train_dir, TRAIN_FILE))
    rows = features.shape[0]
    profiles: List[ColumnProfile] = []
    constraints: List[Dict[str, Any]] = []
    for index, (column, cells) in enumerate(zip(columns, cells_by_column)):
        name = positional_name(index)
        if not column.decodable:
            LOGGER.warning(
                "column %s (%s) is not described: preprocess left out some of its encoded features, so its values "
                "cannot be recovered; it is typed Unknown", name, column.source,
            )
            profile = undescribed_column(name, rows)
        else:
            profile = profile_column(name, cells)
        profiles.append(profile)
        bound = completeness_bound(profile, possible_gaps(profile, cells, column))
        constraints.append(feature_constraints(profile, column, bound))
    described = "raw rows (ETL encoding decoded)" if schema.get("encoding") is not None else "encoded features"
    column_map = {
        "version": 1,
        "describes": described,
        "columns": [
            {"name": profile.name, "source": column.source,
             "type": "numeric" if column.numeric else "categorical", "described": profile.described}
            for profile, column in zip(profiles, columns)
        ],
    }
    return Baseline(
        statistics=statistics_document(profiles, rows),
        constraints=constraints_document(constraints),
        columns=column_map,
    )


def write_baseline(baseline: Baseline, output_dir: str) -> Dict[str, str]:
    os.makedirs(output_dir, exist_ok=True)
    paths = {
        "statistics": os.path.join(output_dir, STATISTICS_FILE),
        "constraints": os.path.join(output_dir, CONSTRAINTS_FILE),
        "columns": os.path.join(output_dir, COLUMNS_FILE),
    }
    for key, document in (("statistics", baseline.statistics), ("constraints", baseline.constraints),
                          ("columns", baseline.columns)):
        with open(paths[key], "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    return paths


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Describe the train split as Model Monitor's data-quality baseline (statistics and constraints)."
    )
    parser.add_argument("--train-dir", default=TRAIN_DIR, help="preprocess.py's train output (train.csv, schema.json)")
    parser.add_argument("--output-dir", default=OUTPUT_DIR, help="where statistics.json and constraints.json go")
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        LOGGER.warning("ignoring unknown arguments: %s", " ".join(unknown))
    return args


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)
    try:
        baseline = build_baseline(args.train_dir)
        paths = write_baseline(baseline, args.output_dir)
    except BaselineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    features = baseline.statistics["features"]
    LOGGER.info(
        "described %d rows as %d columns (%s): %s",
        baseline.statistics["dataset"]["item_count"],
        len(features),
        baseline.columns["describes"],
        ", ".join(f"{f['name']}={c['source']} {f['inferred_type']}" for f, c in zip(features,
                                                                                     baseline.columns["columns"])),
    )
    for name, path in paths.items():
        LOGGER.info("%s: %s", name, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
