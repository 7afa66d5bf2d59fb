"""Inference handlers for SageMaker's XGBoost 1.7-1 framework container (endpoints and batch transform).

The container calls ``model_fn(model_dir)`` once, then for each request
``output_fn(predict_fn(input_fn(body, content_type), model), accept)``.

Requests
  text/csv          one row of feature values per line, no header, no label; empty cells are missing values
  application/json  {"instances": [[f1, f2, ...], ...]} or, when the model has schema.json, objects keyed by feature
                    name: {"instances": [{"age": 31, ...}, ...]} (a bare JSON list works too)
Responses
  text/csv          one prediction per line
  application/json  {"predictions": [...]}
Binary classification models return the probability of class 1; regression models return the predicted value.

Malformed requests raise PayloadError with the HTTP status to answer with (400 bad data, 415 unsupported content
type, 406 unsupported accept type). In the container it is also the inference toolkit's BaseInferenceToolkitError,
which the toolkit answers with that status; any other exception becomes a 500. The toolkit replaces a missing or
``*/*`` Accept header with SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT before output_fn; output_fn answers both in CSV too.

Runs under Python 3.8 and the XGBoost 1.7-1 image's libraries (scripts/container-parity.sh tests that).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Sequence, Union

import numpy as np
import xgboost as xgb

MODEL_FILE_NAME = "xgboost-model"
SCHEMA_FILE_NAME = "schema.json"
CSV = "text/csv"
JSON = "application/json"
SUPPORTED_CONTENT_TYPES = (CSV, JSON)
SUPPORTED_ACCEPT_TYPES = (CSV, JSON)


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
class Model:
    booster: xgb.Booster
    # From schema.json when the artifact has one: lets JSON requests name their features.
    feature_columns: list[str] | None
    problem_type: str | None

    @property
    def num_features(self) -> int:
        return int(self.booster.num_features())


@dataclass(frozen=True)
class Records:
    """Parsed request rows: a numeric matrix, or objects keyed by feature name that need the model's schema."""

    matrix: np.ndarray | None = None
    objects: list[dict[str, Any]] | None = None

    def __len__(self) -> int:
        if self.matrix is not None:
            return int(self.matrix.shape[0])
        return len(self.objects or [])


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
        problem_type = schema.get("problem_type")
    return Model(booster=booster, feature_columns=feature_columns, problem_type=problem_type)


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


def _csv_rows(text: str) -> np.ndarray:
    rows: list[list[float]] = []
    width: int | None = None
    first_line = 0
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split(",")
        if width is None:
            width, first_line = len(cells), line_number
        elif len(cells) != width:
            raise PayloadError(
                f"CSV line {line_number} has {len(cells)} values but line {first_line} has {width}: every row needs "
                "the same number of features"
            )
        rows.append([_number(cell, f"CSV line {line_number}, column {column}") for column, cell in enumerate(cells, 1)])
    if not rows:
        raise PayloadError("the request body is empty: send at least one CSV row of feature values")
    return np.asarray(rows, dtype=float)


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
    rows: list[list[float]] = []
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
        rows.append([_number(value, f"instance {index}, value {position}") for position, value in enumerate(item)])
    return Records(matrix=np.asarray(rows, dtype=float))


def input_fn(request_body: Body, request_content_type: str | None) -> Records:
    content_type = _media_type(request_content_type)
    if content_type not in SUPPORTED_CONTENT_TYPES:
        raise PayloadError(
            f"unsupported content type {request_content_type!r}: send {' or '.join(SUPPORTED_CONTENT_TYPES)}",
            415,
        )
    text = _decode(request_body)
    if content_type == CSV:
        return Records(matrix=_csv_rows(text))
    return _json_rows(text)


def _matrix_from_objects(objects: Sequence[dict[str, Any]], model: Model) -> np.ndarray:
    if model.feature_columns is None:
        raise PayloadError(
            "rows keyed by feature name need the model's schema.json, which this model lacks: send each row as a "
            f"list of its {model.num_features} feature values"
        )
    rows: list[list[float]] = []
    for index, item in enumerate(objects):
        missing = [name for name in model.feature_columns if name not in item]
        if missing:
            raise PayloadError(
                f"instance {index} lacks feature(s) {', '.join(missing)}; the model needs "
                f"{', '.join(model.feature_columns)}"
            )
        rows.append([_number(item[name], f"instance {index}, feature {name!r}") for name in model.feature_columns])
    return np.asarray(rows, dtype=float)


def predict_fn(input_data: Records | np.ndarray, model: Model) -> np.ndarray:
    if isinstance(input_data, np.ndarray):
        input_data = Records(matrix=np.atleast_2d(input_data.astype(float)))
    if input_data.objects is not None:
        matrix = _matrix_from_objects(input_data.objects, model)
    elif input_data.matrix is not None:
        matrix = input_data.matrix
    else:
        raise PayloadError("no rows to predict")
    if matrix.shape[1] != model.num_features:
        names = f" ({', '.join(model.feature_columns)})" if model.feature_columns else ""
        raise PayloadError(
            f"expected {model.num_features} feature values per row{names} but got {matrix.shape[1]}: send the "
            "features only, in training order, without the label"
        )
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
