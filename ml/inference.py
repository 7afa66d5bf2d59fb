"""Inference handlers for SageMaker's XGBoost 1.7-1 framework container (endpoints and batch transform).

The container calls ``model_fn(model_dir)`` once, then for each request
``output_fn(predict_fn(input_fn(body, content_type), model), accept)``.

Requests
  text/csv          one row per line, no header, no label; empty cells are missing values
  application/json  {"instances": [[f1, f2, ...], ...]} or, when the model has schema.json, objects keyed by feature
                    name: {"instances": [{"age": 31, ...}, ...]} (a bare JSON list works too)
Responses
  text/csv          one prediction per line
  application/json  {"predictions": [...]}
Binary classification models return the probability of class 1; regression models return the predicted value.

Raw rows. A model trained on the ETL job's curated data carries that job's encoding (schema.json's "encoding": the
ETL schema.json). Requests may then send RAW rows, as uploaded: the feature columns in the ETL schema's order (the
upload's column order without the label and the dropped columns; the full upload row without the label works too),
or objects keyed by those column names, with text categories and empty values. Each row is encoded exactly as the
ETL job encoded its training rows: values trimmed of spaces and tabs, numbers parsed by the same rule, a missing
value replaced by the recorded imputation value, one 0/1 feature per recorded category in the recorded order.
Already encoded numeric rows still work: a row is read as encoded when its width is the model's feature count (and
not a raw width), as raw otherwise; objects as raw when they name every raw column.
On purpose, inference does not set rows aside as the ETL job does: an unknown category encodes as all zeros, and a
missing value of a column whose null policy is 'quarantine' as missing (NaN, or all zeros for a category), so that
one unusual row gets a prediction instead of failing a whole request or batch. A value that is not a number in a
numeric column is still a bad request.

Malformed requests raise PayloadError with the HTTP status to answer with (400 bad data, 415 unsupported content
type, 406 unsupported accept type). In the container it is also the inference toolkit's BaseInferenceToolkitError,
which the toolkit answers with that status; any other exception becomes a 500. The toolkit replaces a missing or
``*/*`` Accept header with SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT before output_fn; output_fn answers both in CSV too.

Speed. A request whose cells are all plain numbers (or empty; quoted or not) is parsed at C speed into a matrix;
raw rows are encoded a column at a time. Anything those fast paths are not sure of goes through the careful
cell-by-cell code, which alone raises the messages above, so that a bad request gets the same message either way
(test_inference.py compares both on generated requests). The booster predicts with one thread unless
OMP_NUM_THREADS is set: the model server runs a worker per CPU, and a thread team costs more than it saves on the
few rows of an endpoint request.

Runs under Python 3.8 and the XGBoost 1.7-1 image's libraries (scripts/container-parity.sh tests that).
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
import xgboost as xgb

# The request parsing is a sibling module in the same code directory (the model artifact's code/, ml/ here);
# whichever way this program is loaded (the model server, local mode, by path in tests), it finds it there.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import inference_payload as payload  # noqa: E402
from inference_payload import (  # noqa: E402
    CSV,
    JSON,
    RAW_NUMBER,
    RAW_TRIM,
    Body,
    PayloadError,
    Records,
    finite,
    is_numeric_cell,
    parse_number,
    raw_text,
)

MODEL_FILE_NAME = "xgboost-model"
SCHEMA_FILE_NAME = "schema.json"
SUPPORTED_CONTENT_TYPES = (CSV, JSON)
SUPPORTED_ACCEPT_TYPES = (CSV, JSON)

# How one-hot features are named, as the ETL job names them (glue-scripts/curation/expressions.py; what is trimmed
# and what is a number are in inference_payload). test/python/glue/test_parity.py checks both sides encode alike.
_ONE_HOT_SEPARATOR = "="


@dataclass(frozen=True)
class RawColumn:
    """One feature column of the ETL encoding: how its raw value becomes encoded features."""

    name: str
    numeric: bool
    impute: Any  # the recorded imputation value, or None ('quarantine': missing stays missing)
    categories: List[str]


class Encoder:
    """The ETL job's encoding (its schema.json), applied to raw rows.

    ``encode`` returns the model's features: the encoding's features, selected and ordered as the model's
    ``feature_columns`` (preprocess may have trained on a subset).
    """

    def __init__(self, schema: Dict[str, Any], feature_columns: Sequence[str], origin: str) -> None:
        def bad(problem: str) -> ValueError:
            return ValueError(f"{origin}: the ETL encoding {problem}: package the schema.json that preprocess wrote "
                              "from the curated data of this training run")

        if not isinstance(schema, dict) or schema.get("schemaVersion") != 1 or not isinstance(
            schema.get("columns"), list
        ):
            raise bad("is not a version 1 ETL schema (schemaVersion, columns)")
        self.columns = []
        for column in schema["columns"][1:]:
            numeric = column.get("type") == "numeric"
            categories = [] if numeric else list(column.get("categories") or [])
            self.columns.append(RawColumn(str(column.get("name")), numeric, column.get("imputeValue"), categories))
        self.names = [c.name for c in self.columns]
        label = schema["columns"][0].get("name") if schema["columns"] else None
        self.full_names = [str(n) for n in schema.get("sourceColumns") or [] if n != label]
        self.positions = [self.full_names.index(n) if n in self.full_names else -1 for n in self.names]
        encoded = [c.name if c.numeric else f"{c.name}{_ONE_HOT_SEPARATOR}{k}" for c in self.columns
                   for k in ([None] if c.numeric else c.categories)]
        if encoded != schema.get("featureColumns"):
            raise bad("lists featureColumns that do not follow from its columns and categories")
        missing = [name for name in feature_columns if name not in encoded]
        if missing:
            raise bad(f"does not produce the model's feature(s) {missing}")
        self.select = [encoded.index(name) for name in feature_columns]
        self.identity = encoded == list(self.names) == list(feature_columns)
        self.width = len(encoded)
        # Where each category's 0/1 feature is, for encoding whole columns at once (encode_rows); only when every
        # category is a distinct string, so that a dict lookup finds exactly what encode's comparisons find.
        self.category_index: Optional[List[Dict[str, int]]] = [
            {name: k for k, name in enumerate(c.categories)} for c in self.columns
        ]
        if not all(isinstance(k, str) for c in self.columns for k in c.categories) or any(
            len(index) != len(c.categories) for index, c in zip(self.category_index, self.columns)
        ):
            self.category_index = None

    def widths(self) -> List[int]:
        """Raw row widths: the feature columns, and the full upload row without the label."""
        return sorted({len(self.names), len(self.full_names)})

    def encode(self, values: Sequence[Any], where: Sequence[str]) -> List[float]:
        """One raw row (values in ``names`` order) -> the model's features; ``where`` names each value in errors."""
        out: List[float] = []
        for column, value, place in zip(self.columns, values, where):
            text = raw_text(value, place)
            if column.numeric:
                if text is None:
                    out.append(math.nan if column.impute is None else float(column.impute))
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    out.append(finite(float(value), value, place))
                elif RAW_NUMBER.fullmatch(text):
                    out.append(finite(float(text), value, place))
                else:
                    raise PayloadError(f"{place}: {value!r} is not a number: column {column.name!r} is numeric")
            else:
                category = column.impute if text is None else text
                out.extend(1.0 if category == known else 0.0 for known in column.categories)
        return [out[index] for index in self.select]

    def encode_rows(
        self, rows: Sequence[Sequence[Any]], positions: Optional[Sequence[int]] = None
    ) -> Optional[np.ndarray]:
        """Raw rows encoded column by column, exactly as ``encode`` encodes each row (``positions``: where each of
        ``names`` is in a row, default in order); None when a value is bad (``encode`` then names the first) or when
        only ``encode`` can tell."""
        if self.category_index is None:
            return None
        out = np.zeros((len(rows), self.width))
        at = 0
        try:
            for j, column in enumerate(self.columns):
                position = positions[j] if positions is not None else j
                values = [row[position] for row in rows]
                if column.numeric:
                    numbers = _raw_numbers(values, column)
                    if numbers is None:
                        return None
                    out[:, at] = numbers
                    at += 1
                else:
                    codes = _category_codes(values, column, self.category_index[j])
                    if codes is None:
                        return None
                    known = codes >= 0
                    out[np.flatnonzero(known), at + codes[known]] = 1.0
                    at += len(column.categories)
        except (ValueError, OverflowError, IndexError, TypeError):
            return None
        return out[:, self.select]


def _raw_numbers(values: List[Any], column: RawColumn) -> Optional[List[float]]:
    """A numeric column's raw values as encode reads them; None at the first value encode would refuse."""
    missing = math.nan if column.impute is None else float(column.impute)
    numbers = []
    for value in values:
        kind = type(value)
        if kind is str:
            text = value.strip(RAW_TRIM)
            if not text:
                numbers.append(missing)
                continue
            if RAW_NUMBER.fullmatch(text) is None:
                return None
            number = float(text)
        elif value is None:
            numbers.append(missing)
            continue
        elif kind is int or kind is float:
            number = float(value)
        else:
            return None
        if math.isinf(number) or math.isnan(number):
            return None
        numbers.append(number)
    return numbers


def _category_codes(values: List[Any], column: RawColumn, index: Dict[str, int]) -> Optional[np.ndarray]:
    """Each raw value's category position (-1: no recorded category, all zeros) as encode reads it."""
    codes = []
    for value in values:
        kind = type(value)
        if kind is str:
            category = value.strip(RAW_TRIM) or column.impute
        elif value is None:
            category = column.impute
        elif kind is int:
            category = str(value)
        elif kind is float:
            category = repr(value)
        else:
            return None
        codes.append(index.get(category, -1) if isinstance(category, str) else -1)
    return np.asarray(codes, dtype=np.intp)


@dataclass(frozen=True)
class Model:
    booster: xgb.Booster
    # From schema.json when the artifact has one: lets JSON requests name their features.
    feature_columns: list[str] | None
    problem_type: str | None
    # From schema.json's "encoding" when the model was trained on ETL-curated data: lets requests send raw rows.
    encoder: Optional[Encoder] = None

    @property
    def num_features(self) -> int:
        return int(self.booster.num_features())



def model_fn(model_dir: str) -> Model:
    model_path = os.path.join(model_dir, MODEL_FILE_NAME)
    if not os.path.isfile(model_path):
        held = ", ".join(sorted(os.listdir(model_dir))) if os.path.isdir(model_dir) else "it does not exist"
        raise FileNotFoundError(
            f"no {MODEL_FILE_NAME!r} in model directory {model_dir!r} ({held or 'it is empty'}): deploy a model "
            "artifact written by train.py"
        )
    booster = xgb.Booster()
    booster.load_model(model_path)
    if not os.environ.get("OMP_NUM_THREADS"):
        # One thread per prediction unless OMP_NUM_THREADS says otherwise: the model server runs a worker process per
        # CPU, and waking a thread team for a request of a few rows costs more than the prediction (tens of ms when
        # the CPUs are busy); a 10,000-row request predicts in a few ms on one thread.
        booster.set_param("nthread", 1)
    feature_columns: list[str] | None = None
    problem_type: str | None = None
    encoder: Encoder | None = None
    schema_path = os.path.join(model_dir, SCHEMA_FILE_NAME)
    if os.path.isfile(schema_path):
        with open(schema_path, encoding="utf-8") as handle:
            schema = json.load(handle)
        columns = schema.get("feature_columns")
        if isinstance(columns, list) and all(isinstance(c, str) for c in columns):
            if len(columns) != booster.num_features():
                raise ValueError(
                    f"{schema_path} lists {len(columns)} feature columns but the model has "
                    f"{booster.num_features()} features: package the schema.json of the same training run"
                )
            feature_columns = columns
            if schema.get("encoding") is not None:
                encoder = Encoder(schema["encoding"], columns, schema_path)
        problem_type = schema.get("problem_type")
    return Model(booster=booster, feature_columns=feature_columns, problem_type=problem_type, encoder=encoder)


def input_fn(request_body: Body, request_content_type: str | None) -> Records:
    content_type = payload.media_type(request_content_type)
    if content_type not in SUPPORTED_CONTENT_TYPES:
        raise PayloadError(
            f"unsupported content type {request_content_type!r}: send {' or '.join(SUPPORTED_CONTENT_TYPES)}",
            415,
        )
    text = payload.decode(request_body)
    if content_type == CSV:
        return payload.csv_rows(text)
    return payload.json_rows(text)


def _raw_width(width: int, model: Model) -> Optional[bool]:
    """Whether rows of this width are raw rows: True, False, or None when only their cells can tell."""
    encoder = model.encoder
    if encoder is None or width not in encoder.widths():
        return False
    if encoder.identity or width != model.num_features:
        return True
    return None


def _reads_raw(records: Records, model: Model) -> bool:
    """Whether rows of this width are raw rows for the model's encoder (else: encoded numeric rows)."""
    width = len((records.rows or [[]])[0])
    raw = _raw_width(width, model)
    if raw is not None:
        return raw
    # A raw width that is also the encoded width: text anywhere means raw.
    return not all(is_numeric_cell(value) for row in records.rows or [] for value in row)


def _width_error(model: Model, width: int) -> PayloadError:
    names = f" ({', '.join(model.feature_columns)})" if model.feature_columns else ""
    raw = ""
    if model.encoder is not None:
        widths = " or ".join(str(w) for w in model.encoder.widths())
        raw = f", or {widths} raw values ({', '.join(model.encoder.names)})"
    return PayloadError(
        f"expected {model.num_features} feature values per row{names}{raw} but got {width}: send the features only, "
        "in training order, without the label"
    )


def _matrix_from_rows(records: Records, model: Model) -> np.ndarray:
    if records.numbers is not None and not _raw_width(records.numbers.shape[1], model):
        # Every cell is a number, so rows of a width that may be raw or encoded are encoded (as below).
        if model.encoder is not None and records.numbers.shape[1] != model.num_features:
            raise _width_error(model, records.numbers.shape[1])
        return records.numbers
    records = records.with_cells()
    rows = records.rows or []
    if not _reads_raw(records, model):
        if model.encoder is not None and len(rows[0]) != model.num_features:
            raise _width_error(model, len(rows[0]))  # neither raw nor encoded: say what both would be
        return np.asarray(
            [[parse_number(v, place) for v, place in zip(row, records.places(i, len(row)))] for i, row in enumerate(rows)],
            dtype=float,
        )
    encoder = model.encoder
    assert encoder is not None
    full = len(rows[0]) != len(encoder.names)  # the upload's row without the label: pick the feature columns
    matrix = encoder.encode_rows(rows, encoder.positions if full else None)
    if matrix is not None:
        return matrix
    encoded = []
    for index, row in enumerate(rows):
        places = records.places(index, len(row))
        if full:
            row, places = [row[p] for p in encoder.positions], [places[p] for p in encoder.positions]
        encoded.append(encoder.encode(row, places))
    return np.asarray(encoded, dtype=float)


def _matrix_from_objects(objects: Sequence[dict[str, Any]], model: Model) -> np.ndarray:
    if model.feature_columns is None:
        raise PayloadError(
            "rows keyed by feature name need the model's schema.json, which this model lacks: send each row as a "
            f"list of its {model.num_features} feature values"
        )
    encoder = model.encoder
    if encoder is not None and all(isinstance(item, dict) and all(name in item for name in encoder.names)
                                   for item in objects):
        matrix = encoder.encode_rows([[item[name] for name in encoder.names] for item in objects])
        if matrix is not None:
            return matrix
    rows: list[list[float]] = []
    for index, item in enumerate(objects):
        if encoder is not None and all(name in item for name in encoder.names):
            places = [f"instance {index}, feature {name!r}" for name in encoder.names]
            rows.append(encoder.encode([item[name] for name in encoder.names], places))
            continue
        if encoder is not None and any(name in item and name not in model.feature_columns for name in encoder.names):
            missing = [name for name in encoder.names if name not in item]
            raise PayloadError(
                f"instance {index} lacks raw column(s) {', '.join(missing)}; raw rows need {', '.join(encoder.names)} "
                "(empty or null for a missing value)"
            )
        missing = [name for name in model.feature_columns if name not in item]
        if missing:
            hint = f" (or the raw columns {', '.join(encoder.names)})" if encoder is not None else ""
            raise PayloadError(
                f"instance {index} lacks feature(s) {', '.join(missing)}; the model needs "
                f"{', '.join(model.feature_columns)}{hint}"
            )
        rows.append([parse_number(item[name], f"instance {index}, feature {name!r}") for name in model.feature_columns])
    return np.asarray(rows, dtype=float)


def predict_fn(input_data: Records | np.ndarray, model: Model) -> np.ndarray:
    if isinstance(input_data, np.ndarray):
        input_data = Records(matrix=np.atleast_2d(input_data.astype(float)))
    if input_data.objects is not None:
        matrix = _matrix_from_objects(input_data.objects, model)
    elif input_data.rows is not None or input_data.numbers is not None:
        matrix = _matrix_from_rows(input_data, model)
    elif input_data.matrix is not None:
        matrix = input_data.matrix
    else:
        raise PayloadError("no rows to predict")
    if matrix.shape[1] != model.num_features:
        raise _width_error(model, matrix.shape[1])
    # inplace_predict predicts exactly as predict(DMatrix(...)) without building a DMatrix (half the time of a
    # 10,000-row request under the container's numpy).
    return np.asarray(model.booster.inplace_predict(np.ascontiguousarray(matrix, dtype=float)), dtype=float)


def _accept_type(accept: str | None) -> str:
    """The first supported media type of an Accept header; text/csv when the client accepts anything."""
    candidates = [payload.media_type(part) for part in (accept or "").split(",")]
    for candidate in candidates:
        if candidate in SUPPORTED_ACCEPT_TYPES:
            return candidate
    if all(candidate in ("", "*/*") for candidate in candidates):
        return CSV
    raise PayloadError(f"unsupported accept type {accept!r}: ask for {' or '.join(SUPPORTED_ACCEPT_TYPES)}", 406)


def output_fn(prediction: np.ndarray, accept: str | None) -> str:
    media_type = _accept_type(accept)
    values = np.asarray(prediction, dtype=float).ravel().tolist()  # Python floats: repr is the shortest round trip
    if media_type == JSON:
        return json.dumps({"predictions": values})
    return "\n".join(map(repr, values))
