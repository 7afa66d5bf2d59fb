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

Runs under Python 3.8 and the XGBoost 1.7-1 image's libraries (scripts/container-parity.sh tests that).
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import xgboost as xgb

MODEL_FILE_NAME = "xgboost-model"
SCHEMA_FILE_NAME = "schema.json"
CSV = "text/csv"
JSON = "application/json"
SUPPORTED_CONTENT_TYPES = (CSV, JSON)
SUPPORTED_ACCEPT_TYPES = (CSV, JSON)

# The ETL job's definitions (glue-scripts/curation/expressions.py): what is trimmed, what is a number, how one-hot
# features are named. test/python/glue/test_parity.py checks both sides encode alike.
_RAW_TRIM = " \t"
_RAW_NUMBER = re.compile(r"[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?")
_ONE_HOT_SEPARATOR = "="


try:
    # In SageMaker's XGBoost container the hooks run under the inference toolkit, whose Transformer answers any
    # exception that is not a BaseInferenceToolkitError with 500: deriving from it makes a bad request a 4xx there.
    from sagemaker_inference.errors import BaseInferenceToolkitError as _ToolkitError
except ImportError:  # anywhere else (local runs, tests without the toolkit)
    _ToolkitError = None

_PAYLOAD_ERROR_BASES = (ValueError,) if _ToolkitError is None else (ValueError, _ToolkitError)


def _reason_phrase(status_code: int) -> str:
    """The HTTP reason phrase of a status code: 400 -> "Bad Request"."""
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Bad Request"


class PayloadError(*_PAYLOAD_ERROR_BASES):  # type: ignore[misc]
    """A request the model cannot answer; ``status_code`` is the HTTP status to reply with.

    A ValueError everywhere and, when the inference toolkit is installed, also its BaseInferenceToolkitError, so the
    toolkit replies with ``status_code``, the reason phrase of that status and ``message`` as the body.
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        if _ToolkitError is not None:
            _ToolkitError.__init__(self, status_code, message, _reason_phrase(status_code))
        # str(error) is the message, whichever base set the arguments first.
        Exception.__init__(self, message)
        self.message = message
        self.status_code = status_code
        self.phrase = _reason_phrase(status_code)


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

    def widths(self) -> List[int]:
        """Raw row widths: the feature columns, and the full upload row without the label."""
        return sorted({len(self.names), len(self.full_names)})

    def encode(self, values: Sequence[Any], where: Sequence[str]) -> List[float]:
        """One raw row (values in ``names`` order) -> the model's features; ``where`` names each value in errors."""
        out: List[float] = []
        for column, value, place in zip(self.columns, values, where):
            text = _raw_text(value, place)
            if column.numeric:
                if text is None:
                    out.append(math.nan if column.impute is None else float(column.impute))
                elif isinstance(value, (int, float)) and not isinstance(value, bool):
                    out.append(_finite(float(value), value, place))
                elif _RAW_NUMBER.fullmatch(text):
                    out.append(_finite(float(text), value, place))
                else:
                    raise PayloadError(f"{place}: {value!r} is not a number: column {column.name!r} is numeric")
            else:
                category = column.impute if text is None else text
                out.extend(1.0 if category == known else 0.0 for known in column.categories)
        return [out[index] for index in self.select]


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


@dataclass(frozen=True)
class Records:
    """Parsed request rows: cells per row (text from CSV, JSON values), objects keyed by name, or a matrix.

    Cells are turned into numbers in predict_fn, which knows whether the model reads raw rows.
    """

    rows: Optional[List[List[Any]]] = None
    labels: Optional[List[str]] = None  # per row, for messages: "CSV line 3" / "instance 2"
    csv: bool = False  # CSV cells are named "column <1-based>", JSON list values "value <0-based>"
    objects: list[dict[str, Any]] | None = None
    matrix: np.ndarray | None = None

    def __len__(self) -> int:
        if self.matrix is not None:
            return int(self.matrix.shape[0])
        return len(self.rows if self.rows is not None else self.objects or [])

    def places(self, index: int, width: int) -> List[str]:
        label = (self.labels or [])[index]
        return [f"{label}, column {c + 1}" if self.csv else f"{label}, value {c}" for c in range(width)]


Body = Union[str, bytes, bytearray]


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


def _media_type(value: str | None) -> str:
    # "text/csv; charset=utf-8" -> "text/csv"
    return (value or "").split(";")[0].strip().lower()


def _decode(body: Body) -> str:
    if isinstance(body, (bytes, bytearray)):
        try:
            return bytes(body).decode("utf-8")
        except UnicodeDecodeError as error:
            raise PayloadError(f"the request body is not UTF-8 text ({error}): send UTF-8 encoded data") from error
    if isinstance(body, str):
        return body
    raise PayloadError(f"unsupported request body type {type(body).__name__}: send text or bytes")


def _finite(number: float, value: Any, where: str) -> float:
    if math.isinf(number) or math.isnan(number):
        raise PayloadError(
            f"{where}: {value!r} is not a finite number: send finite numbers (leave it empty if missing)"
        )
    return number


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool):
        raise PayloadError(f"{where}: {value!r} is not a number: send numeric feature values")
    if value is None:
        return math.nan
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if text == "":
            return math.nan
        try:
            number = float(text)
        except ValueError:
            raise PayloadError(
                f"{where}: {value!r} is not a number: send numeric feature values only (no header row, no label)"
            ) from None
    else:
        raise PayloadError(f"{where}: {value!r} is not a number: send numeric feature values")
    if math.isinf(number):
        raise PayloadError(f"{where}: {value!r} is infinite: send finite numbers (leave a value empty if missing)")
    return number


def _raw_text(value: Any, where: str) -> Optional[str]:
    """A raw value as the ETL job saw it: trimmed text, None when missing."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PayloadError(f"{where}: {json.dumps(value)[:60]} is not a value: send text or numbers")
    text = value.strip(_RAW_TRIM) if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    return text or None


def _is_numeric_cell(value: Any) -> bool:
    if value is None or (isinstance(value, (int, float)) and not isinstance(value, bool)):
        return True
    if not isinstance(value, str) or not value.strip():
        return isinstance(value, str)
    try:
        float(value)
        return True
    except ValueError:
        return False


def _csv_rows(text: str) -> Records:
    rows: list[list[Any]] = []
    labels: list[str] = []
    width: int | None = None
    first_line = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = next(csv.reader([line]))
        if width is None:
            width, first_line = len(cells), line_number
        elif len(cells) != width:
            raise PayloadError(
                f"CSV line {line_number} has {len(cells)} values but line {first_line} has {width}: every row needs "
                "the same number of features"
            )
        rows.append(cells)
        labels.append(f"CSV line {line_number}")
    if not rows:
        raise PayloadError("the request body is empty: send at least one CSV row of feature values")
    return Records(rows=rows, labels=labels, csv=True)


def _json_rows(text: str) -> Records:
    if not text.strip():
        raise PayloadError('the request body is empty: send {"instances": [[...feature values...]]}')
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PayloadError(f"the request body is not valid JSON: {error}") from error
    if isinstance(document, dict):
        if "instances" not in document:
            raise PayloadError(
                f'the JSON object has no "instances" key (keys: {", ".join(map(str, document)) or "none"}): '
                'send {"instances": [[...feature values...], ...]}'
            )
        instances = document["instances"]
    else:
        instances = document
    if not isinstance(instances, list):
        raise PayloadError(f'"instances" must be a list of rows, got {type(instances).__name__}')
    if not instances:
        raise PayloadError('"instances" is empty: send at least one row')
    if all(isinstance(item, dict) and "features" not in item for item in instances):
        return Records(objects=instances)
    rows: list[list[Any]] = []
    for index, item in enumerate(instances):
        if isinstance(item, dict) and isinstance(item.get("features"), list):
            item = item["features"]  # SageMaker's {"features": [...]} instance format
        if not isinstance(item, list):
            raise PayloadError(
                f"instance {index} is {type(item).__name__} {json.dumps(item)[:80]}: each instance must be a list "
                "of feature values (or every instance an object keyed by feature name)"
            )
        if rows and len(item) != len(rows[0]):
            raise PayloadError(
                f"instance {index} has {len(item)} values but instance 0 has {len(rows[0])}: every row needs the same "
                "number of features"
            )
        rows.append(item)
    return Records(rows=rows, labels=[f"instance {i}" for i in range(len(rows))])


def input_fn(request_body: Body, request_content_type: str | None) -> Records:
    content_type = _media_type(request_content_type)
    if content_type not in SUPPORTED_CONTENT_TYPES:
        raise PayloadError(
            f"unsupported content type {request_content_type!r}: send {' or '.join(SUPPORTED_CONTENT_TYPES)}",
            415,
        )
    text = _decode(request_body)
    if content_type == CSV:
        return _csv_rows(text)
    return _json_rows(text)


def _reads_raw(records: Records, model: Model) -> bool:
    """Whether rows of this width are raw rows for the model's encoder (else: encoded numeric rows)."""
    encoder = model.encoder
    width = len((records.rows or [[]])[0])
    if encoder is None or width not in encoder.widths():
        return False
    if encoder.identity or width != model.num_features:
        return True
    # A raw width that is also the encoded width: text anywhere means raw.
    return not all(_is_numeric_cell(value) for row in records.rows or [] for value in row)


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
    rows = records.rows or []
    if not _reads_raw(records, model):
        if model.encoder is not None and len(rows[0]) != model.num_features:
            raise _width_error(model, len(rows[0]))  # neither raw nor encoded: say what both would be
        return np.asarray(
            [[_number(v, place) for v, place in zip(row, records.places(i, len(row)))] for i, row in enumerate(rows)],
            dtype=float,
        )
    encoder = model.encoder
    assert encoder is not None
    full = len(rows[0]) != len(encoder.names)  # the upload's row without the label: pick the feature columns
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
        rows.append([_number(item[name], f"instance {index}, feature {name!r}") for name in model.feature_columns])
    return np.asarray(rows, dtype=float)


def predict_fn(input_data: Records | np.ndarray, model: Model) -> np.ndarray:
    if isinstance(input_data, np.ndarray):
        input_data = Records(matrix=np.atleast_2d(input_data.astype(float)))
    if input_data.objects is not None:
        matrix = _matrix_from_objects(input_data.objects, model)
    elif input_data.rows is not None:
        matrix = _matrix_from_rows(input_data, model)
    elif input_data.matrix is not None:
        matrix = input_data.matrix
    else:
        raise PayloadError("no rows to predict")
    if matrix.shape[1] != model.num_features:
        raise _width_error(model, matrix.shape[1])
    return np.asarray(model.booster.predict(xgb.DMatrix(matrix)), dtype=float)


def _accept_type(accept: str | None) -> str:
    """The first supported media type of an Accept header; text/csv when the client accepts anything."""
    candidates = [_media_type(part) for part in (accept or "").split(",")]
    for candidate in candidates:
        if candidate in SUPPORTED_ACCEPT_TYPES:
            return candidate
    if all(candidate in ("", "*/*") for candidate in candidates):
        return CSV
    raise PayloadError(f"unsupported accept type {accept!r}: ask for {' or '.join(SUPPORTED_ACCEPT_TYPES)}", 406)


def output_fn(prediction: np.ndarray, accept: str | None) -> str:
    media_type = _accept_type(accept)
    values = [float(value) for value in np.asarray(prediction, dtype=float).ravel()]
    if media_type == JSON:
        return json.dumps({"predictions": values})
    return "\n".join(repr(value) for value in values)
